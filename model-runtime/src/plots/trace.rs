//! Trace and rank plots: one row per scalar element, each chain's density on the left and its
//! trace (or rank histogram) on the right, as ArviZ's `plot_trace` and `plot_rank` draw them.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::plots::density::{self, rank_bins};
use crate::plots::panel::{Chart, finite_range, from_zero, padded, panel};
use crate::plots::{Plot, PlotError, chain_color};
use crate::results::fit::{ElementChains, Fit};
use crate::site::{ModelSites, Role, SiteList, SiteSet};

/// Trace plot of a fit: for every scalar element of the chosen sites (all latent and
/// deterministic sites unless [`sites`](TracePlot::sites) says otherwise), each chain's
/// density and its draws in order, divergent transitions marked as black ticks under the trace.
/// [`rank`](TracePlot::rank) replaces the traces with rank histograms per chain (Vehtari et al.
/// 2021): chains that mix well have flat, alike histograms.
///
/// # Example
///
/// ```
/// use model_runtime::plots::{self, Plot};
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn m() {
///     sample!("mu", Normal::new(0.0, 1.0));
///     sample!("tau", HalfNormal::new(1.0));
/// }
///
/// let fit = Nuts::default().warmup(200).samples(200).chains(2).run(&m())?;
/// let svg = plots::trace(&fit).sites(m::site::tau).rank(true).to_svg()?;
/// assert!(svg.contains("\ntau\n") && !svg.contains("\nmu\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TracePlot<'a, S: ModelSites> {
    fit: &'a Fit<S>,
    sites: SiteSet<S>,
    rank: bool,
    max_rows: usize,
}

/// The trace plot of every latent and deterministic site of `fit` (see [`TracePlot`]).
pub fn trace<S: ModelSites>(fit: &Fit<S>) -> TracePlot<'_, S> {
    TracePlot {
        fit,
        sites: SiteSet::with_roles(&[Role::Latent, Role::Deterministic]),
        rank: false,
        max_rows: 20,
    }
}

impl<S: ModelSites> TracePlot<'_, S> {
    /// Plots only these sites: a marker or a tuple of markers, `(m::site::mu, m::site::tau)`.
    pub fn sites<L: SiteList<S>>(mut self, sites: L) -> Self {
        self.sites = SiteSet::of(sites);
        self
    }

    /// Rank histograms per chain instead of traces.
    pub fn rank(mut self, rank: bool) -> Self {
        self.rank = rank;
        self
    }

    /// At most this many elements (rows) are drawn, in program order (default 20): a site with
    /// thousands of elements would otherwise make an unreadable picture.
    pub fn max_rows(mut self, rows: usize) -> Self {
        self.max_rows = rows.max(1);
        self
    }

    fn elements(&self) -> Vec<ElementChains> {
        let mut elements = self.fit.element_chains(&self.sites);
        elements.truncate(self.max_rows);
        elements
    }

    /// Per chain, the indices of its divergent draws.
    fn divergent(&self) -> Vec<Vec<usize>> {
        self.fit
            .chains()
            .iter()
            .map(|c| {
                c.sampler
                    .stats
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.divergent)
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect()
    }
}

impl<S: ModelSites> Plot for TracePlot<'_, S> {
    fn size(&self) -> (u32, u32) {
        let rows = self.elements().len().max(1) as u32;
        (1000, 170 * rows)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let elements = self.elements();
        if elements.is_empty() {
            return Err(PlotError::Empty(
                "the chosen sites have no draws in this fit".into(),
            ));
        }
        let divergent = self.divergent();
        let rows = area.split_evenly((elements.len(), 1));
        for (element, row) in elements.iter().zip(&rows) {
            let (left, right) = row.split_horizontally(row.dim_in_pixel().0 * 2 / 5);
            draw_density(&left, element)?;
            if self.rank {
                draw_ranks(&right, element)?;
            } else {
                draw_trace(&right, element, &divergent)?;
            }
        }
        Ok(())
    }
}

