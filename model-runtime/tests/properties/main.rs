//! Property tests (proptest) of robustness: no input makes a constructor, a density, a
//! gradient, a sampler or a bijector panic or return NaN.
//!
//! Inputs mix random finite numbers with the special ones (NaN, ±∞, ±0, negative numbers, the
//! smallest subnormal 5e-324, `f64::MIN_POSITIVE`, 1e300, 1e308, `f64::MAX`); see
//! [`strategies`]. The runs are deterministic (a fixed seed, no failure files) and take a few
//! seconds.
//!
//! Properties:
//!
//! - a constructor returns `Err` exactly when a documented condition fails, and the error names
//!   the distribution and the rejected value; it never panics;
//! - `log_prob` is never NaN; outside the support it is `-∞`; inside it is below `+∞` (a value
//!   at a bound may be a pole), and finite at draws from moderate parameters;
//! - where the log density is finite its gradient (in every parameter and the value) has no
//!   NaN, and at moderate parameters it is finite (subnormal inputs are left out of the first:
//!   slopes such as 1/x exceed `f64::MAX` there, as documented on `distributions`);
//! - draws are never NaN, and at moderate parameters they lie in the closure of the support;
//! - bijectors round-trip at extreme unconstrained values with a finite log-Jacobian.
//!
//! Covered, one test per public constructor:
//!
//! - [`scalar`]: `Normal::new`, `StudentT::new`, `Cauchy::new`, `Laplace::new`,
//!   `Logistic::new`, `Gumbel::new`, `SkewNormal::new`, `Chi2::new`, `Exponential::new`,
//!   `Gamma::new`, `HalfCauchy::new`, `HalfNormal::new`, `HalfStudentT::new`,
//!   `InverseGamma::new`, `LogNormal::new`, `Pareto::new`, `Weibull::new`, `Beta::new`,
//!   `TruncatedNormal::{new, lower, upper}`, `Uniform::new`, `VonMises::new`, `Delta::new`,
//!   `ImproperUniform::new` (every support), `Mixture::{new, from_logits}` (of normals),
//!   `Bernoulli::{new, from_logits}`, `BetaBinomial::new`, `Binomial::{new, from_logits}`,
//!   `Categorical::{new, from_logits}`, `Geometric::{new, from_logits}`,
//!   `NegativeBinomial2::new`, `Poisson::new`;
//! - [`vector`]: `Dirichlet::new`, `Multinomial::{new, from_logits}`,
//!   `MultivariateNormal::{new, from_precision, from_scale_tril}`, `LKJCholesky::new`,
//!   `ProjectedNormal::new`;
//! - [`batch`]: every vectorized constructor (`batch::Normal::new`, `StudentT`, `Cauchy`,
//!   `Laplace`, `Logistic`, `Gumbel`, `LogNormal`, `HalfNormal`, `HalfCauchy`, `HalfStudentT`,
//!   `Exponential`, `Gamma`, `InverseGamma`, `Beta`, `Weibull`, `VonMises`, `Uniform`,
//!   `Bernoulli::{new, from_logits}`, `Poisson::{new, from_log_rate}`, `NegativeBinomial2`,
//!   `Binomial::{new, from_logits}`) with per-element extreme parameters, against the scalar
//!   families;
//! - [`bijectors`]: `Elementwise` (every support, shared and per-element bounds), `Simplex`,
//!   `Ordered`, `PositiveOrdered`, `CorrelationCholesky`, `CovarianceCholesky`,
//!   `CovarianceMatrix`, and the scalar `Support` maps.

//!
//! Tests marked `#[ignore = "open bug ..."]` name an input that still fails; run them with
//! `cargo test -p model-runtime --test properties -- --ignored`. The seed is fixed, so CI sees
//! the same inputs on every run; to search further, set another seed and more cases, e.g.
//! `PROPERTY_SEED=7 PROPERTY_CASES=3000 cargo test -p model-runtime --test properties`.

mod batch;
mod bijectors;
mod harness;
mod scalar;
mod strategies;
mod vector;
