//! ConvLab: see how a convolutional neural network works, in the browser.
//!
//! - [`common`]: the shared core under the three below: window geometry (SAME/VALID),
//!   pooling and activations, area resizing, number formatting (no web code).
//! - [`explorer`]: the kernel explorer's math and state (no web code; tested natively).
//! - [`nn`]: the CNN engine (no web code).
//! - [`training`]: live training's protocol, state and helpers (no web code).
//! - `app` (wasm32 only): the Yew front end that draws it.
//! - `worker` (wasm32 only): the training worker's web glue.
//! - `web` (wasm32 only): web helpers both of them use.

pub mod common;
pub mod explorer;
pub mod lesson;
pub mod nn;
pub mod training;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod worker;
