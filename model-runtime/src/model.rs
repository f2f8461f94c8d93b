//! The model trait: what `#[model]` generates for a model bound to its data.

use rand::Rng;

use crate::error::{ModelError, ModelErrorKind};
use crate::handler::Handler;
use crate::handlers::{LogDensity, LogJoint, Seed, Substitute, Trace, Unconstrain};
use crate::scalar::Scalar;
use crate::site::ModelSites;

/// A model bound to its data, as returned by a `#[model]` function.
///
/// [`run`](Model::run) executes the body once with a handler; the provided methods are the
/// common compositions of handlers.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use rand::SeedableRng;
///
/// #[model]
/// fn regression(x: &[f64], y: Option<&[f64]>) {
///     let slope = sample!("slope", Normal::new(0.0, 1.0));
///     let sigma = sample!("sigma", HalfNormal::new(1.0));
///     plate!("data", x.len(), |i| {
///         sample!("y", Normal::new(slope * x[i], sigma), obs = y.map(|y| y[i]));
///     });
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let x = [0.0, 1.0, 2.0];
///     let model = regression(&x, None);
///     let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
///     let draw = model.sample_prior(&mut rng)?;
///     assert_eq!(draw.y.len(), 3);
///     assert_eq!(model.unconstrained_dim()?, 2);
///     Ok(())
/// }
/// ```
pub trait Model {
    /// The typed structs of this model.
    type Sites: ModelSites;

    /// Runs the body once, every statement going through `handler`, on the scalar `T` (`f64`,
    /// or the autodiff [`Var`](crate::autodiff::Var) for gradients).
    fn run<T, H>(&self, handler: &mut H) -> Result<(), ModelError>
    where
        T: Scalar,
        H: Handler<Self::Sites, T>,
        Self: Body<T>,
    {
        // The whole body is the outermost enumeration scope: a handler that sums discrete
        // latent sites outside plates out runs it once per assignment of them.
        handler.enumeration_begin(<Self::Sites as ModelSites>::NAME);
        loop {
            self.body(handler)?;
            if !handler.enumeration_next()? {
                return Ok(());
            }
        }
    }

    /// One draw from the prior (observed sites drawn too, whatever their data).
    fn sample_prior<R: Rng>(
        &self,
        rng: &mut R,
    ) -> Result<<Self::Sites as ModelSites>::Draw, ModelError>
    where
        Self: Body<f64>,
    {
        let mut handler = Trace::new(crate::handlers::Unobserve::new(Seed::new(rng)));
        self.run::<f64, _>(&mut handler)?;
        Ok(handler.into_draw())
    }

    /// The sites as a table: name, role, distribution, support, shape and reparameterizer, in
    /// program order, read from the typed sites and one draw from the prior (data stay as
    /// given). Print it before fitting to check that the model is the one you meant.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn schools(y: &[f64], sigma: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 5.0));
    ///     let tau = sample!("tau", HalfCauchy::new(5.0));
    ///     plate!("schools", y.len(), |j| {
    ///         let theta = sample!("theta", Normal::new(mu, tau));
    ///         sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    ///     });
    /// }
    ///
    /// let model = schools(&[28.0, 8.0, -3.0], &[15.0, 10.0, 16.0])
    ///     .reparam(|r| r.theta(LocScaleReparam::default()));
    /// let description = model.describe()?;
    /// println!("{description}");
    /// let theta = &description.sites[2];
    /// assert_eq!((theta.name, theta.shape.as_slice()), ("theta", &[3][..]));
    /// assert_eq!(theta.reparam.as_deref(), Some("LocScaleReparam"));
    /// assert_eq!(description.sites[1].support.as_deref(), Some("(0, ∞)"));
    /// # Ok::<(), ModelError>(())
    /// ```
    fn describe(&self) -> Result<crate::describe::Description, ModelError>
    where
        Self: Body<f64>,
    {
        use rand::SeedableRng;
        let rng = rand::rngs::ChaCha8Rng::seed_from_u64(0);
        let sites = <Self::Sites as ModelSites>::sites().len();
        let mut handler = Trace::new(crate::describe::Describe::new(Seed::new(rng), sites));
        self.run::<f64, _>(&mut handler)?;
        let (draw, describe) = handler.into_parts();
        Ok(crate::describe::Description::of::<Self::Sites, _>(
            describe, &draw,
        ))
    }

