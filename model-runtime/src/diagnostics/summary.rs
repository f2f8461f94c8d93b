//! The posterior summary table: one row of statistics and convergence diagnostics per named
//! scalar, printed like NumPyro's `print_summary`.
//!
//! Its length (about 650 lines) is mostly the documented examples of the summary's options (about
//! 300 lines); the code is about 300 lines.

use core::fmt;

use super::ess::{Bulk, ess_tail_of_sorted};
use super::psis::pareto_khat_of_sorted;
use super::quantile::{median_of_sorted, quantile_of_sorted, sorted};
use super::r_hat::r_hat_of_bulk;
use super::{ChainDraws, ChainDrawsError, mcse_mean, mcse_sd};
use crate::special::wrap_angle;

mod format;

use format::{format_ess, format_mean, general, round_significant};

/// Statistics and diagnostics of one scalar quantity (a site such as `b`, or one element of a
/// vector site such as `theta[3]`), computed from its draws in every chain.
///
/// | statistic | meaning |
/// |---|---|
/// | `mean`, `sd` | mean and standard deviation (`n - 1` denominator) of all draws |
/// | `median`, `percentile_5`, `percentile_95` | quantiles of all draws, as numpy's default |
/// | `ess_bulk`, `ess_tail` | effective sample sizes ([`ess_bulk`], [`ess_tail`]) |
/// | `r_hat` | rank-normalized split R-hat ([`r_hat`]) |
/// | `mcse_mean` | Monte Carlo standard error of the mean ([`mcse_mean`]) |
///
/// The 5% and 95% columns are equal-tailed quantiles, as in Stan's summaries; NumPyro prints its
/// 90% HPDI under those headings (see [`hpdi`](super::hpdi) for that interval).
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{ChainDraws, SummaryRow};
///
/// let chains: Vec<Vec<f64>> = (0..4)
///     .map(|c| (0..250).map(|i| ((i * 7 + c * 13) as f64 * 0.61).sin()).collect())
///     .collect();
/// let row = SummaryRow::new("b", &ChainDraws::new(&chains)?);
/// assert_eq!(row.name(), "b");
/// assert!(row.mean().abs() < 0.05);
/// assert!(row.percentile_5() < row.median() && row.median() < row.percentile_95());
/// assert!(row.r_hat() < 1.01 && row.ess_bulk() > 400.0);
/// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    name: String,
    mean: f64,
    sd: f64,
    median: f64,
    percentile_5: f64,
    percentile_95: f64,
    ess_bulk: f64,
    ess_tail: f64,
    r_hat: f64,
    mcse_mean: f64,
    mcse_sd: f64,
    pareto_k: f64,
    circular: bool,
}

/// A table of [`SummaryRow`]s with distinct names, in the order they were added. Its
/// [`Display`](fmt::Display) form is the table a user reads (print it with `println!("{summary}")`
/// or take it as a `String` with `summary.to_string()`):
///
/// ```text
///               mean      sd  median      5%     95%  mcse_mean  ess_bulk  ess_tail   r_hat
///          b   -0.01       1   -0.02   -1.62    1.68      0.022      1989      1958    1.00
///   theta[0]    -0.1    0.96    -0.1   -1.68    1.51      0.033       860      1346    1.01
///   theta[1]     0.6     1.2     0.6    -1.4     2.6       0.31        13       138    1.22
/// ```
///
/// (`theta[1]` has not converged: its chains disagree, R-hat is far above 1.01 and the bulk ESS is
/// a few dozen draws out of 2000, so its mean is known to one decimal only.)
///
/// The cells are rounded from the Monte Carlo error, as ArviZ's `summary(round_to="auto")`
/// rounds them: the mean, median and quantiles to the decimal place of twice the mean's Monte
/// Carlo standard error (so they never show more digits than the draws support, nor fewer),
/// the MCSE and sd to two significant digits (a 0.0176 is 0.018, never 0.01), ESS down to an
/// integer and R-hat to two decimals. Names are
/// right-aligned in a column at least 10 characters wide. The type knows nothing about models:
/// a posterior feeds it one named scalar column (chains × draws) at a time.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{Summary, SummaryError};
///
/// let chain = |shift: f64| -> Vec<f64> {
///     (0..100).map(|i| shift + (i as f64 * 2.4).sin()).collect()
/// };
/// let mut summary = Summary::new();
/// summary.add("b", &[chain(0.0), chain(0.0)])?;
/// summary.add("theta[0]", &[chain(1.0), chain(1.0)])?;
/// assert!(matches!(summary.add("b", &[chain(0.0)]), Err(SummaryError::DuplicateName { .. })));
///
/// let table = summary.to_string();
/// let lines: Vec<&str> = table.lines().collect();
/// assert_eq!(lines.len(), 3);
/// assert!(lines[0].ends_with("ess_bulk  ess_tail   r_hat"));
/// assert!(lines[2].starts_with("  theta[0]"));
/// # Ok::<(), SummaryError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    rows: Vec<SummaryRow>,
}

