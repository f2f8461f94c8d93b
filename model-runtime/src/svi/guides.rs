//! Automatic guides: families of distributions over a model's unconstrained coordinates, as
//! NumPyro's `numpyro.infer.autoguide` defines them.
//!
//! Every Gaussian guide draws `z = loc + A ε` with standard normal `ε`, so the ELBO's gradient
//! flows through `z` (the reparameterization gradient, Kingma and Welling 2014); its entropy
//! `½ log det(2πe Σ)` and the entropy's gradient are exact. Positive scales are
//! `softplus(raw)`, as NumPyro's `softplus_positive` constraint makes them.
//!
//! Its length (about 770 lines) is the five automatic guides, each a small type with the same
//! methods, kept side by side so that they can be compared, and their tests.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::linalg::cholesky;
use crate::svi::SviError;

/// `log(1 + e^x)`, computed without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

/// The inverse of [`softplus`] for `y > 0`.
fn softplus_inverse(y: f64) -> f64 {
    if y > 30.0 { y } else { y.exp_m1().ln() }
}

/// The derivative of [`softplus`].
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

const HALF_LOG_TWO_PI: f64 = 0.918_938_533_204_672_8;

/// A family of guides over `d` unconstrained coordinates, with its parameters in one vector.
/// Implemented by the automatic guides of this module; [`Svi`](crate::svi::Svi) fits any of
/// them.
pub trait AutoGuide: Clone {
    /// The guide's name, as NumPyro calls it.
    const NAME: &'static str;

    /// Whether the fitted distribution is the Laplace approximation at the optimum (the
    /// normal whose covariance is the inverse negative Hessian there), not the optimized
    /// family itself.
    const LAPLACE: bool = false;

    /// Whether the model's log density includes the log-Jacobian of the map to constrained
    /// values: yes for every distribution over unconstrained coordinates; no for
    /// [`AutoDelta`], whose point estimate is the mode of the constrained posterior.
    fn jacobian(&self) -> bool {
        true
    }

    /// The number of parameters for `dim` coordinates.
    fn num_params(&self, dim: usize) -> usize;

    /// The starting parameters: centred at `loc` (the initialization strategy's point).
    fn init(&self, loc: &[f64]) -> Vec<f64>;

    /// The number of standard normal draws one sample takes.
    fn noise_len(&self, dim: usize) -> usize;

    /// The sample `z` at noise `eps`.
    fn transform(&self, params: &[f64], eps: &[f64], z: &mut [f64]);

    /// Adds `(dz/dparams)ᵀ dz` to `dparams`: the chain rule through [`transform`](AutoGuide::transform).
    fn backward(&self, params: &[f64], eps: &[f64], dz: &[f64], dparams: &mut [f64]);

    /// The entropy of the guide, adding its gradient to `dparams`.
    fn entropy(&self, params: &[f64], dparams: &mut [f64]) -> f64;

    /// The log density of the sample drawn with noise `eps` (for the Trace ELBO's loss).
    fn log_q(&self, params: &[f64], eps: &[f64]) -> f64;

    /// The fitted distribution, for drawing and summaries; an error where its covariance is
    /// not positive definite in floating point (a low-rank factor that grew too large).
    fn posterior(&self, params: &[f64]) -> Result<Approximation, SviError>;
}

/// A fitted guide's distribution over the unconstrained coordinates.
#[derive(Debug, Clone, PartialEq)]
pub enum Approximation {
    /// A point: the MAP estimate.
    Point(Vec<f64>),
    /// A normal distribution `N(loc, L Lᵀ)`, `L` lower triangular (`d × d`, row-major).
    Normal {
        /// The mean.
        loc: Vec<f64>,
        /// The Cholesky factor of the covariance.
        scale_tril: Vec<f64>,
    },
}

impl Approximation {
    /// The number of coordinates.
    pub fn dim(&self) -> usize {
        match self {
            Approximation::Point(loc) | Approximation::Normal { loc, .. } => loc.len(),
        }
    }

    /// The mean (for a point, the point).
    pub fn loc(&self) -> &[f64] {
        match self {
            Approximation::Point(loc) | Approximation::Normal { loc, .. } => loc,
        }
    }

