//! Supports of distributions and the bijections from the real line onto them.
//!
//! Gradient-based inference works in unconstrained coordinates: each latent site's value is the
//! image of a free real number `u` under the bijection of its support, and the log density gains
//! the log absolute Jacobian `ln |dx/du|` (Stan reference manual, "Constraint transforms").

use crate::scalar::Scalar;
use core::f64::consts::PI;

/// The set of values a distribution puts mass on.
///
/// Bounds are scalars so that they may depend on other sites (an interval whose upper end is a
/// parameter is handled exactly, Jacobian included).
///
/// # Example
///
/// ```
/// use model_runtime::Support;
///
/// let s: Support<f64> = Support::Interval(0.0, 2.0);
/// let (x, log_jacobian) = s.from_unconstrained(0.0);
/// assert_eq!(x, 1.0);
/// assert!((log_jacobian - 0.5f64.ln()).abs() < 1e-15); // 2 * σ'(0) = 1/2
/// assert!((s.to_unconstrained(x) - 0.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Support<T> {
    /// All real numbers.
    Real,
    /// `(0, ∞)`.
    Positive,
    /// `(0, 1)`.
    UnitInterval,
    /// `(lower, upper)`.
    Interval(T, T),
    /// `(lower, ∞)`.
    GreaterThan(T),
    /// `(-∞, upper)`.
    LessThan(T),
    /// Angles in `[-π, π)`. Unconstrained inference maps it like the interval `(-π, π)`; a latent
    /// circular site whose posterior crosses `±π` should use `CircularReparam` instead.
    Circular,
    /// `{false, true}`.
    Boolean,
    /// `{0, 1, 2, ...}`.
    NonNegativeInteger,
}

/// The support as a set: `(0, ∞)`, `(2, 5)`, `[-π, π)`, `{0, 1, 2, ...}`.
///
/// # Example
///
/// ```
/// use model_runtime::Support;
/// assert_eq!(Support::<f64>::Positive.to_string(), "(0, ∞)");
/// assert_eq!(Support::Interval(-1.0, 2.5).to_string(), "(-1, 2.5)");
/// ```
impl<T: Scalar> core::fmt::Display for Support<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Support::Real => write!(f, "real"),
            Support::Positive => write!(f, "(0, ∞)"),
            Support::UnitInterval => write!(f, "(0, 1)"),
            Support::Interval(a, b) => write!(f, "({}, {})", a.value(), b.value()),
            Support::GreaterThan(a) => write!(f, "({}, ∞)", a.value()),
            Support::LessThan(b) => write!(f, "(-∞, {})", b.value()),
            Support::Circular => write!(f, "[-π, π)"),
            Support::Boolean => write!(f, "{{false, true}}"),
            Support::NonNegativeInteger => write!(f, "{{0, 1, 2, ...}}"),
        }
    }
}

impl<T: Scalar> Support<T> {
    /// Whether a real value lies in the support (discrete supports test integrality).
    pub fn contains(&self, x: f64) -> bool {
        match *self {
            Support::Real => x.is_finite(),
            Support::Positive => x > 0.0 && x.is_finite(),
            Support::UnitInterval => x > 0.0 && x < 1.0,
            Support::Interval(a, b) => x > a.value() && x < b.value(),
            Support::GreaterThan(a) => x > a.value() && x.is_finite(),
            Support::LessThan(b) => x < b.value() && x.is_finite(),
            Support::Circular => (-PI..PI).contains(&x),
            Support::Boolean => x == 0.0 || x == 1.0,
            Support::NonNegativeInteger => x >= 0.0 && x.fract() == 0.0 && x.is_finite(),
        }
    }

    /// Whether gradient-based inference can move over this support.
    pub fn is_continuous(&self) -> bool {
        !matches!(self, Support::Boolean | Support::NonNegativeInteger)
    }

    /// Maps an unconstrained real number into the support; returns the value and
    /// `ln |dx/du|`. Discrete supports have no such map and return the input unchanged with a
    /// zero Jacobian (`LogDensity` sums discrete latent sites out before it would get here).
    pub fn from_unconstrained(&self, u: T) -> (T, T) {
        let zero = T::from_f64(0.0);
        match *self {
            Support::Real | Support::Boolean | Support::NonNegativeInteger => (u, zero),
            Support::Positive => (u.exp(), u),
            Support::GreaterThan(a) => (a + u.exp(), u),
            Support::LessThan(b) => (b - u.exp(), u),
            Support::UnitInterval => (u.sigmoid(), log_sigmoid_derivative(u)),
            Support::Interval(a, b) => {
                let width = b - a;
                (
                    a + width * u.sigmoid(),
                    width.ln() + log_sigmoid_derivative(u),
                )
            }
            Support::Circular => {
                let width = 2.0 * PI;
                (
                    u.sigmoid() * width - PI,
                    log_sigmoid_derivative(u) + width.ln(),
                )
            }
        }
    }