/// Why a column could not be added to a [`Summary`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SummaryError {
    /// The column's draws are malformed.
    #[error("column `{name}`: {error}")]
    InvalidDraws {
        /// The column's name.
        name: String,
        /// What is wrong with its draws.
        #[source]
        error: ChainDrawsError,
    },
    /// The summary already has a row of this name.
    #[error("column `{name}` is already in the summary: give each column its own name")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
}

/// The bulk ESS and R-hat of `draws` from one rank normalization of the split chains (each of
/// [`ess_bulk`](super::ess_bulk) and [`r_hat`](super::r_hat) alone makes its own), and `f` of
/// the draws sorted: the split chains' sorted values when they hold every draw (an even number
/// of draws per chain), which saves a sort.
fn with_bulk_statistics<R>(draws: &ChainDraws, f: impl FnOnce(&[f64], f64, f64) -> R) -> R {
    let bulk = Bulk::of(draws);
    let (ess_bulk, r_hat) = (bulk.ess(), r_hat_of_bulk(&bulk));
    if bulk.sorted.len() == draws.values().len() {
        f(&bulk.sorted, ess_bulk, r_hat)
    } else {
        f(&sorted(draws.values()), ess_bulk, r_hat)
    }
}

impl SummaryRow {
    /// The statistics of `draws`, under `name`.
    pub fn new(name: impl Into<String>, draws: &ChainDraws) -> Self {
        with_bulk_statistics(draws, |sorted, ess_bulk, r_hat| SummaryRow {
            name: name.into(),
            mean: draws.mean(),
            sd: draws.sd(),
            median: median_of_sorted(sorted),
            percentile_5: quantile_of_sorted(sorted, 0.05),
            percentile_95: quantile_of_sorted(sorted, 0.95),
            ess_bulk,
            ess_tail: ess_tail_of_sorted(draws, sorted),
            r_hat,
            mcse_mean: mcse_mean(draws),
            mcse_sd: mcse_sd(draws),
            pareto_k: pareto_khat_of_sorted(sorted),
            circular: false,
        })
    }