    /// The covariance (zero for a point), `d × d` row-major.
    pub fn covariance(&self) -> Vec<f64> {
        let d = self.dim();
        let mut cov = vec![0.0; d * d];
        if let Approximation::Normal { scale_tril: l, .. } = self {
            for i in 0..d {
                for j in 0..d {
                    cov[i * d + j] = (0..=i.min(j)).map(|k| l[i * d + k] * l[j * d + k]).sum();
                }
            }
        }
        cov
    }

    /// The standard deviation of every coordinate.
    pub fn scale(&self) -> Vec<f64> {
        let d = self.dim();
        let cov = self.covariance();
        (0..d).map(|i| cov[i * d + i].sqrt()).collect()
    }

    /// A draw at standard normal noise `eps` (`dim` of them).
    pub fn draw(&self, eps: &[f64]) -> Vec<f64> {
        match self {
            Approximation::Point(loc) => loc.clone(),
            Approximation::Normal { loc, scale_tril } => {
                let d = loc.len();
                (0..d)
                    .map(|i| loc[i] + (0..=i).map(|k| scale_tril[i * d + k] * eps[k]).sum::<f64>())
                    .collect()
            }
        }
    }
}

/// Mean-field normal guide (NumPyro's `AutoNormal`): an independent normal per unconstrained
/// coordinate of every latent site, scales starting at `init_scale` (default 0.1).
/// [`AutoDiagonalNormal`] is the same family over the flattened coordinates.
///
/// # Example
///
/// ```
/// use model_runtime::svi::{AutoGuide, AutoNormal};
///
/// let guide = AutoNormal::new().init_scale(0.05);
/// let params = guide.init(&[1.0, 2.0]);
/// let mut z = [0.0; 2];
/// guide.transform(&params, &[1.0, -2.0], &mut z);
/// assert!((z[0] - 1.05).abs() < 1e-12 && (z[1] - 1.9).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoNormal {
    init_scale: f64,
}

impl Default for AutoNormal {
    fn default() -> Self {
        AutoNormal { init_scale: 0.1 }
    }
}

impl AutoNormal {
    /// The guide with NumPyro's initial scale, 0.1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The initial standard deviation of every coordinate.
    pub fn init_scale(mut self, scale: f64) -> Self {
        self.init_scale = scale;
        self
    }
}

impl AutoGuide for AutoNormal {
    const NAME: &'static str = "AutoNormal";

    fn num_params(&self, dim: usize) -> usize {
        2 * dim
    }

    fn init(&self, loc: &[f64]) -> Vec<f64> {
        let raw = softplus_inverse(self.init_scale);
        loc.iter().copied().chain(loc.iter().map(|_| raw)).collect()
    }

    fn noise_len(&self, dim: usize) -> usize {
        dim
    }

    fn transform(&self, params: &[f64], eps: &[f64], z: &mut [f64]) {
        let (loc, raw) = params.split_at(z.len());
        for (((z, l), r), e) in z.iter_mut().zip(loc).zip(raw).zip(eps) {
            *z = l + softplus(*r) * e;
        }
    }

    fn backward(&self, params: &[f64], eps: &[f64], dz: &[f64], dparams: &mut [f64]) {
        let d = dz.len();
        let raw = &params[d..];
        let (dloc, draw) = dparams.split_at_mut(d);
        for i in 0..d {
            dloc[i] += dz[i];
            draw[i] += dz[i] * eps[i] * sigmoid(raw[i]);
        }
    }

    fn entropy(&self, params: &[f64], dparams: &mut [f64]) -> f64 {
        let d = params.len() / 2;
        let mut h = 0.0;
        for i in 0..d {
            let raw = params[d + i];
            let s = softplus(raw);
            h += s.ln() + 0.5 + HALF_LOG_TWO_PI;
            dparams[d + i] += sigmoid(raw) / s;
        }
        h
    }

    fn log_q(&self, params: &[f64], eps: &[f64]) -> f64 {
        let d = eps.len();
        (0..d)
            .map(|i| -0.5 * eps[i] * eps[i] - softplus(params[d + i]).ln() - HALF_LOG_TWO_PI)
            .sum()
    }

