//! The value and derivative of each elementary function, shared by reverse mode ([`Var`]) and
//! forward mode ([`Dual`]): each rule maps `x` to `(f(x), f'(x))`, and the two modes differ only
//! in how they apply the chain rule.
//!
//! [`Var`]: super::Var
//! [`Dual`]: super::Dual

use crate::special;

const TWO_OVER_SQRT_PI: f64 = core::f64::consts::FRAC_2_SQRT_PI;

pub(super) fn exp(x: f64) -> (f64, f64) {
    let e = x.exp();
    (e, e)
}

pub(super) fn ln(x: f64) -> (f64, f64) {
    (x.ln(), 1.0 / x)
}

pub(super) fn ln_1p(x: f64) -> (f64, f64) {
    (x.ln_1p(), 1.0 / (1.0 + x))
}

pub(super) fn exp_m1(x: f64) -> (f64, f64) {
    (x.exp_m1(), x.exp())
}

pub(super) fn ln_1p_exp(x: f64) -> (f64, f64) {
    (special::ln_1p_exp(x), special::sigmoid(x))
}

pub(super) fn sqrt(x: f64) -> (f64, f64) {
    let s = x.sqrt();
    (s, 0.5 / s)
}

pub(super) fn powi(x: f64, n: i32) -> (f64, f64) {
    let d = if n == 0 {
        0.0
    } else {
        f64::from(n) * x.powi(n - 1)
    };
    (x.powi(n), d)
}

pub(super) fn powf(x: f64, p: f64) -> (f64, f64) {
    let d = if p == 0.0 { 0.0 } else { p * x.powf(p - 1.0) };
    (x.powf(p), d)
}

/// `x^y` with its partial derivatives with respect to `x` and `y`.
pub(super) fn pow(x: f64, y: f64) -> (f64, f64, f64) {
    let v = x.powf(y);
    let dx = if y == 0.0 { 0.0 } else { y * x.powf(y - 1.0) };
    // d/dy x^y = x^y ln x; zero where x^y is zero (x = 0, y > 0).
    let dy = if v == 0.0 { 0.0 } else { v * x.ln() };
    (v, dx, dy)
}

pub(super) fn sin(x: f64) -> (f64, f64) {
    (x.sin(), x.cos())
}

pub(super) fn cos(x: f64) -> (f64, f64) {
    (x.cos(), -x.sin())
}

pub(super) fn tanh(x: f64) -> (f64, f64) {
    let t = x.tanh();
    (t, 1.0 - t * t)
}

pub(super) fn atan(x: f64) -> (f64, f64) {
    (x.atan(), 1.0 / (1.0 + x * x))
}

pub(super) fn abs(x: f64) -> (f64, f64) {
    let sign = if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    };
    (x.abs(), sign)
}

pub(super) fn sigmoid(x: f64) -> (f64, f64) {
    let s = special::sigmoid(x);
    (s, s * (1.0 - s))
}

pub(super) fn ln_gamma(x: f64) -> (f64, f64) {
    (special::ln_gamma(x), special::digamma(x))
}

pub(super) fn digamma(x: f64) -> (f64, f64) {
    (special::digamma(x), special::trigamma(x))
}

pub(super) fn erf(x: f64) -> (f64, f64) {
    (libm::erf(x), TWO_OVER_SQRT_PI * (-x * x).exp())
}

pub(super) fn erfc(x: f64) -> (f64, f64) {
    (libm::erfc(x), -TWO_OVER_SQRT_PI * (-x * x).exp())
}

pub(super) fn erfcx(x: f64) -> (f64, f64) {
    special::erfcx_with_derivative(x)
}

/// d/dx ln I₀(x) = I₁(x)/I₀(x) = i1e(x)/i0e(x): the scaled ratio stays finite.
pub(super) fn ln_i0(x: f64) -> (f64, f64) {
    (special::ln_i0(x), special::i1e(x) / special::i0e(x))
}

pub(super) fn ln_i0e(x: f64) -> (f64, f64) {
    let ratio = special::i1e(x) / special::i0e(x);
    (special::ln_i0e(x), ratio - x.signum())
}

/// The `Scalar` methods that apply a one-argument rule, for a type with a method
/// `chain(self, value, derivative)`.
macro_rules! unary_methods {
    ($($name:ident),* $(,)?) => {$(
        #[inline]
        fn $name(self) -> Self {
            let (value, derivative) = super::rules::$name(self.value);
            self.chain(value, derivative)
        }
    )*};
}
pub(super) use unary_methods;
