//! ConvLab: see how a convolutional neural network works, in the browser.
//!
//! - [`common`], [`explorer`], [`nn`]: the math, from the `convlab-core` crate (core/):
//!   window geometry, pooling and activations, the kernel explorer's layer and state, the
//!   CNN engine (no web code; tested natively).
//! - [`lesson`]: the lesson link's text (no web code).
//! - [`training`]: live training's protocol, state and helpers (no web code).
//! - `app` (wasm32 only): the Yew front end that draws it.
//! - `worker` (wasm32 only): the training worker's web glue.
//! - `web` (wasm32 only): web helpers both of them use.

pub use convlab_core::{common, explorer, nn};

pub mod lesson;
pub mod training;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod worker;