    fn posterior(&self, params: &[f64]) -> Result<Approximation, SviError> {
        let d = params.len() / 2;
        let mut scale_tril = vec![0.0; d * d];
        for i in 0..d {
            scale_tril[i * d + i] = softplus(params[d + i]);
        }
        Ok(Approximation::Normal {
            loc: params[..d].to_vec(),
            scale_tril,
        })
    }
}

/// Mean-field normal over the flattened unconstrained coordinates (NumPyro's
/// `AutoDiagonalNormal`): the family of [`AutoNormal`], with the same initial scale.
pub type AutoDiagonalNormal = AutoNormal;

/// Full-rank normal guide (NumPyro's `AutoMultivariateNormal`): `N(loc, L Lᵀ)` with a lower
/// triangular `L` whose diagonal is positive (softplus), starting at `init_scale · I`.
///
/// # Example
///
/// ```
/// use model_runtime::svi::{AutoGuide, AutoMultivariateNormal};
///
/// let guide = AutoMultivariateNormal::new();
/// assert_eq!(guide.num_params(3), 3 + 6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoMultivariateNormal {
    init_scale: f64,
}

impl Default for AutoMultivariateNormal {
    fn default() -> Self {
        AutoMultivariateNormal { init_scale: 0.1 }
    }
}

impl AutoMultivariateNormal {
    /// The guide with NumPyro's initial scale, 0.1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The initial standard deviation of every coordinate.
    pub fn init_scale(mut self, scale: f64) -> Self {
        self.init_scale = scale;
        self
    }
}

/// The position of `L[i][j]` (`j ≤ i`) in the packed lower triangle, rows in order.
fn tril(i: usize, j: usize) -> usize {
    i * (i + 1) / 2 + j
}

impl AutoGuide for AutoMultivariateNormal {
    const NAME: &'static str = "AutoMultivariateNormal";

    fn num_params(&self, dim: usize) -> usize {
        dim + dim * (dim + 1) / 2
    }

    fn init(&self, loc: &[f64]) -> Vec<f64> {
        let d = loc.len();
        let mut params = loc.to_vec();
        params.resize(self.num_params(d), 0.0);
        for i in 0..d {
            params[d + tril(i, i)] = softplus_inverse(self.init_scale);
        }
        params
    }

    fn noise_len(&self, dim: usize) -> usize {
        dim
    }

    fn transform(&self, params: &[f64], eps: &[f64], z: &mut [f64]) {
        let d = z.len();
        let (loc, l) = params.split_at(d);
        for i in 0..d {
            let mut zi = loc[i] + softplus(l[tril(i, i)]) * eps[i];
            for j in 0..i {
                zi += l[tril(i, j)] * eps[j];
            }
            z[i] = zi;
        }
    }

    fn backward(&self, params: &[f64], eps: &[f64], dz: &[f64], dparams: &mut [f64]) {
        let d = dz.len();
        let l = &params[d..];
        let (dloc, dl) = dparams.split_at_mut(d);
        for i in 0..d {
            dloc[i] += dz[i];
            for j in 0..i {
                dl[tril(i, j)] += dz[i] * eps[j];
            }
            dl[tril(i, i)] += dz[i] * eps[i] * sigmoid(l[tril(i, i)]);
        }
    }

    fn entropy(&self, params: &[f64], dparams: &mut [f64]) -> f64 {
        let d = (((8 * params.len() + 9) as f64).sqrt() as usize - 3) / 2;
        let mut h = 0.0;
        for i in 0..d {
            let raw = params[d + tril(i, i)];
            let s = softplus(raw);
            h += s.ln() + 0.5 + HALF_LOG_TWO_PI;
            dparams[d + tril(i, i)] += sigmoid(raw) / s;
        }
        h
    }

    fn log_q(&self, params: &[f64], eps: &[f64]) -> f64 {
        let d = eps.len();
        (0..d)
            .map(|i| {
                -0.5 * eps[i] * eps[i] - softplus(params[d + tril(i, i)]).ln() - HALF_LOG_TWO_PI
            })
            .sum()
    }

