//! ConvLab's math, with no web code in it: `cargo test` runs it natively, and the release
//! build compiles it for speed while the page around it is compiled for size.
//!
//! - [`common`]: the shared core under the two below: window geometry (SAME/VALID),
//!   pooling and activations, area resizing, number formatting.
//! - [`explorer`]: the kernel explorer's math and state.
//! - [`nn`]: the CNN engine.

pub mod common;
pub mod explorer;
pub mod nn;
