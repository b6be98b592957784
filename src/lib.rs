//! ConvLab: see how a convolutional neural network works, in the browser.
//!
//! - [`explorer`]: the kernel explorer's math (no web code; tested natively).
//! - `app` (wasm32 only): the Yew front end that draws it.

pub mod explorer;
pub mod nn;

#[cfg(target_arch = "wasm32")]
pub mod app;