    /// This model with its observed sites as data at their values in `draw`, whatever data
    /// it was bound to: how a model fits data simulated from its own prior (for example by
    /// [`sample_prior`](Model::sample_prior)), as simulation-based calibration does.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn location(n: usize, y: Option<&[f64]>) {
    ///     let mu = sample!("mu", Normal::new(0.0, 1.0));
    ///     plate!("data", n, |i| {
    ///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
    ///     });
    /// }
    ///
    /// let draw = location::Draw { mu: 0.1, y: vec![0.4, 0.9] };
    /// let latent = location::Latent { mu: 0.2 };
    /// let simulated = location(2, None).observing(&draw).log_joint(&latent)?;
    /// assert_eq!(simulated, location(2, Some(&[0.4, 0.9])).log_joint(&latent)?);
    /// // Without data the model cannot be scored.
    /// assert!(location(2, None).log_joint(&latent).is_err());
    /// # Ok::<(), ModelError>(())
    /// ```
    fn observing<'a>(
        &'a self,
        draw: &'a <Self::Sites as ModelSites>::Draw,
    ) -> crate::handlers::Observing<'a, Self>
    where
        Self: Sized,
    {
        crate::handlers::Observing::new(self, draw)
    }

    /// The log joint density at the given latent values and the model's data.
    fn log_joint(&self, latent: &<Self::Sites as ModelSites>::Latent) -> Result<f64, ModelError>
    where
        Self: Body<f64>,
    {
        let mut handler = Substitute::new(latent, LogJoint::new());
        self.run::<f64, _>(&mut handler)?;
        Ok(handler.into_inner().log_joint())
    }

    /// The number of unconstrained coordinates (latent elements) inference works with.
    fn unconstrained_dim(&self) -> Result<usize, ModelError>
    where
        Self: Body<f64>,
    {
        let mut handler = LogDensity::<f64>::probe();
        self.run::<f64, _>(&mut handler)?;
        Ok(handler.consumed())
    }

    /// The log density at an unconstrained position, log-Jacobians included: the target of
    /// gradient-based inference.
    fn log_density<T: Scalar>(&self, position: &[T]) -> Result<T, ModelError>
    where
        Self: Body<T>,
    {
        let mut handler = LogDensity::new(position);
        self.run::<T, _>(&mut handler)?;
        check_consumed(handler.consumed(), position.len())?;
        Ok(handler.log_density())
    }

    /// The draw at an unconstrained position: latent values, observed data and deterministic
    /// sites. Discrete latent sites, which have no coordinates (they are summed out), take their
    /// most probable values given the rest ([`most_probable_discrete`](Model::most_probable_discrete));
    /// [`constrain_recovering`](Model::constrain_recovering) draws them instead.
    fn constrain(&self, position: &[f64]) -> Result<<Self::Sites as ModelSites>::Draw, ModelError>
    where
        Self: Body<f64>,
    {
        // Without discrete latent sites nothing needs the sites' scores: only the values are
        // computed (a draw of a data-heavy model would otherwise cost a log density at `f64`).
        let handler = if <Self::Sites as ModelSites>::DISCRETE_LATENT {
            LogDensity::most_probable(position)
        } else {
            LogDensity::values_only(position)
        };
        traced(self, handler, position.len())
    }

    /// The draw at an unconstrained position, with every discrete latent site of finite support
    /// drawn from its conditional posterior given the continuous sites and the data: what
    /// NUTS and HMC record with each draw of a model whose discrete sites they summed out.
    /// Sites inside a plate are drawn per element; sites outside plates jointly, from their
    /// marginal posterior, before the plate-local ones given them. `seed` seeds the draws.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn mixture(y: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 5.0));
    ///     plate!("data", y.len(), |i| {
    ///         let z = sample!("z", Bernoulli::new(0.5));
    ///         sample!("y", Normal::new(if z { mu } else { -mu }, 1.0), obs = y[i]);
    ///     });
    /// }
    ///
    /// let y = [4.0, -4.0];
    /// let model = mixture(&y);
    /// // mu = 4: the first point is almost surely from the `+mu` component, the second not.
    /// let draw = model.constrain_recovering(&[4.0], 1)?;
    /// assert_eq!(draw.z, vec![true, false]);
    /// # Ok::<(), ModelError>(())
    /// ```
    fn constrain_recovering(
        &self,
        position: &[f64],
        seed: u64,
    ) -> Result<<Self::Sites as ModelSites>::Draw, ModelError>
    where
        Self: Body<f64>,
    {
        traced(self, LogDensity::recovering(position, seed), position.len())
    }

    /// NumPyro's `infer_discrete`: given values of the latent sites (those of discrete sites
    /// are ignored), a complete draw with every discrete latent site of finite support drawn
    /// from its conditional posterior given the continuous sites and the data (see
    /// [`constrain_recovering`](Model::constrain_recovering)). Exact: each draw enumerates the
    /// discrete sites' supports rather than approximating them.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn switch(y: f64) {
    ///     let shift = sample!("shift", Normal::new(0.0, 5.0));
    ///     let on = sample!("on", Bernoulli::new(0.5));
    ///     sample!("y", Normal::new(if on { shift } else { scalar(0.0) }, 1.0), obs = y);
    /// }
    ///
    /// let model = switch(3.0);
    /// let latent = switch::Latent { shift: 3.0, on: false };
    /// // P(on | shift = 3, y = 3) = 1 / (1 + e^-4.5) ≈ 0.989
    /// let on = (0..200)
    ///     .filter(|&seed| model.infer_discrete(&latent, seed).map(|d| d.on).unwrap_or(false))
    ///     .count();
    /// assert!(on > 185);
    /// # Ok::<(), ModelError>(())
    /// ```
    fn infer_discrete(
        &self,
        latent: &<Self::Sites as ModelSites>::Latent,
        seed: u64,
    ) -> Result<<Self::Sites as ModelSites>::Draw, ModelError>
    where
        Self: Body<f64>,
    {
        let position = self.unconstrain(latent)?;
        self.constrain_recovering(&position, seed)
    }

    /// Given values of the latent sites (those of discrete sites are ignored), a complete draw
    /// with every discrete latent site of finite support at its most probable value given the
    /// continuous sites and the data (`infer_discrete` at temperature 0): per plate element for
    /// sites inside a plate, jointly for sites outside plates (with the plate-local sites summed
    /// out), the plate-local ones then given them.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn mixture(y: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 5.0));
    ///     plate!("data", y.len(), |i| {
    ///         let z = sample!("z", Categorical::new(vec![0.5, 0.5]));
    ///         sample!("y", Normal::new(if z == 1 { mu } else { -mu }, 1.0), obs = y[i]);
    ///     });
    /// }
    ///
    /// let y = [0.5, -2.0, 3.0];
    /// let draw = mixture(&y).most_probable_discrete(&mixture::Latent { mu: 2.0, z: vec![] })?;
    /// assert_eq!(draw.z, vec![1, 0, 1]);
    /// # Ok::<(), ModelError>(())
    /// ```
    fn most_probable_discrete(
        &self,
        latent: &<Self::Sites as ModelSites>::Latent,
    ) -> Result<<Self::Sites as ModelSites>::Draw, ModelError>
    where
        Self: Body<f64>,
    {
        let position = self.unconstrain(latent)?;
        self.constrain(&position)
    }

    /// The unconstrained position of the given latent values (the inverse of
    /// [`constrain`](Model::constrain)).
    fn unconstrain(
        &self,
        latent: &<Self::Sites as ModelSites>::Latent,
    ) -> Result<Vec<f64>, ModelError>
    where
        Self: Body<f64>,
    {
        let mut handler = Substitute::new(latent, Unconstrain::new());
        self.run::<f64, _>(&mut handler)?;
        Ok(handler.into_inner().into_coordinates())
    }
}

