//! The multivariate normal distribution.

use rand::Rng;
use rand_distr::Distribution as _;

use crate::constraint::Support;
use crate::distribution::{Distribution, Family, LN_SQRT_2PI, PlainValue, Samplable};
use crate::linalg::cholesky;
use crate::scalar::Scalar;
use crate::value::{PooledVec, Reals};

/// The multivariate normal distribution with location `loc` (μ, length `K`) and covariance
/// `Σ = L Lᵀ` given by its lower Cholesky factor `L` (`scale_tril`, `K × K` row-major):
///
/// `p(x) = (2π)^(-K/2) |L|⁻¹ exp(-½ ‖L⁻¹(x - μ)‖²)`
///
/// Reference: NumPyro `dist.MultivariateNormal(loc, covariance_matrix | precision_matrix |
/// scale_tril)`; Stan `multi_normal`, `multi_normal_prec` and `multi_normal_cholesky`. Values are vectors (`Vec<f64>` in draws).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// let d = MultivariateNormal::new(vec![0.0, 1.0], vec![4.0, 2.0, 2.0, 5.0])?;
/// assert_eq!(d.dim(), 2);
/// let standard = MultivariateNormal::from_scale_tril(vec![0.0], vec![1.0])?;
/// assert!((standard.log_prob(&PooledVec::from(vec![0.5])) - Normal::new(0.0, 1.0)?.log_prob(&0.5)).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MultivariateNormal<T = f64> {
    loc: Vec<T>,
    factor: Factor<T>,
}

/// A lower Cholesky factor (`K × K` row-major) of the covariance or of the precision.
#[derive(Debug, Clone, PartialEq)]
enum Factor<T> {
    /// `Σ = L Lᵀ`.
    Covariance(Vec<T>),
    /// `P = Σ⁻¹ = L_P L_Pᵀ`: the density needs no inverse (`‖L⁻¹(x - μ)‖ = ‖L_Pᵀ(x - μ)‖`
    /// and `|L| = |L_P|⁻¹`), as in Stan's `multi_normal_prec`.
    Precision(Vec<T>),
    /// `Σ` as given (its lower triangle is read), with its Cholesky factor on plain values:
    /// the density's partials in `Σ` are `½ (w wᵀ - Σ⁻¹)` with `w = Σ⁻¹(x - μ)` (Stan's
    /// `multi_normal`), so no factorization is recorded on the tape, where its chained slopes
    /// overflowed for nearly singular covariances.
    Matrix {
        covariance: Vec<T>,
        scale_tril: Vec<f64>,
    },
}

/// Why a [`MultivariateNormal`] could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MultivariateNormalError {
    /// The location is empty.
    #[error("MultivariateNormal loc is empty")]
    Empty,
    /// The matrix does not have `K × K` entries for a location of length `K`.
    #[error("MultivariateNormal matrix has {entries} entries, but a loc of length {dim} needs {}", .dim * .dim)]
    ShapeMismatch {
        /// Length of the location.
        dim: usize,
        /// Number of matrix entries given.
        entries: usize,
    },
    /// An entry of the location or matrix is NaN or infinite.
    #[error("MultivariateNormal parameters must be finite, got {value}")]
    NotFinite {
        /// The entry.
        value: f64,
    },
    /// The covariance is not positive definite (its Cholesky pivot at `row` is not positive).
    #[error("MultivariateNormal covariance is not positive definite (Cholesky fails at row {row})")]
    NotPositiveDefinite {
        /// The row.
        row: usize,
    },
    /// `scale_tril` is not lower triangular with a positive diagonal.
    #[error("MultivariateNormal scale_tril must be lower triangular with a positive diagonal")]
    NotLowerTriangular,
}

impl<T: Scalar> MultivariateNormal<T> {
    /// A multivariate normal with a covariance matrix (`K × K`, row-major).
    pub fn new(loc: Vec<T>, covariance: Vec<T>) -> Result<Self, MultivariateNormalError> {
        check_shape(&loc, &covariance)?;
        let k = loc.len();
        let plain: Vec<f64> = covariance.iter().map(|c| c.value()).collect();
        let scale_tril = cholesky(&plain, k)
            .map_err(|e| MultivariateNormalError::NotPositiveDefinite { row: e.row })?;
        Ok(MultivariateNormal {
            loc,
            factor: Factor::Matrix {
                covariance,
                scale_tril,
            },
        })
    }

