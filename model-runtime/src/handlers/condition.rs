//! Turning a latent site into an observed one.

use core::any::{Any, TypeId};

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{ModelSites, Nested, SampleSite};
use crate::value::ValueKind;

/// Observes site `C` at the given values: the site becomes data (NumPyro's `condition`).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{Condition, LogJoint};
///
/// #[model]
/// fn line() {
///     let slope = sample!("slope", Normal::new(0.0, 1.0));
///     sample!("y", Normal::new(slope, 1.0));
/// }
///
/// fn main() -> Result<(), ModelError> {
///     // Fix `slope` as data and score `y = 0.5`.
///     let mut h = Condition::new(line::site::slope, &0.0, Condition::new(line::site::y, &0.5, LogJoint::new()));
///     line().run::<f64, _>(&mut h)?;
///     let lp = h.into_inner().into_inner().log_joint();
///     let n = Normal::new(0.0, 1.0).unwrap();
///     assert!((lp - n.log_prob(&0.0) - n.log_prob(&0.5)).abs() < 1e-12);
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Condition<'a, C: SampleSite, H> {
    inner: H,
    values: &'a C::Field,
}

impl<'a, C: SampleSite, H> Condition<'a, C, H> {
    /// Observes `site` at `values` (one value, or nested `Vec`s for a site inside plates).
    pub fn new(_site: C, values: &'a C::Field, inner: H) -> Self {
        Condition { inner, values }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M, T, C, H> Handler<M, T> for Condition<'_, C, H>
where
    M: ModelSites,
    T: Scalar,
    C: SampleSite<Model = M>,
    H: Handler<M, T>,
{
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        // The site is `C` exactly when the types agree; the downcast then recovers the
        // values with `S`'s own types.
        let values: &dyn Any = self.values;
        if TypeId::of::<S>() == TypeId::of::<C>()
            && let Some(field) = values.downcast_ref::<S::Field>()
        {
            observe_element::<S, D>(msg, field);
        }
        self.inner.sample::<S, D>(msg)
    }
    forward_handler!(factor, deterministic, subsample, param, enter, enumeration);
}

/// Makes the message's site data: its value becomes the element of `field` at the message's
/// plate index, when `field` has one (a missing element leaves the message as it was). What
/// [`Condition`] does for one site and [`ObserveDraw`](super::ObserveDraw) for every observed
/// site of a draw.
pub(super) fn observe_element<S, D>(msg: &mut SampleMsg<'_, D>, field: &S::Field)
where
    S: SampleSite,
    D: Distribution<Kind = S::Kind>,
{
    if let Some(v) = field.element(msg.index) {
        msg.value = Some(S::Kind::from_f64::<D::Scalar>(v));
        msg.observed = true;
    }
}
