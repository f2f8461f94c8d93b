//! Predictive accuracy from the pointwise log-likelihood: PSIS-LOO (Vehtari, Gelman and Gabry
//! 2017, "Practical Bayesian model evaluation using leave-one-out cross-validation and WAIC",
//! Statistics and Computing 27(5)), WAIC (Watanabe 2010), and the comparison of several models
//! by their expected log pointwise predictive density, with stacking weights (Yao, Vehtari,
//! Simpson and Gelman 2018). The numbers follow ArviZ 1.x (`arviz_stats.loo`, `compare`);
//! `tests/loo.rs` checks them against ArviZ on the same arrays.

use core::fmt;

use crate::diagnostics::psis::{PsisError, psis_smooth};
use crate::linalg::log_sum_exp;

/// The pointwise log-likelihood of a fit: for each observation, its name and its log-likelihood
/// at every draw (chains one after the other, the same order for every observation).
pub type PointwiseLogLikelihood = [(String, Vec<f64>)];

/// One observation's share of a LOO estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct LooPoint {
    /// The observation (`y[17]`).
    pub name: String,
    /// Its leave-one-out expected log predictive density.
    pub elpd: f64,
    /// Its effective number of parameters (`lppd - elpd`).
    pub p: f64,
    /// The Pareto shape of its importance ratios.
    pub k: f64,
}

/// A PSIS-LOO estimate: the expected log pointwise predictive density of new data, its
/// standard error, the effective number of parameters, and the Pareto `k` of each observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Loo {
    /// `elpd_loo`: the sum of the pointwise estimates.
    pub elpd: f64,
    /// Its standard error, `sqrt(n var(elpd_i))`.
    pub se: f64,
    /// `p_loo`: the effective number of parameters.
    pub p: f64,
    /// Draws per observation.
    pub samples: usize,
    /// Per observation.
    pub pointwise: Vec<LooPoint>,
    /// The threshold above which `k` makes an estimate unreliable: `min(1 - 1/log10 S, 0.7)`
    /// for `S` draws (Vehtari et al. 2024).
    pub good_k: f64,
}

impl Loo {
    /// Observations whose Pareto `k` exceeds [`good_k`](Loo::good_k).
    pub fn high_k(&self) -> impl Iterator<Item = &LooPoint> {
        self.pointwise.iter().filter(move |p| p.k > self.good_k)
    }
}

/// Why LOO or WAIC could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LooError {
    /// There are no observations.
    #[error("no observed values: LOO needs at least one observation")]
    NoObservations,
    /// Observations have different numbers of draws.
    #[error("observation `{name}` has {found} draws where the first has {expected}")]
    Ragged {
        /// The observation.
        name: String,
        /// Its draws.
        found: usize,
        /// The first observation's draws.
        expected: usize,
    },
    /// Pareto smoothing failed for one observation.
    #[error("observation `{name}`: {error}")]
    Smoothing {
        /// The observation.
        name: String,
        /// Why.
        #[source]
        error: PsisError,
    },
}

fn check(log_lik: &PointwiseLogLikelihood) -> Result<usize, LooError> {
    let samples = log_lik.first().ok_or(LooError::NoObservations)?.1.len();
    if let Some((name, draws)) = log_lik.iter().find(|(_, d)| d.len() != samples) {
        return Err(LooError::Ragged {
            name: name.clone(),
            found: draws.len(),
            expected: samples,
        });
    }
    Ok(samples)
}

/// `ln((1/S) Σ_s exp(ll_s))`: the log pointwise predictive density of one observation.
fn lppd(draws: &[f64]) -> f64 {
    log_sum_exp::<f64>(draws) - (draws.len() as f64).ln()
}

/// Sum and standard error `sqrt(n var(x))` (variance with `n - 1`) of pointwise values.
fn total_and_se(values: impl ExactSizeIterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.len();
    let total: f64 = values.clone().sum();
    if n < 2 {
        return (total, 0.0);
    }
    let mean = total / n as f64;
    let variance = values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (total, (n as f64 * variance).sqrt())
}

/// PSIS-LOO from the pointwise log-likelihood of draws whose relative efficiency is `r_eff`
/// (ESS over draws; ArviZ uses the mean ESS of the posterior's scalars, and 1 for one chain).
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::loo;
///
/// // Two observations; the log-likelihood varies over 400 draws.
/// let draws = |shift: f64| (0..400).map(|s| -1.0 - shift * ((s as f64 * 0.37).sin()).powi(2)).collect();
/// let log_lik = vec![("y[0]".to_string(), draws(0.5)), ("y[1]".to_string(), draws(2.0))];
/// let result = loo(&log_lik, 1.0)?;
/// assert_eq!(result.pointwise.len(), 2);
/// assert!(result.p > 0.0 && result.elpd < -2.0);
/// assert!(result.high_k().count() == 0);
/// # Ok::<(), model_runtime::diagnostics::LooError>(())
/// ```
pub fn loo(log_lik: &PointwiseLogLikelihood, r_eff: f64) -> Result<Loo, LooError> {
    let samples = check(log_lik)?;
    let mut pointwise = Vec::with_capacity(log_lik.len());
    for (name, draws) in log_lik {
        let log_ratios: Vec<f64> = draws.iter().map(|ll| -ll).collect();
        let smoothed = psis_smooth(&log_ratios, r_eff).map_err(|error| LooError::Smoothing {
            name: name.clone(),
            error,
        })?;
        let weighted: Vec<f64> = smoothed
            .log_weights
            .iter()
            .zip(draws)
            .map(|(w, ll)| w + ll)
            .collect();
        let elpd = log_sum_exp::<f64>(&weighted);
        pointwise.push(LooPoint {
            name: name.clone(),
            elpd,
            p: lppd(draws) - elpd,
            k: smoothed.k,
        });
    }
    let (elpd, se) = total_and_se(pointwise.iter().map(|p| p.elpd));
    let p = pointwise.iter().map(|p| p.p).sum();
    let good_k = if samples > 1 {
        (1.0 - 1.0 / (samples as f64).log10()).min(0.7)
    } else {
        0.7
    };
    Ok(Loo {
        elpd,
        se,
        p,
        samples,
        pointwise,
        good_k,
    })
}