    fn posterior(&self, params: &[f64]) -> Result<Approximation, SviError> {
        let d = (((8 * params.len() + 9) as f64).sqrt() as usize - 3) / 2;
        let l = &params[d..];
        let mut scale_tril = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..i {
                scale_tril[i * d + j] = l[tril(i, j)];
            }
            scale_tril[i * d + i] = softplus(l[tril(i, i)]);
        }
        Ok(Approximation::Normal {
            loc: params[..d].to_vec(),
            scale_tril,
        })
    }
}

/// Low-rank plus diagonal normal guide (NumPyro's `AutoLowRankMultivariateNormal`): `z = loc
/// + s ⊙ (W ε₁ + ε₂)`, covariance `S (W Wᵀ + I) S` with positive scales `s` (starting at
/// `init_scale`) and a `d × rank` factor `W`, for posteriors with a few
/// strong correlations among many coordinates. The default rank is `round(√d)`, NumPyro's;
/// `W` starts at `N(0, 1/rank)` draws from a fixed seed, as Pyro's does.
///
/// # Example
///
/// ```
/// use model_runtime::svi::{AutoGuide, AutoLowRankMultivariateNormal};
///
/// let guide = AutoLowRankMultivariateNormal::new().rank(2);
/// assert_eq!(guide.num_params(5), 5 + 5 * 2 + 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AutoLowRankMultivariateNormal {
    rank: Option<usize>,
    init_scale: Option<f64>,
}

impl AutoLowRankMultivariateNormal {
    /// The guide with NumPyro's defaults (rank `round(√d)`, initial scale 0.1).
    pub fn new() -> Self {
        Self::default()
    }

    /// The rank of the factor `W`.
    pub fn rank(mut self, rank: usize) -> Self {
        self.rank = Some(rank.max(1));
        self
    }

    /// The initial scale of every coordinate.
    pub fn init_scale(mut self, scale: f64) -> Self {
        self.init_scale = Some(scale);
        self
    }

    fn rank_for(&self, d: usize) -> usize {
        self.rank
            .unwrap_or_else(|| ((d as f64).sqrt().round() as usize).max(1))
    }

    /// `d` from the parameter count `d + d·r + d`.
    fn dim_of(&self, params: usize) -> usize {
        // The rank depends on d; search the d whose count matches.
        (1..=params)
            .find(|&d| self.num_params(d) == params)
            .unwrap_or(0)
    }

    /// `(loc, W, raw scales)`.
    fn split<'a>(&self, params: &'a [f64]) -> (&'a [f64], &'a [f64], &'a [f64], usize) {
        let d = self.dim_of(params.len());
        let r = self.rank_for(d);
        let (loc, rest) = params.split_at(d);
        let (w, raw) = rest.split_at(d * r);
        (loc, w, raw, r)
    }

    /// The Cholesky factor of `I_r + Wᵀ W` (r × r), which the entropy and the density need;
    /// `None` where rounding (a `W` too large, or not finite) leaves it not positive definite.
    fn capacitance(w: &[f64], d: usize, r: usize) -> Option<Vec<f64>> {
        let mut c = vec![0.0; r * r];
        for a in 0..r {
            for b in 0..r {
                c[a * r + b] = f64::from(u8::from(a == b))
                    + (0..d).map(|i| w[i * r + a] * w[i * r + b]).sum::<f64>();
            }
        }
        // I + WᵀW is positive definite for every finite W in exact arithmetic.
        cholesky(&c, r).ok()
    }
}

/// Solves `(L Lᵀ) x = b` for lower triangular `L` (`r × r`).
fn solve_cholesky(l: &[f64], b: &[f64]) -> Vec<f64> {
    let r = b.len();
    let y = crate::linalg::solve_lower(l, b);
    let mut x = vec![0.0; r];
    for i in (0..r).rev() {
        let sum: f64 = (i + 1..r).map(|k| l[k * r + i] * x[k]).sum();
        x[i] = (y[i] - sum) / l[i * r + i];
    }
    x
}

impl AutoGuide for AutoLowRankMultivariateNormal {
    const NAME: &'static str = "AutoLowRankMultivariateNormal";

    fn num_params(&self, dim: usize) -> usize {
        dim * (2 + self.rank_for(dim))
    }

