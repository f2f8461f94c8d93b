//! The LKJ distribution over Cholesky factors of correlation matrices.

use core::f64::consts::PI;

use rand::Rng;
use rand_distr::Distribution as _;

use crate::bijectors::{CorrelationCholesky, ForwardMap, VectorBijector};
use crate::constraint::Support;
use crate::distribution::{Distribution, Family, PlainValue, Samplable, Value};
use crate::distributions::gamma::sample_ln_gamma;
use crate::scalar::Scalar;
use crate::special::{ln_1p_exp, ln_beta, ln_gamma};
use crate::value::{PooledVec, Reals};

/// The LKJ distribution (Lewandowski, Kurowicka and Joe 2009) over the lower Cholesky factors `L`
/// of `dimension × dimension` (D) correlation matrices `C = L Lᵀ`, with `concentration` η > 0:
/// `p(C) ∝ det(C)^(η - 1)`. As a density over the strictly lower triangle of `L` (the diagonal
/// follows from the rows' unit length), with the Jacobian `Π_i L_ii^(D - i)` of `L ↦ C`:
///
/// `p(L) = Π_{i=2..D} L_ii^(2η - 2 + D - i) / c_D(η)`, rows `i` counted from 1,
///
/// `ln c_D(η) = Σ_{j=1..D-1} [ln B(η + (D - 1 - j)/2, j/2) + (j/2) ln π - ln Γ(j/2)]`,
///
/// the onion method's normalizer (LKJ 2009, section 3.2, as NumPyro writes it with a multivariate
/// gamma function), here as a sum of beta functions so that the large `ln Γ` terms of a large η
/// cancel inside [`ln_beta`]. η = 1 is uniform over correlation matrices; larger η concentrates
/// them at the identity. Each off-diagonal correlation `C_ij` is distributed as `2B - 1` with
/// `B ~ Beta(η + (D-2)/2, η + (D-2)/2)`.
///
/// Values are `Vec<f64>` of `D²` elements, `L` row-major with zeros above the diagonal: the
/// layout of the [`CorrelationCholesky`] bijector, through which latent sites are explored (its
/// log-Jacobian is over the same strictly lower triangle). Values that are not such a factor
/// (within Stan's tolerance on the rows' length) have density zero. Every element lies in
/// `[-1, 1]`; [`Support`] has only open intervals, so [`Distribution::support`] reports
/// `Interval(-1, 1)` and the exact set is the bijector's. The mean and variance are left out (the
/// mean of `C` is the identity).
///
/// The sampler is the onion method (LKJ 2009, section 3.2): row `i` (from 0) is `√y u` with `y ~
/// Beta(i/2, η + (D-2)/2 - (i-1)/2)` and `u` uniform on the unit sphere in `ℝ^i`, then the
/// diagonal `√(1 - y)`; `y` and `1 - y` come from two gamma draws in log space, so neither
/// cancels.
///
/// Reference: NumPyro `dist.LKJCholesky(dimension, concentration)` (`sample_method="onion"`);
/// Stan `lkj_corr_cholesky(eta)`.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // D = 2: L = [[1, 0], [r, √(1 - r²)]] and p(r) = (1 - r²)^(η-1) / B(½, η).
/// let d = LKJCholesky::new(2, 3.0)?;
/// let r: f64 = 0.6;
/// let l = vec![1.0, 0.0, r, (1.0 - r * r).sqrt()];
/// let expected = 2.0 * (1.0 - r * r).ln() - (16.0 / 15.0_f64).ln(); // B(½, 3) = 16/15
/// assert!((d.log_prob(&PooledVec::from_slice(&l)) - expected).abs() < 1e-14);
/// assert_eq!(d.log_prob(&PooledVec::from(vec![1.0, 0.0, 0.6, 0.6])), f64::NEG_INFINITY); // a row is not a unit vector
/// assert!(LKJCholesky::new(1, 1.0).is_err());
/// # Ok::<(), LKJCholeskyError>(())
/// ```
///
/// In a model, as the correlations of a multivariate normal. The dimension is a `usize`, written
/// as a literal (`LKJCholesky::new(2, 1.5)`) or taken from the data:
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn correlated(y: &[Vec<f64>]) {
///     let l = sample!("l", LKJCholesky::new(y[0].len(), 2.0));
///     plate!("data", y.len(), |i| {
///         sample!("y", MultivariateNormal::from_scale_tril(vec![0.0, 0.0], l.clone()), obs = &y[i]);
///     });
/// }
///
/// let y = vec![vec![1.0, 0.9], vec![-0.5, -0.7], vec![0.2, 0.1]];
/// let prior = Predictive::prior(20).seed(2).run(&correlated(&y))?;
/// assert!(prior.l.iter().all(|l| l[0] == 1.0 && l[1] == 0.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LKJCholesky<T = f64> {
    dimension: usize,
    concentration: T,
}

