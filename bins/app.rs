//! The browser entry point: Trunk builds this binary into the page's wasm module.

#[cfg(target_arch = "wasm32")]
fn main() {
    convlab::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ConvLab's app runs in the browser: start it with `trunk serve` (see README.md).");
}
