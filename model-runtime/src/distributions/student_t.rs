//! Student's t distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::autodiff::Dual;
use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LocScale, PlainValue, Samplable};
use crate::scalar::Scalar;
use crate::special::{ln_1p_square, ln_beta};
use crate::value::Real;

/// Student's t distribution with degrees of freedom `df` (ν > 0), location `loc` (μ) and scale
/// `scale` (σ > 0):
///
/// `p(x) = (1 + z² / ν)^(-(ν + 1) / 2) / (σ √ν B(ν/2, 1/2))`, with `z = (x - μ) / σ`
///
/// The log normalizer is computed as `ln B(ν/2, 1/2)` by [`ln_beta`], which stays accurate for
/// large `ν` where `ln Γ((ν + 1)/2) - ln Γ(ν/2)` would cancel.
///
/// Reference: NumPyro `dist.StudentT(df, loc, scale)`; Stan `student_t(nu, mu, sigma)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // With one degree of freedom it is the Cauchy distribution.
/// let t = StudentT::new(1.0, 0.0, 2.0)?;
/// let c = Cauchy::new(0.0, 2.0).unwrap();
/// assert!((t.log_prob(&3.0) - c.log_prob(&3.0)).abs() < 1e-14);
/// assert!(StudentT::new(0.0, 0.0, 1.0).is_err());
/// # Ok::<(), StudentTError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudentT<T = f64> {
    df: T,
    loc: T,
    scale: T,
}

