//! Drawing on canvases: a feature map goes in as one `ImageData` (no per-pixel calls), and
//! its legend, a colorbar with the value range, is drawn with plotters.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::explorer::colormap::{Colormap, Scale};
use crate::explorer::format::number;
use ndarray::ArrayView2;

/// Height of a legend in CSS pixels.
pub const LEGEND_HEIGHT: u32 = 40;

/// Draws `values` through `scale`, one canvas pixel per value.
pub fn draw_map(
    canvas: &HtmlCanvasElement,
    values: ArrayView2<f32>,
    scale: &Scale,
) -> Result<(), JsValue> {
    let (h, w) = values.dim();
    let (w, h) = (w as u32, h as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    let rgba = scale.colorize(values);
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h)?;
    context.put_image_data(&image, 0.0, 0.0)
}

/// Draws a horizontal colorbar labelled with the scale's ends (and 0 for the diverging
/// map), sharp on HiDPI screens; a flat map gets a bar of one colour and says so.
pub fn draw_legend(canvas: &HtmlCanvasElement, scale: &Scale, flat_value: Option<f32>) {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let css_width = canvas.client_width().max(120) as f64;
    let (width, height) = (
        (css_width * ratio).round() as u32,
        (f64::from(LEGEND_HEIGHT) * ratio).round() as u32,
    );
    canvas.set_width(width);
    canvas.set_height(height);
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
        return;
    };
    let root = backend.into_drawing_area();
    // Drawing errors on a canvas only mean a blank legend; the map itself is unaffected.
    let _ = draw_colorbar(&root, scale, flat_value, ratio, width);
    let _ = root.present();
}

fn draw_colorbar<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    scale: &Scale,
    flat_value: Option<f32>,
    ratio: f64,
    width: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let px = |v: f64| (v * ratio).round() as i32;
    let (left, right) = (px(4.0), width as i32 - px(4.0));
    let (bar_top, bar_bottom) = (px(2.0), px(16.0));
    root.fill(&WHITE)?;
    let steps = 96;
    for i in 0..steps {
        let x0 = left + (right - left) * i / steps;
        let x1 = left + (right - left) * (i + 1) / steps;
        let t = match flat_value {
            Some(v) => scale.position(v),
            None => (f64::from(i) + 0.5) / f64::from(steps),
        };
        let [r, g, b] = scale.colormap.rgb(t);
        root.draw(&Rectangle::new(
            [(x0, bar_top), (x1 + 1, bar_bottom)],
            RGBColor(r, g, b).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(left, bar_top), (right, bar_bottom)],
        RGBColor(120, 120, 120).stroke_width(1),
    ))?;
    let font = ("sans-serif", 13.0 * ratio).into_font().color(&BLACK);
    let label_y = bar_bottom + px(4.0);
    let label = |text: String, x: i32, h: HPos| {
        Text::new(text, (x, label_y), font.pos(Pos::new(h, VPos::Top)))
    };
    match flat_value {
        Some(v) => root.draw(&label(
            format!("flat: every value is {}", number(f64::from(v))),
            (left + right) / 2,
            HPos::Center,
        ))?,
        None => {
            root.draw(&label(number(scale.low), left, HPos::Left))?;
            root.draw(&label(number(scale.high), right, HPos::Right))?;
            if scale.colormap == Colormap::Diverging {
                root.draw(&label("0".into(), (left + right) / 2, HPos::Center))?;
            }
        }
    }
    Ok(())
}
