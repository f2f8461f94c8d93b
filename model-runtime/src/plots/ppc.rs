//! Posterior (or prior) predictive check: observed data against data sets replicated by
//! Predictive.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::diagnostics::{quantile_of_sorted, sorted};
use crate::error::ModelError;
use crate::model::{Body, Model};
use crate::plots::density::{Curve, kde_on};
use crate::plots::panel::{described_panel, finite_range, from_zero, legend, padded, panel};
use crate::plots::{Plot, PlotError, chain_color};
use crate::site::{Flatten, ModelSites, Role, SampleSite, Site, SiteVisitor};

/// What a predictive check draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PpcKind {
    /// The density of the observed data (black) over the densities of replicated data sets
    /// (blue) and their mean (dashed): ArviZ's `plot_ppc`, bayesplot's `ppc_dens_overlay`.
    /// Integer-valued data are drawn as bars of the observed counts per value with the
    /// replicated counts' median and 90% interval (bayesplot's `ppc_bars`).
    #[default]
    Density,
    /// Per observation, in data order, the 50% and 90% intervals of its replicated values and
    /// the observed value as a point (bayesplot's `ppc_intervals`): shows which observations
    /// the model fails to predict.
    Intervals,
}

/// A predictive check: for every observed site, its data against data sets drawn by
/// [`Predictive`](crate::Predictive) (posterior draws for a posterior predictive check, prior
/// draws for a prior predictive check). Made by [`ppc`].
///
/// # Example
///
/// ```
/// use model_runtime::plots::{self, Plot, PpcKind};
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn mean(y: &[f64]) {
///     let mu = sample!("mu", Normal::new(0.0, 10.0));
///     let sigma = sample!("sigma", HalfNormal::new(5.0));
///     plate!("data", y.len(), |i| {
///         sample!("y", Normal::new(mu, sigma), obs = y[i]);
///     });
/// }
///
/// let y = [0.3, -0.5, 1.2, 0.8, 2.1, -0.2];
/// let model = mean(&y);
/// let fit = Nuts::default().warmup(200).samples(100).chains(2).run(&model)?;
/// let replicated = Predictive::posterior(&fit).seed(1).run(&model)?;
/// let svg = plots::ppc(&model, &replicated)?.to_svg()?;
/// assert!(svg.contains("observed"));
/// let intervals = plots::ppc(&model, &replicated)?.kind(PpcKind::Intervals).to_svg()?;
/// assert!(intervals.contains("observation"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PpcPlot {
    sites: Vec<ObservedSite>,
    kind: PpcKind,
    replicates: usize,
}

/// One observed site: its data and its replicated data sets, flattened.
#[derive(Debug, Clone)]
struct ObservedSite {
    name: &'static str,
    observed: Vec<f64>,
    replicated: Vec<Vec<f64>>,
}

/// The predictive check of `model`'s observed sites against `predictions`, the draws of
/// `Predictive::posterior(&fit).run(&model)` or `Predictive::prior(n).run(&model)`. The
/// model is run once to read its data.
pub fn ppc<M>(
    model: &M,
    predictions: &<M::Sites as ModelSites>::Draws,
) -> Result<PpcPlot, ModelError>
where
    M: Model + Body<f64>,
{
    let data = crate::results::observed_data(model)?;
    struct Observed<'a, S: ModelSites> {
        data: &'a S::Draw,
        predictions: &'a S::Draws,
        out: Vec<ObservedSite>,
    }
    impl<S: ModelSites> SiteVisitor<S> for Observed<'_, S> {
        fn site<T: Site<Model = S>>(&mut self) {}
        fn sample<T: SampleSite<Model = S>>(&mut self) {
            if T::ROLE != Role::Observed {
                return;
            }
            let mut observed = Vec::new();
            T::field(self.data).flatten_into(&mut observed);
            let replicated = T::column(self.predictions)
                .iter()
                .map(|value| {
                    let mut flat = Vec::with_capacity(observed.len());
                    value.flatten_into(&mut flat);
                    flat
                })
                .collect();
            self.out.push(ObservedSite {
                name: T::NAME,
                observed,
                replicated,
            });
        }
    }
    let mut visitor = Observed::<M::Sites> {
        data: &data,
        predictions,
        out: Vec::new(),
    };
    M::Sites::visit(&mut visitor);
    Ok(PpcPlot {
        sites: visitor.out,
        kind: PpcKind::Density,
        replicates: 50,
    })
}

