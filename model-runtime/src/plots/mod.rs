//! Plots of a fit without leaving Rust, drawn with [plotters](https://docs.rs/plotters) as SVG:
//! the pictures a NumPyro user gets from ArviZ and a Stan user from bayesplot.
//!
//! | function | what it shows | ArviZ / bayesplot |
//! |---|---|---|
//! | [`trace`] | per element: each chain's density and trace (or rank bars), divergences marked | `plot_trace`, `plot_rank` |
//! | [`forest`] | per element: median, 50% and 90% intervals, per chain on request | `plot_forest` |
//! | [`pair`] | scatter of chosen sites, divergent draws in red | `plot_pair` |
//! | [`ppc`] | observed data against replicated data sets: densities or intervals | `plot_ppc`, `ppc_intervals` |
//! | [`energy`] | marginal energy against energy transitions, E-BFMI per chain | `plot_energy` |
//! | [`rose`] | circular sites as rose diagrams | (polar `plot_posterior`) |
//! | [`sbc`] | simulation-based calibration: rank histograms and ECDF differences in their bands | `SBC::plot_rank_hist`, `plot_ecdf_diff` |
//!
//! Every plot is a value implementing [`Plot`]: [`Plot::save`] writes it (the extension picks
//! the format: `.svg` always, `.png` with the crate's `png` feature, which adds plotters'
//! bitmap backend, a PNG encoder and a bundled font), [`Plot::to_svg`] returns the text, and
//! [`Plot::draw`] draws it on any plotters drawing area, so a plot can be one panel of a larger
//! figure.
//! Sites are chosen by their typed markers, as everywhere else: a misspelled site is a compile
//! error, not an empty panel.
//!
//! # Example
//!
//! ```
//! use model_runtime::plots::{self, Plot};
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn mean(y: &[f64]) {
//!     let mu = sample!("mu", Normal::new(0.0, 10.0));
//!     let sigma = sample!("sigma", HalfNormal::new(5.0));
//!     plate!("data", y.len(), |i| {
//!         sample!("y", Normal::new(mu, sigma), obs = y[i]);
//!     });
//! }
//!
//! let y = [0.3, -0.5, 1.2, 0.8];
//! let fit = Nuts::default().warmup(200).samples(100).chains(2).run(&mean(&y))?;
//! let svg = plots::trace(&fit).to_svg()?;
//! assert!(svg.starts_with("<svg"));
//! plots::forest(&fit).sites(mean::site::mu).save(std::env::temp_dir().join("forest.svg"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod density;
mod energy;
mod font;
mod forest;
mod pair;
mod panel;
mod ppc;
mod rose;
mod sbc;
mod trace;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

pub use energy::{EnergyPlot, energy};
pub use forest::{ForestPlot, forest};
pub use pair::{PairPlot, pair};
pub use ppc::{PpcKind, PpcPlot, ppc};
pub use rose::{RosePlot, rose};
pub use sbc::{SbcPlot, sbc};
pub use trace::{TracePlot, trace};

/// A picture that can be drawn on a plotters drawing area and written to a file.
pub trait Plot {
    /// The size in pixels the plot is drawn at by [`to_svg`](Plot::to_svg) and
    /// [`save`](Plot::save).
    fn size(&self) -> (u32, u32);

    /// Draws the plot on `area` (a whole figure, or one panel of a larger one).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::plots::{self, Plot};
    /// use model_runtime::prelude::*;
    /// use plotters::prelude::*;
    ///
    /// #[model]
    /// fn m() {
    ///     sample!("mu", Normal::new(0.0, 1.0));
    /// }
    ///
    /// let fit = Nuts::default().warmup(100).samples(100).chains(2).run(&m())?;
    /// let mut svg = String::new();
    /// {
    ///     let root = SVGBackend::with_string(&mut svg, (1200, 300)).into_drawing_area();
    ///     let (left, right) = root.split_horizontally(600);
    ///     plots::forest(&fit).draw(&left)?;
    ///     plots::energy(&fit).draw(&right)?;
    ///     root.present()?;
    /// }
    /// assert!(svg.contains("E-BFMI"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;

    /// The plot as SVG text.
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
    /// let fit = Nuts::default().warmup(100).samples(100).chains(2).run(&m())?;
    /// let svg = plots::trace(&fit).to_svg()?;
    /// assert!(svg.contains("\nmu\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn to_svg(&self) -> Result<String, PlotError> {
        font::register();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size()).into_drawing_area();
            root.fill(&WHITE)?;
            self.draw(&root)?;
            root.present()?;
        }
        Ok(svg)
    }

    /// The plot as a PNG image (with the `png` feature).
    #[cfg(feature = "png")]
    fn to_png(&self) -> Result<Vec<u8>, PlotError> {
        font::register();
        let (width, height) = self.size();
        let mut pixels = vec![0u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
            root.fill(&WHITE)?;
            self.draw(&root)?;
            root.present()?;
        }
        let mut png = Vec::new();
        let mut encoder = png::Encoder::new(&mut png, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let encoded = encoder
            .write_header()
            .and_then(|mut writer| writer.write_image_data(&pixels));
        encoded.map_err(|e| PlotError::Draw(format!("PNG encoding failed: {e}")))?;
        Ok(png)
    }

    /// Writes the plot to `path`; the extension picks the format: `.svg`, or `.png` with the
    /// crate's `png` feature.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::plots::{self, Plot, PlotError};
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn m() {
    ///     sample!("mu", Normal::new(0.0, 1.0));
    /// }
    ///
    /// let fit = Nuts::default().warmup(100).samples(100).chains(2).run(&m())?;
    /// let path = std::env::temp_dir().join("mu_trace.svg");
    /// plots::trace(&fit).save(&path)?;
    /// assert!(std::fs::read_to_string(&path)?.starts_with("<svg"));
    /// let unknown = plots::trace(&fit).save("trace.jpeg");
    /// assert!(matches!(unknown, Err(PlotError::Format { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn save(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        let path = path.as_ref();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let bytes = match extension.as_deref() {
            Some("svg") => self.to_svg()?.into_bytes(),
            #[cfg(feature = "png")]
            Some("png") => self.to_png()?,
            #[cfg(not(feature = "png"))]
            Some("png") => {
                return Err(PlotError::NeedsPngFeature {
                    path: path.to_path_buf(),
                });
            }
            _ => {
                return Err(PlotError::Format {
                    path: path.to_path_buf(),
                });
            }
        };
        std::fs::write(path, bytes).map_err(|source| PlotError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Why a plot could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The drawing backend failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file's extension names no format this crate writes.
    #[error("cannot write {}: plots are written as .svg files, or .png with the `png` feature", path.display())]
    Format {
        /// The file.
        path: PathBuf,
    },
    /// A `.png` file was asked for, and the crate was built without its `png` feature.
    #[error("cannot write {}: PNG plots need model-runtime's `png` feature (features = [\"png\"] in Cargo.toml); .svg needs none", path.display())]
    NeedsPngFeature {
        /// The file.
        path: PathBuf,
    },
    /// The plot has nothing to show (for example a rose diagram of a model without circular
    /// sites, or a fit without draws); the message says what is missing.
    #[error("nothing to plot: {0}")]
    Empty(String),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(error: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw(error.to_string())
    }
}

/// The colours of chains 0, 1, ...: the Tableau 10 palette ArviZ and matplotlib use, so chains
/// look as they do there.
const CHAIN_COLORS: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// The colour of chain `c`.
fn chain_color(c: usize) -> RGBColor {
    CHAIN_COLORS[c % CHAIN_COLORS.len()]
}

/// The colour divergent transitions are marked in where chains are not told apart by colour
/// (the pair plot), as bayesplot marks them.
const DIVERGENT: RGBColor = RGBColor(0xd6, 0x27, 0x28);
