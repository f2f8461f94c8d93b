//! Knowing where the body is: the statement it entered last, for reporting a panic in model
//! code at the site and element it happened.

use std::fmt;

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{ModelSites, SampleSite};

/// Where a model body was: the statement (a site, a factor or a plate) it entered last, with
/// its plate indices, outermost first. Displayed as errors name sites, `y[3]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluating {
    /// The statement's name.
    pub site: &'static str,
    /// Its plate indices, outermost first.
    pub index: Vec<usize>,
}

impl fmt::Display for Evaluating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.site)?;
        self.index.iter().try_for_each(|i| write!(f, "[{i}]"))
    }
}

/// Keeps the statement the body entered last ([`Handler::enter`]), so that when model code
/// panics, the statement being evaluated is known: fits and Predictive run the body under it
/// to report a panic at its site and element. Every other message goes to the wrapped handler
/// unchanged.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{Locate, LogJoint, Substitute};
///
/// // `y` read backwards: the plate cannot check an index it does not see as its own.
/// #[model]
/// fn backwards(x: &[f64], y: &[f64]) {
///     let b = sample!("b", Normal::new(0.0, 1.0));
///     plate!("data", x.len(), |i| {
///         sample!("y", Normal::new(b * x[i], 1.0), obs = y[x.len() - 1 - i]);
///     });
/// }
///
/// let (x, y) = ([1.0, 2.0, 3.0], [0.5, 1.0]);
/// let latent = backwards::Latent { b: 0.1 };
/// let mut handler = Locate::new(Substitute::new(&latent, LogJoint::new()));
/// let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
///     backwards(&x, &y).run::<f64, _>(&mut handler)
/// }));
/// assert!(run.is_err()); // y[2] is out of bounds, at the plate's element 0
/// assert_eq!(handler.last().unwrap().to_string(), "y[0]");
/// ```
#[derive(Debug, Clone)]
pub struct Locate<H> {
    inner: H,
    last: Option<Evaluating>,
}

impl<H> Locate<H> {
    /// Locates the statements `inner` handles.
    pub fn new(inner: H) -> Self {
        Locate { inner, last: None }
    }

    /// The statement entered last, if any.
    pub fn last(&self) -> Option<&Evaluating> {
        self.last.as_ref()
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for Locate<H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        self.inner.sample::<S, D>(msg)
    }
    forward_handler!(factor, deterministic, subsample, param, enumeration);

    fn enter(&mut self, site: &'static str, index: &[usize]) {
        match &mut self.last {
            Some(last) => {
                last.site = site;
                last.index.clear();
                last.index.extend_from_slice(index);
            }
            None => {
                self.last = Some(Evaluating {
                    site,
                    index: index.to_vec(),
                });
            }
        }
        self.inner.enter(site, index);
    }
}
