//! The half Student's t distribution.

use core::f64::consts::LN_2;

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable};
use crate::distributions::student_t::student_t_terms;
use crate::scalar::Scalar;
use crate::special::ln_beta;
use crate::value::Real;

/// The half Student's t distribution: the absolute value of a centred Student's t with `df`
/// degrees of freedom (ν > 0) and scale `scale` (σ > 0), with density on `x ≥ 0`
///
/// `p(x) = 2 Γ((ν+1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + (x/σ)²/ν)^(-(ν+1)/2)`
///
/// that is, twice the Student's t density. Its mean (ν > 1) is
/// `2 σ √ν Γ((ν+1)/2) / (√π Γ(ν/2) (ν − 1))`, and its variance (ν > 2) is
/// `σ² ν / (ν − 2) − mean²`. Reference: NumPyro `dist.HalfStudentT`-style (a `FoldedDistribution`
/// of `StudentT(df, 0, scale)`); Stan `student_t(nu, 0, sigma)` on a `<lower=0>` parameter, which
/// brms writes as its default prior for residual scales.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = HalfStudentT::new(3.0, 10.0)?;
/// let t = StudentT::new(3.0, 0.0, 10.0)?;
/// assert!((d.log_prob(&4.0) - (t.log_prob(&4.0) + 2f64.ln())).abs() < 1e-14);
/// assert_eq!(d.log_prob(&-1.0), f64::NEG_INFINITY);
/// assert!(HalfStudentT::new(0.0, 1.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfStudentT<T = f64> {
    df: T,
    scale: T,
}

/// Why a [`HalfStudentT`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum HalfStudentTError {
    /// The degrees of freedom are not a positive finite number.
    #[error("HalfStudentT df must be positive and finite, got {df}")]
    DfNotPositive {
        /// The rejected degrees of freedom.
        df: f64,
    },
    /// The scale is not a positive finite number.
    #[error("HalfStudentT scale must be positive and finite, got {scale}")]
    ScaleNotPositive {
        /// The rejected scale.
        scale: f64,
    },
}

impl<T: Scalar> HalfStudentT<T> {
    /// A half Student's t distribution; `df` and `scale` must be positive and finite.
    pub fn new(df: T, scale: T) -> Result<Self, HalfStudentTError> {
        if !(df.value() > 0.0 && df.value().is_finite()) {
            return Err(HalfStudentTError::DfNotPositive { df: df.value() });
        }
        if !(scale.value() > 0.0 && scale.value().is_finite()) {
            return Err(HalfStudentTError::ScaleNotPositive {
                scale: scale.value(),
            });
        }
        Ok(HalfStudentT { df, scale })
    }

    /// The degrees of freedom.
    pub fn df(&self) -> T {
        self.df
    }

    /// The scale.
    pub fn scale(&self) -> T {
        self.scale
    }
}

impl<T: Scalar> Distribution for HalfStudentT<T> {
    type Scalar = T;
    type Kind = Real;
    const NAME: &'static str = "HalfStudentT";

    fn log_prob(&self, x: &T) -> T {
        if x.value().is_nan() || x.value() < 0.0 {
            // Negative numbers and NaN lie outside the support.
            return T::from_f64(f64::NEG_INFINITY);
        }
        // The Student's t density at deviation x from 0, as `StudentT` computes it (one
        // autodiff node), doubled.
        let t = student_t_terms(x.value(), self.scale.value(), self.df.value());
        if !T::DIFFERENTIABLE {
            return T::from_f64(t.value + LN_2);
        }
        T::from_parts(
            t.value + LN_2,
            [(*x, t.deviation), (self.scale, t.scale), (self.df, t.df)].into_iter(),
        )
    }

    fn support(&self) -> Support<T> {
        Support::Positive
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        // `None` only for parameters that the constructor rejects.
        let t: f64 = rand_distr::StudentT::new(self.df.value()).ok()?.sample(rng);
        // Tails of small ν reach beyond f64::MAX: such a draw rounds to the largest finite
        // number, which is in the support (∞ is not).
        Some((self.scale.value() * t).abs().min(f64::MAX))
    }

    fn mean(&self) -> Option<T> {
        if self.df.value() <= 1.0 {
            return None;
        }
        Some(self.scale * self.standard_mean())
    }

