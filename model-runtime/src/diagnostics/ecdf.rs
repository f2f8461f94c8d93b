//! Simultaneous confidence bands for the empirical CDF of discrete uniform ranks: the graphical
//! uniformity test of simulation-based calibration.
//!
//! Säilynoja, Bürkner and Vehtari (2022), "Graphical test for discrete uniformity and its
//! applications in goodness-of-fit evaluation and multiple sample comparison", Statistics and
//! Computing 32:32, doi:10.1007/s11222-022-10090-6. For `N` ranks on `0..=L`, the ECDF of the
//! fractional ranks `u = (r + 1) / (L + 1)` is evaluated at `K + 1` points `z_0 = 0 < z_1 <
//! ... < z_K = 1`. Under uniformity the count `X_i = N F̂(z_i)` is binomial(N, z_i) at each
//! point, so the interval between its `γ/2` and `1 - γ/2` quantiles holds it with probability
//! about `1 - γ`; the bands hold the whole ECDF at once with probability `1 - α` when the
//! per-point level `γ` is adjusted down. The paper's optimization method finds that `γ`
//! without simulation: the probability that every `X_i` stays inside its interval is computed
//! exactly by a recursion over the points, and `γ` is chosen to bring it closest to `1 - α`.
//! The bands here are therefore deterministic.
//!
//! The points follow the R package SBC (`data_for_ecdf_plots`): `K = L + 1` for fewer than 50
//! ranks, else `min(L + 1, N)` (here also at most 1000, which bounds the cost; `with_intervals`
//! chooses `K` freely), and the ECDF at point `i` counts the ranks below
//! `b_i = floor(i (L + 1) / K)`. SBC then compares that count with binomial(N, i / K), which is
//! off by less than `1 / (L + 1)` in `z` when `K` does not divide `L + 1`; here
//! `z_i = b_i / (L + 1)`, the exact probability that a uniform rank lies below `b_i`, so the
//! bands are exact for discrete ranks. The two agree when `K` divides `L + 1`.
//!
//! Its length (about 830 lines) is mostly documentation of the band's derivation and examples
//! (about 350 lines); the code is about 460 lines, one algorithm.

use core::fmt;

/// The most ranks [`EcdfBands`] accepts: the recursion's cost grows like `K N^1.5`, and
/// simulation-based calibration uses hundreds to a few thousand replications.
const MAX_RANKS: usize = 100_000;

/// The most evaluation points the default choice of `K` takes.
const DEFAULT_MAX_INTERVALS: usize = 1000;

/// Simultaneous `level` confidence bands for the ECDF of `N` independent ranks, each uniform on
/// `0..=L`: the graphical uniformity test of Säilynoja, Bürkner and Vehtari (2022), "Graphical
/// test for discrete uniformity and its applications in goodness-of-fit evaluation and
/// multiple sample comparison", Statistics and Computing 32:32.
///
/// The ECDF of the fractional ranks `(r + 1) / (L + 1)` is evaluated at `K + 1`
/// [`points`](EcdfBands::points) from 0 to 1. At each point the count of ranks below it is
/// binomial under uniformity, and its band runs between the binomial's `γ/2` and `1 - γ/2`
/// quantiles, with the per-point level [`gamma`](EcdfBands::gamma) adjusted so that the whole
/// ECDF stays inside with probability `level`. The adjustment is the paper's optimization
/// method: the probability of staying inside is computed exactly, not simulated, so the bands
/// are deterministic.
///
/// A set of ranks passes when its ECDF stays inside the bands at every point
/// ([`EcdfBands::test`]); under uniformity that happens with probability
/// [`coverage`](EcdfBands::coverage), which is as close to `level` as the discrete ranks allow.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::EcdfBands;
///
/// // 100 ranks of 99 posterior draws each (ranks 0..=99), 95% bands.
/// let bands = EcdfBands::new(100, 99, 0.95)?;
/// assert_eq!(bands.points().len(), 101);
/// // Each point's interval is much narrower than a 95% interval would be on its own.
/// assert!(bands.gamma() < 0.01);
/// assert!((bands.coverage() - 0.95).abs() < 0.01);
///
/// // Evenly spread ranks pass; ranks piled in the middle (an overdispersed posterior) do not.
/// let even: Vec<usize> = (0..100).collect();
/// assert!(bands.test(&even)?.inside());
/// let piled: Vec<usize> = (0..100).map(|i| 35 + i * 30 / 100).collect();
/// assert!(!bands.test(&piled)?.inside());
/// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EcdfBands {
    num_ranks: usize,
    max_rank: usize,
    level: f64,
    gamma: f64,
    coverage: f64,
    /// `b_i`: the ECDF at point `i` counts the ranks below it.
    rank_bounds: Vec<usize>,
    points: Vec<f64>,
    /// The band on the count `X_i`, inclusive.
    lower_count: Vec<usize>,
    upper_count: Vec<usize>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    lower_difference: Vec<f64>,
    upper_difference: Vec<f64>,
}

