//! Comparing models by their PSIS-LOO estimates, as ArviZ's `compare` does: ranked by
//! `elpd_loo`, with the difference to the best model and its paired standard error, the
//! probability that each model is worse, and stacking weights (Yao, Vehtari, Simpson and Gelman
//! 2018, "Using stacking to average Bayesian predictive distributions", Bayesian Analysis 13(3)).

use core::fmt;

use crate::diagnostics::loo::Loo;
use crate::special::ln_ndtr;

/// One model's row of a [`Comparison`].
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// The model's name as given.
    pub name: String,
    /// 0 for the best model.
    pub rank: usize,
    /// Its `elpd_loo`.
    pub elpd: f64,
    /// Its `p_loo`.
    pub p: f64,
    /// The standard error of its `elpd_loo`.
    pub se: f64,
    /// `elpd_loo` minus the best model's (0 for the best, negative otherwise).
    pub elpd_diff: f64,
    /// The standard error of the difference, from the paired pointwise differences:
    /// `sqrt(n var(elpd_i - elpd_best_i))` (variance with `n`, as ArviZ).
    pub dse: f64,
    /// The normal approximation of the probability that this model predicts worse than the
    /// best one, `Φ(-elpd_diff / dse)` (`NaN` for the best model).
    pub p_worse: f64,
    /// Its stacking weight.
    pub weight: f64,
    /// Observations whose Pareto `k` is above the model's threshold.
    pub high_k: usize,
}

/// Models ranked by PSIS-LOO, best first ([`compare`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// One row per model, best first.
    pub rows: Vec<ComparisonRow>,
    /// Observations per model.
    pub observations: usize,
}

/// Why models cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// No models were given.
    #[error("no models to compare")]
    Empty,
    /// Two models were scored on different data.
    #[error(
        "model `{name}` has {found} observations where `{first}` has {expected}: LOO compares models of the same data"
    )]
    DifferentData {
        /// The model.
        name: String,
        /// Its observations.
        found: usize,
        /// The first model.
        first: String,
        /// The first model's observations.
        expected: usize,
    },
}

/// Ranks models by their PSIS-LOO estimates.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{compare, loo};
///
/// let draws = |level: f64| (0..400).map(|s| level - 0.3 * ((s as f64 * 0.37).sin()).powi(2)).collect::<Vec<f64>>();
/// let good = loo(&[("y[0]".into(), draws(-1.0)), ("y[1]".into(), draws(-1.2))], 1.0)?;
/// let poor = loo(&[("y[0]".into(), draws(-2.0)), ("y[1]".into(), draws(-2.5))], 1.0)?;
/// let table = compare(&[("poor", &poor), ("good", &good)])?;
/// assert_eq!(table.rows[0].name, "good");
/// assert!(table.rows[1].elpd_diff < 0.0);
/// assert!((table.rows.iter().map(|r| r.weight).sum::<f64>() - 1.0).abs() < 1e-9);
/// println!("{table}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(models: &[(&str, &Loo)]) -> Result<Comparison, CompareError> {
    let (first, first_loo) = models.first().ok_or(CompareError::Empty)?;
    let observations = first_loo.pointwise.len();
    if let Some((name, loo)) = models
        .iter()
        .find(|(_, loo)| loo.pointwise.len() != observations)
    {
        return Err(CompareError::DifferentData {
            name: name.to_string(),
            found: loo.pointwise.len(),
            first: first.to_string(),
            expected: observations,
        });
    }
    let mut order: Vec<usize> = (0..models.len()).collect();
    // A stable sort keeps the given order among equal estimates, as pandas' sort does.
    order.sort_by(|&a, &b| models[b].1.elpd.total_cmp(&models[a].1.elpd));
    let ranked: Vec<&Loo> = order.iter().map(|&m| models[m].1).collect();
    let weights = stacking_weights(&ranked);
    let best = ranked[0];
    let rows = order
        .iter()
        .enumerate()
        .map(|(rank, &m)| {
            let (name, loo) = models[m];
            let (elpd_diff, dse) = if rank == 0 {
                (0.0, 0.0)
            } else {
                paired_difference(loo, best)
            };
            let p_worse = if elpd_diff == 0.0 {
                f64::NAN
            } else {
                ln_ndtr(-elpd_diff / (dse + 1e-12)).exp()
            };
            ComparisonRow {
                name: name.to_string(),
                rank,
                elpd: loo.elpd,
                p: loo.p,
                se: loo.se,
                elpd_diff,
                dse,
                p_worse,
                weight: weights[rank],
                high_k: loo.high_k().count(),
            }
        })
        .collect();
    Ok(Comparison { rows, observations })
}

