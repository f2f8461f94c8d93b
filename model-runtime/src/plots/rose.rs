//! Rose diagrams of circular sites: the draws of an angle as a histogram around the circle.

use core::f64::consts::{PI, TAU};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::plots::density::histogram;
use crate::plots::panel::{LABEL_SIZE, TITLE_SIZE};
use crate::plots::{Plot, PlotError, chain_color};
use crate::results::fit::{ElementChains, Fit};
use crate::site::{ModelSites, Role, SiteList, SiteSet};
use crate::special::wrap_angle;

/// Rose diagram of every circular element (sites whose distribution is circular, such as
/// `VonMises`, or a `CircularReparam` site): the draws, all chains together, binned into
/// sectors of the circle whose area is proportional to the count (radius ∝ √count, so the
/// eye reads areas right), with the circular mean as an arrow whose length is the mean
/// resultant length (1 when every draw is the same angle). Angles are measured
/// counter-clockwise from the right, as `atan2` returns them.
///
/// # Example
///
/// ```
/// use model_runtime::plots::{self, Plot};
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn heading(y: &[f64]) {
///     let mu = sample!("mu", VonMises::new(0.0, 0.1));
///     plate!("data", y.len(), |i| {
///         sample!("y", VonMises::new(mu, 4.0), obs = y[i]);
///     });
/// }
///
/// let y = [3.0, -3.1, 3.05, 2.9, -3.0];
/// let fit = Nuts::default().warmup(200).samples(200).chains(2).run(&heading(&y))?;
/// let svg = plots::rose(&fit).to_svg()?;
/// assert!(svg.contains("\nmu\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RosePlot<'a, S: ModelSites> {
    fit: &'a Fit<S>,
    sites: SiteSet<S>,
    sectors: usize,
}

/// The rose diagrams of the circular sites of `fit` (see [`RosePlot`]).
pub fn rose<S: ModelSites>(fit: &Fit<S>) -> RosePlot<'_, S> {
    RosePlot {
        fit,
        sites: SiteSet::with_roles(&[Role::Latent, Role::Deterministic]),
        sectors: 24,
    }
}

/// Diagrams per row of the figure.
const PER_ROW: usize = 3;

impl<S: ModelSites> RosePlot<'_, S> {
    /// Draws only these sites (those of them that are circular).
    pub fn sites<L: SiteList<S>>(mut self, sites: L) -> Self {
        self.sites = SiteSet::of(sites);
        self
    }

    /// The number of sectors (default 24, 15° each).
    pub fn sectors(mut self, sectors: usize) -> Self {
        self.sectors = sectors.clamp(4, 360);
        self
    }

    fn elements(&self) -> Vec<ElementChains> {
        self.fit
            .element_chains(&self.sites)
            .into_iter()
            .filter(|e| e.circular)
            .collect()
    }
}

impl<S: ModelSites> Plot for RosePlot<'_, S> {
    fn size(&self) -> (u32, u32) {
        let n = self.elements().len().max(1);
        let columns = n.min(PER_ROW) as u32;
        let rows = n.div_ceil(PER_ROW) as u32;
        (360 * columns, 380 * rows)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let elements = self.elements();
        if elements.is_empty() {
            return Err(PlotError::Empty(
                "no chosen site is circular (a rose diagram is for VonMises sites and CircularReparam sites)".into(),
            ));
        }
        let columns = elements.len().min(PER_ROW);
        let rows = elements.len().div_ceil(PER_ROW);
        let cells = area.split_evenly((rows, columns));
        for (element, cell) in elements.iter().zip(&cells) {
            diagram(cell, element, self.sectors)?;
        }
        Ok(())
    }
}

/// One rose diagram.
fn diagram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    element: &ElementChains,
    sectors: usize,
) -> Result<(), PlotError> {
    let angles: Vec<f64> = element
        .chains
        .iter()
        .flatten()
        .filter(|a| a.is_finite())
        .map(|&a| wrap_angle(a))
        .collect();
    let counts = histogram(&angles, -PI, PI, sectors);
    let largest = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    super::font::register();
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .caption(&element.name, ("sans-serif", TITLE_SIZE))
        .build_cartesian_2d(-1.3..1.3, -1.3..1.3)?;
    let unit = |r: f64, a: f64| (r * a.cos(), r * a.sin());
    // Reference circles at a quarter, half and all of the largest sector's radius.
    let grey = RGBColor(0xcc, 0xcc, 0xcc);
    for r in [0.5, 0.75_f64.sqrt(), 1.0] {
        let circle: Vec<(f64, f64)> = (0..=120).map(|k| unit(r, TAU * k as f64 / 120.0)).collect();
        chart.draw_series(std::iter::once(PathElement::new(
            circle,
            grey.stroke_width(1),
        )))?;
    }
    for (label, a) in [
        ("0", 0.0),
        ("π/2", PI / 2.0),
        ("±π", PI),
        ("-π/2", -PI / 2.0),
    ] {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), unit(1.0, a)],
            grey.stroke_width(1),
        )))?;
        let (x, y) = unit(1.17, a);
        chart.draw_series(std::iter::once(Text::new(
            label,
            (x - 0.06 * label.chars().count() as f64, y + 0.04),
            ("sans-serif", LABEL_SIZE),
        )))?;
    }
    // Sectors: radius the square root of the count's share of the largest one.
    let width = TAU / sectors as f64;
    chart.draw_series(
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(k, &c)| {
                let r = (c as f64 / largest).sqrt();
                let start = -PI + k as f64 * width;
                let mut wedge = vec![(0.0, 0.0)];
                wedge.extend((0..=8).map(|s| unit(r, start + width * s as f64 / 8.0)));
                Polygon::new(wedge, chain_color(0).mix(0.6).filled())
            }),
    )?;
    // The mean direction and the mean resultant length.
    let n = angles.len().max(1) as f64;
    let (s, c) = angles
        .iter()
        .fold((0.0, 0.0), |(s, c), a| (s + a.sin(), c + a.cos()));
    let (mean, length) = (s.atan2(c), (s * s + c * c).sqrt() / n);
    let tip = unit(length, mean);
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), tip],
        BLACK.stroke_width(3),
    )))?;
    chart.draw_series(std::iter::once(Circle::new(tip, 4, BLACK.filled())))?;
    Ok(())
}