    /// The statistics of angles (radians): the circular mean `atan2(Σ sin, Σ cos)`, the
    /// circular sd `sqrt(-2 ln R̄)` with `R̄` the mean resultant length (Mardia and Jupp 2000,
    /// section 2.3; scipy's `circstd`), and the median and 5% and 95% quantiles of the angles
    /// measured from the circular mean, wrapped back to `[-π, π)`. ESS, R-hat and the MCSE
    /// are those of the angles measured from the circular mean, which do not jump at ±π when
    /// the posterior straddles it.
    ///
    /// # Example
    ///
    /// ```
    /// use std::f64::consts::PI;
    /// use model_runtime::diagnostics::{ChainDraws, SummaryRow};
    ///
    /// // Angles around π, on both sides of the cut at ±π.
    /// let angles: Vec<f64> = (0..400)
    ///     .map(|i| {
    ///         let a = PI + 0.1 * (i as f64 * 0.77).sin();
    ///         if a > PI { a - 2.0 * PI } else { a }
    ///     })
    ///     .collect();
    /// let draws = ChainDraws::new(&[angles])?;
    /// let linear = SummaryRow::new("y", &draws);
    /// let circular = SummaryRow::circular("y", &draws);
    /// assert!(linear.sd() > 2.0); // the linear sd sees two clusters at ±π
    /// assert!((circular.sd() - 0.071).abs() < 0.005); // the spread is 0.1 sin(..)
    /// assert!(PI - circular.mean().abs() < 0.01);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn circular(name: impl Into<String>, draws: &ChainDraws) -> Self {
        let values = draws.values();
        let n = values.len() as f64;
        let (sin, cos) = values
            .iter()
            .fold((0.0, 0.0), |(s, c), x| (s + x.sin(), c + x.cos()));
        let mean = sin.atan2(cos);
        let resultant = (sin.hypot(cos) / n).min(1.0);
        let centered: Vec<Vec<f64>> = draws
            .chains()
            .map(|chain| chain.iter().map(|x| wrap_angle(x - mean)).collect())
            .collect();
        let centered = ChainDraws::new(&centered).expect("wrapped finite draws are finite");
        let around = |offset: f64| wrap_angle(mean + offset);
        with_bulk_statistics(&centered, |sorted, ess_bulk, r_hat| SummaryRow {
            name: name.into(),
            mean,
            sd: (-2.0 * resultant.ln()).sqrt(),
            median: around(median_of_sorted(sorted)),
            percentile_5: around(quantile_of_sorted(sorted, 0.05)),
            percentile_95: around(quantile_of_sorted(sorted, 0.95)),
            ess_bulk,
            ess_tail: ess_tail_of_sorted(&centered, sorted),
            r_hat,
            mcse_mean: mcse_mean(&centered),
            mcse_sd: mcse_sd(&centered),
            pareto_k: pareto_khat_of_sorted(sorted),
            circular: true,
        })
    }

    /// Whether the row holds circular statistics ([`SummaryRow::circular`]).
    pub fn is_circular(&self) -> bool {
        self.circular
    }

    /// The row's name.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ChainDraws, SummaryRow};
    /// let row = SummaryRow::new("theta[3]", &ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0]])?);
    /// assert_eq!(row.name(), "theta[3]");
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The mean of all draws.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ChainDraws, SummaryRow};
    /// let row = SummaryRow::new("b", &ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0]])?);
    /// assert_eq!(row.mean(), 2.5);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The standard deviation of all draws (`n - 1` in the denominator).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ChainDraws, SummaryRow};
    /// let row = SummaryRow::new("b", &ChainDraws::new(&[[1.0, 1.0, 3.0, 3.0]])?);
    /// assert!((row.sd() - (4.0_f64 / 3.0).sqrt()).abs() < 1e-15);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn sd(&self) -> f64 {
        self.sd
    }

    /// The median of all draws.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ChainDraws, SummaryRow};
    /// let row = SummaryRow::new("b", &ChainDraws::new(&[[1.0, 2.0, 3.0, 40.0]])?);
    /// assert_eq!(row.median(), 2.5);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn median(&self) -> f64 {
        self.median
    }

    /// The 5% quantile of all draws (numpy's default interpolation).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ChainDraws, SummaryRow};
    /// let chain: Vec<f64> = (0..=100).map(f64::from).collect();
    /// let row = SummaryRow::new("b", &ChainDraws::new(&[chain])?);
    /// assert_eq!(row.percentile_5(), 5.0);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn percentile_5(&self) -> f64 {
        self.percentile_5
    }

    /// The 95% quantile of all draws (numpy's default interpolation).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ChainDraws, SummaryRow};
    /// let chain: Vec<f64> = (0..=100).map(f64::from).collect();
    /// let row = SummaryRow::new("b", &ChainDraws::new(&[chain])?);
    /// assert_eq!(row.percentile_95(), 95.0);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn percentile_95(&self) -> f64 {
        self.percentile_95
    }

    /// The bulk effective sample size ([`ess_bulk`]).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ess_bulk, ChainDraws, SummaryRow};
    /// let draws = ChainDraws::new(&[[1.0, 3.0, 2.0, 5.0, 4.0, 0.0]])?;
    /// assert_eq!(SummaryRow::new("b", &draws).ess_bulk(), ess_bulk(&draws));
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn ess_bulk(&self) -> f64 {
        self.ess_bulk
    }

    /// The tail effective sample size ([`ess_tail`]).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ess_tail, ChainDraws, SummaryRow};
    /// let draws = ChainDraws::new(&[[1.0, 3.0, 2.0, 5.0, 4.0, 0.0]])?;
    /// assert_eq!(SummaryRow::new("b", &draws).ess_tail(), ess_tail(&draws));
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn ess_tail(&self) -> f64 {
        self.ess_tail
    }

    /// The rank-normalized split R-hat ([`r_hat`]).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{r_hat, ChainDraws, SummaryRow};
    /// let draws = ChainDraws::new(&[[1.0, 3.0, 2.0, 5.0], [4.0, 0.0, 6.0, 7.0]])?;
    /// assert_eq!(SummaryRow::new("b", &draws).r_hat(), r_hat(&draws));
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn r_hat(&self) -> f64 {
        self.r_hat
    }

    /// The Monte Carlo standard error of the mean ([`mcse_mean`]).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{mcse_mean, ChainDraws, SummaryRow};
    /// let draws = ChainDraws::new(&[[1.0, 3.0, 2.0, 5.0], [4.0, 0.0, 6.0, 7.0]])?;
    /// assert_eq!(SummaryRow::new("b", &draws).mcse_mean(), mcse_mean(&draws));
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn mcse_mean(&self) -> f64 {
        self.mcse_mean
    }

    /// The Monte Carlo standard error of the sd ([`mcse_sd`]). For a circular row it is that of
    /// the sd of the angles measured from the circular mean, which the circular sd approaches
    /// when the posterior is concentrated.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{mcse_sd, ChainDraws, SummaryRow};
    /// let draws = ChainDraws::new(&[[1.0, 3.0, 2.0, 5.0], [4.0, 0.0, 6.0, 7.0]])?;
    /// assert_eq!(SummaryRow::new("b", &draws).mcse_sd(), mcse_sd(&draws));
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn mcse_sd(&self) -> f64 {
        self.mcse_sd
    }

    /// The Pareto shape of the draws' heavier tail ([`pareto_khat`](super::pareto_khat)):
    /// where it is 0.5 or more the mean's MCSE cannot be trusted, where it is 0.25 or more the
    /// sd's.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{pareto_khat, ChainDraws, SummaryRow};
    /// let x: Vec<f64> = (0..400).map(|i| (i as f64 * 0.37).sin()).collect();
    /// let draws = ChainDraws::new(&[x])?;
    /// assert_eq!(SummaryRow::new("b", &draws).pareto_k().to_bits(), pareto_khat(&draws).to_bits());
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn pareto_k(&self) -> f64 {
        self.pareto_k
    }

    /// The printed cells, in column order: the mean, median and quantiles to the decimal of
    /// twice the mean's Monte Carlo standard error (ArviZ's rule for the mean; ArviZ rounds
    /// quantiles to two significant digits, which turns a 5% of 1.046 into 1), the MCSE and sd
    /// to two significant digits, ESS down to an integer, R-hat to two decimals.
    fn printed(&self) -> [String; 9] {
        let two_digits = |x: f64| general(round_significant(x, 2));
        let at_mean_precision = |x: f64| format_mean(x, self.mcse_mean);
        [
            at_mean_precision(self.mean),
            two_digits(self.sd),
            at_mean_precision(self.median),
            at_mean_precision(self.percentile_5),
            at_mean_precision(self.percentile_95),
            two_digits(self.mcse_mean),
            format_ess(self.ess_bulk),
            format_ess(self.ess_tail),
            if self.r_hat.is_finite() {
                format!("{:.2}", self.r_hat)
            } else {
                format!("{}", self.r_hat)
            },
        ]
    }
}