impl PpcPlot {
    /// Densities (default) or per-observation intervals.
    pub fn kind(mut self, kind: PpcKind) -> Self {
        self.kind = kind;
        self
    }

    /// How many replicated data sets a density check overlays (default 50, ArviZ's
    /// `num_pp_samples` in spirit); the mean and the intervals use them all.
    pub fn replicates(mut self, replicates: usize) -> Self {
        self.replicates = replicates.max(1);
        self
    }

    /// The observed sites that have replicated data.
    fn drawn(&self) -> Vec<&ObservedSite> {
        self.sites
            .iter()
            .filter(|s| !s.observed.is_empty() && !s.replicated.is_empty())
            .collect()
    }
}

impl Plot for PpcPlot {
    fn size(&self) -> (u32, u32) {
        (800, 360 * self.drawn().len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let sites = self.drawn();
        if sites.is_empty() {
            return Err(PlotError::Empty(
                "no observed site has both data and replicated draws; pass draws of Predictive that include the observed sites".into(),
            ));
        }
        for (site, area) in sites.iter().zip(area.split_evenly((sites.len(), 1))) {
            match self.kind {
                PpcKind::Density if site.is_discrete() => bars(&area, site)?,
                PpcKind::Density => densities(&area, site, self.replicates)?,
                PpcKind::Intervals => intervals(&area, site)?,
            }
        }
        Ok(())
    }
}

/// Whether every value is a whole number (counts, categories, 0/1 outcomes).
fn is_integer(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite() && v.fract() == 0.0)
}

/// Most distinct values a bar chart of counts draws; wider integer data (test scores, large
/// counts) read better as densities.
const MAX_BARS: f64 = 60.0;

impl ObservedSite {
    /// Whether the data and their replications are counts over a range narrow enough for
    /// bars.
    fn is_discrete(&self) -> bool {
        is_integer(&self.observed)
            && self.replicated.iter().all(|r| is_integer(r))
            && finite_range(self.replicated.iter().flatten().chain(&self.observed))
                .is_some_and(|(lo, hi)| hi - lo <= MAX_BARS)
    }
}

const OBSERVED: RGBColor = RGBColor(0, 0, 0);
const MEAN: RGBColor = RGBColor(0xff, 0x7f, 0x0e);

fn densities<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    site: &ObservedSite,
    replicates: usize,
) -> Result<(), PlotError> {
    let (lo, hi) =
        finite_range(site.replicated.iter().flatten().chain(&site.observed)).unwrap_or((0.0, 1.0));
    let curves: Vec<Curve> = site
        .replicated
        .iter()
        .filter_map(|values| kde_on(values, lo, hi))
        .collect();
    let observed = kde_on(&site.observed, lo, hi);
    // The mean of the replicated densities, all on the same grid.
    let mean = curves.first().map(|first| Curve {
        x: first.x.clone(),
        y: (0..first.x.len())
            .map(|k| curves.iter().map(|c| c.y[k]).sum::<f64>() / curves.len() as f64)
            .collect(),
        support: (lo, hi),
    });
    let shown = &curves[..curves.len().min(replicates)];
    let top = shown
        .iter()
        .chain(&observed)
        .flat_map(|c| &c.y)
        .fold(0.0_f64, |m, &y| m.max(y));
    let mut chart = panel(area, site.name, padded((lo, hi)), from_zero(top), false)?;
    let line = Curve::points;
    for (k, curve) in shown.iter().enumerate() {
        let series = chart.draw_series(LineSeries::new(line(curve), chain_color(0).mix(0.2)))?;
        if k == 0 {
            series.label("replicated").legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], chain_color(0).stroke_width(2))
            });
        }
    }
    if let Some(mean) = &mean {
        chart
            .draw_series(DashedLineSeries::new(
                line(mean),
                6,
                4,
                MEAN.stroke_width(2),
            ))?
            .label("replicated mean")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], MEAN.stroke_width(2)));
    }
    if let Some(observed) = &observed {
        chart
            .draw_series(LineSeries::new(line(observed), OBSERVED.stroke_width(3)))?
            .label("observed")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], OBSERVED.stroke_width(3)));
    }
    legend(&mut chart)
}