/// Why an [`LKJCholesky`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum LKJCholeskyError {
    /// The dimension is below 2 (a 1 × 1 correlation matrix is the constant 1).
    #[error("LKJCholesky dimension must be at least 2, got {dimension}")]
    DimensionTooSmall {
        /// The rejected dimension.
        dimension: usize,
    },
    /// The concentration is not a positive finite number.
    #[error("LKJCholesky concentration must be positive and finite, got {concentration}")]
    ConcentrationNotPositive {
        /// The rejected concentration.
        concentration: f64,
    },
}

impl<T: Scalar> LKJCholesky<T> {
    /// The LKJ distribution over Cholesky factors of `dimension × dimension` correlation
    /// matrices; `dimension` must be at least 2 and `concentration` positive and finite.
    pub fn new(dimension: usize, concentration: T) -> Result<Self, LKJCholeskyError> {
        if dimension < 2 {
            return Err(LKJCholeskyError::DimensionTooSmall { dimension });
        }
        if !(concentration.value() > 0.0 && concentration.value().is_finite()) {
            return Err(LKJCholeskyError::ConcentrationNotPositive {
                concentration: concentration.value(),
            });
        }
        Ok(LKJCholesky {
            dimension,
            concentration,
        })
    }

    /// The number of rows (and columns) `D`.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// The concentration η.
    pub fn concentration(&self) -> T {
        self.concentration
    }

    /// `ln c_D(η)`, the log normalizer.
    fn ln_normalizer(&self) -> T {
        let d = self.dimension as f64;
        (1..self.dimension).fold(T::from_f64(0.0), |sum, j| {
            let half_j = j as f64 / 2.0;
            sum + ln_beta(
                self.concentration + (d - 1.0 - j as f64) / 2.0,
                T::from_f64(half_j),
            ) + (half_j * PI.ln() - ln_gamma(half_j))
        })
    }
}

impl<T: Scalar> Distribution for LKJCholesky<T> {
    type Scalar = T;
    type Kind = Reals;
    const NAME: &'static str = "LKJCholesky";

    fn log_prob(&self, value: &Value<Self>) -> T {
        let d = self.dimension;
        if value.len() != d * d {
            return T::from_f64(f64::NAN);
        }
        // A pooled buffer: log densities run in the gradient's hot path.
        let plain: PooledVec<f64> = value.iter().map(|v| v.value()).collect();
        if CorrelationCholesky::new(d).check(&plain).is_err() {
            return T::from_f64(f64::NEG_INFINITY);
        }
        let mut lp = -self.ln_normalizer();
        for i in 1..d {
            // Row i from 0 is row i + 1 from 1: the power is 2η - 2 + D - (i + 1).
            let order = self.concentration * 2.0 + (d as f64 - 3.0 - i as f64);
            let diagonal = value[i * d + i];
            if diagonal.value() == 0.0 {
                // A singular factor: density zero or unbounded by the sign of the power, and a
                // power of 0 leaves 0^0 = 1.
                let o = order.value();
                if o > 0.0 {
                    return T::from_f64(f64::NEG_INFINITY);
                }
                if o < 0.0 {
                    return T::from_f64(f64::INFINITY);
                }
                continue;
            }
            // (2η + D - 3 - i) ln L_ii, with 2η ln L_ii as 2 (η ln L_ii): 2η overflows for
            // η above f64::MAX / 2, and ∞ · ln 1 would be NaN.
            let ln_diagonal = diagonal.ln();
            lp += (self.concentration * ln_diagonal) * 2.0
                + ln_diagonal * (d as f64 - 3.0 - i as f64);
        }
        lp
    }

