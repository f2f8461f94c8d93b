//! Forward-mode dual numbers with `N` tangent directions.
//!
//! Vectorized sites evaluate each element's log density on `Dual<N>`: the element's parameters
//! (and its value) are seeded as the `N` directions, so one pass through the distribution's own
//! generic `log_prob` yields the term and its partial derivatives, with no tape entries. The
//! partials of all elements then become a single reverse-mode node (see [`crate::batch`]), which
//! is Stan's "operands and partials" pattern with the per-family derivative code replaced by
//! forward-mode differentiation of the one `log_prob` we test against references.

use core::cmp::Ordering;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::scalar::{IntoParam, Scalar};

/// A value with `N` directional derivatives, `value + Σ tangent[k] ε_k`.
///
/// # Example
///
/// ```
/// use model_runtime::Scalar;
/// use model_runtime::autodiff::Dual;
///
/// // d/dx and d/dy of x * y + ln x at (2, 3).
/// let x = Dual::<2>::variable(2.0, 0);
/// let y = Dual::<2>::variable(3.0, 1);
/// let f = x * y + x.ln();
/// assert_eq!(f.value(), 6.0 + 2f64.ln());
/// assert_eq!(f.tangent(), [3.5, 2.0]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Dual<const N: usize> {
    value: f64,
    tangent: [f64; N],
}

impl<const N: usize> Dual<N> {
    /// A constant: every derivative zero.
    #[inline]
    pub fn constant(value: f64) -> Self {
        Dual {
            value,
            tangent: [0.0; N],
        }
    }

    /// A value with the given directional derivatives: the start of a Jacobian-vector product,
    /// with the vector in `tangent` (the ODE solvers seed sensitivities this way).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::Scalar;
    /// use model_runtime::autodiff::Dual;
    ///
    /// // d/dε of (x + ε v)² at x = 3 in the directions v = 1 and v = -2.
    /// let x = Dual::new(3.0, [1.0, -2.0]);
    /// assert_eq!((x * x).tangent(), [6.0, -12.0]);
    /// ```
    #[inline]
    pub fn new(value: f64, tangent: [f64; N]) -> Self {
        Dual { value, tangent }
    }

    /// The `k`-th input variable: derivative one in direction `k`.
    #[inline]
    pub fn variable(value: f64, k: usize) -> Self {
        let mut tangent = [0.0; N];
        tangent[k] = 1.0;
        Dual { value, tangent }
    }

    /// The directional derivatives.
    #[inline]
    pub fn tangent(self) -> [f64; N] {
        self.tangent
    }

    /// The chain rule for a function with derivative `derivative` at this value.
    #[inline(always)]
    fn chain(self, value: f64, derivative: f64) -> Self {
        let mut tangent = self.tangent;
        for t in &mut tangent {
            *t = scaled(derivative, *t);
        }
        Dual { value, tangent }
    }

    /// `a * self.tangent + b * other.tangent`.
    #[inline(always)]
    fn combine(self, a: f64, other: Self, b: f64, value: f64) -> Self {
        let mut tangent = [0.0; N];
        for ((t, x), y) in tangent.iter_mut().zip(&self.tangent).zip(&other.tangent) {
            *t = scaled(a, *x) + scaled(b, *y);
        }
        Dual { value, tangent }
    }
}

/// `partial · tangent`, exactly 0 for a zero tangent: a direction a value does not depend on
/// gets no derivative from it even where the partial overflows (∞ · 0 would be NaN and spoil the
/// other directions' sums, as a vectorized site's slope in x did where its slope in a tiny scale
/// is infinite). A select, not a branch, in the loops.
#[inline(always)]
fn scaled(partial: f64, tangent: f64) -> f64 {
    if tangent == 0.0 {
        0.0
    } else {
        partial * tangent
    }
}

impl<const N: usize> Default for Dual<N> {
    fn default() -> Self {
        Dual::constant(0.0)
    }
}

impl<const N: usize> PartialEq for Dual<N> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<const N: usize> PartialOrd for Dual<N> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl<const N: usize> PartialEq<f64> for Dual<N> {
    fn eq(&self, other: &f64) -> bool {
        self.value == *other
    }
}

impl<const N: usize> PartialOrd<f64> for Dual<N> {
    fn partial_cmp(&self, other: &f64) -> Option<Ordering> {
        self.value.partial_cmp(other)
    }
}

impl<const N: usize> Add for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        self.combine(1.0, rhs, 1.0, self.value + rhs.value)
    }
}

impl<const N: usize> Sub for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        self.combine(1.0, rhs, -1.0, self.value - rhs.value)
    }
}

impl<const N: usize> Mul for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        self.combine(rhs.value, rhs, self.value, self.value * rhs.value)
    }
}

