//! The differentiable scalar and its operations.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use super::tape::{CONSTANT, binary, push_many, push_with_runs, unary};
use crate::scalar::{IntoParam, Scalar};

/// A reverse-mode autodiff variable: a value and its node on the current thread's tape.
///
/// `Var` is `Copy` and has no lifetime; it is meaningful only inside the
/// [`gradient`](super::gradient) call that made it. Comparisons compare values.
///
/// # Example
///
/// ```
/// use model_runtime::Scalar;
/// use model_runtime::autodiff::{Var, gradient};
///
/// let mut g = [0.0];
/// gradient(&[0.5], &mut g, |x| Ok::<Var, ()>(x[0].sin() * 2.0)).unwrap();
/// assert!((g[0] - 2.0 * 0.5f64.cos()).abs() < 1e-15);
/// ```
///
/// A `Var` kept from an earlier `gradient` call, or made on another thread, names a node of
/// another tape. In debug builds (and so in tests) a result it flows into is marked, and
/// `gradient` panics with a message saying so rather than return a wrong derivative (a fit
/// reports the panic as a failed chain). Release builds leave the mark out: it costs 3 to 6% of
/// a small model's gradient; there, the backward sweep still refuses an operand that does not
/// come before the node using it, which a `Var` from a longer earlier tape is.
#[derive(Clone, Copy)]
pub struct Var {
    pub(super) value: f64,
    pub(super) index: u32,
    /// The `gradient` call whose tape holds the node (unique over threads), or
    /// [`MIXED`](super::tape::MIXED) when an operand came from another one.
    #[cfg(debug_assertions)]
    pub(super) generation: u32,
}

impl Var {
    /// A constant: a value with zero derivative and no tape entry.
    #[inline]
    pub fn constant(value: f64) -> Self {
        super::tape::var(value, CONSTANT, super::tape::MIXED)
    }

    /// Whether no input influences this value.
    #[inline]
    pub fn is_constant(self) -> bool {
        self.index == CONSTANT
    }

    /// The sum of many terms as one tape node (one edge per variable term).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::autodiff::{Var, gradient};
    ///
    /// let mut g = [0.0; 3];
    /// gradient(&[1.0, 2.0, 3.0], &mut g, |x| Ok::<_, ()>(Var::sum(x.iter().copied()))).unwrap();
    /// assert_eq!(g, [1.0, 1.0, 1.0]);
    /// ```
    pub fn sum(terms: impl Iterator<Item = Var> + Clone) -> Var {
        let value = terms.clone().map(|t| t.value).sum();
        push_many(value, terms.map(|t| (t, 1.0)))
    }

    #[inline]
    fn chain(self, value: f64, derivative: f64) -> Var {
        unary(value, self, derivative)
    }
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_constant() {
            write!(f, "Var({} const)", self.value)
        } else {
            write!(f, "Var({} #{})", self.value, self.index)
        }
    }
}

impl Default for Var {
    fn default() -> Self {
        Var::constant(0.0)
    }
}

impl PartialEq for Var {
    fn eq(&self, other: &Var) -> bool {
        self.value == other.value
    }
}

impl PartialOrd for Var {
    fn partial_cmp(&self, other: &Var) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl PartialEq<f64> for Var {
    fn eq(&self, other: &f64) -> bool {
        self.value == *other
    }
}

impl PartialOrd<f64> for Var {
    fn partial_cmp(&self, other: &f64) -> Option<Ordering> {
        self.value.partial_cmp(other)
    }
}

impl Add for Var {
    type Output = Var;
    #[inline]
    fn add(self, rhs: Var) -> Var {
        binary(self.value + rhs.value, (self, 1.0), (rhs, 1.0))
    }
}

impl Sub for Var {
    type Output = Var;
    #[inline]
    fn sub(self, rhs: Var) -> Var {
        binary(self.value - rhs.value, (self, 1.0), (rhs, -1.0))
    }
}

impl Mul for Var {
    type Output = Var;
    #[inline]
    fn mul(self, rhs: Var) -> Var {
        binary(self.value * rhs.value, (self, rhs.value), (rhs, self.value))
    }
}

impl Div for Var {
    type Output = Var;
    #[inline]
    fn div(self, rhs: Var) -> Var {
        let q = self.value / rhs.value;
        binary(q, (self, 1.0 / rhs.value), (rhs, -q / rhs.value))
    }
}

impl Neg for Var {
    type Output = Var;
    #[inline]
    fn neg(self) -> Var {
        self.chain(-self.value, -1.0)
    }
}

impl Add<f64> for Var {
    type Output = Var;
    #[inline]
    fn add(self, rhs: f64) -> Var {
        self.chain(self.value + rhs, 1.0)
    }
}

impl Sub<f64> for Var {
    type Output = Var;
    #[inline]
    fn sub(self, rhs: f64) -> Var {
        self.chain(self.value - rhs, 1.0)
    }
}

impl Mul<f64> for Var {
    type Output = Var;
    #[inline]
    fn mul(self, rhs: f64) -> Var {
        self.chain(self.value * rhs, rhs)
    }
}

impl Div<f64> for Var {
    type Output = Var;
    #[inline]
    fn div(self, rhs: f64) -> Var {
        self.chain(self.value / rhs, 1.0 / rhs)
    }
}

impl Add<Var> for f64 {
    type Output = Var;
    #[inline]
    fn add(self, rhs: Var) -> Var {
        rhs + self
    }
}

impl Sub<Var> for f64 {
    type Output = Var;
    #[inline]
    fn sub(self, rhs: Var) -> Var {
        rhs.chain(self - rhs.value, -1.0)
    }
}

impl Mul<Var> for f64 {
    type Output = Var;
    #[inline]
    fn mul(self, rhs: Var) -> Var {
        rhs * self
    }
}

impl Div<Var> for f64 {
    type Output = Var;
    #[inline]
    fn div(self, rhs: Var) -> Var {
        let q = self / rhs.value;
        rhs.chain(q, -q / rhs.value)
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl $trait for Var {
            #[inline]
            fn $method(&mut self, rhs: Var) {
                *self = *self $op rhs;
            }
        }
        impl $trait<f64> for Var {
            #[inline]
            fn $method(&mut self, rhs: f64) {
                *self = *self $op rhs;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl IntoParam<Var> for Var {
    type Param = Var;
    #[inline]
    fn into_param(self) -> Var {
        self
    }
}

impl Scalar for Var {
    const DIFFERENTIABLE: bool = true;
    #[inline]
    fn is_constant(self) -> bool {
        Var::is_constant(self)
    }
    #[inline]
    fn from_f64(x: f64) -> Self {
        Var::constant(x)
    }
    #[inline]
    fn from_parts<I>(value: f64, operands: I) -> Self
    where
        I: Iterator<Item = (Self, f64)>,
    {
        push_many(value, operands)
    }
    #[inline]
    fn from_parts_and_runs<'r, I, R>(value: f64, operands: I, runs: R) -> Self
    where
        I: Iterator<Item = (Self, f64)>,
        R: Iterator<Item = (&'r [Self], &'r [f64])>,
        Self: 'r,
    {
        push_with_runs(value, operands, runs)
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
        binary(v, (self, dx), (y, dy))
    }
    super::rules::unary_methods!(
        exp, ln, ln_1p, exp_m1, ln_1p_exp, sqrt, sin, cos, tanh, atan, abs, sigmoid, ln_gamma,
        digamma, erf, erfc, erfcx, ln_i0, ln_i0e,
    );
}
