//! Vector constraints and the bijections from unconstrained space onto them.
//!
//! Gradient-based inference moves in ℝᵐ; a site whose value is a simplex, an ordered vector or a
//! matrix factor is the image of a free vector `u` under one of these maps, and the log density
//! gains the log absolute Jacobian determinant. The maps are Stan's (Stan Reference Manual,
//! "Constraint Transforms", version 2.36): each type's documentation gives the formula, the
//! coordinates its Jacobian is taken over and the manual's section.
//!
//! | type | constrained value | unconstrained length |
//! |---|---|---|
//! | [`Elementwise`] | a vector whose elements each lie in a scalar [`Support`](crate::constraint::Support) | `n` |
//! | [`Simplex`] | `K` non-negative elements summing to 1 | `K - 1` |
//! | [`Ordered`] | `K` increasing reals | `K` |
//! | [`PositiveOrdered`] | `K` increasing positive reals | `K` |
//! | [`CorrelationCholesky`] | `K×K` Cholesky factor of a correlation matrix | `K(K-1)/2` |
//! | [`CovarianceCholesky`] | `K×K` Cholesky factor of a covariance matrix | `K(K+1)/2` |
//! | [`CovarianceMatrix`] | `K×K` symmetric positive definite matrix | `K(K+1)/2` |
//!
//! Matrices are stored row-major in a slice of `K²` elements. [`VectorBijector`] is the `f64`
//! side (shapes, membership, inverse); [`ForwardMap`] is the forward map, generic over the
//! scalar so that it differentiates.
//!
//! # Example
//!
//! ```
//! use model_runtime::bijectors::{ForwardMap, Simplex, VectorBijector};
//!
//! let simplex = Simplex::new(3)?;
//! let mut x = [0.0; 3];
//! let log_jacobian = simplex.forward(&[0.0, 0.0], &mut x)?;
//! assert!(x.iter().all(|&p| (p - 1.0 / 3.0).abs() < 1e-15));
//! assert!(log_jacobian.is_finite());
//!
//! let mut u = [0.0; 2];
//! simplex.inverse(&x, &mut u)?;
//! assert!(u.iter().all(|v| v.abs() < 1e-15));
//! # Ok::<(), model_runtime::bijectors::BijectorError>(())
//! ```

mod bijector;
mod correlation_cholesky;
mod covariance_cholesky;
mod covariance_matrix;
mod elementwise;
mod error;
mod linalg;
mod ordered;
mod positive_ordered;
mod simplex;

pub use bijector::{CONSTRAINT_TOLERANCE, ForwardMap, VectorBijector};
pub use correlation_cholesky::CorrelationCholesky;
pub use covariance_cholesky::CovarianceCholesky;
pub use covariance_matrix::CovarianceMatrix;
pub use elementwise::{Bound, Elementwise};
pub use error::BijectorError;
pub use ordered::Ordered;
pub use positive_ordered::PositiveOrdered;
pub use simplex::Simplex;
