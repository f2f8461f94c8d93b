//! Pair plot: every pair of chosen elements as a scatter of draws, divergent draws marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::plots::density;
use crate::plots::panel::{finite_range, from_zero, padded, panel};
use crate::plots::{DIVERGENT, Plot, PlotError, chain_color};
use crate::results::fit::{ElementChains, Fit};
use crate::site::{ModelSites, Role, SiteList, SiteSet};

/// Pair plot (ArviZ's `plot_pair`, bayesplot's `mcmc_pairs`): for chosen scalar elements, the
/// density of each on the diagonal and the scatter of every pair below it, all chains' draws
/// together, divergent transitions in red on top. Divergences that gather in one corner (the
/// neck of a funnel) show where the sampler fails and which parameter to reparameterize.
/// Without [`sites`](PairPlot::sites), the first [`max_elements`](PairPlot::max_elements)
/// latent elements are drawn.
///
/// # Example
///
/// ```
/// use model_runtime::plots::{self, Plot};
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn funnel() {
///     let v = sample!("v", Normal::new(0.0, 3.0));
///     sample!("x", Normal::new(0.0, (v / 2.0).exp()));
/// }
///
/// let fit = Nuts::default().warmup(200).samples(300).chains(2).run(&funnel())?;
/// let svg = plots::pair(&fit).sites((funnel::site::v, funnel::site::x)).to_svg()?;
/// assert!(svg.contains("\nv\n") && svg.contains("\nx\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PairPlot<'a, S: ModelSites> {
    fit: &'a Fit<S>,
    sites: SiteSet<S>,
    max_elements: usize,
}

/// The pair plot of the latent sites of `fit` (see [`PairPlot`]).
pub fn pair<S: ModelSites>(fit: &Fit<S>) -> PairPlot<'_, S> {
    PairPlot {
        fit,
        sites: SiteSet::with_roles(&[Role::Latent]),
        max_elements: 6,
    }
}

impl<S: ModelSites> PairPlot<'_, S> {
    /// Plots these sites: a marker or a tuple of markers.
    pub fn sites<L: SiteList<S>>(mut self, sites: L) -> Self {
        self.sites = SiteSet::of(sites);
        self
    }

    /// At most this many elements (default 6), in program order: the grid has their square
    /// of panels.
    pub fn max_elements(mut self, elements: usize) -> Self {
        self.max_elements = elements.max(1);
        self
    }

    fn elements(&self) -> Vec<ElementChains> {
        let mut elements = self.fit.element_chains(&self.sites);
        elements.truncate(self.max_elements);
        elements
    }
}

impl<S: ModelSites> Plot for PairPlot<'_, S> {
    fn size(&self) -> (u32, u32) {
        let k = self.elements().len().max(1) as u32;
        let side = (260 * k).max(400);
        (side, side)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let elements = self.elements();
        if elements.is_empty() {
            return Err(PlotError::Empty(
                "the chosen sites have no draws in this fit".into(),
            ));
        }
        // All chains' draws in one column per element, and which of them are divergent.
        let columns: Vec<Vec<f64>> = elements.iter().map(|e| e.chains.concat()).collect();
        let divergent: Vec<bool> = self
            .fit
            .chains()
            .iter()
            .zip(&elements[0].chains)
            .flat_map(|(chain, draws)| {
                (0..draws.len()).map(|i| chain.sampler.stats.get(i).is_some_and(|s| s.divergent))
            })
            .collect();
        let k = elements.len();
        let cells = area.split_evenly((k, k));
        for (row, a) in elements.iter().enumerate() {
            for (col, b) in elements.iter().enumerate() {
                let cell = &cells[row * k + col];
                if row == col {
                    diagonal(cell, a, &columns[row])?;
                } else if row > col {
                    scatter(
                        cell,
                        (&b.name, &columns[col]),
                        (&a.name, &columns[row]),
                        &divergent,
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// The density of one element's draws, titled with its name.
fn diagonal<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    element: &ElementChains,
    draws: &[f64],
) -> Result<(), PlotError> {
    let curve = if element.circular {
        density::circular_kde(draws)
    } else {
        density::kde(draws)
    };
    let x = finite_range(draws).unwrap_or((0.0, 1.0));
    let top = curve
        .as_ref()
        .map_or(1.0, |c| c.y.iter().fold(0.0_f64, |m, &y| m.max(y)));
    let mut chart = panel(area, &element.name, padded(x), from_zero(top), false)?;
    if let Some(curve) = curve {
        let points = curve.points();
        chart.draw_series(LineSeries::new(points, chain_color(0).stroke_width(2)))?;
    }
    Ok(())
}

/// `y` against `x`, one point per draw, the divergent draws drawn last in red.
fn scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x_name, x): (&str, &[f64]),
    (y_name, y): (&str, &[f64]),
    divergent: &[bool],
) -> Result<(), PlotError> {
    let x_range = padded(finite_range(x).unwrap_or((0.0, 1.0)));
    let y_range = padded(finite_range(y).unwrap_or((0.0, 1.0)));
    let title = format!("{y_name} vs {x_name}");
    let mut chart = panel(area, &title, x_range, y_range, true)?;
    let points = || {
        x.iter()
            .zip(y)
            .zip(divergent.iter().chain(core::iter::repeat(&false)))
            .filter(|((x, y), _)| x.is_finite() && y.is_finite())
    };
    chart.draw_series(
        points()
            .filter(|(_, d)| !**d)
            .map(|((&x, &y), _)| Circle::new((x, y), 2, chain_color(0).mix(0.35).filled())),
    )?;
    chart.draw_series(
        points()
            .filter(|(_, d)| **d)
            .map(|((&x, &y), _)| Circle::new((x, y), 3, DIVERGENT.filled())),
    )?;
    Ok(())
}
