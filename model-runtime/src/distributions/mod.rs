//! Probability distributions, one file each: a validated constructor returning `Result`, a log
//! density generic over the scalar, a sampler, the support, and moments where they exist.
//!
//! # Extreme inputs
//!
//! Constructors reject NaN, infinite and out-of-range parameters with an error that names the
//! parameter and the value; everything they accept, down to subnormal scales and up to
//! `f64::MAX`, gives a log density that is never NaN: `-∞` outside the support (NaN values
//! included), below `+∞` inside it (a bound of the support may be a pole, such as `Gamma` at 0
//! for a shape below 1). Where the log density is finite its gradient has no NaN, with one
//! documented limit: at subnormal parameters or values (below `f64::MIN_POSITIVE`) slopes such
//! as `1/x` exceed `f64::MAX`, and such overflows may meet as `∞ - ∞`. The property tests in
//! `tests/properties` check all of this for every constructor.

mod bernoulli;
mod beta;
mod beta_binomial;
mod binomial;
mod categorical;
mod categories;
mod cauchy;
mod chi2;
mod delta;
mod dirichlet;
mod exponential;
mod gamma;
mod geometric;
mod gumbel;
mod half_cauchy;
mod half_normal;
mod half_student_t;
mod improper_uniform;
mod inverse_gamma;
mod laplace;
mod lkj_cholesky;
mod log_normal;
mod logistic;
mod mixture;
mod multinomial;
mod multivariate_normal;
mod negative_binomial2;
mod normal;
mod pareto;
mod poisson;
mod projected_normal;
mod skew_normal;
mod student_t;
mod success;
mod truncated_normal;
mod uniform;
mod von_mises;
mod weibull;

pub use crate::distribution::{
    CircularDistribution, Distribution, Family, IntoDistribution, LocScale, PlainValue,
    ProjectedNormalDistribution, Reparameterized, Samplable, Value,
};

// Continuous, real line.
pub use cauchy::{Cauchy, CauchyError};
pub use gumbel::{Gumbel, GumbelError};
pub use laplace::{Laplace, LaplaceError};
pub use logistic::{Logistic, LogisticError};
pub use normal::{Normal, NormalError};
pub use skew_normal::{SkewNormal, SkewNormalError};
pub use student_t::{StudentT, StudentTError};

// Continuous, positive.
pub use chi2::{Chi2, Chi2Error};
pub use exponential::{Exponential, ExponentialError};
pub use gamma::{Gamma, GammaError};
pub use half_cauchy::{HalfCauchy, HalfCauchyError};
pub use half_normal::{HalfNormal, HalfNormalError};
pub use half_student_t::{HalfStudentT, HalfStudentTError};
pub use inverse_gamma::{InverseGamma, InverseGammaError};
pub use log_normal::{LogNormal, LogNormalError};
pub use pareto::{Pareto, ParetoError};
pub use weibull::{Weibull, WeibullError};

// Continuous, bounded.
pub use beta::{Beta, BetaError};
pub use truncated_normal::{TruncatedNormal, TruncatedNormalError};
pub use uniform::{Uniform, UniformError};

// Circular and spherical.
pub use projected_normal::{ProjectedNormal, ProjectedNormalError};
pub use von_mises::{VonMises, VonMisesError};

// Point mass.
pub use delta::{Delta, DeltaError};

// Improper (no sampler).
pub use improper_uniform::{ImproperUniform, ImproperUniformError};

// Mixtures.
pub(crate) use categories::SUM_TOLERANCE;
pub(crate) use mixture::plain_support;
pub use mixture::{Components, Mixture, MixtureError};

// Multivariate.
pub use dirichlet::{Dirichlet, DirichletError};
pub use lkj_cholesky::{LKJCholesky, LKJCholeskyError};
pub use multivariate_normal::{MultivariateNormal, MultivariateNormalError};

// Discrete.
pub use bernoulli::{Bernoulli, BernoulliError};
pub use beta_binomial::{BetaBinomial, BetaBinomialError};
pub use binomial::{Binomial, BinomialError};
pub use categorical::{Categorical, CategoricalError};
pub use geometric::{Geometric, GeometricError};
pub use multinomial::{Multinomial, MultinomialError};
pub use negative_binomial2::{NegativeBinomial2, NegativeBinomial2Error};
pub use poisson::{Poisson, PoissonError};
