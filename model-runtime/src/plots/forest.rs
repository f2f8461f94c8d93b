//! Forest plot: every scalar element's median and central intervals on one axis.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::diagnostics::{quantile_of_sorted, sorted};
use crate::plots::panel::{finite_range, padded};
use crate::plots::{Plot, PlotError, chain_color};
use crate::results::fit::{ElementChains, Fit};
use crate::site::{ModelSites, Role, SiteList, SiteSet};
use crate::special::wrap_angle;

/// Forest plot of a fit (ArviZ's `plot_forest`, bayesplot's `mcmc_intervals`): one row per
/// scalar element of the chosen sites, a point at the median, a thick line over the central 50%
/// interval and a thin one over the central [`interval`](ForestPlot::interval) (90% by default,
/// the interval the summary prints). [`per_chain`](ForestPlot::per_chain) draws one line per
/// chain, which shows chains that disagree. Circular sites get intervals around their circular
/// mean.
///
/// # Example
///
/// ```
/// use model_runtime::plots::{self, Plot};
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn schools(y: &[f64], sigma: &[f64]) {
///     let mu = sample!("mu", Normal::new(0.0, 5.0));
///     let tau = sample!("tau", HalfCauchy::new(5.0));
///     plate!("schools", y.len(), |j| {
///         let theta = sample!("theta", Normal::new(mu, tau));
///         sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
///     });
/// }
///
/// let model = schools(&[28.0, 8.0, -3.0], &[15.0, 10.0, 16.0])
///     .reparam(|r| r.theta(LocScaleReparam::default()));
/// let fit = Nuts::default().warmup(200).samples(200).chains(2).run(&model)?;
/// let svg = plots::forest(&fit).sites(schools::site::theta).per_chain(true).to_svg()?;
/// assert!(svg.contains("theta[2]"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ForestPlot<'a, S: ModelSites> {
    fit: &'a Fit<S>,
    sites: SiteSet<S>,
    per_chain: bool,
    interval: f64,
}

/// The forest plot of every latent and deterministic site of `fit` (see [`ForestPlot`]).
pub fn forest<S: ModelSites>(fit: &Fit<S>) -> ForestPlot<'_, S> {
    ForestPlot {
        fit,
        sites: SiteSet::with_roles(&[Role::Latent, Role::Deterministic]),
        per_chain: false,
        interval: 0.9,
    }
}

impl<S: ModelSites> ForestPlot<'_, S> {
    /// Plots only these sites: a marker or a tuple of markers.
    pub fn sites<L: SiteList<S>>(mut self, sites: L) -> Self {
        self.sites = SiteSet::of(sites);
        self
    }

    /// One line per chain instead of one for all draws.
    pub fn per_chain(mut self, per_chain: bool) -> Self {
        self.per_chain = per_chain;
        self
    }

    /// The mass of the thin interval (default 0.9), clamped to `[0.5, 1)`.
    pub fn interval(mut self, mass: f64) -> Self {
        self.interval = if mass.is_finite() {
            mass.clamp(0.5, 0.999)
        } else {
            0.9
        };
        self
    }
}

/// Median and central intervals of one set of draws.
struct Line {
    median: f64,
    inner: (f64, f64),
    outer: (f64, f64),
}

impl Line {
    fn of(draws: &[f64], circular: bool, mass: f64) -> Option<Line> {
        let mut values: Vec<f64> = draws.iter().copied().filter(|v| v.is_finite()).collect();
        if values.is_empty() {
            return None;
        }
        if circular {
            // Angles unwrapped around their circular mean, so an interval straddling ±π is
            // one interval and not the whole circle.
            let (s, c) = values
                .iter()
                .fold((0.0, 0.0), |(s, c), a| (s + a.sin(), c + a.cos()));
            let mean = s.atan2(c);
            for v in &mut values {
                *v = mean + wrap_angle(*v - mean);
            }
        }
        let sorted = sorted(&values);
        let q = |p: f64| quantile_of_sorted(&sorted, p);
        let tail = (1.0 - mass) / 2.0;
        Some(Line {
            median: q(0.5),
            inner: (q(0.25), q(0.75)),
            outer: (q(tail), q(1.0 - tail)),
        })
    }
}

