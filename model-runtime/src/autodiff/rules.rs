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
    // d/dy x^y = x^y ln x; zero where x^y is zero (x = 0, y > 0). For x < 0 the power is
    // real only at integer y, where it is sign · |x|^y; its derivative along y is taken from
    // that branch, x^y ln|x|, finite wherever the value is (ln x would make it NaN).
    let dy = if v == 0.0 { 0.0 } else { v * x.abs().ln() };
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

/// d/dx ln i0e(x) = I₁(x)/I₀(x) − sign(x). At 0 the function has a kink (slopes −1 and +1
/// from the two sides); the derivative there is taken as 0, the midpoint of the subgradient,
/// where `f64::signum(0.0) = 1` would make it −1.
pub(super) fn ln_i0e(x: f64) -> (f64, f64) {
    let ratio = special::i1e(x) / special::i0e(x);
    let sign = if x == 0.0 { 0.0 } else { x.signum() };
    (special::ln_i0e(x), ratio - sign)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Central difference of `f` at `x`.
    fn numeric(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-6 * x.abs().max(1.0);
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn ln_i0e_has_slope_zero_at_its_kink() {
        assert_eq!(ln_i0e(0.0).1, 0.0);
        assert_eq!(ln_i0e(-0.0).1, 0.0);
        for x in [-3.0, -0.5, 0.5, 3.0] {
            let d = ln_i0e(x).1;
            assert!((d - numeric(special::ln_i0e, x)).abs() < 1e-7, "{x}: {d}");
        }
    }

    #[test]
    fn digamma_has_a_finite_gradient_for_negative_arguments() {
        for x in [-0.5, -1.3, -2.7, -10.25] {
            let d = digamma(x).1;
            let expected = numeric(special::digamma, x);
            assert!(d.is_finite(), "{x}");
            assert!(
                (d - expected).abs() < 1e-5 * expected.abs().max(1.0),
                "{x}: {d} vs {expected}"
            );
        }
        assert_eq!(digamma(-3.0).1, f64::INFINITY);
    }

    #[test]
    fn pow_of_a_negative_base_has_a_finite_gradient_at_integer_exponents() {
        // (-2)^3 = -8: d/dx = 3·4 = 12, d/dy = -8 ln 2.
        let (v, dx, dy) = pow(-2.0, 3.0);
        assert_eq!((v, dx), (-8.0, 12.0));
        assert!((dy + 8.0 * 2f64.ln()).abs() < 1e-12);
        // A non-integer power of a negative base is not real: NaN, as its derivatives.
        assert!(pow(-2.0, 0.5).0.is_nan());
    }
}