/// One set of ranks against [`EcdfBands`]: its ECDF at the bands' points, the difference from
/// the uniform CDF, and where it leaves the bands.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::EcdfBands;
///
/// let bands = EcdfBands::new(60, 9, 0.95)?;
/// // Every rank 0: the ECDF jumps to 1 at once.
/// let test = bands.test(&[0; 60])?;
/// assert!(!test.inside());
/// assert_eq!(test.ecdf()[1], 1.0);
/// assert!((test.max_abs_difference() - 0.9).abs() < 1e-12);
/// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EcdfTest {
    ecdf: Vec<f64>,
    difference: Vec<f64>,
    outside: Vec<usize>,
}

/// Why bands could not be made, or ranks not tested against them.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{EcdfBands, EcdfError};
///
/// assert_eq!(EcdfBands::new(0, 99, 0.95).unwrap_err(), EcdfError::NoRanks);
/// let error = EcdfBands::new(100, 99, 1.5).unwrap_err();
/// assert_eq!(error.to_string(), "band level 1.5 is outside (0, 1): pass a value such as 0.95");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EcdfError {
    /// Bands for zero ranks were asked for.
    #[error("no ranks to test: bands need at least one rank")]
    NoRanks,
    /// More ranks than [`EcdfBands`] handles.
    #[error("{num_ranks} ranks are more than the {limit} that ECDF bands are computed for")]
    TooManyRanks {
        /// The number asked for.
        num_ranks: usize,
        /// The limit.
        limit: usize,
    },
    /// The level is NaN or outside `(0, 1)`.
    #[error("band level {level} is outside (0, 1): pass a value such as 0.95")]
    InvalidLevel {
        /// The rejected level.
        level: f64,
    },
    /// The number of evaluation intervals is 0 or more than the number of distinct ranks.
    #[error(
        "cannot evaluate the ECDF on {intervals} intervals: choose from 1 to {possible}, the number of possible ranks"
    )]
    InvalidIntervals {
        /// The number asked for.
        intervals: usize,
        /// The number of possible ranks, `L + 1`.
        possible: usize,
    },
    /// [`EcdfBands::test`] was given another number of ranks than the bands were made for.
    #[error(
        "{found} ranks given to bands made for {expected}: test as many ranks as the bands expect"
    )]
    WrongCount {
        /// The bands' number of ranks.
        expected: usize,
        /// The number given.
        found: usize,
    },
    /// A rank above the bands' largest rank `L`.
    #[error("rank {rank} is above the largest rank {max_rank} the bands were made for")]
    RankOutOfRange {
        /// The rank.
        rank: usize,
        /// The largest rank.
        max_rank: usize,
    },
}

