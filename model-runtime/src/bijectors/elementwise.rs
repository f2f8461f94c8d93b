//! Vectors whose elements each lie in a scalar support.

use core::f64::consts::PI;

use super::bijector::{check_constrained_len, check_lengths};
use super::{BijectorError, ForwardMap, VectorBijector};
use crate::constraint::Support;
use crate::scalar::{IntoParam, Scalar};

/// Vectors of `n` elements, each in a scalar [`Support`] (real, positive, unit interval,
/// interval, greater than, less than, circular), mapped element by element with
/// [`Support::from_unconstrained`] (Stan Reference Manual, "Lower bounded scalar", "Upper
/// bounded scalar", "Lower and upper bounded scalar").
///
/// Bounds are shared by all elements or given per element ([`Bound`]), and have the scalar
/// type `B`: `f64` data, or autodiff variables when a bound is itself a parameter (the
/// Jacobian then depends on it, exactly as for a scalar site).
///
/// **Jacobian.** Over all `n` elements; it is diagonal, so `ln |det J|` is the sum of the
/// elements' `ln |dx_i/du_i|`.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{Bound, Elementwise, ForwardMap, VectorBijector};
///
/// let upper = [1.0, 10.0];
/// let bounded = Elementwise::interval(2, Bound::Shared(0.0), Bound::PerElement(&upper))?;
/// let mut x = [0.0; 2];
/// bounded.forward(&[0.0, 0.0], &mut x)?;
/// assert_eq!(x, [0.5, 5.0]);
/// assert!(!bounded.contains(&[0.5, 11.0]));
///
/// let positive = Elementwise::positive(2);
/// positive.forward(&[0.0, 1.0], &mut x)?;
/// assert_eq!(x, [1.0, 1f64.exp()]);
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elementwise<'a, B = f64> {
    len: usize,
    support: ElementSupport<'a, B>,
}

