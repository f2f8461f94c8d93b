//! The interface every vector bijection implements.

use super::BijectorError;
use crate::scalar::Scalar;

/// Round-off allowed when checking equality constraints (a simplex's sum, the unit rows of a
/// correlation Cholesky factor, symmetry): Stan's `CONSTRAINT_TOLERANCE`.
pub const CONSTRAINT_TOLERANCE: f64 = 1e-8;

/// A bijection from ℝᵐ onto the interior of a set of constrained vectors or matrices: its shape,
/// its support and its inverse, all in `f64`.
///
/// The forward map, generic over the scalar so that it differentiates, is [`ForwardMap`]. A
/// bijector knows its dimension from its constructor; matrices are stored row-major.
///
/// [`check`](Self::check) accepts the closure of the support up to round-off: the forward map
/// can round onto the boundary (a simplex component that underflows to zero, a value equal to
/// its bound), and such values are valid constrained values, but [`inverse`](Self::inverse)
/// rejects them with [`BijectorError::OnBoundary`] because their unconstrained coordinates are
/// infinite.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{CorrelationCholesky, VectorBijector};
///
/// let l = CorrelationCholesky::new(3);
/// assert_eq!((l.unconstrained_len(), l.constrained_len()), (3, 9));
/// assert!(l.contains(&[1.0, 0.0, 0.0, 0.6, 0.8, 0.0, 0.0, 0.0, 1.0]));
/// assert!(!l.contains(&[1.0, 0.0, 0.0, 0.6, 0.6, 0.0, 0.0, 0.0, 1.0]));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a vector bijector",
    note = "vector constraints are the types of `model_runtime::bijectors` (Simplex, Ordered, Elementwise, ...)"
)]
pub trait VectorBijector {
    /// Length of the constrained value (`K²` for a `K×K` matrix).
    fn constrained_len(&self) -> usize;

    /// Length of the unconstrained vector (`K - 1` for a simplex of `K`, `K(K-1)/2` for a
    /// `K×K` correlation Cholesky factor).
    fn unconstrained_len(&self) -> usize;

    /// Checks that `x` lies in the closure of the support, with [`CONSTRAINT_TOLERANCE`] for
    /// equality constraints; the error names the first condition that fails.
    fn check(&self, x: &[f64]) -> Result<(), BijectorError>;

    /// Whether `x` passes [`check`](Self::check).
    fn contains(&self, x: &[f64]) -> bool {
        self.check(x).is_ok()
    }

    /// Writes the unconstrained coordinates of `x` into `u`: `forward(u)` gives back `x` up to
    /// round-off. Fails if `x` is not in the support or lies on its boundary.
    fn inverse(&self, x: &[f64], u: &mut [f64]) -> Result<(), BijectorError>;
}

/// The forward map of a [`VectorBijector`] for scalar type `T`.
///
/// Implemented for every [`Scalar`], so the same call runs on `f64` and, inside
/// [`gradient`](crate::autodiff::gradient), on autodiff variables. It allocates nothing: callers
/// provide both buffers.
///
/// # Example
///
/// ```
/// use model_runtime::autodiff::gradient;
/// use model_runtime::bijectors::{ForwardMap, Ordered};
///
/// let ordered = Ordered::new(2);
/// let mut g = [0.0; 2];
/// // d/du of x₂ = u₁ + e^u₂ plus the log-Jacobian u₂.
/// gradient(&[0.5, 0.0], &mut g, |u| {
///     let mut x = [u[0]; 2];
///     let log_jacobian = ordered.forward(u, &mut x)?;
///     Ok::<_, model_runtime::bijectors::BijectorError>(x[1] + log_jacobian)
/// })?;
/// assert_eq!(g, [1.0, 2.0]);
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
pub trait ForwardMap<T: Scalar>: VectorBijector {
    /// Writes the constrained value for `u` into `x` and returns `ln |det J|`, the log absolute
    /// Jacobian determinant over the coordinates documented on the bijector's type.
    fn forward(&self, u: &[T], x: &mut [T]) -> Result<T, BijectorError>;
}

/// Fails unless the buffers have the bijector's lengths.
pub(super) fn check_lengths(
    bijector: &impl VectorBijector,
    unconstrained: usize,
    constrained: usize,
) -> Result<(), BijectorError> {
    check_constrained_len(bijector, constrained)?;
    if unconstrained != bijector.unconstrained_len() {
        return Err(BijectorError::LengthMismatch {
            buffer: "unconstrained",
            expected: bijector.unconstrained_len(),
            found: unconstrained,
        });
    }
    Ok(())
}

/// Fails unless the constrained buffer has the bijector's length.
pub(super) fn check_constrained_len(
    bijector: &impl VectorBijector,
    constrained: usize,
) -> Result<(), BijectorError> {
    if constrained != bijector.constrained_len() {
        return Err(BijectorError::LengthMismatch {
            buffer: "constrained",
            expected: bijector.constrained_len(),
            found: constrained,
        });
    }
    Ok(())
}

/// Fails at the first element that is NaN or infinite.
pub(super) fn check_finite(x: &[f64]) -> Result<(), BijectorError> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(BijectorError::NotFinite {
            index,
            value: x[index],
        }),
        None => Ok(()),
    }
}