impl<const N: usize> Div for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        let q = self.value / rhs.value;
        self.combine(1.0 / rhs.value, rhs, -q / rhs.value, q)
    }
}

impl<const N: usize> Neg for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.chain(-self.value, -1.0)
    }
}

impl<const N: usize> Add<f64> for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: f64) -> Self {
        Dual {
            value: self.value + rhs,
            tangent: self.tangent,
        }
    }
}

impl<const N: usize> Sub<f64> for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: f64) -> Self {
        Dual {
            value: self.value - rhs,
            tangent: self.tangent,
        }
    }
}

impl<const N: usize> Mul<f64> for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: f64) -> Self {
        self.chain(self.value * rhs, rhs)
    }
}

impl<const N: usize> Div<f64> for Dual<N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: f64) -> Self {
        self.chain(self.value / rhs, 1.0 / rhs)
    }
}

impl<const N: usize> Add<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline(always)]
    fn add(self, rhs: Dual<N>) -> Dual<N> {
        rhs + self
    }
}

impl<const N: usize> Sub<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline(always)]
    fn sub(self, rhs: Dual<N>) -> Dual<N> {
        rhs.chain(self - rhs.value, -1.0)
    }
}

impl<const N: usize> Mul<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline(always)]
    fn mul(self, rhs: Dual<N>) -> Dual<N> {
        rhs * self
    }
}

impl<const N: usize> Div<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline(always)]
    fn div(self, rhs: Dual<N>) -> Dual<N> {
        let q = self / rhs.value;
        rhs.chain(q, -q / rhs.value)
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl<const N: usize> $trait for Dual<N> {
            #[inline(always)]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
        impl<const N: usize> $trait<f64> for Dual<N> {
            #[inline(always)]
            fn $method(&mut self, rhs: f64) {
                *self = *self $op rhs;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl<const N: usize> IntoParam<Dual<N>> for Dual<N> {
    type Param = Dual<N>;
    #[inline]
    fn into_param(self) -> Self {
        self
    }
}

impl<const N: usize> Scalar for Dual<N> {
    const DIFFERENTIABLE: bool = true;
    #[inline]
    fn is_constant(self) -> bool {
        self.tangent().iter().all(|&d| d == 0.0)
    }
    #[inline]
    fn from_f64(x: f64) -> Self {
        Dual::constant(x)
    }
    #[inline]
    fn from_parts<I>(value: f64, operands: I) -> Self
    where
        I: Iterator<Item = (Self, f64)>,
    {
        let mut tangent = [0.0; N];
        for (operand, partial) in operands {
            for (t, x) in tangent.iter_mut().zip(&operand.tangent) {
                *t += scaled(partial, *x);
            }
        }
        Dual { value, tangent }
    }
    #[inline]
    fn value(self) -> f64 {
        self.value
    }
    fn powi(self, n: i32) -> Self {
        let (value, derivative) = super::rules::powi(self.value, n);
        self.chain(value, derivative)
    }
    fn powf(self, p: f64) -> Self {
        let (value, derivative) = super::rules::powf(self.value, p);
        self.chain(value, derivative)
    }
    fn pow(self, y: Self) -> Self {
        let (v, dx, dy) = super::rules::pow(self.value, y.value);
        self.combine(dx, y, dy, v)
    }
    super::rules::unary_methods!(
        exp, ln, ln_1p, exp_m1, ln_1p_exp, sqrt, sin, cos, tanh, atan, abs, sigmoid, ln_gamma,
        digamma, erf, erfc, erfcx, ln_i0, ln_i0e,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autodiff::{Var, gradient};

    /// Forward and reverse mode agree on a function that uses every kind of operation.
    #[test]
    fn matches_reverse_mode() {
        fn f<T: Scalar>(x: T, y: T) -> T {
            (x * y).ln_gamma() + (x / y).erfc().ln() + x.pow(y) - y.powi(-1) * 2.0 + x.ln_1p_exp()
                - y.sigmoid() * 3.0
                + (x - y).abs().sqrt()
                + x.ln_i0()
                + y.digamma()
        }
        let (x, y) = (1.3, 0.7);
        let dual = f(Dual::<2>::variable(x, 0), Dual::<2>::variable(y, 1));
        let mut g = [0.0; 2];
        let value = gradient(&[x, y], &mut g, |v| Ok::<Var, ()>(f(v[0], v[1]))).unwrap();
        assert_eq!(dual.value(), value);
        for (k, (d, r)) in dual.tangent().iter().zip(&g).enumerate() {
            assert!(
                (d - r).abs() <= 1e-14 * r.abs().max(1.0),
                "direction {k}: {d} vs {r}"
            );
        }
    }
}
