//! Probability distributions, one file each: a validated constructor returning `Result`, a log
//! density generic over the scalar, a sampler, the support, and moments where they exist.

mod bernoulli;
mod beta;
mod cauchy;
mod exponential;
mod gamma;
mod half_cauchy;
mod half_normal;
mod improper_uniform;
mod log_normal;
mod multivariate_normal;
mod normal;
mod poisson;
mod student_t;
mod uniform;
mod von_mises;

pub use crate::distribution::{
    CircularDistribution, Distribution, IntoDistribution, LocScale, PlainValue, Samplable, Value,
};

// Continuous, real line.
pub use cauchy::{Cauchy, CauchyError};
pub use multivariate_normal::{MultivariateNormal, MultivariateNormalError};
pub use normal::{Normal, NormalError};
pub use student_t::{StudentT, StudentTError};

// Continuous, positive.
pub use exponential::{Exponential, ExponentialError};
pub use gamma::{Gamma, GammaError};
pub use half_cauchy::{HalfCauchy, HalfCauchyError};
pub use half_normal::{HalfNormal, HalfNormalError};
pub use log_normal::{LogNormal, LogNormalError};

// Continuous, bounded.
pub use beta::{Beta, BetaError};
pub use uniform::{Uniform, UniformError};

// Circular.
pub use von_mises::{VonMises, VonMisesError};

// Improper (no sampler).
pub use improper_uniform::{ImproperUniform, ImproperUniformError};

// Discrete.
pub use bernoulli::{Bernoulli, BernoulliError};
pub use poisson::{Poisson, PoissonError};