impl EcdfBands {
    /// Bands at `level` (such as 0.95) for `num_ranks` ranks on `0..=max_rank`, on the points
    /// the R package SBC chooses: `K = L + 1` intervals for fewer than 50 ranks, else
    /// `min(L + 1, N, 1000)`.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    ///
    /// assert_eq!(EcdfBands::new(30, 199, 0.95)?.intervals(), 200);
    /// assert_eq!(EcdfBands::new(100, 199, 0.95)?.intervals(), 100);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn new(num_ranks: usize, max_rank: usize, level: f64) -> Result<Self, EcdfError> {
        let possible = max_rank.saturating_add(1);
        let intervals = if num_ranks < 50 {
            possible
        } else {
            possible.min(num_ranks).min(DEFAULT_MAX_INTERVALS)
        };
        Self::with_intervals(num_ranks, max_rank, intervals, level)
    }

    /// Bands on `intervals` evaluation intervals (`K`, from 1 to `max_rank + 1`): fewer
    /// intervals smooth the ECDF over neighbouring ranks.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    ///
    /// let bands = EcdfBands::with_intervals(100, 99, 20, 0.95)?;
    /// assert_eq!(bands.points()[1], 0.05);
    /// // Fewer points need less adjustment.
    /// assert!(bands.gamma() > EcdfBands::new(100, 99, 0.95)?.gamma());
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn with_intervals(
        num_ranks: usize,
        max_rank: usize,
        intervals: usize,
        level: f64,
    ) -> Result<Self, EcdfError> {
        if num_ranks == 0 {
            return Err(EcdfError::NoRanks);
        }
        if num_ranks > MAX_RANKS {
            return Err(EcdfError::TooManyRanks {
                num_ranks,
                limit: MAX_RANKS,
            });
        }
        if !(level > 0.0 && level < 1.0) {
            return Err(EcdfError::InvalidLevel { level });
        }
        let possible = max_rank.saturating_add(1);
        if intervals == 0 || intervals > possible || max_rank == usize::MAX {
            return Err(EcdfError::InvalidIntervals {
                intervals,
                possible,
            });
        }
        // b_i = floor(i (L + 1) / K), strictly increasing because K ≤ L + 1.
        let rank_bounds: Vec<usize> = (0..=intervals)
            .map(|i| (i as u128 * possible as u128 / intervals as u128) as usize)
            .collect();
        let grid = Grid::new(num_ranks, possible, &rank_bounds);
        let (gamma, coverage, (lower_count, upper_count)) = grid.adjust_gamma(level);
        let n = num_ranks as f64;
        let points: Vec<f64> = rank_bounds
            .iter()
            .map(|&b| b as f64 / possible as f64)
            .collect();
        let lower: Vec<f64> = lower_count.iter().map(|&x| x as f64 / n).collect();
        let upper: Vec<f64> = upper_count.iter().map(|&x| x as f64 / n).collect();
        let lower_difference = lower.iter().zip(&points).map(|(l, z)| l - z).collect();
        let upper_difference = upper.iter().zip(&points).map(|(u, z)| u - z).collect();
        Ok(EcdfBands {
            num_ranks,
            max_rank,
            level,
            gamma,
            coverage,
            rank_bounds,
            points,
            lower_count,
            upper_count,
            lower,
            upper,
            lower_difference,
            upper_difference,
        })
    }

    /// The number of ranks `N` the bands are for.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// assert_eq!(EcdfBands::new(100, 99, 0.95)?.num_ranks(), 100);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn num_ranks(&self) -> usize {
        self.num_ranks
    }

    /// The largest rank `L` (the number of posterior draws each rank is taken among).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// assert_eq!(EcdfBands::new(100, 99, 0.95)?.max_rank(), 99);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn max_rank(&self) -> usize {
        self.max_rank
    }

    /// The number of evaluation intervals `K`; there are `K + 1` points.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// assert_eq!(EcdfBands::new(100, 99, 0.95)?.intervals(), 100);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn intervals(&self) -> usize {
        self.points.len() - 1
    }

    /// The simultaneous level `1 - α` asked for.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// assert_eq!(EcdfBands::new(100, 99, 0.99)?.level(), 0.99);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn level(&self) -> f64 {
        self.level
    }

    /// The adjusted per-point level `γ`: each point's interval runs between the `γ/2` and
    /// `1 - γ/2` quantiles of binomial(N, z_i).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(100, 99, 0.95)?;
    /// assert!(bands.gamma() > 0.0 && bands.gamma() < 0.05);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// The exact probability that the ECDF of `N` uniform ranks stays inside the bands at every
    /// point: the level achieved, as close to [`level`](EcdfBands::level) as the discreteness
    /// of the counts allows.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(200, 99, 0.95)?;
    /// assert!((bands.coverage() - 0.95).abs() < 0.01);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn coverage(&self) -> f64 {
        self.coverage
    }

    /// The evaluation points `z_i = b_i / (L + 1)` for `i = 0..=K`, with
    /// `b_i = floor(i (L + 1) / K)`: the ECDF at `z_i` counts the ranks below `b_i`, which
    /// uniform ranks are with probability exactly `z_i`. When `K` divides `L + 1` they are
    /// `i / K`, the points of the R package SBC (which uses `i / K` otherwise too, off by less
    /// than `1 / (L + 1)`).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(100, 99, 0.95)?;
    /// assert_eq!((bands.points()[0], bands.points()[50], bands.points()[100]), (0.0, 0.5, 1.0));
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn points(&self) -> &[f64] {
        &self.points
    }

    /// The lower band of the ECDF at each point.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(100, 99, 0.95)?;
    /// assert!(bands.lower().iter().zip(bands.points()).all(|(l, z)| l <= z));
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// The upper band of the ECDF at each point.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(100, 99, 0.95)?;
    /// assert!(bands.upper().iter().zip(bands.points()).all(|(u, z)| u >= z));
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// The lower band of the ECDF difference `F̂(z_i) - z_i` at each point: what an ECDF
    /// difference plot draws.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(100, 99, 0.95)?;
    /// assert_eq!(bands.lower_difference()[0], 0.0); // the ECDF is 0 at z = 0
    /// assert!(bands.lower_difference()[50] < -0.1);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn lower_difference(&self) -> &[f64] {
        &self.lower_difference
    }

    /// The upper band of the ECDF difference `F̂(z_i) - z_i` at each point.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(100, 99, 0.95)?;
    /// assert_eq!(bands.upper_difference()[100], 0.0); // and 1 at z = 1
    /// assert!(bands.upper_difference()[50] > 0.1);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn upper_difference(&self) -> &[f64] {
        &self.upper_difference
    }

    /// The ECDF of `ranks` (as many as the bands were made for, each at most `L`) at the
    /// points, and whether it stays inside the bands.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    ///
    /// let bands = EcdfBands::new(4, 3, 0.95)?;
    /// let test = bands.test(&[0, 1, 2, 3])?;
    /// assert_eq!(test.ecdf(), [0.0, 0.25, 0.5, 0.75, 1.0]);
    /// assert!(test.inside());
    /// assert!(bands.test(&[0, 1, 2, 4]).is_err());
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn test(&self, ranks: &[usize]) -> Result<EcdfTest, EcdfError> {
        if ranks.len() != self.num_ranks {
            return Err(EcdfError::WrongCount {
                expected: self.num_ranks,
                found: ranks.len(),
            });
        }
        if let Some(&rank) = ranks.iter().find(|&&r| r > self.max_rank) {
            return Err(EcdfError::RankOutOfRange {
                rank,
                max_rank: self.max_rank,
            });
        }
        let mut sorted = ranks.to_vec();
        sorted.sort_unstable();
        let n = self.num_ranks as f64;
        let mut ecdf = Vec::with_capacity(self.points.len());
        let mut difference = Vec::with_capacity(self.points.len());
        let mut outside = Vec::new();
        for (i, &bound) in self.rank_bounds.iter().enumerate() {
            // u = (r + 1) / (L + 1) ≤ z_i = b_i / (L + 1) exactly when r < b_i.
            let count = sorted.partition_point(|&r| r < bound);
            if count < self.lower_count[i] || count > self.upper_count[i] {
                outside.push(i);
            }
            let value = count as f64 / n;
            ecdf.push(value);
            difference.push(value - self.points[i]);
        }
        Ok(EcdfTest {
            ecdf,
            difference,
            outside,
        })
    }
}