    fn init(&self, loc: &[f64]) -> Vec<f64> {
        let d = loc.len();
        let r = self.rank_for(d);
        let raw = softplus_inverse(self.init_scale.unwrap_or(0.1));
        let mut params = loc.to_vec();
        // W = 0 is a stationary point of the ELBO (z does not depend on ε₁ there, so W's
        // expected gradient vanishes); Pyro starts W at N(0, 1/r) draws, as here, from a
        // fixed seed so that fits are reproducible.
        let mut rng = ChaCha8Rng::seed_from_u64(0x10a0_2a4c);
        let sd = 1.0 / (r as f64).sqrt();
        params.extend((0..d * r).map(|_| {
            let e: f64 = StandardNormal.sample(&mut rng);
            sd * e
        }));
        params.extend(std::iter::repeat_n(raw, d));
        params
    }

    fn noise_len(&self, dim: usize) -> usize {
        dim + self.rank_for(dim)
    }

    fn transform(&self, params: &[f64], eps: &[f64], z: &mut [f64]) {
        let (loc, w, raw, r) = self.split(params);
        let d = loc.len();
        let (e1, e2) = eps.split_at(r);
        for i in 0..d {
            let y: f64 = (0..r).map(|k| w[i * r + k] * e1[k]).sum::<f64>() + e2[i];
            z[i] = loc[i] + softplus(raw[i]) * y;
        }
    }

    fn backward(&self, params: &[f64], eps: &[f64], dz: &[f64], dparams: &mut [f64]) {
        let (loc, w, raw, r) = self.split(params);
        let d = loc.len();
        let (e1, e2) = eps.split_at(r);
        let (dloc, rest) = dparams.split_at_mut(d);
        let (dw, draw) = rest.split_at_mut(d * r);
        for i in 0..d {
            let s = softplus(raw[i]);
            let y: f64 = (0..r).map(|k| w[i * r + k] * e1[k]).sum::<f64>() + e2[i];
            dloc[i] += dz[i];
            draw[i] += dz[i] * y * sigmoid(raw[i]);
            for k in 0..r {
                dw[i * r + k] += dz[i] * s * e1[k];
            }
        }
    }

    fn entropy(&self, params: &[f64], dparams: &mut [f64]) -> f64 {
        // H = Σ log s + ½ log det(I + WᵀW) + d (½ + ½ log 2π); by the matrix determinant
        // lemma, log det Σ = 2 Σ log s + log det(I + WᵀW). d/dW ½ log det(I + WᵀW) =
        // W (I + WᵀW)⁻¹.
        let (loc, w, raw, r) = self.split(params);
        let d = loc.len();
        // A failed factorization makes the step's ELBO NaN: a failed step, as SVI counts them.
        let Some(c) = Self::capacitance(w, d, r) else {
            return f64::NAN;
        };
        let log_det_c: f64 = (0..r).map(|k| 2.0 * c[k * r + k].ln()).sum();
        let mut h = 0.5 * log_det_c;
        let (_, rest) = dparams.split_at_mut(d);
        let (dw, draw) = rest.split_at_mut(d * r);
        for i in 0..d {
            let s = softplus(raw[i]);
            h += s.ln() + 0.5 + HALF_LOG_TWO_PI;
            draw[i] += sigmoid(raw[i]) / s;
            let row = solve_cholesky(&c, &w[i * r..(i + 1) * r]);
            for k in 0..r {
                dw[i * r + k] += row[k];
            }
        }
        h
    }

