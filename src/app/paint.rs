//! Drawing on canvases: a feature map goes in as one `ImageData` (no per-pixel calls), and
//! its legend, a colorbar with the value range, is drawn with plotters.

use std::cell::RefCell;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use wasm_bindgen::JsValue;
use web_sys::HtmlCanvasElement;

use crate::app::canvas::{put_rgba, put_rgba_at, size_for_device};
use crate::app::measured_canvas::MeasuredCanvas;

use crate::common::format::number;
use crate::explorer::colormap::{Colormap, Scale, ValueRange};
use ndarray::ArrayView2;

/// Height of a legend in CSS pixels.
pub const LEGEND_HEIGHT: u32 = 56;

thread_local! {
    /// The pixels of the map drawn last: kept, so that repainting every map of a deep layer
    /// on each edit neither allocates nor clears megabytes.
    static MAP_PIXELS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The two greys of the checkerboard that marks cells a step-through has not computed yet.
const NOT_YET: [[u8; 4]; 2] = [[204, 204, 204, 255], [238, 238, 238, 255]];

/// Draws `values` through `scale`, one canvas pixel per value; with `computed`, only that
/// many cells (row by row) are coloured and the rest show a grey checkerboard.
pub fn draw_map(
    canvas: &HtmlCanvasElement,
    values: ArrayView2<f32>,
    scale: &Scale,
    computed: Option<usize>,
) -> Result<(), JsValue> {
    let (h, w) = values.dim();
    MAP_PIXELS.with_borrow_mut(|rgba| {
        scale.colorize_into(values, rgba);
        let start = computed.map_or(rgba.len(), |n| n.saturating_mul(4).min(rgba.len()));
        for (i, px) in rgba[start..].chunks_exact_mut(4).enumerate() {
            let cell = start / 4 + i;
            px.copy_from_slice(&NOT_YET[(cell / w.max(1) + cell % w.max(1)) % 2]);
        }
        put_rgba(canvas, rgba, w as u32, h as u32)
    })
}

/// Draws a horizontal colorbar `css_width` CSS pixels wide, labelled with the scale's ends
/// (and 0 for the diverging map), and below it the map's min and max; sharp on HiDPI
/// screens. A flat map gets a bar of one colour and says so. The bar goes in as one
/// `ImageData`; plotters draws its frame and the text.
pub fn draw_legend(canvas: &HtmlCanvasElement, css_width: i32, scale: &Scale, range: ValueRange) {
    let ratio = size_for_device(
        canvas,
        f64::from(css_width.max(120)),
        f64::from(LEGEND_HEIGHT),
    );
    let bar = Bar::new(ratio, canvas.width());
    let Some(backend) = MeasuredCanvas::new(canvas) else {
        return;
    };
    let root = backend.into_drawing_area();
    // Drawing errors on a canvas only mean a blank legend; the map itself is unaffected.
    let _ = root.fill(&WHITE);
    let (width, height) = (bar.right - bar.left, bar.bottom - bar.top);
    let _ = put_rgba_at(
        canvas,
        &bar_pixels(scale, range, width as usize, height as usize),
        (width as u32, height as u32),
        (bar.left, bar.top),
    );
    let _ = draw_labels(&root, scale, range, ratio, bar);
    let _ = root.present();
}

/// Where a legend's colour bar lies on its canvas, in device pixels.
#[derive(Clone, Copy)]
struct Bar {
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
}

impl Bar {
    fn new(ratio: f64, canvas_width: u32) -> Bar {
        let px = |v: f64| (v * ratio).round() as i32;
        Bar {
            left: px(4.0),
            right: (canvas_width as i32 - px(4.0)).max(px(4.0) + 1),
            top: px(2.0),
            bottom: px(16.0),
        }
    }
}

/// The bar's pixels, `width × height`: the colormap from the scale's low end on the left
/// to its high end on the right, or one colour for a flat map.
fn bar_pixels(scale: &Scale, range: ValueRange, width: usize, height: usize) -> Vec<u8> {
    let flat_value = range.is_flat().then_some(range.min);
    let row: Vec<u8> = (0..width)
        .flat_map(|x| {
            let t = match flat_value {
                Some(v) => scale.position(v),
                None => (x as f64 + 0.5) / width as f64,
            };
            let [r, g, b] = scale.colormap.rgb(t);
            [r, g, b, 255]
        })
        .collect();
    row.repeat(height)
}

fn draw_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    scale: &Scale,
    range: ValueRange,
    ratio: f64,
    bar: Bar,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let Bar {
        left,
        right,
        top,
        bottom,
    } = bar;
    let px = |v: f64| (v * ratio).round() as i32;
    root.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        RGBColor(120, 120, 120).stroke_width(1),
    ))?;
    let font = ("sans-serif", 13.0 * ratio).into_font().color(&BLACK);
    let label_y = bottom + px(4.0);
    let label = |text: String, x: i32, h: HPos| {
        Text::new(text, (x, label_y), font.pos(Pos::new(h, VPos::Top)))
    };
    if range.is_flat() {
        return root.draw(&label(
            format!("flat: every value is {}", number(f64::from(range.min))),
            (left + right) / 2,
            HPos::Center,
        ));
    }
    // A clipped end stands for itself and everything beyond it.
    let (low, high) = (number(scale.low), number(scale.high));
    let (low, high) = match (scale.clipped, scale.colormap) {
        (true, Colormap::Diverging) => (format!("≤ {low}"), format!("≥ {high}")),
        (true, _) => (low, format!("≥ {high}")),
        (false, _) => (low, high),
    };
    root.draw(&label(low, left, HPos::Left))?;
    root.draw(&label(high, right, HPos::Right))?;
    if scale.colormap == Colormap::Diverging {
        root.draw(&label("0".into(), (left + right) / 2, HPos::Center))?;
    }
    let extremes = format!(
        "min {}   max {}",
        number(f64::from(range.min)),
        number(f64::from(range.max))
    );
    let second_row = label_y + px(17.0);
    root.draw(&Text::new(
        extremes,
        ((left + right) / 2, second_row),
        font.pos(Pos::new(HPos::Center, VPos::Top)),
    ))
}

