//! The kernel explorer's math: decoding an image to grayscale, fitting it to the working
//! size, convolution, ReLU and max pooling, colormaps and file exports.
//!
//! Nothing here knows about the browser, so `cargo test` runs it natively.

pub mod colormap;
pub mod conv;
pub mod export;
pub mod kernel;
pub mod layer;
pub mod pipeline;
pub mod probe;
pub mod source;
pub mod state;