/// Observed counts per value as bars; replicated counts' median and 90% interval as points
/// with whiskers.
fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    site: &ObservedSite,
) -> Result<(), PlotError> {
    let (lo, hi) =
        finite_range(site.replicated.iter().flatten().chain(&site.observed)).unwrap_or((0.0, 1.0));
    // At most `MAX_BARS` + 1 values (`is_discrete`).
    let (lo, hi) = (lo as i64, hi as i64);
    let values = (hi - lo + 1).max(1) as usize;
    let count = |data: &[f64]| {
        let mut counts = vec![0.0; values];
        for &v in data {
            let k = v as i64 - lo;
            if (0..values as i64).contains(&k) {
                counts[k as usize] += 1.0;
            }
        }
        counts
    };
    let observed = count(&site.observed);
    let replicated: Vec<Vec<f64>> = site.replicated.iter().map(|r| count(r)).collect();
    let summaries: Vec<(f64, f64, f64)> = (0..values)
        .map(|k| {
            let column = sorted(&replicated.iter().map(|r| r[k]).collect::<Vec<_>>());
            (
                quantile_of_sorted(&column, 0.05),
                quantile_of_sorted(&column, 0.5),
                quantile_of_sorted(&column, 0.95),
            )
        })
        .collect();
    let top = summaries
        .iter()
        .map(|s| s.2)
        .chain(observed.iter().copied())
        .fold(0.0_f64, f64::max);
    let x = (lo as f64 - 0.6)..(hi as f64 + 0.6);
    let mut chart = panel(area, site.name, x, from_zero(top), true)?;
    chart
        .draw_series(observed.iter().enumerate().map(|(k, &c)| {
            let v = (lo + k as i64) as f64;
            Rectangle::new(
                [(v - 0.4, 0.0), (v + 0.4, c)],
                RGBColor(0xbb, 0xbb, 0xbb).filled(),
            )
        }))?
        .label("observed")
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 5), (x + 16, y + 5)],
                RGBColor(0xbb, 0xbb, 0xbb).filled(),
            )
        });
    chart
        .draw_series(summaries.iter().enumerate().map(|(k, &(low, _, high))| {
            let v = (lo + k as i64) as f64;
            PathElement::new(vec![(v, low), (v, high)], chain_color(0).stroke_width(2))
        }))?
        .label("replicated 90%")
        .legend(|(x, y)| {
            PathElement::new(vec![(x, y), (x + 16, y)], chain_color(0).stroke_width(2))
        });
    chart.draw_series(summaries.iter().enumerate().map(|(k, &(_, median, _))| {
        let v = (lo + k as i64) as f64;
        Circle::new((v, median), 4, chain_color(0).filled())
    }))?;
    legend(&mut chart)
}

/// Per observation: the replicated 50% and 90% intervals and the observed value.
fn intervals<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    site: &ObservedSite,
) -> Result<(), PlotError> {
    let n = site.observed.len();
    let lines: Vec<[f64; 5]> = (0..n)
        .map(|i| {
            let column = sorted(
                &site
                    .replicated
                    .iter()
                    .filter_map(|r| r.get(i).copied())
                    .filter(|v| v.is_finite())
                    .collect::<Vec<_>>(),
            );
            if column.is_empty() {
                return [f64::NAN; 5];
            }
            [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| quantile_of_sorted(&column, p))
        })
        .collect();
    let y = finite_range(lines.iter().flatten().chain(&site.observed)).unwrap_or((0.0, 1.0));
    let title = format!("{}: by observation", site.name);
    let x = -0.5..(n as f64 - 0.5);
    let mut chart = described_panel(area, &title, Some("observation"), x, padded(y), true)?;
    chart
        .draw_series(lines.iter().enumerate().map(|(i, q)| {
            let x = i as f64;
            PathElement::new(
                vec![(x, q[0]), (x, q[4])],
                chain_color(0).mix(0.5).stroke_width(1),
            )
        }))?
        .label("replicated 90%")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], chain_color(0).mix(0.5)));
    chart
        .draw_series(lines.iter().enumerate().map(|(i, q)| {
            let x = i as f64;
            PathElement::new(vec![(x, q[1]), (x, q[3])], chain_color(0).stroke_width(3))
        }))?
        .label("replicated 50%")
        .legend(|(x, y)| {
            PathElement::new(vec![(x, y), (x + 16, y)], chain_color(0).stroke_width(3))
        });
    chart
        .draw_series(
            site.observed
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, &v)| Circle::new((i as f64, v), 3, OBSERVED.filled())),
        )?
        .label("observed")
        .legend(|(x, y)| Circle::new((x + 8, y), 3, OBSERVED.filled()));
    legend(&mut chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_told_from_reals() {
        assert!(is_integer(&[0.0, 3.0, 12.0]));
        assert!(!is_integer(&[0.0, 0.5]));
        assert!(!is_integer(&[f64::NAN]));
    }
}