    fn log_q(&self, params: &[f64], eps: &[f64]) -> f64 {
        // With y = W ε₁ + ε₂, the Mahalanobis term is yᵀ (W Wᵀ + I)⁻¹ y = |y|² − (Wᵀy)ᵀ
        // (I + WᵀW)⁻¹ (Wᵀy) by Woodbury's identity.
        let (loc, w, raw, r) = self.split(params);
        let d = loc.len();
        let (e1, e2) = eps.split_at(r);
        let y: Vec<f64> = (0..d)
            .map(|i| (0..r).map(|k| w[i * r + k] * e1[k]).sum::<f64>() + e2[i])
            .collect();
        let wty: Vec<f64> = (0..r)
            .map(|k| (0..d).map(|i| w[i * r + k] * y[i]).sum())
            .collect();
        let Some(c) = Self::capacitance(w, d, r) else {
            return f64::NAN;
        };
        let inner = solve_cholesky(&c, &wty);
        let maha = y.iter().map(|v| v * v).sum::<f64>()
            - wty.iter().zip(&inner).map(|(a, b)| a * b).sum::<f64>();
        let log_det_c: f64 = (0..r).map(|k| 2.0 * c[k * r + k].ln()).sum();
        let log_s: f64 = raw.iter().map(|&x| softplus(x).ln()).sum();
        -0.5 * maha - log_s - 0.5 * log_det_c - d as f64 * HALF_LOG_TWO_PI
    }

    fn posterior(&self, params: &[f64]) -> Result<Approximation, SviError> {
        let (loc, w, raw, r) = self.split(params);
        let d = loc.len();
        let s: Vec<f64> = raw.iter().map(|&x| softplus(x)).collect();
        let mut cov = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..d {
                let ww: f64 = (0..r).map(|k| w[i * r + k] * w[j * r + k]).sum();
                cov[i * d + j] = s[i] * s[j] * (ww + f64::from(u8::from(i == j)));
            }
        }
        Ok(Approximation::Normal {
            loc: loc.to_vec(),
            // Positive definite in exact arithmetic; in floating point the identity is lost
            // beside a factor that grew to about 1e8 times the scale.
            scale_tril: cholesky(&cov, d).map_err(|e| SviError::Covariance { row: e.row })?,
        })
    }
}

/// A point mass (NumPyro's `AutoDelta`): SVI with it maximizes the log density of the
/// constrained values, without the log-Jacobian of the map from unconstrained coordinates, so
/// its result is the MAP estimate (the mode Stan's `optimize` finds).
///
/// # Example
///
/// ```
/// use model_runtime::svi::{AutoDelta, AutoGuide};
///
/// assert!(!AutoDelta.jacobian());
/// assert_eq!(AutoDelta.num_params(4), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AutoDelta;

impl PointGuide for AutoDelta {
    const NAME: &'static str = "AutoDelta";
    const JACOBIAN: bool = false;
    const LAPLACE: bool = false;
}

/// A guide that is one point, its parameters the unconstrained coordinates themselves:
/// [`AutoDelta`], and [`AutoLaplaceApproximation`] until [`Svi`](crate::svi::Svi) replaces the
/// mode by the normal there.
trait PointGuide: Clone {
    const NAME: &'static str;
    const JACOBIAN: bool;
    const LAPLACE: bool;
}

impl<G: PointGuide> AutoGuide for G {
    const NAME: &'static str = G::NAME;
    const LAPLACE: bool = G::LAPLACE;

    fn jacobian(&self) -> bool {
        G::JACOBIAN
    }
    fn num_params(&self, dim: usize) -> usize {
        dim
    }
    fn init(&self, loc: &[f64]) -> Vec<f64> {
        loc.to_vec()
    }
    fn noise_len(&self, _dim: usize) -> usize {
        0
    }
    fn transform(&self, params: &[f64], _eps: &[f64], z: &mut [f64]) {
        z.copy_from_slice(params);
    }
    fn backward(&self, _params: &[f64], _eps: &[f64], dz: &[f64], dparams: &mut [f64]) {
        for (p, g) in dparams.iter_mut().zip(dz) {
            *p += g;
        }
    }
    fn entropy(&self, _params: &[f64], _dparams: &mut [f64]) -> f64 {
        0.0
    }
    fn log_q(&self, _params: &[f64], _eps: &[f64]) -> f64 {
        0.0
    }
    fn posterior(&self, params: &[f64]) -> Result<Approximation, SviError> {
        Ok(Approximation::Point(params.to_vec()))
    }
}

/// The Laplace approximation (NumPyro's `AutoLaplaceApproximation`): SVI finds the mode of
/// the log density in unconstrained coordinates (log-Jacobian included), and the fitted guide
/// is the normal at that mode whose covariance is the inverse of the negative Hessian there,
/// the Hessian computed by central differences of the autodiff gradient.
///
/// # Example
///
/// ```
/// use model_runtime::svi::{AutoGuide, AutoLaplaceApproximation};
///
/// assert!(AutoLaplaceApproximation.jacobian());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AutoLaplaceApproximation;