impl EcdfTest {
    /// The ECDF of the ranks at each of the bands' points.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let test = EcdfBands::new(2, 1, 0.95)?.test(&[0, 1])?;
    /// assert_eq!(test.ecdf(), [0.0, 0.5, 1.0]);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn ecdf(&self) -> &[f64] {
        &self.ecdf
    }

    /// The ECDF difference `F̂(z_i) - z_i` at each point.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let test = EcdfBands::new(2, 1, 0.95)?.test(&[0, 0])?;
    /// assert_eq!(test.difference(), [0.0, 0.5, 0.0]);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn difference(&self) -> &[f64] {
        &self.difference
    }

    /// Whether the ECDF stays inside the bands at every point: the ranks pass the test.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(50, 49, 0.95)?;
    /// assert!(bands.test(&(0..50).collect::<Vec<_>>())?.inside());
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn inside(&self) -> bool {
        self.outside.is_empty()
    }

    /// The indices of the points where the ECDF leaves the bands.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let bands = EcdfBands::new(50, 49, 0.95)?;
    /// let test = bands.test(&[49; 50])?;
    /// // The ECDF stays at 0 until z = 1: outside from the first point whose lower band is
    /// // above 0, through the middle.
    /// assert!(test.outside().contains(&25));
    /// assert_eq!(test.outside().first(), Some(&6));
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn outside(&self) -> &[usize] {
        &self.outside
    }

    /// The largest `|F̂(z_i) - z_i|` over the points.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::EcdfBands;
    /// let test = EcdfBands::new(2, 1, 0.95)?.test(&[1, 1])?;
    /// assert_eq!(test.max_abs_difference(), 0.5);
    /// # Ok::<(), model_runtime::diagnostics::EcdfError>(())
    /// ```
    pub fn max_abs_difference(&self) -> f64 {
        self.difference.iter().fold(0.0, |m, d| m.max(d.abs()))
    }
}