    /// A multivariate normal from its precision matrix `P = Σ⁻¹` (`K × K` row-major, symmetric
    /// positive definite), as NumPyro's `precision_matrix` and Stan's `multi_normal_prec`.
    ///
    /// The density is computed from the precision's own Cholesky factor `P = L_P L_Pᵀ`, with
    /// no inverse: `‖L⁻¹(x - μ)‖ = ‖L_Pᵀ(x - μ)‖`. (Inverting first and factoring the
    /// covariance again chained slopes that overflowed for precisions of 1e300.)
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let by_covariance = MultivariateNormal::new(vec![0.0, 1.0], vec![4.0, 2.0, 2.0, 5.0])?;
    /// // The inverse of [[4, 2], [2, 5]] is [[5, -2], [-2, 4]] / 16.
    /// let p = vec![5.0 / 16.0, -2.0 / 16.0, -2.0 / 16.0, 4.0 / 16.0];
    /// let by_precision = MultivariateNormal::from_precision(vec![0.0, 1.0], p)?;
    /// let x = PooledVec::from(vec![0.7, -1.2]);
    /// assert!((by_covariance.log_prob(&x) - by_precision.log_prob(&x)).abs() < 1e-14);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_precision(loc: Vec<T>, precision: Vec<T>) -> Result<Self, MultivariateNormalError> {
        check_shape(&loc, &precision)?;
        let k = loc.len();
        let l_p = cholesky(&precision, k)
            .map_err(|e| MultivariateNormalError::NotPositiveDefinite { row: e.row })?;
        Ok(MultivariateNormal {
            loc,
            factor: Factor::Precision(l_p),
        })
    }
    /// A multivariate normal with the lower Cholesky factor of its covariance.
    pub fn from_scale_tril(
        loc: Vec<T>,
        scale_tril: Vec<T>,
    ) -> Result<Self, MultivariateNormalError> {
        check_shape(&loc, &scale_tril)?;
        let k = loc.len();
        for i in 0..k {
            let diagonal = scale_tril[i * k + i].value();
            if diagonal.is_nan()
                || diagonal <= 0.0
                || (i + 1..k).any(|j| scale_tril[i * k + j].value() != 0.0)
            {
                return Err(MultivariateNormalError::NotLowerTriangular);
            }
        }
        Ok(MultivariateNormal {
            loc,
            factor: Factor::Covariance(scale_tril),
        })
    }

    /// The dimension `K`.
    pub fn dim(&self) -> usize {
        self.loc.len()
    }
}

fn check_shape<T: Scalar>(loc: &[T], matrix: &[T]) -> Result<(), MultivariateNormalError> {
    if loc.is_empty() {
        return Err(MultivariateNormalError::Empty);
    }
    if matrix.len() != loc.len() * loc.len() {
        return Err(MultivariateNormalError::ShapeMismatch {
            dim: loc.len(),
            entries: matrix.len(),
        });
    }
    if let Some(x) = loc.iter().chain(matrix).find(|x| !x.value().is_finite()) {
        return Err(MultivariateNormalError::NotFinite { value: x.value() });
    }
    Ok(())
}

impl<T: Scalar> Distribution for MultivariateNormal<T> {
    type Scalar = T;
    type Kind = Reals;
    const NAME: &'static str = "MultivariateNormal";