    /// Elementwise bounds: every element of `L` lies in `[-1, 1]` (see the type's documentation).
    fn support(&self) -> Support<T> {
        Support::Interval(T::from_f64(-1.0), T::from_f64(1.0))
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let d = self.dimension;
        let eta = self.concentration.value();
        let mut l = vec![0.0; d * d];
        l[0] = 1.0;
        for i in 1..d {
            let (a, b) = (
                i as f64 / 2.0,
                eta + (d as f64 - 2.0) / 2.0 - (i as f64 - 1.0) / 2.0,
            );
            // y = G_a / (G_a + G_b): ln y = -ln(1 + G_b/G_a), ln(1 - y) = -ln(1 + G_a/G_b).
            let (ln_ga, ln_gb) = (sample_ln_gamma(a, rng), sample_ln_gamma(b, rng));
            let ln_y = -ln_1p_exp(ln_gb - ln_ga);
            let ln_one_minus_y = -ln_1p_exp(ln_ga - ln_gb);
            if ln_y.is_nan() || ln_one_minus_y.is_nan() {
                return None;
            }
            // A direction uniform on the sphere: a standard normal vector, normalized (Muller
            // 1959).
            let z: Vec<f64> = (0..i)
                .map(|_| rand_distr::StandardNormal.sample(rng))
                .collect();
            let norm = z.iter().map(|v| v * v).sum::<f64>().sqrt();
            let radius = (0.5 * ln_y).exp();
            for (j, zj) in z.iter().enumerate() {
                l[i * d + j] = radius * zj / norm;
            }
            l[i * d + i] = (0.5 * ln_one_minus_y).exp();
        }
        Some(l)
    }

    fn unconstrained_len(&self) -> usize {
        CorrelationCholesky::new(self.dimension).unconstrained_len()
    }

    fn constrain(&self, u: &[T]) -> (Value<Self>, T) {
        let d = self.dimension;
        let mut l: PooledVec<T> = core::iter::repeat_n(T::from_f64(0.0), d * d).collect();
        match CorrelationCholesky::new(d).forward(u, &mut l) {
            Ok(log_jacobian) => (l, log_jacobian),
            // Only a coordinate vector of the wrong length fails; the log density then is NaN.
            Err(_) => (l, T::from_f64(f64::NAN)),
        }
    }

    fn unconstrain(&self, x: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), f64> {
        let start = out.len();
        out.resize(start + self.unconstrained_len(), 0.0);
        CorrelationCholesky::new(self.dimension)
            .inverse(x, &mut out[start..])
            .map_err(|e| {
                out.truncate(start);
                e.offending_value(x)
            })
    }
}

impl<T: Scalar> Samplable for LKJCholesky<T> {}

impl<T: Scalar> Family for LKJCholesky<T> {
    type At<U: Scalar> = LKJCholesky<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizer_matches_numpyro_multivariate_gamma_form() {
        // ln c = (D-1)/2 ln π + ln Γ_{D-1}(η + (D-2)/2) - (D-1) ln Γ(η + (D-1)/2), with
        // ln Γ_p(a) = p(p-1)/4 ln π + Σ_{j=1..p} ln Γ(a + (1-j)/2).
        for (d, eta) in [(2_usize, 0.5_f64), (3, 1.0), (4, 2.5), (6, 0.3)] {
            let p = (d - 1) as f64;
            let alpha = eta + p / 2.0;
            let multigamma = p * (p - 1.0) / 4.0 * PI.ln()
                + (1..d)
                    .map(|j| libm::lgamma(alpha - 0.5 + (1.0 - j as f64) / 2.0))
                    .sum::<f64>();
            let numpyro = p / 2.0 * PI.ln() + multigamma - p * libm::lgamma(alpha);
            let ours = LKJCholesky::new(d, eta).unwrap().ln_normalizer();
            assert!(
                (ours - numpyro).abs() < 1e-13,
                "D = {d}: {ours} vs {numpyro}"
            );
        }
    }

    #[test]
    fn singular_factors() {
        // The last row of a 3 × 3 factor with a zero diagonal: its power is 2η - 2.
        let l = vec![1.0, 0.0, 0.0, 0.6, 0.8, 0.0, 0.0, 1.0, 0.0];
        assert_eq!(
            LKJCholesky::new(3, 2.0)
                .unwrap()
                .log_prob(&PooledVec::from_slice(&l)),
            f64::NEG_INFINITY
        );
        assert_eq!(
            LKJCholesky::new(3, 0.5)
                .unwrap()
                .log_prob(&PooledVec::from_slice(&l)),
            f64::INFINITY
        );
        assert!(
            LKJCholesky::new(3, 1.0)
                .unwrap()
                .log_prob(&PooledVec::from_slice(&l))
                .is_finite()
        );
    }
}