impl fmt::Display for EcdfBands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.0}% simultaneous ECDF bands for {} ranks on 0..={} at {} points (per-point level {:.3e}, exact coverage {:.4})",
            self.level * 100.0,
            self.num_ranks,
            self.max_rank,
            self.points.len(),
            self.gamma,
            self.coverage
        )
    }
}

/// The evaluation grid with what the recursion needs: `N`, the rank bounds `b_i` out of
/// `L + 1` possible ranks, and `ln k!` for `k ≤ N`.
struct Grid<'a> {
    n: usize,
    possible: usize,
    bounds: &'a [usize],
    ln_factorial: Vec<f64>,
}

/// The intervals `[lower_i, upper_i]` on the counts `X_i`.
type Band = (Vec<usize>, Vec<usize>);

impl<'a> Grid<'a> {
    fn new(n: usize, possible: usize, bounds: &'a [usize]) -> Self {
        let ln_factorial = (0..=n).map(|k| libm::lgamma(k as f64 + 1.0)).collect();
        Grid {
            n,
            possible,
            bounds,
            ln_factorial,
        }
    }

    /// `z_i` as the exact ratio `b_i / (L + 1)`.
    fn point(&self, i: usize) -> f64 {
        self.bounds[i] as f64 / self.possible as f64
    }

    /// The paper's optimization method (`adjust_gamma_optimize` in the R packages SBC and
    /// bayesplot): the `γ` in `(0, α)` whose bands' coverage `P(γ)` is closest to `1 - α`,
    /// with that coverage and the bands.
    ///
    /// `P(γ)` is a step function that falls as `γ` grows (higher per-point levels make
    /// narrower intervals), from 1 at `γ = 0` (intervals `[0, N]`). The R packages minimize
    /// `|P(γ) - (1 - α)|` with Brent's method; on a step function, bisection for the step
    /// that crosses `1 - α` and a choice between its two sides finds the same minimum and
    /// cannot stall on a flat stretch.
    fn adjust_gamma(&self, level: f64) -> (f64, f64, Band) {
        let alpha = 1.0 - level;
        let mut scratch = Vec::new();
        let evaluate = |gamma: f64, scratch: &mut Vec<f64>| {
            let band = self.band(gamma, scratch);
            let coverage = self.coverage(&band);
            (coverage, band)
        };
        let mut high = (alpha, evaluate(alpha, &mut scratch));
        if high.1.0 >= level {
            // Too few points for the adjustment to matter (one interval: the ECDF is pinned
            // at both ends).
            let (gamma, (coverage, band)) = high;
            return (gamma, coverage, band);
        }
        // At γ = 0 the intervals are [0, N] (but for mass that underflows): coverage 1, which
        // the recursion over such wide intervals would take long to confirm.
        let mut low = (0.0, (1.0, self.band(0.0, &mut scratch)));
        // 40 halvings of α locate the step to 1e-12 α; bands equal to those at either end have
        // that end's coverage, so the recursion is skipped for them.
        for _ in 0..40 {
            let mid = 0.5 * (low.0 + high.0);
            let band = self.band(mid, &mut scratch);
            let coverage = if band == low.1.1 {
                low.1.0
            } else if band == high.1.1 {
                high.1.0
            } else {
                self.coverage(&band)
            };
            if coverage >= level {
                low = (mid, (coverage, band));
            } else {
                high = (mid, (coverage, band));
            }
        }
        // The closer of the two sides of the step; the covering side on a tie.
        let (gamma, (coverage, band)) = if level - high.1.0 < low.1.0 - level {
            high
        } else {
            low
        };
        (gamma, coverage, band)
    }

