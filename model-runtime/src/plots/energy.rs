//! Energy plot: the marginal energy distribution against the distribution of energy changes
//! between draws (Betancourt 2016, "Diagnosing suboptimal cotangent disintegrations in
//! Hamiltonian Monte Carlo").

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::diagnostics::e_bfmi;
use crate::plots::density::kde;
use crate::plots::panel::{finite_range, from_zero, legend, padded, panel};
use crate::plots::{DIVERGENT, Plot, PlotError, chain_color};
use crate::results::fit::Fit;
use crate::site::ModelSites;

/// Energy plot (ArviZ's `plot_energy`): the density of the Hamiltonian's energy at the draws,
/// centred, beside the density of its change from one draw to the next. When the transitions'
/// density is much narrower than the marginal one, momentum resampling cannot move the chain
/// through the energy levels quickly and the sampler explores the tails slowly; the legend
/// gives each chain's E-BFMI, the ratio of the two variances, in red below 0.3 (Stan's
/// threshold).
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
/// }
///
/// let fit = Nuts::default().warmup(200).samples(200).chains(2).run(&m())?;
/// let svg = plots::energy(&fit).to_svg()?;
/// assert!(svg.contains("E-BFMI chain 1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct EnergyPlot<'a, S: ModelSites> {
    fit: &'a Fit<S>,
}

/// The energy plot of `fit` (see [`EnergyPlot`]).
pub fn energy<S: ModelSites>(fit: &Fit<S>) -> EnergyPlot<'_, S> {
    EnergyPlot { fit }
}

/// Stan's threshold for a low E-BFMI.
const LOW_E_BFMI: f64 = 0.3;

impl<S: ModelSites> Plot for EnergyPlot<'_, S> {
    fn size(&self) -> (u32, u32) {
        (700, 420)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let chains: Vec<Vec<f64>> = self
            .fit
            .chains()
            .iter()
            .map(|c| c.sampler.stats.iter().map(|s| s.energy).collect())
            .collect();
        // Marginal: each chain's energies about its own mean; transitions: differences of
        // consecutive energies within a chain. Both pooled over chains, as ArviZ does.
        let mut marginal = Vec::new();
        let mut transitions = Vec::new();
        for energies in &chains {
            let mean = energies.iter().sum::<f64>() / energies.len().max(1) as f64;
            marginal.extend(energies.iter().map(|e| e - mean));
            transitions.extend(energies.windows(2).map(|w| w[1] - w[0]));
        }
        let curves = [
            ("marginal energy", kde(&marginal), chain_color(0)),
            ("energy transition", kde(&transitions), chain_color(1)),
        ];
        if curves.iter().all(|(_, c, _)| c.is_none()) {
            return Err(PlotError::Empty(
                "the fit has too few draws for an energy plot".into(),
            ));
        }
        let x = finite_range(
            curves
                .iter()
                .filter_map(|(_, c, _)| c.as_ref())
                .flat_map(|c| &c.x),
        )
        .unwrap_or((0.0, 1.0));
        let top = curves
            .iter()
            .filter_map(|(_, c, _)| c.as_ref())
            .flat_map(|c| &c.y)
            .fold(0.0_f64, |m, &y| m.max(y));
        let mut chart = panel(area, "energy", padded(x), from_zero(top), false)?;
        for (label, curve, color) in curves {
            let Some(curve) = curve else { continue };
            let points = curve.points();
            chart.draw_series(AreaSeries::new(points.clone(), 0.0, color.mix(0.25)))?;
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 16, y + 5)], color.mix(0.6).filled())
                });
        }
        // One legend entry per chain with its E-BFMI; drawn as empty series so they list in
        // the legend box.
        for (c, energies) in chains.iter().enumerate() {
            let text = match e_bfmi(energies) {
                Some(value) => format!("E-BFMI chain {c}: {value:.2}"),
                None => format!("E-BFMI chain {c}: n/a"),
            };
            let low = e_bfmi(energies).is_some_and(|v| v < LOW_E_BFMI);
            let color = if low { DIVERGENT } else { BLACK };
            chart
                .draw_series(core::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(text)
                .legend(move |(x, y)| Circle::new((x + 8, y), 3, color.filled()));
        }
        legend(&mut chart)
    }
}