impl PointGuide for AutoLaplaceApproximation {
    const NAME: &'static str = "AutoLaplaceApproximation";
    const JACOBIAN: bool = true;
    const LAPLACE: bool = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finite-difference check of `backward` and of the entropy's gradient, and of `log_q`
    /// against the density of the covariance `posterior` reports.
    fn check<G: AutoGuide>(guide: G, d: usize) {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(9);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let mut params = guide.init(&(0..d).map(|i| i as f64 * 0.3).collect::<Vec<_>>());
        for p in &mut params {
            *p += 0.3 * normal();
        }
        let eps: Vec<f64> = (0..guide.noise_len(d)).map(|_| normal()).collect();
        let weights: Vec<f64> = (0..d).map(|_| normal()).collect();
        // f(params) = weights · z(params): its gradient is backward(weights).
        let f = |p: &[f64]| {
            let mut z = vec![0.0; d];
            guide.transform(p, &eps, &mut z);
            z.iter().zip(&weights).map(|(a, b)| a * b).sum::<f64>()
        };
        let mut grad = vec![0.0; params.len()];
        guide.backward(&params, &eps, &weights, &mut grad);
        let mut entropy_grad = vec![0.0; params.len()];
        guide.entropy(&params, &mut entropy_grad);
        let h = 1e-6;
        for k in 0..params.len() {
            let (mut up, mut down) = (params.clone(), params.clone());
            up[k] += h;
            down[k] -= h;
            let numeric = (f(&up) - f(&down)) / (2.0 * h);
            assert!(
                (numeric - grad[k]).abs() < 1e-6,
                "{} d/dp{k}: {numeric} vs {}",
                G::NAME,
                grad[k]
            );
            let mut sink = vec![0.0; params.len()];
            let numeric_h =
                (guide.entropy(&up, &mut sink) - guide.entropy(&down, &mut sink)) / (2.0 * h);
            assert!(
                (numeric_h - entropy_grad[k]).abs() < 1e-6,
                "{} dH/dp{k}: {numeric_h} vs {}",
                G::NAME,
                entropy_grad[k]
            );
        }
        // log q at the sample, from the reported covariance.
        let mut z = vec![0.0; d];
        guide.transform(&params, &eps, &mut z);
        let approximation = guide.posterior(&params).unwrap();
        let cov = approximation.covariance();
        let l = cholesky(&cov, d).unwrap();
        let diff: Vec<f64> = z
            .iter()
            .zip(approximation.loc())
            .map(|(a, b)| a - b)
            .collect();
        let white = crate::linalg::solve_lower(&l, &diff);
        let log_det: f64 = (0..d).map(|i| l[i * d + i].ln()).sum();
        let expected =
            -0.5 * white.iter().map(|v| v * v).sum::<f64>() - log_det - d as f64 * HALF_LOG_TWO_PI;
        let log_q = guide.log_q(&params, &eps);
        assert!(
            (log_q - expected).abs() < 1e-9,
            "{}: {log_q} vs {expected}",
            G::NAME
        );
        // The entropy of a normal with that covariance.
        let entropy = guide.entropy(&params, &mut vec![0.0; params.len()]);
        let expected = log_det + d as f64 * (0.5 + HALF_LOG_TWO_PI);
        assert!((entropy - expected).abs() < 1e-9, "{}", G::NAME);
    }

    #[test]
    fn gaussian_guides_have_exact_gradients_densities_and_entropies() {
        check(AutoNormal::new(), 4);
        check(AutoMultivariateNormal::new(), 4);
        check(AutoLowRankMultivariateNormal::new(), 5);
        check(AutoLowRankMultivariateNormal::new().rank(3), 4);
    }

    #[test]
    fn softplus_inverts() {
        for y in [1e-3, 0.1, 1.0, 50.0] {
            assert!((softplus(softplus_inverse(y)) - y).abs() < 1e-12 * y.max(1.0));
        }
    }
}
