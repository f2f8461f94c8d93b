//! Typed probabilistic programming.
//!
//! Write a model as an ordinary Rust function with `sample!` statements and mark it `#[model]`;
//! the macro compiles its sites into typed structs, so mistakes that dynamic PPLs discover at run
//! time (a reparameterization on an observed site, an observation of the wrong type) are compile
//! errors. This crate supplies everything that runs: distributions, effect handlers,
//! reparameterizers, NUTS and HMC, diagnostics, PSIS-LOO and Predictive.
//!
//! New here? The [`guide`] walks one model from its first line to model comparison, with a
//! table for porting from NumPyro and Stan.
//!
//! # Example
//!
//! ```
//! use model_runtime::prelude::*;
//!
//! /// Angles `y` around `b * x`, with concentration 1/sigma^2.
//! #[model]
//! fn circular_regression(x: &[f64], y: Option<&[f64]>) {
//!     let b = sample!("b", Normal::new(0.0, 1.0));
//!     let sigma = sample!("sigma", Exponential::new(1.0));
//!     let kappa = 1.0 / (sigma * sigma);
//!     plate!("data", x.len(), |i| {
//!         sample!("obs", VonMises::new(b * x[i], kappa), obs = y.map(|y| y[i]));
//!     });
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let x = [0.1, 0.5, 1.0];
//!     let prior = Predictive::prior(200).seed(7).run(&circular_regression(&x, None))?;
//!     let b_draws: &[f64] = &prior.b;
//!     let y_rep: &Vec<Vec<f64>> = &prior.obs;
//!     assert_eq!((b_draws.len(), y_rep[0].len()), (200, 3));
//!     Ok(())
//! }
//! ```

extern crate self as model_runtime;

pub mod autodiff;
pub mod batch;
pub mod bijectors;
pub mod constraint;
pub mod describe;
pub mod diagnostics;
pub mod distribution;
pub mod distributions;
pub mod error;
pub mod guide;
pub mod handler;
pub mod handlers;
pub mod hmm;
pub mod inference;
pub mod linalg;
mod macros;
pub mod model;
pub mod ode;
pub mod param;
pub mod plots;
pub mod reparam;
pub mod results;
pub mod scalar;
pub mod site;
pub mod special;
pub mod svi;
pub mod value;
pub mod vector_math;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

// The public map: the crate-root names users import (`model_runtime::Scalar`, ...). Internal
// code does not go through it; it imports each item by its module path (`crate::scalar::Scalar`).
pub use constraint::Support;
pub use distribution::Distribution;
pub use error::{GuideMismatch, ModelError, ModelErrorKind};
pub use model::{Body, Model};
pub use model_macros::model;
pub use reparam::{CircularReparam, LocScaleReparam, ProjectedNormalReparam, TransformReparam};
pub use results::fit::{Fit, FitError};
pub use results::mcmc::{Hmc, Init, Nuts};
pub use results::predictive::{Predictive, PredictiveError, PredictiveFailure};
pub use results::sbc::{Calibration, Sbc, SbcError, sbc};
pub use scalar::{FloatOps, IntoParam, Scalar, scalar};

/// Everything a model file needs: `use model_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::batch::{self, gather, vector};
    pub use crate::constraint::Support;
    pub use crate::distribution::Distribution;
    pub use crate::distributions::*;
    pub use crate::error::{ModelError, ModelErrorKind};
    pub use crate::hmm::{
        hmm_hidden_state_prob, hmm_latent_sample, hmm_marginal, hmm_posterior_chain, hmm_viterbi,
    };
    pub use crate::linalg::Matrix;
    pub use crate::model::{Body, Model};
    pub use crate::reparam::{
        CircularReparam, LocScaleReparam, NoReparam, ProjectedNormalReparam, TransformReparam,
    };
    pub use crate::results::mcmc::{Hmc, Init, Nuts};
    pub use crate::results::predictive::Predictive;
    pub use crate::scalar::{FloatOps, Scalar, scalar};
    pub use crate::value::PooledVec;
    pub use crate::{deterministic, factor, model, param, plate, sample};
}
