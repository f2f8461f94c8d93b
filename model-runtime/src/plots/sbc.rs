//! Simulation-based calibration plots: the rank histogram (Talts et al. 2018) and the ECDF
//! difference with its simultaneous bands (Säilynoja, Bürkner and Vehtari 2022).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::plots::panel::{described_panel, panel};
use crate::plots::{DIVERGENT, Plot, PlotError, chain_color};
use crate::results::sbc::{Calibration, ElementCalibration};
use crate::site::ModelSites;

/// The plot of a [`Calibration`]: one row per latent element, its rank histogram on the left
/// (the grey band is where 99% of a bin's counts fall when the ranks are uniform) and the
/// difference between the ranks' ECDF and the uniform CDF on the right, inside the
/// simultaneous bands the calibration test uses (blue when inside, red where it leaves them).
/// A histogram shaped like ∪ or ∩ means posteriors too narrow or too wide; a slope means bias.
///
/// # Example
///
/// ```
/// use model_runtime::plots::{self, Plot};
/// use model_runtime::prelude::*;
/// use model_runtime::Sbc;
///
/// #[model]
/// fn location(n: usize, y: Option<&[f64]>) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", n, |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
///     });
/// }
///
/// let sampler = Nuts::default().warmup(100).samples(100).thin(2);
/// let calibration = Sbc::new(sampler).replications(30).seed(1).run(&location(3, None))?;
/// let svg = plots::sbc(&calibration).to_svg()?;
/// assert!(svg.contains("ECDF difference"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SbcPlot<'a, S: ModelSites> {
    calibration: &'a Calibration<S>,
    max_rows: usize,
}

/// The calibration plot of `calibration` (see [`SbcPlot`]).
pub fn sbc<S: ModelSites>(calibration: &Calibration<S>) -> SbcPlot<'_, S> {
    SbcPlot {
        calibration,
        max_rows: 20,
    }
}

impl<S: ModelSites> SbcPlot<'_, S> {
    /// At most this many elements (rows), in program order (default 20).
    pub fn max_rows(mut self, rows: usize) -> Self {
        self.max_rows = rows.max(1);
        self
    }

    fn elements(&self) -> &[ElementCalibration] {
        let all = self.calibration.elements();
        &all[..all.len().min(self.max_rows)]
    }
}

impl<S: ModelSites> Plot for SbcPlot<'_, S> {
    fn size(&self) -> (u32, u32) {
        (1000, 220 * self.elements().len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let elements = self.elements();
        if elements.is_empty() {
            return Err(PlotError::Empty(
                "the calibration has no latent element".into(),
            ));
        }
        let max_rank = self.calibration.max_rank();
        for (element, row) in elements.iter().zip(area.split_evenly((elements.len(), 1))) {
            let (left, right) = row.split_horizontally(row.dim_in_pixel().0 / 2);
            histogram(&left, element, max_rank)?;
            ecdf_difference(&right, element, self.calibration)?;
        }
        Ok(())
    }
}

/// The number of bins: at most 20, and a divisor of the `L + 1` possible ranks when one is
/// close, so that every bin holds the same number of rank values.
fn bins(max_rank: usize) -> usize {
    let values = max_rank + 1;
    (2..=20.min(values))
        .rev()
        .find(|b| values.is_multiple_of(*b))
        .unwrap_or(20.min(values))
        .max(1)
}

/// The `p`-quantile of Binomial(n, q), by summing the probabilities from 0 (exact; n is a
/// number of replications).
fn binomial_quantile(n: usize, q: f64, p: f64) -> usize {
    let ln_choose = |k: usize| {
        libm::lgamma(n as f64 + 1.0)
            - libm::lgamma(k as f64 + 1.0)
            - libm::lgamma((n - k) as f64 + 1.0)
    };
    let mut total = 0.0;
    for k in 0..=n {
        total += (ln_choose(k) + k as f64 * q.ln() + (n - k) as f64 * (1.0 - q).ln()).exp();
        if total >= p {
            return k;
        }
    }
    n
}

fn histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    element: &ElementCalibration,
    max_rank: usize,
) -> Result<(), PlotError> {
    let bins = bins(max_rank);
    let values = (max_rank + 1) as f64;
    let mut counts = vec![0usize; bins];
    for &r in element.ranks() {
        counts[((r as f64 * bins as f64 / values) as usize).min(bins - 1)] += 1;
    }
    let n = element.ranks().len();
    let (low, high) = (
        binomial_quantile(n, 1.0 / bins as f64, 0.005) as f64,
        binomial_quantile(n, 1.0 / bins as f64, 0.995) as f64,
    );
    let top = counts.iter().copied().max().unwrap_or(0).max(high as usize) as f64;
    let title = format!("{}: ranks", element.name());
    let mut chart = panel(area, &title, 0.0..values, 0.0..1.1 * top.max(1.0), true)?;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(0.0, low), (values, high)],
        RGBColor(0xdd, 0xdd, 0xdd).filled(),
    )))?;
    let width = values / bins as f64;
    chart.draw_series(counts.iter().enumerate().map(|(b, &c)| {
        Rectangle::new(
            [(b as f64 * width, 0.0), ((b + 1) as f64 * width, c as f64)],
            chain_color(0).mix(0.75).filled(),
        )
    }))?;
    Ok(())
}

fn ecdf_difference<DB: DrawingBackend, S: ModelSites>(
    area: &DrawingArea<DB, Shift>,
    element: &ElementCalibration,
    calibration: &Calibration<S>,
) -> Result<(), PlotError> {
    let bands = calibration.bands();
    let points = bands.points();
    let (lower, upper) = (bands.lower_difference(), bands.upper_difference());
    let difference = element.test().difference();
    let reach = lower
        .iter()
        .chain(upper)
        .chain(difference)
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .max(1e-3);
    let verdict = if element.inside() {
        "inside"
    } else {
        "OUTSIDE"
    };
    let title = format!(
        "ECDF difference ({verdict} the {:.0}% bands)",
        100.0 * bands.level()
    );
    let mut chart = described_panel(
        area,
        &title,
        Some("fractional rank"),
        0.0..1.0,
        -1.1 * reach..1.1 * reach,
        true,
    )?;
    let band: Vec<(f64, f64)> = points
        .iter()
        .zip(upper)
        .map(|(&z, &u)| (z, u))
        .chain(points.iter().zip(lower).rev().map(|(&z, &l)| (z, l)))
        .collect();
    chart.draw_series(std::iter::once(Polygon::new(
        band,
        RGBColor(0xdd, 0xdd, 0xdd).filled(),
    )))?;
    let color = if element.inside() {
        chain_color(0)
    } else {
        DIVERGENT
    };
    chart.draw_series(LineSeries::new(
        points.iter().copied().zip(difference.iter().copied()),
        color.stroke_width(2),
    ))?;
    chart.draw_series(
        element
            .test()
            .outside()
            .iter()
            .map(|&k| Circle::new((points[k], difference[k]), 3, DIVERGENT.filled())),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_divide_the_ranks() {
        assert_eq!(bins(199), 20);
        assert_eq!(bins(99), 20);
        assert_eq!(bins(9), 10);
        assert_eq!(bins(0), 1);
    }

    #[test]
    fn binomial_quantiles() {
        // Binomial(10, 0.5): P(X ≤ 1) = 11/1024 ≈ 0.0107, P(X ≤ 8) ≈ 0.989.
        assert_eq!(binomial_quantile(10, 0.5, 0.005), 1);
        assert_eq!(binomial_quantile(10, 0.5, 0.995), 9);
        assert_eq!(binomial_quantile(10, 0.5, 0.5), 5);
    }
}