/// Why a [`StudentT`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum StudentTError {
    /// The degrees of freedom are not a positive finite number.
    #[error("StudentT df must be positive and finite, got {df}")]
    DfNotPositive {
        /// The rejected degrees of freedom.
        df: f64,
    },
    /// The location is NaN or infinite.
    #[error("StudentT loc must be finite, got {loc}")]
    LocNotFinite {
        /// The rejected location.
        loc: f64,
    },
    /// The scale is not a positive finite number.
    #[error("StudentT scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> StudentT<T> {
    /// A Student's t distribution; `df` and `scale` must be positive and finite, `loc` finite.
    pub fn new(df: T, loc: T, scale: T) -> Result<Self, StudentTError> {
        if !(df.value() > 0.0 && df.value().is_finite()) {
            return Err(StudentTError::DfNotPositive { df: df.value() });
        }
        if !loc.value().is_finite() {
            return Err(StudentTError::LocNotFinite { loc: loc.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(StudentTError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(StudentT { df, loc, scale })
    }
}

impl<T: Scalar> Distribution for StudentT<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "StudentT";

    fn log_prob(&self, x: &T) -> T {
        if !x.value().is_finite() {
            // NaN and ±∞ lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        let t = student_t_terms(
            x.value() - self.loc.value(),
            self.scale.value(),
            self.df.value(),
        );
        if !T::DIFFERENTIABLE {
            return T::from_f64(t.value);
        }
        T::from_parts(
            t.value,
            [
                (*x, t.deviation),
                (self.loc, -t.deviation),
                (self.scale, t.scale),
                (self.df, t.df),
            ]
            .into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Real
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // `None` only for parameters that the constructor rejects.
        let t: f64 = rand_distr::StudentT::new(self.df.value()).ok()?.sample(rng);
        // Tails of small ν reach beyond f64::MAX: such a draw rounds to the largest finite
        // number of its sign, which is in the support (∞ is not).
        Some((self.loc.value() + self.scale.value() * t).clamp(f64::MIN, f64::MAX))
    }

    /// `loc` for `df > 1`; `None` otherwise (the mean does not exist).
    fn mean(&self) -> Option<T> {
        (self.df.value() > 1.0).then_some(self.loc)
    }

    /// `scale² df / (df - 2)` for `df > 2`; `+∞` for `1 < df ≤ 2` (as in NumPyro); `None` for
    /// `df ≤ 1`, where the variance is undefined.
    fn variance(&self) -> Option<T> {
        let df = self.df.value();
        if df > 2.0 {
            Some(self.scale * self.scale * self.df / (self.df - 2.0))
        } else if df > 1.0 {
            Some(T::from_f64(f64::INFINITY))
        } else {
            None
        }
    }
}

/// `ln(1 + w²)` for `w = d/(σ √ν)`, also where the quotient overflows (small `ν`, large `d`):
/// for `|w| > 1e150` it is `2 (ln|d| - ln σ - ½ ln ν)`, finite for every finite `d`.
pub(crate) fn ln_1p_square_of_quotient<T: Scalar>(d: T, scale: T, w: T, df: T) -> T {
    // Beyond 1e150 `ln_1p_square` is 2 ln|w| anyway; taking the logs apart there also keeps
    // the slope in ν finite (through the quotient it is w/ν · 1/w, and w/ν can overflow).
    if w.value().abs() <= 1e150 {
        ln_1p_square(w)
    } else {
        (d.abs().ln() - scale.ln() - df.ln() * 0.5) * 2.0
    }
}

/// The Student's t log density at a deviation `d = x - μ` from the location, with its partials
/// in `d`, the scale and the degrees of freedom: one autodiff node for `StudentT` and
/// `HalfStudentT` (Stan's operands and partials). With `z = d/σ`,
/// `∂/∂d = -(ν + 1) z/(σ (ν + z²))`, `∂/∂σ = ((ν + 1) z²/(ν + z²) - 1)/σ` and
/// `∂/∂ν = -½ ln(1 + z²/ν) + (ν + 1) z²/(2ν (ν + z²)) + c'(ν)`, each ratio formed so that it
/// cannot overflow (`z/(ν + z²) = 1/(z + ν/z)` for large `z`); the normalizer
/// `c(ν) = -ln B(ν/2, ½) - ½ ln ν` and its slope come from one forward-mode direction through
/// [`ln_beta`]. Chained through the generic form, slopes of order `1/σ` met values of order
/// `σ` and overflowed at scales near `f64::MIN_POSITIVE`.
pub(crate) fn student_t_terms(d: f64, scale: f64, df: f64) -> StudentTTerms {
    let w = d / scale / df.sqrt();
    let log_term = ln_1p_square_of_quotient(d, scale, w, df);
    let nu = Dual::<1>::variable(df, 0);
    let normalizer = -ln_beta(nu * 0.5, Dual::from_f64(0.5)) - nu.ln() * 0.5;
    let value = -(df + 1.0) * 0.5 * log_term + normalizer.value() - scale.ln();
    let z = d / scale;
    // q = z²/(ν + z²) and r = z/(ν + z²).
    let (q, r) = if z.abs() > 1.0 {
        let ratio = df / z;
        (1.0 / (1.0 + ratio / z), 1.0 / (z + ratio))
    } else {
        let denominator = df + z * z;
        (z * z / denominator, z / denominator)
    };
    StudentTTerms {
        value,
        deviation: -(df + 1.0) * r / scale,
        scale: ((df + 1.0) * q - 1.0) / scale,
        df: -0.5 * log_term + (df + 1.0) * q / (2.0 * df) + normalizer.tangent()[0],
    }
}

/// [`student_t_terms`]' log density and partials.
pub(crate) struct StudentTTerms {
    pub(crate) value: f64,
    /// `∂/∂d`, `d = x - μ`.
    pub(crate) deviation: f64,
    pub(crate) scale: f64,
    pub(crate) df: f64,
}

impl<T: Scalar> Samplable for StudentT<T> {}

impl<T: Scalar> Family for StudentT<T> {
    type At<U: Scalar> = StudentT<U>;
}

impl<T: Scalar> LocScale for StudentT<T> {
    fn loc_scale<U: Scalar>(dist: &StudentT<U>) -> (U, U) {
        (dist.loc, dist.scale)
    }

    fn with_loc_scale<U: Scalar>(dist: &StudentT<U>, loc: U, scale: U) -> StudentT<U> {
        StudentT {
            df: dist.df,
            loc,
            scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approaches_the_normal_for_large_df() {
        let t = StudentT::new(1e12, 1.0, 2.0).unwrap();
        let n = crate::distributions::Normal::new(1.0, 2.0).unwrap();
        for x in [-3.0, 0.0, 1.0, 4.5] {
            assert!((t.log_prob(&x) - n.log_prob(&x)).abs() < 1e-10);
        }
    }
}
