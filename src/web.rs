//! Web helpers that the page and the training worker share (wasm32 only).

use wasm_bindgen::JsCast;

/// Milliseconds on the high-resolution clock (`performance.now()`), in a window or in a
/// worker alike; 0 where there is no such clock.
pub fn now() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}
