//! The shared core that the explorer, the CNN engine and live training all stand on, and
//! that uses none of them: sliding-window geometry with TensorFlow's SAME/VALID rules and
//! the output-size formula, the operations both halves run (pooling, activations), area
//! resizing, and numbers as the page prints them.
//!
//! No web code: `cargo test` runs it natively.

pub mod activation;
pub mod format;
pub mod geometry;
pub mod pool;
pub mod resize;
pub mod text;
