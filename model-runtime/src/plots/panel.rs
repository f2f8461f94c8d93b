//! The parts every plot shares: a titled panel with axes, and ranges that fit the data.

use core::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::plots::PlotError;

/// A panel's chart: real numbers on both axes.
pub(super) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The colour of grid lines (at the labelled ticks only: finer lines crowd a small panel).
pub(super) const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

/// Font size of panel titles and of tick labels.
pub(super) const TITLE_SIZE: u32 = 18;
pub(super) const LABEL_SIZE: u32 = 14;

/// A panel on `area` titled `title` (none when empty), with axes over `x` and `y`, grid lines
/// at the labelled ticks. `y_labels` false hides the y tick labels (a density's height says
/// little, as ArviZ's plots leave it out).
pub(super) fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x: Range<f64>,
    y: Range<f64>,
    y_labels: bool,
) -> Result<Chart<'a, DB>, PlotError> {
    described_panel(area, title, None, x, y, y_labels)
}

/// [`panel`] with a description under the x axis.
pub(super) fn described_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x_desc: Option<&str>,
    x: Range<f64>,
    y: Range<f64>,
    y_labels: bool,
) -> Result<Chart<'a, DB>, PlotError> {
    super::font::register();
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(6)
        .margin_right(18)
        .x_label_area_size(if x_desc.is_some() { 40 } else { 22 })
        .y_label_area_size(if y_labels { 44 } else { 8 });
    if !title.is_empty() {
        builder.caption(title, ("sans-serif", TITLE_SIZE));
    }
    let mut chart = builder.build_cartesian_2d(x, y)?;
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_labels(6)
        .y_labels(if y_labels { 5 } else { 0 })
        .label_style(("sans-serif", LABEL_SIZE))
        .axis_desc_style(("sans-serif", LABEL_SIZE))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick);
    if let Some(desc) = x_desc {
        mesh.x_desc(desc);
    }
    mesh.draw()?;
    Ok(chart)
}

/// A tick label: few digits, as a person would write the number.
pub(super) fn tick(x: &f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{x:.1e}")
    } else {
        let text = format!("{x:.3}");
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        trimmed.to_string()
    }
}

/// The smallest and largest finite values of `values` (`None` when there is none).
pub(super) fn finite_range<'a>(values: impl IntoIterator<Item = &'a f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, &v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `lo..hi` widened by 5% on each side, and by an absolute amount when the two are equal (a
/// constant series still gets a visible axis).
pub(super) fn padded((lo, hi): (f64, f64)) -> Range<f64> {
    let width = hi - lo;
    let pad = if width > 0.0 {
        0.05 * width
    } else {
        0.5 * lo.abs().max(1.0)
    };
    (lo - pad)..(hi + pad)
}

/// `0..top` with 5% headroom above `top` (for densities and counts).
pub(super) fn from_zero(top: f64) -> Range<f64> {
    let top = if top.is_finite() && top > 0.0 {
        top
    } else {
        1.0
    };
    0.0..1.05 * top
}

/// A legend box in the upper right corner of `chart`, for the series drawn with labels.
pub(super) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
) -> Result<(), PlotError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(0xcc, 0xcc, 0xcc))
        .label_font(("sans-serif", LABEL_SIZE))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_read_as_numbers() {
        assert_eq!(tick(&0.0), "0");
        assert_eq!(tick(&2.5), "2.5");
        assert_eq!(tick(&-10.0), "-10");
        assert_eq!(tick(&0.0176), "0.018");
        assert_eq!(tick(&250000.0), "2.5e5");
    }

    #[test]
    fn ranges_fit_the_data() {
        assert_eq!(finite_range(&[1.0, f64::NAN, -2.0, 5.0]), Some((-2.0, 5.0)));
        assert_eq!(finite_range(&[f64::INFINITY]), None);
        assert_eq!(padded((0.0, 10.0)), -0.5..10.5);
        assert_eq!(padded((3.0, 3.0)), 1.5..4.5);
        assert_eq!(from_zero(0.0), 0.0..1.05);
    }
}
