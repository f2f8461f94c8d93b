//! A model as the target of gradient-based inference.

use std::cell::RefCell;

use crate::autodiff::{Var, gradient};
use crate::error::ModelError;
use crate::inference::GradientTarget;
use crate::model::{Body, Model};

/// The log density of a model in unconstrained coordinates, with its gradient by reverse-mode
/// autodiff: the model body runs on [`Var`] with no change to user code.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::inference::GradientTarget;
/// use model_runtime::results::model_target::ModelTarget;
///
/// #[model]
/// fn mean_only(y: &[f64]) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", y.len(), |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y[i]);
///     });
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let y = [1.0, 2.0];
///     let model = mean_only(&y);
///     let mut target = ModelTarget::new(&model)?;
///     let mut g = [0.0];
///     target.log_density_and_gradient(&[0.5], &mut g)?;
///     // d/dmu [-mu²/2 - Σ (y - mu)²/2] = -mu + Σ (y - mu)
///     assert!((g[0] - (-0.5 + 0.5 + 1.5)).abs() < 1e-12);
///     Ok(())
/// }
/// ```
pub struct ModelTarget<'a, M: Model> {
    model: &'a M,
    dim: usize,
}

impl<'a, M: Body<f64>> ModelTarget<'a, M> {
    /// The target of `model`; fails if the model cannot be run to count its coordinates.
    pub fn new(model: &'a M) -> Result<Self, ModelError> {
        Ok(ModelTarget {
            model,
            dim: model.unconstrained_dim()?,
        })
    }

    /// The model.
    pub fn model(&self) -> &'a M {
        self.model
    }
}

impl<M: Body<Var>> GradientTarget for ModelTarget<'_, M> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn log_density_and_gradient(
        &mut self,
        position: &[f64],
        gradient_out: &mut [f64],
    ) -> Result<f64, ModelError> {
        // A panic in model code fails the chain (its catch is in `mcmc`, which then locates
        // the statement by running the body again at this position). The guard keeps the
        // position only while unwinding: forgotten on return, it costs nothing otherwise.
        let guard = KeepOnUnwind(position);
        let result = gradient(position, gradient_out, |x: &[Var]| {
            self.model.log_density(x)
        });
        std::mem::forget(guard);
        result
    }
}

thread_local! {
    /// The position whose evaluation panicked last on this thread.
    static PANICKED_AT: RefCell<Option<Vec<f64>>> = const { RefCell::new(None) };
}

/// Dropped only when the evaluation at its position unwinds (it is forgotten otherwise): keeps
/// the position for [`take_panicked_position`].
struct KeepOnUnwind<'a>(&'a [f64]);

impl Drop for KeepOnUnwind<'_> {
    fn drop(&mut self) {
        let position = self.0.to_vec();
        // A thread-local that is being destroyed has no room: the panic goes unlocated.
        let _ = PANICKED_AT.try_with(|at| *at.borrow_mut() = Some(position));
    }
}

/// The position at which a [`ModelTarget`] evaluation on this thread last panicked, taken.
pub(crate) fn take_panicked_position() -> Option<Vec<f64>> {
    PANICKED_AT
        .try_with(|at| at.borrow_mut().take())
        .ok()
        .flatten()
}
