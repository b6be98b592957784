//! The kernel explorer's math: decoding an image to grayscale or RGB, fitting it to the
//! working size, the convolution layer (filters over every channel, activation, pooling),
//! the filters as typed, the probe, the step-through, colormaps and file exports.
//!
//! Nothing here knows about the browser, so `cargo test` runs it natively.

pub mod colormap;
pub mod conv;
pub mod export;
pub mod filters;
pub mod kernel;
pub mod layer;
pub mod pipeline;
pub mod probe;
pub mod samples;
pub mod source;
pub mod state;
pub mod stepping;