    /// The per-point intervals at level `γ`: `lower_i` is the `γ/2` quantile of
    /// binomial(N, z_i), the smallest `x` with `P(X ≤ x) ≥ γ/2`, and `upper_i` the `1 - γ/2`
    /// quantile, the smallest `x` with `P(X > x) ≤ γ/2` (summed from the upper tail, where
    /// `1 - P(X ≤ x)` would lose the small probabilities to rounding).
    fn band(&self, gamma: f64, pmf: &mut Vec<f64>) -> Band {
        // R's qbinom tolerates a relative 64 ε in the target, so that a CDF computed a few
        // ulps low still reaches a target it equals.
        let target = 0.5 * gamma * (1.0 - 64.0 * f64::EPSILON);
        let k = self.bounds.len() - 1;
        let mut lower = Vec::with_capacity(k + 1);
        let mut upper = Vec::with_capacity(k + 1);
        for i in 0..=k {
            let z = self.point(i);
            if i == 0 || i == k {
                // The ECDF is 0 at z = 0 and 1 at z = 1 whatever the ranks.
                let x = if i == 0 { 0 } else { self.n };
                lower.push(x);
                upper.push(x);
                continue;
            }
            self.binomial_pmf(self.n, z, pmf);
            let mut cumulative = 0.0;
            let mut low = self.n;
            for (x, p) in pmf.iter().enumerate() {
                cumulative += p;
                if cumulative >= target {
                    low = x;
                    break;
                }
            }
            let mut tail = 0.0;
            let mut high = 0;
            for x in (0..self.n).rev() {
                // `tail` is P(X > x) once the mass at x + 1 is added.
                tail += pmf[x + 1];
                if tail > target {
                    high = x + 1;
                    break;
                }
            }
            lower.push(low);
            upper.push(high);
        }
        (lower, upper)
    }

    /// The probability that binomial counts `X_0 = 0, X_1, ..., X_K = N` of `N` uniform ranks
    /// all lie in their intervals.
    ///
    /// The counts form a Markov chain: of the `N - X_{i-1}` ranks not yet counted, each lies
    /// below `b_i` with probability `ζ_i = (z_i - z_{i-1}) / (1 - z_{i-1})`, so
    /// `X_i - X_{i-1} | X_{i-1} ~ binomial(N - X_{i-1}, ζ_i)`. With `p_i(x)` the probability
    /// that `X_i = x` and every earlier count stayed inside,
    ///
    /// `p_i(x) = Σ_{x' ∈ [lower_{i-1}, upper_{i-1}]} p_{i-1}(x') binomial(x - x'; N - x', ζ_i)`
    ///
    /// for `x` in `[lower_i, upper_i]` (zero outside), from `p_0 = δ_0`; the coverage is
    /// `p_K(N)` (the paper's optimization method; `p_interior` in the R packages).
    fn coverage(&self, (lower, upper): &Band) -> f64 {
        let mut previous = vec![1.0];
        let mut next = Vec::new();
        for i in 1..self.bounds.len() {
            let (low, high) = (lower[i], upper[i]);
            next.clear();
            next.resize(high - low + 1, 0.0);
            // ζ_i as a ratio of integers: (b_i - b_{i-1}) / (L + 1 - b_{i-1}).
            let remaining = self.possible - self.bounds[i - 1];
            let step = self.bounds[i] - self.bounds[i - 1];
            for (offset, &weight) in previous.iter().enumerate() {
                let counted = lower[i - 1] + offset;
                if weight == 0.0 || counted > high {
                    continue;
                }
                let trials = self.n - counted;
                let from = low.saturating_sub(counted);
                let to = (high - counted).min(trials);
                if from > to {
                    continue;
                }
                let out = &mut next[counted + from - low..];
                self.add_binomial(weight, trials, step, remaining, from, to, out);
            }
            core::mem::swap(&mut previous, &mut next);
        }
        previous.iter().sum()
    }

