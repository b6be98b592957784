//! What the plotters charts share: a canvas sized for the screen's pixel ratio (plotters
//! does not scale for HiDPI itself), fonts in CSS pixels, the page's colours, and short
//! tick labels.

use plotters::coord::Shift;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::app::canvas::size_for_device;
use crate::app::measured_canvas::MeasuredCanvas;

/// The page's accent (`--accent`).
pub const ACCENT: RGBColor = RGBColor(106, 44, 145);
/// A second series that contrasts with the accent, also for colour-blind readers.
pub const CONTRAST: RGBColor = RGBColor(230, 120, 0);
/// Faint lines and bars.
pub const FAINT: RGBColor = RGBColor(200, 190, 215);
pub const INK: RGBColor = RGBColor(29, 26, 38);
pub const MUTED: RGBColor = RGBColor(91, 86, 104);

/// A canvas ready for plotters, sized for the screen ([`size_for_device`]), and the ratio
/// to scale fonts and strokes by.
pub fn chart_area(
    canvas: &HtmlCanvasElement,
    css_width: u32,
    css_height: u32,
) -> Option<(DrawingArea<MeasuredCanvas, Shift>, f64)> {
    let ratio = size_for_device(canvas, f64::from(css_width), f64::from(css_height));
    let area = MeasuredCanvas::new(canvas)?.into_drawing_area();
    Some((area, ratio))
}

/// A font of `size` CSS pixels.
pub fn font(size: f64, ratio: f64) -> FontDesc<'static> {
    ("sans-serif", size * ratio).into_font()
}

/// A count for an axis: `0`, `950`, `12k`, `1.2M`.
pub fn short_count(value: f64) -> String {
    let v = value.abs();
    if v >= 1e6 {
        format!("{}M", trim(value / 1e6))
    } else if v >= 1e3 {
        format!("{}k", trim(value / 1e3))
    } else {
        format!("{value:.0}")
    }
}

fn trim(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::short_count;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn counts_are_short() {
        assert_eq!(short_count(0.0), "0");
        assert_eq!(short_count(950.0), "950");
        assert_eq!(short_count(12_000.0), "12k");
        assert_eq!(short_count(12_500.0), "12.5k");
        assert_eq!(short_count(1_200_000.0), "1.2M");
    }
}