    fn variance(&self) -> Option<T> {
        let df = self.df.value();
        if df <= 2.0 {
            return None;
        }
        // σ² (ν/(ν - 2) - m²) with m the mean at σ = 1, so that σ² · ν and the square of the
        // mean cannot overflow and cancel to NaN.
        let mean = self.standard_mean();
        Some(self.scale * self.scale * (self.df / (self.df - 2.0) - mean * mean))
    }
}

impl<T: Scalar> HalfStudentT<T> {
    /// The mean at scale 1, `2 √ν Γ((ν + 1)/2) / (√π (ν - 1) Γ(ν/2))` for `ν > 1`, with the
    /// ratio of gamma functions as `√π / B(ν/2, 1/2)` (`ln_beta` stays accurate for large `ν`,
    /// where the two `ln Γ` would overflow and cancel).
    fn standard_mean(&self) -> T {
        let ln_ratio = T::from_f64(0.5 * core::f64::consts::PI.ln())
            - ln_beta(self.df * 0.5, T::from_f64(0.5));
        ln_ratio.exp() * (self.df.sqrt() / (self.df - 1.0)) * (2.0 / core::f64::consts::PI.sqrt())
    }
}

impl<T: Scalar> Samplable for HalfStudentT<T> {}

impl<T: Scalar> Family for HalfStudentT<T> {
    type At<U: Scalar> = HalfStudentT<U>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributions::StudentT;
    use rand::SeedableRng;
    use statrs::distribution::ContinuousCDF;

    /// Twice the Student's t density on the positive half-line, which is itself checked
    /// against mpmath references.
    #[test]
    fn is_twice_the_student_t_density() {
        for (df, scale) in [(0.5, 1.0), (3.0, 10.0), (30.0, 0.1), (1e6, 2.0)] {
            let half = HalfStudentT::new(df, scale).unwrap();
            let t = StudentT::new(df, 0.0, scale).unwrap();
            for x in [0.0, 1e-8, 0.3, 4.0, 1e3, 1e12] {
                let expected = t.log_prob(&x) + LN_2;
                let got = half.log_prob(&x);
                assert!(
                    (got - expected).abs() <= 1e-14 * expected.abs().max(1.0),
                    "df {df}, scale {scale}, x {x}: {got} vs {expected}"
                );
            }
        }
    }

    /// Kolmogorov–Smirnov at α = 0.001 against `2 F_t(x) − 1`, with the statistic of a
    /// misstated scale as a control that the test can fail.
    #[test]
    fn sampler_passes_kolmogorov_smirnov() {
        let n = 20_000;
        let d = HalfStudentT::new(3.0, 10.0).unwrap();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(11);
        let mut draws: Vec<f64> = (0..n).map(|_| d.sample(&mut rng).unwrap()).collect();
        draws.sort_by(f64::total_cmp);
        let statistic = |scale: f64| {
            let t = statrs::distribution::StudentsT::new(0.0, scale, 3.0).unwrap();
            draws
                .iter()
                .enumerate()
                .map(|(i, &x)| {
                    let f = 2.0 * t.cdf(x) - 1.0;
                    (f - i as f64 / n as f64).max((i + 1) as f64 / n as f64 - f)
                })
                .fold(0.0, f64::max)
        };
        let critical = 1.95 / (n as f64).sqrt();
        assert!(statistic(10.0) < critical, "{}", statistic(10.0));
        assert!(statistic(11.0) > critical, "the control passed");
    }

    /// The mean and variance formulas against the moments of the density, by quadrature on
    /// x = σ tan(θ) (which maps the half-line to [0, π/2)).
    #[test]
    fn moments_match_quadrature() {
        let d = HalfStudentT::new(5.0, 2.0).unwrap();
        let n = 200_000;
        let h = core::f64::consts::FRAC_PI_2 / n as f64;
        let (mut m1, mut m2) = (0.0, 0.0);
        for i in 0..n {
            let theta = (i as f64 + 0.5) * h;
            let x = 2.0 * theta.tan();
            let jacobian = 2.0 / theta.cos().powi(2);
            let p = d.log_prob(&x).exp() * jacobian * h;
            m1 += x * p;
            m2 += x * x * p;
        }
        let mean = d.mean().unwrap();
        assert!((mean - m1).abs() < 1e-6 * m1, "{mean} vs {m1}");
        let variance = d.variance().unwrap();
        assert!((variance - (m2 - m1 * m1)).abs() < 1e-5 * variance);
    }
}