impl Summary {
    /// The headings of the printed statistics.
    const COLUMNS: [&'static str; 9] = [
        "mean",
        "sd",
        "median",
        "5%",
        "95%",
        "mcse_mean",
        "ess_bulk",
        "ess_tail",
        "r_hat",
    ];

    /// An empty summary.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::Summary;
    /// assert!(Summary::new().rows().is_empty());
    /// ```
    pub fn new() -> Self {
        Summary::default()
    }

    /// Adds a row named `name` computed from `chains` (one slice of draws per chain, as for
    /// [`ChainDraws::new`]). An error names the column.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::Summary;
    ///
    /// let mut summary = Summary::new();
    /// summary.add("sigma", &[[1.0, 1.2, 0.9, 1.1], [1.0, 0.8, 1.3, 1.05]])?;
    /// let error = summary.add("tau", &[[1.0, f64::NAN, 0.9, 1.1]]).unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "column `tau`: draw 1 of chain 0 is NaN: diagnostics need finite draws"
    /// );
    /// # Ok::<(), model_runtime::diagnostics::SummaryError>(())
    /// ```
    pub fn add<C: AsRef<[f64]>>(
        &mut self,
        name: impl Into<String>,
        chains: &[C],
    ) -> Result<&mut Self, SummaryError> {
        self.add_row(name.into(), chains, SummaryRow::new)
    }

    /// Adds a row of circular statistics named `name` computed from `chains` of angles in
    /// radians (see [`SummaryRow::circular`]).
    pub fn add_circular<C: AsRef<[f64]>>(
        &mut self,
        name: impl Into<String>,
        chains: &[C],
    ) -> Result<&mut Self, SummaryError> {
        self.add_row(name.into(), chains, SummaryRow::circular)
    }

    /// Checks the name and the draws, then adds the row `row` computes.
    fn add_row<C: AsRef<[f64]>>(
        &mut self,
        name: String,
        chains: &[C],
        row: fn(String, &ChainDraws) -> SummaryRow,
    ) -> Result<&mut Self, SummaryError> {
        self.check_new_name(&name)?;
        let draws = ChainDraws::new(chains).map_err(|error| SummaryError::InvalidDraws {
            name: name.clone(),
            error,
        })?;
        self.rows.push(row(name, &draws));
        Ok(self)
    }

