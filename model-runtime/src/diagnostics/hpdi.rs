//! The highest posterior density interval: the shortest interval holding a given share of the
//! draws.

use super::ChainDraws;
use super::probability::{ProbabilityError, check_mass};
use super::quantile::sorted;

/// An interval `[lower, upper]` of a scalar's values.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{hpdi, ChainDraws};
///
/// let draws = ChainDraws::new(&[[0.0, 1.0, 2.0, 10.0]])?;
/// let interval = hpdi(&draws, 0.5)?;
/// assert_eq!((interval.lower(), interval.upper()), (0.0, 2.0));
/// assert_eq!(interval.width(), 2.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    lower: f64,
    upper: f64,
}

/// The highest posterior density interval of all draws pooled across chains: among the
/// intervals `[x[i], x[i + k]]` between sorted draws with `k = floor(mass * n)`, the shortest
/// (the first one on ties). This is NumPyro's `hpdi(x, prob=mass)` and ArviZ's
/// `hdi(x, hdi_prob=mass)`; it suits a unimodal posterior, and for a multimodal one it is the
/// shortest single interval, not a union.
///
/// `mass` must lie strictly between 0 and 1.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{hpdi, ChainDraws};
///
/// // Skewed draws: the 90% HPDI hugs the dense left end.
/// let chain: Vec<f64> = (0..100).map(|i| (i as f64 / 20.0).powi(3)).collect();
/// let interval = hpdi(&ChainDraws::new(&[chain])?, 0.9)?;
/// assert_eq!(interval.lower(), 0.0);
/// assert!(interval.upper() < 95.0);
/// assert!(hpdi(&ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0]])?, 1.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hpdi(draws: &ChainDraws, mass: f64) -> Result<Interval, ProbabilityError> {
    let mass = check_mass(mass)?;
    let sorted = sorted(draws.values());
    let n = sorted.len();
    // At least one window, even should `mass * n` ever round up to `n`.
    let span = ((mass * n as f64).floor() as usize).min(n - 1);
    let mut best = 0;
    for start in 1..n - span {
        if sorted[start + span] - sorted[start] < sorted[best + span] - sorted[best] {
            best = start;
        }
    }
    Ok(Interval {
        lower: sorted[best],
        upper: sorted[best + span],
    })
}

impl Interval {
    /// The lower end.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{hpdi, ChainDraws};
    /// let interval = hpdi(&ChainDraws::new(&[[3.0, 1.0, 2.0, 4.0]])?, 0.5)?;
    /// assert_eq!(interval.lower(), 1.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lower(&self) -> f64 {
        self.lower
    }

    /// The upper end.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{hpdi, ChainDraws};
    /// let interval = hpdi(&ChainDraws::new(&[[3.0, 1.0, 2.0, 4.0]])?, 0.5)?;
    /// assert_eq!(interval.upper(), 3.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn upper(&self) -> f64 {
        self.upper
    }

    /// `upper - lower`.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::{hpdi, ChainDraws};
    /// let interval = hpdi(&ChainDraws::new(&[[3.0, 1.0, 2.0, 4.0]])?, 0.5)?;
    /// assert_eq!(interval.width(), 2.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn width(&self) -> f64 {
        self.upper - self.lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_shortest_window_and_the_first_on_ties() {
        let draws = ChainDraws::new(&[[0.0, 5.0, 6.0, 7.0, 20.0, 21.0]]).unwrap();
        let interval = hpdi(&draws, 0.4).unwrap();
        assert_eq!((interval.lower(), interval.upper()), (5.0, 7.0));
        let even = ChainDraws::new(&[[0.0, 1.0, 2.0, 3.0]]).unwrap();
        assert_eq!(hpdi(&even, 0.25).unwrap().lower(), 0.0);
    }

    #[test]
    fn the_largest_mass_below_one_spans_all_draws() {
        let draws = ChainDraws::new(&[[0.0, 1.0, 2.0, 3.0]]).unwrap();
        let interval = hpdi(&draws, 1.0 - f64::EPSILON / 2.0).unwrap();
        assert_eq!((interval.lower(), interval.upper()), (0.0, 3.0));
    }
}
