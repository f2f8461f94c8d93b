//! Why a bijector could not be built, or a value could not be mapped.

/// Why a bijector could not be built, or why a value is not in its support.
///
/// Indices count elements of the constrained value; for matrices they are row-major positions
/// or (row, column) pairs, as each variant says.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{BijectorError, Simplex, VectorBijector};
///
/// let simplex = Simplex::new(2)?;
/// let e = simplex.check(&[0.5, 0.6]).unwrap_err();
/// assert!(matches!(e, BijectorError::SumNotOne { .. }));
/// assert_eq!(e.to_string(), "simplex components sum to 1.1, not 1");
/// # Ok::<(), BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BijectorError {
    /// A simplex was asked for with no components (no vector of zero elements sums to 1).
    #[error("a simplex needs at least one component")]
    EmptySimplex,
    /// Per-element bounds have a different length from the vector.
    #[error("per-element bounds have {found} elements; the vector has {expected}")]
    BoundsLength {
        /// The vector's length.
        expected: usize,
        /// The bounds' length.
        found: usize,
    },
    /// A bound is not finite, or a lower bound is not below its upper bound (a missing bound is
    /// reported as an infinite one).
    #[error(
        "element {index} has bounds ({lower}, {upper}); bounds must be finite with the lower below the upper"
    )]
    InvalidBounds {
        /// The element whose bounds are invalid.
        index: usize,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// A discrete support (boolean, counts) was given where a bijection from the reals is needed.
    #[error(
        "a discrete support has no bijection from the real numbers; only continuous supports can be unconstrained"
    )]
    DiscreteSupport,
    /// A buffer passed to `forward`, `inverse` or `check` has the wrong length.
    #[error("the {buffer} buffer has {found} elements; this bijector needs {expected}")]
    LengthMismatch {
        /// Which buffer: `"constrained"` or `"unconstrained"`.
        buffer: &'static str,
        /// The length the bijector needs.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// An element is NaN or infinite.
    #[error("element {index} is {value}; values must be finite")]
    NotFinite {
        /// The element's position.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// An element lies outside its bounds (elementwise supports, a negative simplex component,
    /// a negative first element of a positive ordered vector).
    #[error("element {index} ({value}) lies outside its bounds")]
    OutOfBounds {
        /// The element's position.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// An element is smaller than the one before it.
    #[error("element {index} is smaller than element {}; the vector must be increasing", .index.saturating_sub(1))]
    NotOrdered {
        /// The element's position.
        index: usize,
    },
    /// Simplex components do not sum to 1 within [`CONSTRAINT_TOLERANCE`](super::CONSTRAINT_TOLERANCE).
    #[error("simplex components sum to {sum}, not 1")]
    SumNotOne {
        /// Their sum.
        sum: f64,
    },
    /// A Cholesky factor has a non-zero element above its diagonal.
    #[error(
        "element ({row}, {column}) lies above the diagonal and is not zero; a Cholesky factor is lower triangular"
    )]
    NotLowerTriangular {
        /// Row of the element.
        row: usize,
        /// Column of the element.
        column: usize,
    },
    /// A Cholesky factor has a negative diagonal element.
    #[error("diagonal element {row} is {value}; a Cholesky factor has a positive diagonal")]
    DiagonalNegative {
        /// Row (and column) of the element.
        row: usize,
        /// Its value.
        value: f64,
    },
    /// A row of a correlation Cholesky factor does not have unit length within
    /// [`CONSTRAINT_TOLERANCE`](super::CONSTRAINT_TOLERANCE).
    #[error(
        "row {row} has squared length {squared_length}; rows of a correlation Cholesky factor have length 1"
    )]
    RowNotUnitLength {
        /// The row.
        row: usize,
        /// Its squared Euclidean length.
        squared_length: f64,
    },
    /// A matrix differs from its transpose by more than the tolerance.
    #[error(
        "elements ({row}, {column}) and ({column}, {row}) differ; the matrix must be symmetric"
    )]
    NotSymmetric {
        /// Row of the first differing element below the diagonal.
        row: usize,
        /// Its column.
        column: usize,
    },
    /// A symmetric matrix is not positive definite: its Cholesky decomposition met a pivot that
    /// is not positive.
    #[error("the matrix is not positive definite (Cholesky pivot {pivot} is not positive)")]
    NotPositiveDefinite {
        /// The row of the failing pivot.
        pivot: usize,
    },
    /// The value lies on the boundary of the support (a zero simplex component, equal ordered
    /// elements, a value equal to a bound): it is a limit of the forward map, with no finite
    /// unconstrained coordinates.
    #[error(
        "element {index} lies on the boundary of the support, which has no finite unconstrained coordinates"
    )]
    OnBoundary {
        /// The element whose unconstrained coordinate would be infinite.
        index: usize,
    },
}

impl BijectorError {
    /// The real number that stands for this failure when a distribution cannot unconstrain the
    /// value `x` (what
    /// [`Distribution::unconstrain`](crate::distribution::Distribution::unconstrain) reports):
    /// the offending element, a simplex's sum or a row's squared length; NaN where no single
    /// number applies (a value of the wrong length).
    pub(crate) fn offending_value(&self, x: &[f64]) -> f64 {
        let element = |index: usize| x.get(index).copied().unwrap_or(f64::NAN);
        match *self {
            BijectorError::NotFinite { value, .. }
            | BijectorError::OutOfBounds { value, .. }
            | BijectorError::DiagonalNegative { value, .. } => value,
            BijectorError::SumNotOne { sum } => sum,
            BijectorError::RowNotUnitLength { squared_length, .. } => squared_length,
            BijectorError::OnBoundary { index } | BijectorError::NotOrdered { index } => {
                element(index)
            }
            BijectorError::NotLowerTriangular { row, column }
            | BijectorError::NotSymmetric { row, column } => {
                // Square matrices are stored row-major.
                let side = (x.len() as f64).sqrt().round() as usize;
                element(row * side + column)
            }
            _ => f64::NAN,
        }
    }
}