    /// The inverse map: the unconstrained coordinate of a value inside the support.
    pub fn to_unconstrained(&self, x: f64) -> f64 {
        match *self {
            Support::Real | Support::Boolean | Support::NonNegativeInteger => x,
            Support::Positive => x.ln(),
            Support::GreaterThan(a) => (x - a.value()).ln(),
            Support::LessThan(b) => (b.value() - x).ln(),
            Support::UnitInterval => logit(x),
            Support::Interval(a, b) => logit((x - a.value()) / (b.value() - a.value())),
            Support::Circular => logit((x + PI) / (2.0 * PI)),
        }
    }

    /// Appends the unconstrained coordinate of `x`, or fails with `x` where it lies outside
    /// the support.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::constraint::Support;
    ///
    /// let mut out = Vec::new();
    /// Support::<f64>::Positive.push_unconstrained(1.0, &mut out)?;
    /// assert_eq!(out, vec![0.0]);
    /// assert_eq!(Support::<f64>::Positive.push_unconstrained(-2.0, &mut out), Err(-2.0));
    /// # Ok::<(), f64>(())
    /// ```
    pub fn push_unconstrained(&self, x: f64, out: &mut Vec<f64>) -> Result<(), f64> {
        if !self.contains(x) {
            return Err(x);
        }
        out.push(self.to_unconstrained(x));
        Ok(())
    }
}

/// A support written in a model body (`ImproperUniform::new(Support::Real)`) is a parameter of
/// the body's scalar type; bounds that mix data and site values are written with
/// [`Support::interval`], [`Support::greater_than`] and [`Support::less_than`].
impl<T: Scalar> crate::scalar::IntoParam<T> for Support<T> {
    type Param = Support<T>;
    #[inline]
    fn into_param(self) -> Support<T> {
        self
    }
}

impl<T: Scalar> Support<T> {
    /// `(lower, upper)`, with bounds that may mix data (`f64`) and site values.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::Support;
    /// let alpha1 = 0.3;
    /// assert_eq!(Support::interval(0.0, 1.0 - alpha1), Support::Interval(0.0, 0.7));
    /// ```
    pub fn interval<A, B>(lower: A, upper: B) -> Self
    where
        A: crate::scalar::IntoParam<T, Param = T>,
        B: crate::scalar::IntoParam<T, Param = T>,
    {
        Support::Interval(lower.into_param(), upper.into_param())
    }

    /// `(lower, ∞)`.
    pub fn greater_than<A: crate::scalar::IntoParam<T, Param = T>>(lower: A) -> Self {
        Support::GreaterThan(lower.into_param())
    }

    /// `(-∞, upper)`.
    pub fn less_than<B: crate::scalar::IntoParam<T, Param = T>>(upper: B) -> Self {
        Support::LessThan(upper.into_param())
    }
}

impl Support<f64> {
    /// The same support for another scalar type, bounds as constants.
    pub fn to_scalar<T: Scalar>(self) -> Support<T> {
        match self {
            Support::Real => Support::Real,
            Support::Positive => Support::Positive,
            Support::UnitInterval => Support::UnitInterval,
            Support::Interval(a, b) => Support::Interval(T::from_f64(a), T::from_f64(b)),
            Support::GreaterThan(a) => Support::GreaterThan(T::from_f64(a)),
            Support::LessThan(b) => Support::LessThan(T::from_f64(b)),
            Support::Circular => Support::Circular,
            Support::Boolean => Support::Boolean,
            Support::NonNegativeInteger => Support::NonNegativeInteger,
        }
    }
}

/// `ln σ'(u) = ln σ(u) + ln σ(-u) = -softplus(-u) - softplus(u)`, stable for large `|u|`.
fn log_sigmoid_derivative<T: Scalar>(u: T) -> T {
    -((-u).ln_1p_exp() + u.ln_1p_exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supports() -> Vec<Support<f64>> {
        vec![
            Support::Real,
            Support::Positive,
            Support::UnitInterval,
            Support::Interval(-3.0, 7.0),
            Support::GreaterThan(2.0),
            Support::LessThan(-1.0),
            Support::Circular,
        ]
    }

    #[test]
    fn round_trip_and_membership() {
        for s in supports() {
            for &u in &[-8.0, -1.3, 0.0, 0.4, 5.0] {
                let (x, _) = s.from_unconstrained(u);
                assert!(s.contains(x), "{s:?} does not contain {x}");
                let back = s.to_unconstrained(x);
                assert!(
                    (back - u).abs() < 1e-9 * (1.0 + u.abs()),
                    "{s:?}: {u} -> {x} -> {back}"
                );
            }
        }
    }

    #[test]
    fn log_jacobian_matches_finite_difference() {
        for s in supports() {
            for &u in &[-4.0, -0.7, 0.0, 1.1, 3.0] {
                let h = 1e-6;
                let derivative =
                    (s.from_unconstrained(u + h).0 - s.from_unconstrained(u - h).0) / (2.0 * h);
                let (_, log_jacobian) = s.from_unconstrained(u);
                assert!(
                    (log_jacobian - derivative.abs().ln()).abs() < 1e-7,
                    "{s:?} at {u}: {log_jacobian} vs {}",
                    derivative.abs().ln()
                );
            }
        }
    }
}