    /// Adds `weight · binomial(d; trials, step / remaining)` to `out[d - from]` for `d` in
    /// `from..=to`.
    ///
    /// Each term comes from its neighbour by the ratio of successive binomial probabilities,
    /// walking out from the largest term in range (the mode, clamped): the terms fall away
    /// from it, so none is computed from an underflowed start, and the walk stops once terms
    /// fall below 1e-20 of it, where they no longer change the sum.
    #[allow(clippy::too_many_arguments)]
    fn add_binomial(
        &self,
        weight: f64,
        trials: usize,
        step: usize,
        remaining: usize,
        from: usize,
        to: usize,
        out: &mut [f64],
    ) {
        if step == remaining {
            // ζ = 1: every remaining rank is counted.
            if (from..=to).contains(&trials) {
                out[trials - from] += weight;
            }
            return;
        }
        let zeta = step as f64 / remaining as f64;
        let (ln_zeta, ln_rest) = (zeta.ln(), (-zeta).ln_1p());
        let odds = step as f64 / (remaining - step) as f64;
        let mode = ((trials + 1) as f64 * zeta).floor() as usize;
        let start = mode.clamp(from, to);
        let peak = (self.ln_factorial[trials]
            - self.ln_factorial[start]
            - self.ln_factorial[trials - start]
            + start as f64 * ln_zeta
            + (trials - start) as f64 * ln_rest)
            .exp();
        let negligible = peak * 1e-20;
        out[start - from] += weight * peak;
        let mut term = peak;
        for d in start + 1..=to {
            term *= (trials - d + 1) as f64 / d as f64 * odds;
            if term < negligible {
                break;
            }
            out[d - from] += weight * term;
        }
        let mut term = peak;
        for d in (from..start).rev() {
            term *= (d + 1) as f64 / (trials - d) as f64 / odds;
            if term < negligible {
                break;
            }
            out[d - from] += weight * term;
        }
    }

    /// The probabilities of binomial(trials, p) at `0..=trials`, for `0 < p < 1`, by the
    /// same walk out from the mode.
    fn binomial_pmf(&self, trials: usize, p: f64, pmf: &mut Vec<f64>) {
        pmf.clear();
        pmf.resize(trials + 1, 0.0);
        let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
        let odds = p / (1.0 - p);
        let mode = (((trials + 1) as f64 * p).floor() as usize).min(trials);
        let peak = (self.ln_factorial[trials]
            - self.ln_factorial[mode]
            - self.ln_factorial[trials - mode]
            + mode as f64 * ln_p
            + (trials - mode) as f64 * ln_q)
            .exp();
        pmf[mode] = peak;
        let (below, above) = pmf.split_at_mut(mode + 1);
        let mut term = peak;
        for (d, slot) in (mode + 1..).zip(above) {
            term *= (trials - d + 1) as f64 / d as f64 * odds;
            if term == 0.0 {
                break;
            }
            *slot = term;
        }
        let mut term = peak;
        for (d, slot) in below[..mode].iter_mut().enumerate().rev() {
            term *= (d + 1) as f64 / (trials - d) as f64 / odds;
            if term == 0.0 {
                break;
            }
            *slot = term;
        }
    }
}

#[cfg(test)]
mod tests;