impl fmt::Display for Loo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "PSIS-LOO from {} draws and {} observations",
            self.samples,
            self.pointwise.len()
        )?;
        writeln!(f, "{:>10} {:>10} {:>8}", "", "estimate", "se")?;
        writeln!(f, "{:>10} {:>10.2} {:>8.2}", "elpd_loo", self.elpd, self.se)?;
        writeln!(f, "{:>10} {:>10.2}", "p_loo", self.p)?;
        let n = self.pointwise.len().max(1) as f64;
        let good = self.pointwise.iter().filter(|p| p.k <= self.good_k).count();
        let bad = self
            .pointwise
            .iter()
            .filter(|p| p.k > self.good_k && p.k <= 1.0)
            .count();
        let very_bad = self.pointwise.len() - good - bad;
        writeln!(f, "Pareto k diagnostic values:")?;
        let rows = [
            (format!("(-Inf, {:.2}]", self.good_k), "good", good),
            (format!("({:.2}, 1]", self.good_k), "bad", bad),
            ("(1, Inf) or NaN".to_string(), "very bad", very_bad),
        ];
        for (range, label, count) in rows {
            let label = format!("({label})");
            let percent = 100.0 * count as f64 / n;
            writeln!(f, "{range:>16} {label:<10} {count:>5} {percent:>6.1}%")?;
        }
        if good < self.pointwise.len() {
            let worst: Vec<String> = self
                .high_k()
                .take(5)
                .map(|p| format!("{} ({:.2})", p.name, p.k))
                .collect();
            writeln!(
                f,
                "warning: {} observations have k above {:.2}, so their LOO estimates are \
                 unreliable (a more robust likelihood, or exact LOO for them): {}",
                self.pointwise.len() - good,
                self.good_k,
                worst.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The widely applicable information criterion: `elpd_waic = lppd - p_waic`, with `p_waic`
/// the sum over observations of the variance of their log-likelihood over the draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Waic {
    /// `elpd_waic`.
    pub elpd: f64,
    /// Its standard error, `sqrt(n var(elpd_waic_i))`.
    pub se: f64,
    /// `p_waic`.
    pub p: f64,
    /// Per observation: name, `elpd_waic_i` and `p_waic_i`.
    pub pointwise: Vec<(String, f64, f64)>,
}

impl Waic {
    /// Observations whose `p_waic_i` exceeds 0.4, where WAIC is unreliable and PSIS-LOO should
    /// be preferred (Vehtari et al. 2017, section 2.2).
    pub fn unreliable(&self) -> impl Iterator<Item = &(String, f64, f64)> {
        self.pointwise.iter().filter(|(_, _, p)| *p > 0.4)
    }
}

/// WAIC from the pointwise log-likelihood.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::waic;
///
/// let log_lik = vec![("y[0]".to_string(), vec![-1.0, -1.2, -0.9, -1.1])];
/// let result = waic(&log_lik)?;
/// assert!(result.p > 0.0 && result.elpd < -1.0);
/// # Ok::<(), model_runtime::diagnostics::LooError>(())
/// ```
pub fn waic(log_lik: &PointwiseLogLikelihood) -> Result<Waic, LooError> {
    check(log_lik)?;
    let pointwise: Vec<(String, f64, f64)> = log_lik
        .iter()
        .map(|(name, draws)| {
            let s = draws.len() as f64;
            let mean = draws.iter().sum::<f64>() / s;
            let p = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (s - 1.0);
            (name.clone(), lppd(draws) - p, p)
        })
        .collect();
    let (elpd, se) = total_and_se(pointwise.iter().map(|(_, e, _)| *e));
    let p = pointwise.iter().map(|(_, _, p)| p).sum();
    Ok(Waic {
        elpd,
        se,
        p,
        pointwise,
    })
}

impl fmt::Display for Waic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "WAIC from {} observations", self.pointwise.len())?;
        writeln!(f, "{:>10} {:>10} {:>8}", "", "estimate", "se")?;
        writeln!(
            f,
            "{:>10} {:>10.2} {:>8.2}",
            "elpd_waic", self.elpd, self.se
        )?;
        writeln!(f, "{:>10} {:>10.2}", "p_waic", self.p)?;
        let unreliable = self.unreliable().count();
        if unreliable > 0 {
            writeln!(
                f,
                "warning: {unreliable} observations have p_waic above 0.4; prefer PSIS-LOO"
            )?;
        }
        Ok(())
    }
}
