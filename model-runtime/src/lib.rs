//! Typed probabilistic programming.
//!
//! Write a model as an ordinary Rust function with `sample!` statements and mark it `#[model]`;
//! the macro compiles its sites into typed structs, so mistakes that dynamic PPLs discover at run
//! time (a reparameterization on an observed site, an observation of the wrong type) are compile
//! errors. This crate supplies everything that runs: distributions, effect handlers,
//! reparameterizers and Predictive.

pub mod constraint;
pub mod distribution;
pub mod distributions;
pub mod error;
pub mod scalar;
pub mod special;
pub mod value;

pub use constraint::Support;
pub use distribution::Distribution;
pub use error::{ModelError, ModelErrorKind};
pub use scalar::{FloatOps, IntoParam, Scalar};

/// Everything a model file needs: `use model_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::Support;
    pub use crate::distribution::Distribution;
    pub use crate::distributions::*;
    pub use crate::scalar::{FloatOps, Scalar};
    pub use crate::{ModelError, ModelErrorKind};
}