/// Draws `count` maps of `height × width` values (stored one after another in `values`)
/// as tiles, `columns` to a row with a 1-pixel white gap, in one `ImageData`.
pub fn draw_tiles(
    canvas: &HtmlCanvasElement,
    values: &[f32],
    (count, height, width): (usize, usize, usize),
    columns: usize,
    scale: &Scale,
) -> Result<(), JsValue> {
    let plane = height * width;
    if count == 0 || plane == 0 || values.len() < count * plane {
        return Err(JsValue::from_str("no maps to draw"));
    }
    let columns = columns.clamp(1, count);
    let rows = count.div_ceil(columns);
    let (total_w, total_h) = (columns * (width + 1) - 1, rows * (height + 1) - 1);
    let mut rgba = vec![255u8; total_w * total_h * 4];
    for (i, map) in values.chunks_exact(plane).take(count).enumerate() {
        let view = ArrayView2::from_shape((height, width), map)
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        let colored = scale.colorize(view);
        let (x0, y0) = ((i % columns) * (width + 1), (i / columns) * (height + 1));
        for (y, row) in colored.chunks_exact(width * 4).enumerate() {
            let start = ((y0 + y) * total_w + x0) * 4;
            rgba[start..start + width * 4].copy_from_slice(row);
        }
    }
    put_rgba(canvas, &rgba, total_w as u32, total_h as u32)
}

/// The scale for a set of activations or weights: blue–white–red centred on 0 when there
/// are negative values, magma from the smallest to the largest otherwise.
pub fn scale_for(values: &[f32]) -> Option<Scale> {
    let range = ValueRange::of(values)?;
    let colormap = if range.min < 0.0 {
        Colormap::Diverging
    } else {
        Colormap::Magma
    };
    Some(Scale::new(colormap, range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn canvas() -> HtmlCanvasElement {
        crate::app::test_dom::attach("canvas")
            .dyn_into()
            .expect("a canvas element")
    }

    fn pixels(canvas: &HtmlCanvasElement) -> Vec<u8> {
        let context = crate::app::canvas::context_2d(canvas).expect("a 2d context");
        context
            .get_image_data(0.0, 0.0, canvas.width().into(), canvas.height().into())
            .expect("pixels")
            .data()
            .0
    }

    #[wasm_bindgen_test]
    fn a_map_becomes_one_pixel_per_value() {
        let values = array![[-2.0f32, 0.0, 2.0], [1.0, -1.0, 0.5]];
        let range = ValueRange::of(values.as_slice().expect("contiguous")).expect("values");
        let scale = Scale::new(Colormap::Diverging, range);
        let canvas = canvas();
        draw_map(&canvas, values.view(), &scale, None).expect("draws");
        assert_eq!((canvas.width(), canvas.height()), (3, 2));
        let px = pixels(&canvas);
        let at = |row: usize, col: usize| &px[(row * 3 + col) * 4..(row * 3 + col) * 4 + 4];
        // −2: strongly blue; 0: near white; 2: strongly red; every pixel opaque.
        assert!(at(0, 0)[2] > at(0, 0)[0] + 60, "{:?}", at(0, 0));
        assert!(at(0, 1)[..3].iter().all(|&c| c > 230), "{:?}", at(0, 1));
        assert!(at(0, 2)[0] > at(0, 2)[2] + 60, "{:?}", at(0, 2));
        assert!(px.chunks(4).all(|p| p[3] == 255));
    }

    #[wasm_bindgen_test]
    fn a_legend_fills_its_canvas_at_device_resolution() {
        let canvas = canvas();
        canvas
            .style()
            .set_property("width", "200px")
            .expect("style");
        let values = array![[0.0f32, 3.0]];
        let range = ValueRange::of(values.as_slice().expect("contiguous")).expect("values");
        let scale = Scale::new(Colormap::Magma, range);
        draw_legend(&canvas, canvas.client_width(), &scale, range);
        let ratio = web_sys::window().expect("window").device_pixel_ratio();
        assert_eq!(canvas.width(), (200.0 * ratio).round() as u32);
        // The bar's left end is magma's dark end, its right end the pale end.
        let px = pixels(&canvas);
        let row = (9.0 * ratio) as usize * canvas.width() as usize * 4;
        let left = &px[row + (8.0 * ratio) as usize * 4..][..3];
        let right_x = canvas.width() as usize - (8.0 * ratio) as usize;
        let right = &px[row + right_x * 4..][..3];
        assert!(left.iter().all(|&c| c < 60), "{left:?}");
        assert!(
            right.iter().map(|&c| u32::from(c)).sum::<u32>() > 600,
            "{right:?}"
        );
    }
}