    /// One autodiff node with the analytic partials (Stan's operands and partials). With
    /// `c = x - μ`: for the covariance factor, `z = L⁻¹c`, `w = L⁻ᵀz`, `∂/∂x = -w`,
    /// `∂/∂L_ij = w_i z_j - [i = j]/L_ii`; for the precision factor, `u = L_Pᵀc`,
    /// `∂/∂x = -L_P u`, `∂/∂L_P,ij = -c_i u_j + [i = j]/L_P,ii`; `∂/∂μ = -∂/∂x`.
    fn log_prob(&self, x: &PooledVec<T>) -> T {
        let k = self.dim();
        if x.len() != k {
            return T::from_f64(f64::NAN);
        }
        // Pooled buffers: log densities run in the gradient's hot path.
        let c: PooledVec<f64> = x
            .iter()
            .zip(&self.loc)
            .map(|(x, m)| x.value() - m.value())
            .collect();
        let precision = matches!(self.factor, Factor::Precision(_));
        let entry = |i: usize, j: usize| match &self.factor {
            Factor::Covariance(l) | Factor::Precision(l) => l[i * k + j].value(),
            Factor::Matrix { scale_tril, .. } => scale_tril[i * k + j],
        };
        // The whitened deviation: z = L⁻¹c, or u = L_Pᵀc.
        let mut white = PooledVec::<f64>::new();
        for i in 0..k {
            let next = if precision {
                (i..k).map(|r| entry(r, i) * c[r]).sum::<f64>()
            } else {
                let dot: f64 = (0..i).map(|j| entry(i, j) * white[j]).sum();
                (c[i] - dot) / entry(i, i)
            };
            white.push(next);
        }
        let ln_det: f64 = (0..k).map(|i| entry(i, i).ln()).sum();
        let squares: f64 = white.iter().map(|v| v * v).sum();
        let sign = if precision { 1.0 } else { -1.0 };
        let value = -(k as f64) * LN_SQRT_2PI - 0.5 * squares + sign * ln_det;
        if value.is_nan() {
            // A NaN (or ∞ - ∞ from infinite) element is outside the support (the parameters
            // are finite, so nothing else makes NaN).
            return T::from_f64(f64::NEG_INFINITY);
        }
        if !T::DIFFERENTIABLE {
            return T::from_f64(value);
        }
        // ∂/∂c: -w = -L⁻ᵀz (back substitution), or -L_P u.
        let mut slope = PooledVec::<f64>::from(vec![0.0; k]);
        for i in (0..k).rev() {
            slope[i] = if precision {
                -(0..=i).map(|j| entry(i, j) * white[j]).sum::<f64>()
            } else {
                let above: f64 = (i + 1..k).map(|r| entry(r, i) * slope[r]).sum();
                (-white[i] - above) / entry(i, i)
            };
        }
        let lower = (0..k).flat_map(|i| (0..=i).map(move |j| (i, j)));
        let location = x
            .iter()
            .zip(&slope)
            .map(|(&xi, &g)| (xi, g))
            .chain(self.loc.iter().zip(&slope).map(|(&m, &g)| (m, -g)));
        match &self.factor {
            Factor::Covariance(factor) | Factor::Precision(factor) => {
                let factor_partials = lower.map(|(i, j)| {
                    let diagonal = if i == j { sign / entry(i, i) } else { 0.0 };
                    let d = if precision {
                        -c[i] * white[j]
                    } else {
                        -slope[i] * white[j]
                    };
                    (factor[i * k + j], d + diagonal)
                });
                T::from_parts(value, location.chain(factor_partials))
            }
            Factor::Matrix {
                covariance,
                scale_tril,
            } => {
                // ½ (w wᵀ - Σ⁻¹) with w = -slope; an entry below the diagonal stands for
                // both of its symmetric places.
                let inverse = inverse_from_cholesky(scale_tril, k);
                let matrix_partials = lower.map(|(i, j)| {
                    let g = 0.5 * (slope[i] * slope[j] - inverse[i * k + j]);
                    (covariance[i * k + j], if i == j { g } else { 2.0 * g })
                });
                T::from_parts(value, location.chain(matrix_partials))
            }
        }
    }

    fn support(&self) -> Support<T> {
        Support::Real
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        let k = self.dim();
        let z: Vec<f64> = (0..k)
            .map(|_| rand_distr::StandardNormal.sample(rng))
            .collect();
        let deviation: Vec<f64> = match &self.factor {
            // L z.
            Factor::Covariance(l) => (0..k)
                .map(|i| (0..=i).map(|j| l[i * k + j].value() * z[j]).sum())
                .collect(),
            Factor::Matrix { scale_tril: l, .. } => (0..k)
                .map(|i| (0..=i).map(|j| l[i * k + j] * z[j]).sum())
                .collect(),
            // L_P⁻ᵀ z, whose covariance is (L_P L_Pᵀ)⁻¹: back substitution.
            Factor::Precision(l) => {
                let mut v = vec![0.0; k];
                for i in (0..k).rev() {
                    let above: f64 = (i + 1..k).map(|r| l[r * k + i].value() * v[r]).sum();
                    v[i] = (z[i] - above) / l[i * k + i].value();
                }
                v
            }
        };
        Some(
            self.loc
                .iter()
                .zip(deviation)
                .map(|(m, d)| m.value() + d)
                .collect(),
        )
    }

    fn mean(&self) -> Option<T> {
        None
    }

    fn unconstrained_len(&self) -> usize {
        self.dim()
    }

    fn constrain(&self, u: &[T]) -> (PooledVec<T>, T) {
        (PooledVec::from_slice(u), T::from_f64(0.0))
    }

