//! The training worker built with the `relaxed-simd` feature: the same worker as
//! `bins/worker.rs`, its matrix kernels using relaxed SIMD's fused multiply-add. The page
//! loads this build where the browser validates relaxed SIMD (`www/worker_loader.js`).

#[cfg(target_arch = "wasm32")]
fn main() {
    convlab::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ConvLab's training worker runs in the browser: start the app with `trunk serve`.");
}
