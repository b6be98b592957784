//! Canvas helpers every drawing component uses: one way to put pixels on a canvas, one way
//! to size a canvas for the screen's pixel ratio, and one hook for "a canvas repainted
//! when these values change".

use std::rc::Rc;

use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

/// The canvas's 2-D context.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// Puts `rgba` (`width × height` pixels) on the canvas with one `putImageData`, sizing the
/// canvas to one pixel per value first.
pub fn put_rgba(
    canvas: &HtmlCanvasElement,
    rgba: &[u8],
    width: u32,
    height: u32,
) -> Result<(), JsValue> {
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    put_rgba_at(canvas, rgba, (width, height), (0, 0))
}

/// Puts `rgba` (`width × height` pixels) on the canvas with one `putImageData`, its top
/// left corner at `(x, y)`.
pub fn put_rgba_at(
    canvas: &HtmlCanvasElement,
    rgba: &[u8],
    (width, height): (u32, u32),
    (x, y): (i32, i32),
) -> Result<(), JsValue> {
    let context = context_2d(canvas).ok_or_else(|| JsValue::from_str("no 2d context"))?;
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)?;
    context.put_image_data(&image, f64::from(x), f64::from(y))
}

/// Gives the canvas a backing store of `css_width × css_height` CSS pixels times the
/// device pixel ratio (resized only when that changed: a resize costs a new store and a
/// layout), so text and lines stay sharp on HiDPI screens; returns the ratio, at least 1.
pub fn size_for_device(canvas: &HtmlCanvasElement, css_width: f64, css_height: f64) -> f64 {
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let (width, height) = (
        (css_width * ratio).round() as u32,
        (css_height * ratio).round() as u32,
    );
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    ratio
}

/// A canvas that `paint` draws on after the first render and again whenever `deps`
/// change; attach the returned ref to the `<canvas>`.
#[hook]
pub fn use_painted_canvas<D, F>(deps: D, paint: F) -> NodeRef
where
    D: PartialEq + 'static,
    F: FnOnce(&HtmlCanvasElement, &D) + 'static,
{
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(deps, move |deps| {
            if let Some(element) = canvas.cast::<HtmlCanvasElement>() {
                paint(&element, deps);
            }
        });
    }
    canvas
}

/// An `Rc` compared by identity, not by value: effects and props keyed on it change when a
/// new value is made, without comparing a million floats.
#[derive(Debug)]
pub struct ByPointer<T>(pub Rc<T>);

impl<T> Clone for ByPointer<T> {
    fn clone(&self) -> Self {
        ByPointer(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for ByPointer<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