/// A model's body compiled for the scalar `T`: `#[model]` implements it for `f64` (evaluation,
/// sampling, prediction) and for the autodiff [`Var`](crate::autodiff::Var) (gradients), and
/// code that runs a model on a scalar asks for that scalar's body in its bounds, so a scalar
/// with no body (a forward-mode dual number) is a compile error rather than a run-time one.
///
/// The macro emits the body once per scalar type rather than once generic over it: in a generic
/// body the bounds `f64: Mul<T>` that mixed arithmetic needs would make plain data arithmetic
/// such as `x[i] * z[i]` ambiguous to the compiler.
///
/// # Example
///
/// ```
/// use model_runtime::autodiff::Var;
/// use model_runtime::model::Body;
/// use model_runtime::prelude::*;
///
/// /// Runs on any model that has both bodies, as fitting does.
/// fn dimension<M: Body<f64> + Body<Var>>(model: &M) -> usize {
///     model.unconstrained_dim().unwrap()
/// }
///
/// #[model]
/// fn two() {
///     sample!("a", Normal::new(0.0, 1.0));
///     sample!("b", HalfNormal::new(1.0));
/// }
///
/// assert_eq!(dimension(&two()), 2);
/// ```
pub trait Body<T: Scalar>: Model {
    /// Runs the body once on `T`, every statement going through `handler` (call it through
    /// [`Model::run`]).
    fn body<H: Handler<Self::Sites, T>>(&self, handler: &mut H) -> Result<(), ModelError>;
}

/// Runs the body under `Trace` around `handler`, checking that it read `len` coordinates.
fn traced<M: Body<f64> + ?Sized>(
    model: &M,
    handler: LogDensity<'_, f64>,
    len: usize,
) -> Result<<M::Sites as ModelSites>::Draw, ModelError> {
    let mut handler = Trace::new(handler);
    model.run::<f64, _>(&mut handler)?;
    let (draw, inner) = handler.into_parts();
    check_consumed(inner.consumed(), len)?;
    Ok(draw)
}

fn check_consumed(consumed: usize, given: usize) -> Result<(), ModelError> {
    if consumed == given {
        Ok(())
    } else {
        Err(ModelError::new(
            "<position>",
            &[],
            ModelErrorKind::DimensionMismatch {
                expected: consumed,
                found: given,
            },
        ))
    }
}
