//! What can go wrong when building or training a network, in words a user can act on.

use std::fmt;

/// An error from the engine. None of these is a bug: each comes from a specification,
/// hyperparameter or input that cannot work, or from training that diverged.
#[derive(Clone, Debug, PartialEq)]
pub enum NnError {
    /// A layer cannot be built on the shape it receives.
    Layer {
        /// Position of the layer in the specification (0 = first).
        index: usize,
        message: String,
    },
    /// The network as a whole is unusable (empty input, wrong number of outputs, …).
    Network(String),
    /// A hyperparameter is out of range (batch size 0, a negative learning rate, …).
    Hyperparameter(String),
    /// The input or the labels do not match the network.
    Input(String),
    /// Training diverged: the loss became NaN, infinite or absurdly large (see
    /// `train::DIVERGED_LOSS`).
    Diverged {
        /// Training samples seen before the step that diverged.
        samples: u64,
        /// The loss of that step.
        loss: f32,
    },
}

impl fmt::Display for NnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NnError::Layer { index, message } => write!(f, "layer {}: {message}", index + 1),
            NnError::Network(message) => write!(f, "network: {message}"),
            NnError::Hyperparameter(message) => write!(f, "hyperparameter: {message}"),
            NnError::Input(message) => write!(f, "input: {message}"),
            NnError::Diverged { samples, loss } => write!(
                f,
                "training diverged after {samples} samples: the loss reached {loss} \
                 (try a smaller learning rate)"
            ),
        }
    }
}

impl std::error::Error for NnError {}
