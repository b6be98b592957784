//! The CNN engine: layers with forward and backward passes, optimizers, a network described
//! as data, the shipped MNIST digits and a chunked trainer.
//!
//! Nothing here knows about the browser: `cargo test` and `cargo bench` run it natively and
//! the same code runs in a Web Worker. Everything is float32 on ndarray views and plain
//! slices; convolutions are im2col + a vectorised matrix product ([`gemm`]); after the first
//! step a training step allocates nothing.
//!
//! ```no_run
//! use convlab_core::nn::{data::{DatasetKind, Mnist}, spec::TrainConfig, train::Trainer};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let data = Mnist::load(std::path::Path::new("../www"), DatasetKind::Digits)?;
//! let mut trainer = Trainer::new(TrainConfig::default(), data)?;
//! let chunk = trainer.train_batches(50)?;
//! let test = trainer.evaluate()?;
//! println!("{} samples, loss {}, test accuracy {}", chunk.samples, chunk.train_loss, test.accuracy);
//! # Ok(()) }
//! ```

pub mod data;
pub mod error;
pub mod gemm;
mod layers;
pub mod network;
pub mod onnx;
pub mod optim;
pub mod rng;
pub mod spec;
pub mod train;

pub use error::NnError;
pub use layers::argmax;
pub use network::Network;
pub use spec::{LayerSpec, NetworkSpec, Optimizer, Shape, TrainConfig};
pub use train::Trainer;