/// Each chain's density of one element (wrapped on the circle for a circular site).
fn draw_density<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    element: &ElementChains,
) -> Result<(), PlotError> {
    let curves: Vec<_> = element
        .chains
        .iter()
        .map(|draws| {
            if element.circular {
                density::circular_kde(draws)
            } else {
                density::kde(draws)
            }
        })
        .collect();
    let x = finite_range(curves.iter().flatten().flat_map(|c| &c.x)).unwrap_or((0.0, 1.0));
    let top = curves
        .iter()
        .flatten()
        .flat_map(|c| &c.y)
        .fold(0.0_f64, |m, &y| m.max(y));
    let mut chart = panel(area, &element.name, padded(x), from_zero(top), false)?;
    for (c, curve) in curves.iter().enumerate() {
        if let Some(curve) = curve {
            let points = curve.points();
            chart.draw_series(LineSeries::new(points, chain_color(c).stroke_width(2)))?;
        }
    }
    Ok(())
}

/// Each chain's draws in order, divergent draws as red ticks at the bottom.
fn draw_trace<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    element: &ElementChains,
    divergent: &[Vec<usize>],
) -> Result<(), PlotError> {
    let length = element.chains.iter().map(Vec::len).max().unwrap_or(0);
    let y = finite_range(element.chains.iter().flatten()).unwrap_or((0.0, 1.0));
    let y = padded(y);
    let bottom = y.start;
    let tick = 0.06 * (y.end - y.start);
    let mut chart: Chart<'_, DB> = panel(area, "", 0.0..length.max(1) as f64, y, true)?;
    for (c, draws) in element.chains.iter().enumerate() {
        let points = draws.iter().enumerate().map(|(i, &v)| (i as f64, v));
        chart.draw_series(LineSeries::new(points, chain_color(c).mix(0.75)))?;
    }
    // Divergent draws as ticks at the bottom, black as ArviZ draws them (red is a chain's
    // colour here).
    for &i in divergent.iter().flatten().filter(|&&i| i < length) {
        let x = i as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, bottom), (x, bottom + tick)],
            BLACK.stroke_width(2),
        )))?;
    }
    Ok(())
}

/// Rank histograms: the draws of all chains are ranked together, and each chain's ranks are
/// binned; chain `c`'s bars stand on the line `y = c`, scaled so that the count a uniform rank
/// distribution expects reaches the dashed line at `y = c + 0.5`.
fn draw_ranks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    element: &ElementChains,
) -> Result<(), PlotError> {
    let ranks = pooled_ranks(&element.chains);
    let total: usize = ranks.iter().map(Vec::len).sum();
    let bins = rank_bins(total / element.chains.len().max(1));
    let chains = element.chains.len() as f64;
    let mut chart = panel(area, "", 0.0..total.max(1) as f64, 0.0..chains, true)?;
    for (c, chain_ranks) in ranks.iter().enumerate() {
        let counts = density::histogram(chain_ranks, 0.0, total as f64, bins);
        let expected = chain_ranks.len() as f64 / bins as f64;
        let width = total as f64 / bins as f64;
        let base = c as f64;
        chart.draw_series(counts.iter().enumerate().map(|(b, &count)| {
            let height = (0.5 * count as f64 / expected).min(0.95);
            Rectangle::new(
                [
                    (b as f64 * width, base),
                    ((b + 1) as f64 * width, base + height),
                ],
                chain_color(c).mix(0.8).filled(),
            )
        }))?;
        chart.draw_series(DashedLineSeries::new(
            [(0.0, base + 0.5), (total as f64, base + 0.5)],
            4,
            3,
            BLACK.stroke_width(1),
        ))?;
    }
    Ok(())
}

/// The rank of every draw among all chains' draws together (0 for the smallest; ties share
/// their first rank), per chain.
fn pooled_ranks(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut all: Vec<(f64, usize, usize)> = chains
        .iter()
        .enumerate()
        .flat_map(|(c, draws)| draws.iter().enumerate().map(move |(i, &v)| (v, c, i)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks: Vec<Vec<f64>> = chains.iter().map(|d| vec![0.0; d.len()]).collect();
    let mut first = 0;
    for (k, &(v, c, i)) in all.iter().enumerate() {
        if k > 0 && all[k - 1].0 != v {
            first = k;
        }
        ranks[c][i] = first as f64;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_pooled_over_chains() {
        let ranks = pooled_ranks(&[vec![3.0, 1.0], vec![2.0, 2.0, 0.0]]);
        assert_eq!(ranks, vec![vec![4.0, 1.0], vec![2.0, 2.0, 0.0]]);
    }
}
