//! The training worker: Trunk builds this binary into its own wasm module
//! (`<link data-trunk rel="rust" data-bin="worker" data-type="worker">`), which the page
//! starts as a Web Worker so that training never runs on the page's thread.

#[cfg(target_arch = "wasm32")]
fn main() {
    convlab::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ConvLab's training worker runs in the browser: start the app with `trunk serve`.");
}