/// A bound of an [`Elementwise`] support: one value for every element, or one per element.
///
/// # Example
///
/// ```
/// use model_runtime::bijectors::{Bound, Elementwise, VectorBijector};
///
/// let lower = [0.0, -1.0, 5.0];
/// let bounded = Elementwise::greater_than(3, Bound::PerElement(&lower))?;
/// assert!(bounded.contains(&[0.1, -0.5, 6.0]));
/// assert!(!bounded.contains(&[0.1, -0.5, 4.0]));
/// # Ok::<(), model_runtime::bijectors::BijectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound<'a, B = f64> {
    /// The same bound for every element.
    Shared(B),
    /// Element `i`'s bound is the `i`-th; the slice has the vector's length.
    PerElement(&'a [B]),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ElementSupport<'a, B> {
    Real,
    Positive,
    UnitInterval,
    Circular,
    Interval(Bound<'a, B>, Bound<'a, B>),
    GreaterThan(Bound<'a, B>),
    LessThan(Bound<'a, B>),
}

impl Elementwise<'static, f64> {
    /// Vectors of `len` reals (the identity map).
    pub fn real(len: usize) -> Self {
        Elementwise {
            len,
            support: ElementSupport::Real,
        }
    }

    /// Vectors of `len` positive reals, `x_i = e^{u_i}`.
    pub fn positive(len: usize) -> Self {
        Elementwise {
            len,
            support: ElementSupport::Positive,
        }
    }

    /// Vectors of `len` elements of `(0, 1)`, `x_i = logistic(u_i)`.
    pub fn unit_interval(len: usize) -> Self {
        Elementwise {
            len,
            support: ElementSupport::UnitInterval,
        }
    }

    /// Vectors of `len` angles in `[-π, π)`, mapped like the interval `(-π, π)`.
    pub fn circular(len: usize) -> Self {
        Elementwise {
            len,
            support: ElementSupport::Circular,
        }
    }
}

impl<'a, B: Scalar> Elementwise<'a, B> {
    /// Vectors of `len` elements with `lower_i < x_i < upper_i`. Bounds must be finite, each
    /// lower below its upper, and per-element bounds of length `len`.
    pub fn interval(
        len: usize,
        lower: Bound<'a, B>,
        upper: Bound<'a, B>,
    ) -> Result<Self, BijectorError> {
        check_bound_len(lower, len)?;
        check_bound_len(upper, len)?;
        for index in 0..len {
            let (a, b) = (lower.at(index).value(), upper.at(index).value());
            if !(a.is_finite() && b.is_finite() && a < b) {
                return Err(BijectorError::InvalidBounds {
                    index,
                    lower: a,
                    upper: b,
                });
            }
        }
        Ok(Elementwise {
            len,
            support: ElementSupport::Interval(lower, upper),
        })
    }

    /// Vectors of `len` elements with `x_i > lower_i`, `x_i = lower_i + e^{u_i}`. Bounds must
    /// be finite, and per-element bounds of length `len`.
    pub fn greater_than(len: usize, lower: Bound<'a, B>) -> Result<Self, BijectorError> {
        check_bound_len(lower, len)?;
        for index in 0..len {
            let a = lower.at(index).value();
            if !a.is_finite() {
                return Err(BijectorError::InvalidBounds {
                    index,
                    lower: a,
                    upper: f64::INFINITY,
                });
            }
        }
        Ok(Elementwise {
            len,
            support: ElementSupport::GreaterThan(lower),
        })
    }

    /// Vectors of `len` elements with `x_i < upper_i`, `x_i = upper_i - e^{u_i}`. Bounds must
    /// be finite, and per-element bounds of length `len`.
    pub fn less_than(len: usize, upper: Bound<'a, B>) -> Result<Self, BijectorError> {
        check_bound_len(upper, len)?;
        for index in 0..len {
            let b = upper.at(index).value();
            if !b.is_finite() {
                return Err(BijectorError::InvalidBounds {
                    index,
                    lower: f64::NEG_INFINITY,
                    upper: b,
                });
            }
        }
        Ok(Elementwise {
            len,
            support: ElementSupport::LessThan(upper),
        })
    }

    /// Vectors of `len` elements, each in the scalar `support` (bounds shared). Fails for the
    /// discrete supports, which have no bijection from the reals, and for invalid bounds.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::Support;
    /// use model_runtime::bijectors::{Elementwise, VectorBijector};
    ///
    /// let v = Elementwise::from_support(3, Support::Interval(-1.0, 1.0))?;
    /// assert!(v.contains(&[0.0, 0.5, -0.9]));
    /// assert!(Elementwise::from_support(3, Support::<f64>::Boolean).is_err());
    /// # Ok::<(), model_runtime::bijectors::BijectorError>(())
    /// ```
    pub fn from_support(len: usize, support: Support<B>) -> Result<Self, BijectorError> {
        let support = match support {
            Support::Real => ElementSupport::Real,
            Support::Positive => ElementSupport::Positive,
            Support::UnitInterval => ElementSupport::UnitInterval,
            Support::Circular => ElementSupport::Circular,
            Support::Interval(a, b) => {
                return Self::interval(len, Bound::Shared(a), Bound::Shared(b));
            }
            Support::GreaterThan(a) => return Self::greater_than(len, Bound::Shared(a)),
            Support::LessThan(b) => return Self::less_than(len, Bound::Shared(b)),
            Support::Boolean | Support::NonNegativeInteger => {
                return Err(BijectorError::DiscreteSupport);
            }
        };
        Ok(Elementwise { len, support })
    }

    /// The scalar support of element `index` (which must be below the length).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::Support;
    /// use model_runtime::bijectors::{Bound, Elementwise};
    ///
    /// let upper = [1.0, 2.0];
    /// let v = Elementwise::less_than(2, Bound::PerElement(&upper))?;
    /// assert_eq!(v.element_support(1), Support::LessThan(2.0));
    /// # Ok::<(), model_runtime::bijectors::BijectorError>(())
    /// ```
    pub fn element_support(&self, index: usize) -> Support<B> {
        self.support_at(index, |b| b)
    }

    /// Element `index`'s support with its bounds converted by `convert`.
    fn support_at<T>(&self, index: usize, convert: impl Fn(B) -> T) -> Support<T> {
        match self.support {
            ElementSupport::Real => Support::Real,
            ElementSupport::Positive => Support::Positive,
            ElementSupport::UnitInterval => Support::UnitInterval,
            ElementSupport::Circular => Support::Circular,
            ElementSupport::Interval(a, b) => {
                Support::Interval(convert(a.at(index)), convert(b.at(index)))
            }
            ElementSupport::GreaterThan(a) => Support::GreaterThan(convert(a.at(index))),
            ElementSupport::LessThan(b) => Support::LessThan(convert(b.at(index))),
        }
    }
}

impl<B: Copy> Bound<'_, B> {
    /// The bound of element `index`.
    fn at(&self, index: usize) -> B {
        match *self {
            Bound::Shared(b) => b,
            Bound::PerElement(bounds) => bounds[index],
        }
    }
}

impl<B: Scalar> VectorBijector for Elementwise<'_, B> {
    fn constrained_len(&self) -> usize {
        self.len
    }

    fn unconstrained_len(&self) -> usize {
        self.len
    }

    fn check(&self, x: &[f64]) -> Result<(), BijectorError> {
        check_constrained_len(self, x.len())?;
        for (index, &value) in x.iter().enumerate() {
            if !value.is_finite() {
                return Err(BijectorError::NotFinite { index, value });
            }
            // The closure of the support: the forward map rounds onto a bound for large |u|.
            let (lower, upper) = match self.support_at(index, B::value) {
                Support::Interval(a, b) => (a, b),
                Support::GreaterThan(a) => (a, f64::INFINITY),
                Support::LessThan(b) => (f64::NEG_INFINITY, b),
                Support::Positive => (0.0, f64::INFINITY),
                Support::UnitInterval => (0.0, 1.0),
                Support::Circular => (-PI, PI),
                Support::Real | Support::Boolean | Support::NonNegativeInteger => {
                    (f64::NEG_INFINITY, f64::INFINITY)
                }
            };
            if !(lower <= value && value <= upper) {
                return Err(BijectorError::OutOfBounds { index, value });
            }
        }
        Ok(())
    }

    fn inverse(&self, x: &[f64], u: &mut [f64]) -> Result<(), BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        self.check(x)?;
        for (index, (&value, coordinate)) in x.iter().zip(u.iter_mut()).enumerate() {
            let support: Support<f64> = self.support_at(index, B::value);
            *coordinate = support.to_unconstrained(value);
            if !coordinate.is_finite() {
                return Err(BijectorError::OnBoundary { index });
            }
        }
        Ok(())
    }
}

impl<T, B> ForwardMap<T> for Elementwise<'_, B>
where
    T: Scalar,
    B: Scalar + IntoParam<T, Param = T>,
{
    fn forward(&self, u: &[T], x: &mut [T]) -> Result<T, BijectorError> {
        check_lengths(self, u.len(), x.len())?;
        let mut log_jacobian = T::from_f64(0.0);
        for (index, (&coordinate, value)) in u.iter().zip(x.iter_mut()).enumerate() {
            let (v, log_derivative) = self
                .support_at(index, <B as IntoParam<T>>::into_param)
                .from_unconstrained(coordinate);
            *value = v;
            log_jacobian += log_derivative;
        }
        Ok(log_jacobian)
    }
}

/// Fails unless per-element bounds have the vector's length.
fn check_bound_len<B>(bound: Bound<'_, B>, len: usize) -> Result<(), BijectorError> {
    match bound {
        Bound::PerElement(bounds) if bounds.len() != len => Err(BijectorError::BoundsLength {
            expected: len,
            found: bounds.len(),
        }),
        _ => Ok(()),
    }
}