    /// Adds a row computed beforehand.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{ChainDraws, Summary, SummaryRow};
    ///
    /// let mut summary = Summary::new();
    /// summary.push(SummaryRow::new("b", &ChainDraws::new(&[[0.5, 0.1, 0.3, 0.2]])?))?;
    /// assert_eq!(summary.rows().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push(&mut self, row: SummaryRow) -> Result<&mut Self, SummaryError> {
        self.check_new_name(&row.name)?;
        self.rows.push(row);
        Ok(self)
    }

    /// The rows, in the order they were added.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::Summary;
    ///
    /// let mut summary = Summary::new();
    /// summary.add("a", &[[0.5, 0.1, 0.3, 0.2]])?.add("b", &[[1.5, 1.1, 1.3, 1.2]])?;
    /// let names: Vec<&str> = summary.rows().iter().map(|row| row.name()).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// # Ok::<(), model_runtime::diagnostics::SummaryError>(())
    /// ```
    pub fn rows(&self) -> &[SummaryRow] {
        &self.rows
    }

    /// The row named `name`, if there is one.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::Summary;
    ///
    /// let mut summary = Summary::new();
    /// summary.add("b", &[[0.5, 0.1, 0.3, 0.2]])?;
    /// assert_eq!(summary.row("b").map(|row| row.median()), Some(0.25));
    /// assert!(summary.row("c").is_none());
    /// # Ok::<(), model_runtime::diagnostics::SummaryError>(())
    /// ```
    pub fn row(&self, name: &str) -> Option<&SummaryRow> {
        self.rows.iter().find(|row| row.name == name)
    }

    fn check_new_name(&self, name: &str) -> Result<(), SummaryError> {
        if self.row(name).is_some() {
            return Err(SummaryError::DuplicateName { name: name.into() });
        }
        Ok(())
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name_width = self
            .rows
            .iter()
            .map(|row| row.name.chars().count())
            .max()
            .unwrap_or(0)
            .max(10);
        let cells: Vec<[String; 9]> = self.rows.iter().map(SummaryRow::printed).collect();
        let widths: Vec<usize> = Self::COLUMNS
            .iter()
            .enumerate()
            .map(|(c, heading)| {
                cells
                    .iter()
                    .map(|row| row[c].len())
                    .chain([heading.len()])
                    .max()
                    .unwrap_or(0)
                    .max(6)
            })
            .collect();
        write!(f, "{:>name_width$}", "")?;
        for (column, width) in Self::COLUMNS.iter().zip(&widths) {
            write!(f, "  {column:>width$}")?;
        }
        writeln!(f)?;
        for (row, cells) in self.rows.iter().zip(&cells) {
            write!(f, "{:>name_width$}", row.name)?;
            for (cell, width) in cells.iter().zip(&widths) {
                write!(f, "  {cell:>width$}")?;
            }
            writeln!(f)?;
        }
        let circular: Vec<&str> = self
            .rows
            .iter()
            .filter(|row| row.circular)
            .map(|row| row.name.as_str())
            .collect();
        if !circular.is_empty() {
            writeln!(
                f,
                "circular (mean and sd circular, quantiles around the circular mean): {}",
                circular.join(", ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_right_aligned_under_their_headings() {
        let mut summary = Summary::new();
        summary
            .add("b", &[[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0]])
            .unwrap();
        let table = summary.to_string();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "              mean      sd  median      5%     95%  mcse_mean  ess_bulk  ess_tail   r_hat"
        );
        // The mean's MCSE is 0.49, twice that is 0.98: the mean, median and quantiles show one
        // decimal (3.0 prints as 3), the sd two significant digits.
        assert!(lines[1].starts_with("         b       3     1.3       3     1.4     4.6"));
        assert!(lines.iter().all(|line| line.len() == lines[0].len()));
    }

    #[test]
    fn long_names_widen_the_name_column() {
        let mut summary = Summary::new();
        summary
            .add("a_rather_long_name[12]", &[[1.0, 2.0, 3.0, 4.0]])
            .unwrap()
            .add("b", &[[1.0, 2.0, 3.0, 4.0]])
            .unwrap();
        let table = summary.to_string();
        let widths: Vec<usize> = table.lines().map(|line| line.len()).collect();
        assert_eq!(widths, [22 + 79, 22 + 79, 22 + 79]);
    }

    #[test]
    fn errors_name_the_column() {
        let mut summary = Summary::new();
        let error = summary.add("theta[3]", &[[1.0, 2.0]]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "column `theta[3]`: each chain has 2 draws: diagnostics need at least 4 per chain"
        );
        assert!(summary.rows().is_empty());
    }
}
