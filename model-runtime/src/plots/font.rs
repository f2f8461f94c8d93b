//! The font of PNG plots. SVG text names a font family and the viewer draws it; a bitmap needs
//! the glyphs, so the `png` feature bundles DejaVu Sans (`assets/`, with its licence) and
//! registers it as plotters' `sans-serif` before anything is drawn.

/// Registers the bundled font once per process (nothing to do without the `png` feature).
#[cfg(feature = "png")]
pub(super) fn register() {
    use plotters::style::{FontStyle, register_font};
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let font: &'static [u8] = include_bytes!("../../assets/DejaVuSans.ttf");
        // The bytes are a valid TrueType file, checked by the `png` feature's tests.
        let _ = register_font("sans-serif", FontStyle::Normal, font);
    });
}

/// Registers the bundled font once per process (nothing to do without the `png` feature).
#[cfg(not(feature = "png"))]
pub(super) fn register() {}

#[cfg(all(test, feature = "png"))]
mod tests {
    use plotters::coord::Shift;
    use plotters::prelude::*;

    use crate::plots::{Plot, PlotError};

    /// A caption alone: the only dark pixels are the glyphs.
    struct Caption;

    impl Plot for Caption {
        fn size(&self) -> (u32, u32) {
            (200, 60)
        }
        fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
            super::register();
            area.draw_text(
                "mu[0] 1.5",
                &("sans-serif", 30).into_font().color(&BLACK),
                (10, 10),
            )?;
            Ok(())
        }
    }

    #[test]
    fn png_plots_have_their_size_and_their_text() {
        let bytes = Caption.to_png().unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (200, 60));
        let dark = pixels
            .chunks(3)
            .filter(|p| p.iter().all(|&c| c < 128))
            .count();
        // The glyphs of nine characters at 30 px cover a few hundred pixels; an unregistered
        // font draws none.
        assert!(dark > 200, "{dark} dark pixels");
    }
}