impl<S: ModelSites> Plot for ForestPlot<'_, S> {
    fn size(&self) -> (u32, u32) {
        let rows = self.fit.element_chains(&self.sites).len().max(1) as u32;
        let per_row = if self.per_chain {
            14 * self.fit.chains().len() as u32 + 8
        } else {
            24
        };
        (700, 70 + per_row * rows)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let elements = self.fit.element_chains(&self.sites);
        if elements.is_empty() {
            return Err(PlotError::Empty(
                "the chosen sites have no draws in this fit".into(),
            ));
        }
        // Per element, its lines: one per chain, or one of all chains' draws.
        let lines: Vec<Vec<Option<Line>>> = elements
            .iter()
            .map(|e: &ElementChains| {
                if self.per_chain {
                    e.chains
                        .iter()
                        .map(|c| Line::of(c, e.circular, self.interval))
                        .collect()
                } else {
                    vec![Line::of(&e.chains.concat(), e.circular, self.interval)]
                }
            })
            .collect();
        let x = finite_range(
            lines
                .iter()
                .flatten()
                .flatten()
                .flat_map(|l| [&l.outer.0, &l.outer.1]),
        )
        .unwrap_or((0.0, 1.0));
        let rows = elements.len() as f64;
        let title = format!(
            "median, 50% and {}% intervals",
            (100.0 * self.interval).round()
        );
        // The y axis runs from the last element (bottom) to the first (top); labels are the
        // element names, drawn in the label area by the formatter.
        let names: Vec<&str> = elements.iter().map(|e| e.name.as_str()).collect();
        let label = |y: &f64| {
            let row = (rows - 1.0 - y).round();
            if (y - y.round()).abs() < 1e-6 && row >= 0.0 && (row as usize) < names.len() {
                names[row as usize].to_string()
            } else {
                String::new()
            }
        };
        let longest = names.iter().map(|n| n.len()).max().unwrap_or(1) as u32;
        super::font::register();
        let mut chart = ChartBuilder::on(area)
            .margin(8)
            .caption(title, ("sans-serif", super::panel::TITLE_SIZE))
            .x_label_area_size(24)
            .y_label_area_size(12 + 8 * longest)
            .build_cartesian_2d(padded(x), -0.6..(rows - 0.4))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .set_tick_mark_size(LabelAreaPosition::Left, 0)
            .light_line_style(TRANSPARENT)
            .bold_line_style(super::panel::GRID)
            .x_labels(6)
            .y_labels(2 * elements.len() + 1)
            .label_style(("sans-serif", super::panel::LABEL_SIZE))
            .x_label_formatter(&super::panel::tick)
            .y_label_formatter(&label)
            .draw()?;
        for (row, element_lines) in lines.iter().enumerate() {
            let centre = rows - 1.0 - row as f64;
            let count = element_lines.len();
            for (k, line) in element_lines.iter().enumerate() {
                let Some(line) = line else { continue };
                // Chains spread over a band of 0.6 around the row's centre, first on top.
                let offset = if count > 1 {
                    0.3 - 0.6 * k as f64 / (count - 1) as f64
                } else {
                    0.0
                };
                let y = centre + offset;
                let color = if count > 1 {
                    chain_color(k)
                } else {
                    chain_color(0)
                };
                chart.draw_series([
                    PathElement::new(
                        vec![(line.outer.0, y), (line.outer.1, y)],
                        color.stroke_width(1),
                    ),
                    PathElement::new(
                        vec![(line.inner.0, y), (line.inner.1, y)],
                        color.stroke_width(4),
                    ),
                ])?;
                chart.draw_series(std::iter::once(Circle::new(
                    (line.median, y),
                    4,
                    WHITE.filled(),
                )))?;
                chart.draw_series(std::iter::once(Circle::new(
                    (line.median, y),
                    4,
                    color.stroke_width(2),
                )))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_central_intervals() {
        let draws: Vec<f64> = (0..=100).map(f64::from).collect();
        let line = Line::of(&draws, false, 0.9).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(line.median, 50.0));
        assert!(close(line.inner.0, 25.0) && close(line.inner.1, 75.0));
        assert!(close(line.outer.0, 5.0) && close(line.outer.1, 95.0));
    }

    #[test]
    fn circular_lines_do_not_wrap() {
        use core::f64::consts::PI;
        let draws = [PI - 0.1, -PI + 0.1, PI - 0.05, -PI + 0.05, PI];
        let line = Line::of(&draws, true, 0.9).unwrap();
        assert!(line.outer.1 - line.outer.0 < 0.25, "{:?}", line.outer);
        assert!((line.median.abs() - PI).abs() < 1e-9);
    }
}
