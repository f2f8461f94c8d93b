//! The real numbers model code computes with: `f64`, and the autodiff variables.
//!
//! `Scalar` is arithmetic only; it knows nothing of models. A `#[model]` body is emitted once
//! per scalar it runs on, as [`Body<f64>`](crate::model::Body) (prior sampling, Predictive,
//! constraining draws) and `Body<Var>` (gradients), with `__T` naming the scalar inside each;
//! code that runs a model states which bodies it needs in its bounds. Users write ordinary
//! arithmetic that mixes `f64` data with site values; [`FloatOps`] collects the operator bounds
//! that make `1.0 / (sigma * sigma)` compile in functions generic over the scalar.

use core::fmt::Debug;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::special::primitives as special;

/// A real number the model body computes with: `f64`, or an autodiff variable.
///
/// Every function here is the mathematical function on the value; implementations for autodiff
/// types also record the derivative. The special functions are the stable forms that log densities
/// need (`ln_1p_exp`, `ln_i0`), so that a distribution written once is accurate for both.
///
/// # Example
///
/// ```
/// use model_runtime::Scalar;
///
/// fn softplus<T: Scalar>(x: T) -> T {
///     x.ln_1p_exp()
/// }
/// assert!((softplus(0.0_f64) - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(softplus(800.0_f64), 800.0); // no overflow
/// ```
pub trait Scalar:
    Copy
    + Debug
    + Default
    + PartialEq
    + PartialOrd
    + PartialEq<f64>
    + PartialOrd<f64>
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + AddAssign<f64>
    + SubAssign<f64>
    + MulAssign<f64>
    + DivAssign<f64>
    + IntoParam<Self, Param = Self>
    + Send
    + Sync
    + 'static
{
    /// A constant: for autodiff types, a value with zero derivative.
    fn from_f64(x: f64) -> Self;
    /// The plain value, dropping any derivative information.
    fn value(self) -> f64;

    /// `e^x`.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// `ln(1 + x)`, accurate for small `x`.
    fn ln_1p(self) -> Self;
    /// `e^x - 1`, accurate for small `x`.
    fn exp_m1(self) -> Self;
    /// `ln(1 + e^x)` (softplus), without overflow for large `x`.
    fn ln_1p_exp(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// `x^n` for an integer power.
    fn powi(self, n: i32) -> Self;
    /// `x^p` for a constant real power.
    fn powf(self, p: f64) -> Self;
    /// `x^y` for a scalar power.
    fn pow(self, y: Self) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Arc tangent.
    fn atan(self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// The logistic function `1 / (1 + e^-x)`.
    fn sigmoid(self) -> Self;
    /// `ln Γ(x)` for `x > 0`.
    fn ln_gamma(self) -> Self;
    /// The digamma function `ψ(x) = d/dx ln Γ(x)`.
    fn digamma(self) -> Self;
    /// The error function.
    fn erf(self) -> Self;
    /// The complementary error function, accurate in the upper tail.
    fn erfc(self) -> Self;
    /// The scaled complementary error function `e^(x²) erfc(x)`, finite where `erfc` underflows.
    fn erfcx(self) -> Self;
    /// `ln I₀(x)`, the log of the modified Bessel function of order zero, computed through the
    /// exponentially scaled `i0e` so that it stays finite for large `x`.
    fn ln_i0(self) -> Self;
    /// `ln(e^-|x| I₀(x))`, the log of the exponentially scaled Bessel function, accurate for
    /// large `x` where `ln_i0(x) - |x|` would cancel.
    fn ln_i0e(self) -> Self;

    /// A value computed from the plain values of `operands`, with its partial derivative with
    /// respect to each given alongside: one autodiff node however many operands (Stan's
    /// "operands and partials"). Vectorized log densities and linear algebra use it; for `f64`
    /// it is `value`.
    fn from_parts<I>(value: f64, operands: I) -> Self
    where
        I: Iterator<Item = (Self, f64)>;

    /// [`from_parts`](Scalar::from_parts) with runs of operands besides: each
    /// `(operands, partials)` of `runs` adds `operands[i]` with partial `partials[i]`. The
    /// reverse-mode tape records a run of consecutive variables (a vector site's values) as
    /// one edge.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::Scalar;
    /// use model_runtime::autodiff::{Var, gradient};
    ///
    /// let mut g = [0.0; 4];
    /// gradient(&[1.0, 2.0, 3.0, 4.0], &mut g, |x| {
    ///     let runs = [(&x[1..], &[10.0, 20.0, 30.0][..])];
    ///     Ok::<_, ()>(Var::from_parts_and_runs(0.0, [(x[0], 5.0)].into_iter(), runs.into_iter()))
    /// })
    /// .unwrap();
    /// assert_eq!(g, [5.0, 10.0, 20.0, 30.0]);
    /// ```
    #[inline]
    fn from_parts_and_runs<'r, I, R>(value: f64, operands: I, runs: R) -> Self
    where
        I: Iterator<Item = (Self, f64)>,
        R: Iterator<Item = (&'r [Self], &'r [f64])>,
        Self: 'r,
    {
        Self::from_parts(
            value,
            operands.chain(
                runs.flat_map(|(vars, partials)| {
                    vars.iter().copied().zip(partials.iter().copied())
                }),
            ),
        )
    }

    /// Whether values of this type carry derivatives (`false` for `f64`): vectorized sites skip
    /// their derivative bookkeeping when nothing would read it.
    #[doc(hidden)]
    const DIFFERENTIABLE: bool;

    /// Whether no input variable influences this value (every `f64`; a `Var` with no tape
    /// node): vectorized sites record no edges for observed values.
    #[doc(hidden)]
    fn is_constant(self) -> bool {
        !Self::DIFFERENTIABLE
    }

    /// `ln(e^a + e^b)` without overflow.
    fn ln_add_exp(self, other: Self) -> Self {
        let (a, b) = (self.value(), other.value());
        let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
        if hi == f64::NEG_INFINITY {
            return if a >= b { self } else { other };
        }
        // One autodiff node: ∂/∂a = eᵃ / (eᵃ + eᵇ), that is 1/(1 + e) for the larger argument
        // and e/(1 + e) for the smaller, with e = exp(lo - hi) in [0, 1].
        let e = (lo - hi).exp();
        let (w_hi, w_lo) = (1.0 / (1.0 + e), e / (1.0 + e));
        let (da, db) = if a >= b { (w_hi, w_lo) } else { (w_lo, w_hi) };
        Self::from_parts(hi + e.ln_1p(), [(self, da), (other, db)].into_iter())
    }
}

/// A data value as the model body's scalar: the start of a recursion over sites, such as a
/// volatility `s` updated from site values at every step (`let mut s = scalar(sigma1);`).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn random_walk(y: &[f64]) {
///     let step = sample!("step", HalfNormal::new(1.0));
///     let mut level = scalar(0.0);
///     plate!("time", y.len(), |t| {
///         sample!("y", Normal::new(level, step), obs = y[t]);
///         level = level + (y[t] - level) * 0.5;
///     });
/// }
/// # fn main() {}
/// ```
#[inline]
pub fn scalar<T: Scalar>(x: f64) -> T {
    T::from_f64(x)
}

/// The operator bounds with `f64` on the left (`1.0 / sigma`, `2.0 * mu`).
///
/// Rust does not imply `f64: Div<T, Output = T>` from a bound on `T`, so the `#[model]` macro puts
/// `f64: FloatOps<T>` on the generated body; its supertraits then give every mixed operator.
///
/// # Example
///
/// ```
/// use model_runtime::{FloatOps, Scalar};
///
/// fn precision<T: Scalar>(sigma: T) -> T
/// where
///     f64: FloatOps<T>,
/// {
///     1.0 / (sigma * sigma)
/// }
/// assert_eq!(precision(0.5), 4.0);
/// ```
pub trait FloatOps<T>:
    Add<T, Output = T> + Sub<T, Output = T> + Mul<T, Output = T> + Div<T, Output = T>
{
}

impl<T> FloatOps<T> for f64 where
    f64: Add<T, Output = T> + Sub<T, Output = T> + Mul<T, Output = T> + Div<T, Output = T>
{
}

/// Conversion of a distribution argument into a parameter for scalar `T`.
///
/// Inside a `#[model]` body the macro passes every distribution argument through this trait, so
/// `Normal::new(mu, 1.0)` builds a `Normal<T>` whether `mu` is a site value (`T`) or data (`f64`).
/// Arguments that are not real numbers (counts, slices of data) pass through unchanged.
///
/// # Example
///
/// ```
/// use model_runtime::IntoParam;
///
/// let p: f64 = IntoParam::<f64>::into_param(2.5);
/// let n: u64 = IntoParam::<f64>::into_param(3_u64);
/// assert_eq!((p, n), (2.5, 3));
/// ```
pub trait IntoParam<T> {
    /// The parameter type this argument becomes.
    type Param;
    /// Converts the argument.
    fn into_param(self) -> Self::Param;
}

impl<T: Scalar> IntoParam<T> for f64 {
    type Param = T;
    #[inline]
    fn into_param(self) -> T {
        T::from_f64(self)
    }
}

impl<T: Scalar> IntoParam<T> for &f64 {
    type Param = T;
    #[inline]
    fn into_param(self) -> T {
        T::from_f64(*self)
    }
}

macro_rules! pass_through_param {
    ($($ty:ty),*) => {$(
        impl<T: Scalar> IntoParam<T> for $ty {
            type Param = $ty;
            #[inline]
            fn into_param(self) -> $ty {
                self
            }
        }
    )*};
}
pass_through_param!(u32, u64, usize, i32, i64, bool);

/// A `Vec` of distribution arguments inside a `#[model]` body (`vec![w, 1.0 - w]`, or data with
/// `.to_vec()`) becomes a `Vec` of the body's scalar, for vector parameters (a multivariate normal's location, categorical probabilities).
impl<T: Scalar, U: IntoParam<T, Param = T>> IntoParam<T> for Vec<U> {
    type Param = Vec<T>;
    fn into_param(self) -> Vec<T> {
        self.into_iter().map(IntoParam::into_param).collect()
    }
}

/// An array of distribution arguments inside a `#[model]` body becomes an array of the body's
/// scalar, for vector parameters (a multivariate normal's location, categorical probabilities).
impl<T: Scalar, U: IntoParam<T, Param = T>, const N: usize> IntoParam<T> for [U; N] {
    type Param = [T; N];
    fn into_param(self) -> [T; N] {
        self.map(IntoParam::into_param)
    }
}

impl Scalar for f64 {
    const DIFFERENTIABLE: bool = false;
    #[inline]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline]
    fn from_parts<I>(value: f64, _operands: I) -> Self
    where
        I: Iterator<Item = (Self, f64)>,
    {
        value
    }
    #[inline]
    fn value(self) -> f64 {
        self
    }
    #[inline]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline]
    fn ln_1p(self) -> Self {
        f64::ln_1p(self)
    }
    #[inline]
    fn exp_m1(self) -> Self {
        f64::exp_m1(self)
    }
    #[inline]
    fn ln_1p_exp(self) -> Self {
        special::ln_1p_exp(self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
    #[inline]
    fn powf(self, p: f64) -> Self {
        f64::powf(self, p)
    }
    #[inline]
    fn pow(self, y: Self) -> Self {
        f64::powf(self, y)
    }
    #[inline]
    fn sin(self) -> Self {
        f64::sin(self)
    }
    #[inline]
    fn cos(self) -> Self {
        f64::cos(self)
    }
    #[inline]
    fn tanh(self) -> Self {
        f64::tanh(self)
    }
    #[inline]
    fn atan(self) -> Self {
        f64::atan(self)
    }
    #[inline]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[inline]
    fn sigmoid(self) -> Self {
        special::sigmoid(self)
    }
    #[inline]
    fn ln_gamma(self) -> Self {
        special::ln_gamma(self)
    }
    #[inline]
    fn digamma(self) -> Self {
        special::digamma(self)
    }
    #[inline]
    fn erf(self) -> Self {
        libm::erf(self)
    }
    #[inline]
    fn erfc(self) -> Self {
        libm::erfc(self)
    }
    #[inline]
    fn erfcx(self) -> Self {
        special::erfcx(self)
    }
    #[inline]
    fn ln_i0(self) -> Self {
        special::ln_i0(self)
    }
    #[inline]
    fn ln_i0e(self) -> Self {
        special::ln_i0e(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_add_exp_is_stable() {
        assert_eq!(1000.0_f64.ln_add_exp(1000.0), 1000.0 + 2f64.ln());
        assert_eq!(f64::NEG_INFINITY.ln_add_exp(-3.0), -3.0);
        assert_eq!(
            f64::NEG_INFINITY.ln_add_exp(f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn mixed_arithmetic_compiles_for_generic_scalars() {
        fn kappa<T: Scalar>(sigma: T) -> T
        where
            f64: FloatOps<T>,
        {
            1.0 / (sigma * sigma) + 2.0 * sigma - sigma / 4.0
        }
        assert_eq!(kappa(2.0), 0.25 + 4.0 - 0.5);
    }
}
