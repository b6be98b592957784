//! Live training's logic, with no web code (tested natively): the typed protocol between
//! the page and the training worker, the worker's session, the page's training state, the
//! bounded curve history, the drawn digit's MNIST-style centring and model files.

pub mod digit;
pub mod history;
pub mod liveness;
pub mod model_file;
pub mod protocol;
pub mod state;
pub mod worker_session;