    fn unconstrain(&self, x: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), f64> {
        if let Some(bad) = x.iter().find(|v| !v.is_finite()) {
            return Err(*bad);
        }
        if x.len() != self.dim() {
            return Err(f64::NAN);
        }
        out.extend_from_slice(x);
        Ok(())
    }
}

/// `Σ⁻¹ = L⁻ᵀ L⁻¹` (`k × k`, row-major, both triangles) from the lower Cholesky factor `L`:
/// the columns of `L⁻¹` by forward substitution, then their inner products.
fn inverse_from_cholesky(l: &[f64], k: usize) -> Vec<f64> {
    let mut l_inverse = vec![0.0; k * k];
    for j in 0..k {
        l_inverse[j * k + j] = 1.0 / l[j * k + j];
        for i in j + 1..k {
            let dot: f64 = (j..i).map(|r| l[i * k + r] * l_inverse[r * k + j]).sum();
            l_inverse[i * k + j] = -dot / l[i * k + i];
        }
    }
    let mut inverse = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let v: f64 = (i..k)
                .map(|r| l_inverse[r * k + i] * l_inverse[r * k + j])
                .sum();
            inverse[i * k + j] = v;
            inverse[j * k + i] = v;
        }
    }
    inverse
}

impl<T: Scalar> Samplable for MultivariateNormal<T> {}

impl<T: Scalar> Family for MultivariateNormal<T> {
    type At<U: Scalar> = MultivariateNormal<U>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_independent_normals_for_a_diagonal_covariance() {
        let d = MultivariateNormal::new(vec![1.0, -1.0], vec![4.0, 0.0, 0.0, 9.0]).unwrap();
        let n1 = crate::distributions::Normal::new(1.0, 2.0).unwrap();
        let n2 = crate::distributions::Normal::new(-1.0, 3.0).unwrap();
        let x = vec![0.3, 2.0];
        assert!(
            (d.log_prob(&PooledVec::from(x.clone())) - n1.log_prob(&0.3) - n2.log_prob(&2.0)).abs()
                < 1e-14
        );
    }

    #[test]
    fn correlated_density_matches_the_closed_form() {
        // Σ = [[2, 1], [1, 2]]: |Σ| = 3, Σ⁻¹ = [[2, -1], [-1, 2]] / 3.
        let d = MultivariateNormal::new(vec![0.0, 0.0], vec![2.0, 1.0, 1.0, 2.0]).unwrap();
        let x = vec![1.0, -0.5];
        let quad = (2.0 * 1.0 - 2.0 * 1.0 * -0.5 + 2.0 * 0.25) / 3.0;
        let expected = -0.5 * quad - 0.5 * 3f64.ln() - (2.0 * std::f64::consts::PI).ln();
        assert!((d.log_prob(&PooledVec::from(x.clone())) - expected).abs() < 1e-14);
    }

    #[test]
    fn rejects_bad_parameters() {
        assert_eq!(
            MultivariateNormal::new(vec![0.0, 0.0], vec![1.0, 2.0, 2.0, 1.0]),
            Err(MultivariateNormalError::NotPositiveDefinite { row: 1 })
        );
        assert!(MultivariateNormal::new(vec![0.0], vec![1.0, 0.0]).is_err());
        assert!(MultivariateNormal::<f64>::new(vec![], vec![]).is_err());
        assert!(MultivariateNormal::new(vec![f64::NAN], vec![1.0]).is_err());
        assert!(
            MultivariateNormal::from_scale_tril(vec![0.0, 0.0], vec![1.0, 0.5, 0.0, 1.0]).is_err()
        );
    }

    #[test]
    fn sample_moments_match_the_covariance() {
        use rand::SeedableRng;
        let d = MultivariateNormal::new(vec![1.0, 2.0], vec![2.0, 0.6, 0.6, 1.0]).unwrap();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(4);
        let n = 40_000;
        let draws: Vec<Vec<f64>> = (0..n).map(|_| d.sample(&mut rng).unwrap()).collect();
        let mean = |i: usize| draws.iter().map(|x| x[i]).sum::<f64>() / n as f64;
        let (m0, m1) = (mean(0), mean(1));
        let cov01 = draws.iter().map(|x| (x[0] - m0) * (x[1] - m1)).sum::<f64>() / n as f64;
        // Standard errors: sqrt(2/n) ≈ 0.007 for the mean, about 0.006 for the covariance.
        assert!(
            (m0 - 1.0).abs() < 0.04 && (m1 - 2.0).abs() < 0.03,
            "{m0} {m1}"
        );
        assert!((cov01 - 0.6).abs() < 0.04, "{cov01}");
    }
}