/// `Σ (a_i - b_i)` and `sqrt(n var(a_i - b_i))` over the observations where the difference is
/// finite (ArviZ's paired difference).
fn paired_difference(a: &Loo, b: &Loo) -> (f64, f64) {
    let diff: Vec<f64> = a
        .pointwise
        .iter()
        .zip(&b.pointwise)
        .map(|(x, y)| x.elpd - y.elpd)
        .filter(|d| d.is_finite())
        .collect();
    let n = diff.len() as f64;
    let total: f64 = diff.iter().sum();
    let mean = total / n;
    let variance = diff.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n;
    (total, (n * variance).sqrt())
}

/// The weights `w` on the simplex maximizing `Σ_i ln Σ_k w_k exp(elpd_ik)`, the stacking
/// objective of Yao et al. (2018, eq. 4) with LOO predictive densities. The objective is concave;
/// its maximizer is the maximum-likelihood estimate of mixture weights with fixed components,
/// which the expectation-maximization update `w_k ← mean_i(w_k p_ik / Σ_j w_j p_ij)` reaches
/// monotonically (Dempster, Laird and Rubin 1977). Each observation's densities are scaled by
/// their largest, which leaves the maximizer unchanged and keeps `exp` in range.
fn stacking_weights(models: &[&Loo]) -> Vec<f64> {
    let k = models.len();
    if k == 1 {
        return vec![1.0];
    }
    let n = models[0].pointwise.len();
    let densities: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let row: Vec<f64> = models.iter().map(|m| m.pointwise[i].elpd).collect();
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.iter().map(|e| (e - max).exp()).collect()
        })
        .collect();
    let mut weights = vec![1.0 / k as f64; k];
    let mut next = vec![0.0; k];
    for _ in 0..100_000 {
        next.iter_mut().for_each(|w| *w = 0.0);
        for row in &densities {
            let mixture: f64 = row.iter().zip(&weights).map(|(p, w)| p * w).sum();
            for ((next, p), w) in next.iter_mut().zip(row).zip(&weights) {
                *next += w * p / mixture;
            }
        }
        next.iter_mut().for_each(|w| *w /= n as f64);
        let change = next
            .iter()
            .zip(&weights)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        weights.copy_from_slice(&next);
        if change < 1e-12 {
            break;
        }
    }
    weights
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .rows
            .iter()
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        writeln!(
            f,
            "{:width$} {:>4} {:>9} {:>7} {:>9} {:>6} {:>7} {:>6} {:>6}  warning",
            "", "rank", "elpd_loo", "p_loo", "elpd_diff", "dse", "p_worse", "weight", "se"
        )?;
        for r in &self.rows {
            let p_worse = if r.p_worse.is_nan() {
                "-".to_string()
            } else {
                format!("{:.2}", r.p_worse)
            };
            let mut warning = Vec::new();
            if r.high_k > 0 {
                warning.push(format!("{} high k", r.high_k));
            }
            if r.rank > 0 && self.observations < 100 {
                warning.push("N < 100".to_string());
            } else if r.rank > 0 && r.elpd_diff.abs() < 4.0 {
                warning.push("|elpd_diff| < 4".to_string());
            }
            let line = format!(
                "{:width$} {:>4} {:>9.2} {:>7.2} {:>9.2} {:>6.2} {:>7} {:>6.2} {:>6.2}  {}",
                r.name,
                r.rank,
                r.elpd,
                r.p,
                r.elpd_diff,
                r.dse,
                p_worse,
                r.weight,
                r.se,
                warning.join(", ")
            );
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}
