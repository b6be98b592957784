//! The typed protocol between the page and the training worker: the page sends
//! [`Request`]s, the worker answers with [`Reply`]s. Both cross the thread boundary as
//! postcard bytes ([`encode`], [`decode`]): fields in declaration order, integers as varints,
//! floats as their 4 bytes. The format is not self-describing (both sides are this crate), so
//! a message that does not fit the types is an error, never a guess.
//!
//! The worker owns the model; the page owns nothing but the last snapshot of it. Replies
//! are throttled by the worker (a few per second) and small: a [`Snapshot`] of the default
//! network is about 95 kB.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::nn::data::DatasetKind;
use crate::nn::{Optimizer, Shape, TrainConfig};

/// Which run a reply belongs to: the page numbers every run it starts (Load, Reset) and
/// drops replies of older runs still in flight, so curves never mix two runs.
pub type RunId = u32;

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Fetch `dataset` from `base_url` (the page's folder, ending in `/`): for example
    /// `mnist/digits.png` and `mnist/labels.idx1`, then build the network of `config` as run
    /// `run`.
    Load {
        base_url: String,
        run: RunId,
        config: TrainConfig,
        dataset: DatasetKind,
    },
    /// Start run `run` over with fresh weights drawn from the configuration's seed (a new
    /// network, optimizer, batch size or seed). The same configuration gives the same run.
    Reset {
        run: RunId,
        config: TrainConfig,
    },
    /// Start run `run` from these weights (a model the page opened, laid out as
    /// `Network::parameters`) instead of the seed's; it is scored at once. `samples` is how
    /// many training samples they had seen (the file says; 0 when it does not), so that a
    /// model exported after training on counts them too.
    Open {
        run: RunId,
        config: TrainConfig,
        parameters: Vec<f32>,
        samples: u64,
    },
    /// The trained network as an ONNX model, for the page to save ([`Reply::Model`]).
    Export {
        dataset: DatasetKind,
    },
    /// Change the optimizer (its learning rate above all) and the batch size of the run in
    /// progress, without restarting it.
    Tune {
        optimizer: Optimizer,
        batch_size: usize,
    },
    /// Train until [`Request::Pause`] (or divergence).
    Start,
    Pause,
    /// Train this many batches, then pause and evaluate.
    Step {
        batches: usize,
    },
    /// Which digit the snapshots show the feature maps of.
    ShowDigit(DigitChoice),
    /// Which class's score the snapshots' saliency map explains: `None` for the network's
    /// answer.
    Explain(Option<usize>),
    /// The test images of one confusion-matrix cell (true class, answer) at the last
    /// evaluation ([`Reply::Cell`]).
    ShowCell {
        truth: usize,
        predicted: usize,
    },
    /// Put a hand-made kernel (`kernel × kernel` values, row-major) in as filter 1 of the
    /// first convolution; a frozen one keeps its values while the rest learns.
    PlantKernel {
        weights: Vec<f32>,
        frozen: bool,
    },
}

/// A digit to look at: one of the test digits, or one drawn on the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DigitChoice {
    /// Index into the test digits.
    Test(usize),
    /// 28 × 28 values in 0–1 (MNIST-centred), row by row.
    Drawn(Vec<f32>),
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// Downloading the digits: bytes so far and in all (when the server says).
    Loading { loaded: u64, total: Option<u64> },
    /// The digits are in and the network is built.
    Ready(Dataset),
    /// Where training is; sent a few times a second while it runs, and at every change.
    Progress(Progress),
    /// A pass over the test digits finished.
    Evaluated(Evaluated),
    /// The first layer's filters and one digit's way through the network.
    Snapshot(Snapshot),
    /// The test images in a confusion-matrix cell.
    Cell(CellImages),
    /// The network as an ONNX model file (see `nn::onnx`).
    Model { run: RunId, bytes: Vec<u8> },
    /// Training stopped because the loss stopped being a usable number.
    Diverged { run: RunId, message: String },
    /// A request could not be carried out; nothing changed.
    Refused { message: String },
    /// The digits could not be loaded; training cannot start.
    LoadFailed { message: String },
}

/// What the worker trains on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub train: usize,
    pub test: usize,
    /// A few test digits of every class to pick from.
    pub strip: Vec<StripDigit>,
}

/// A test digit offered for the feature-map view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StripDigit {
    /// Index into the test digits.
    pub index: usize,
    pub label: u8,
    /// 28 × 28 bytes, 0 = background, 255 = full ink.
    pub pixels: Vec<u8>,
}

/// The test images of true class `truth` that the network answered `predicted` at the
/// last evaluation, the surest answers first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellImages {
    pub run: RunId,
    /// Training samples seen at that evaluation.
    pub samples: u64,
    pub truth: usize,
    pub predicted: usize,
    /// How many test images the cell holds (more than are sent, at times).
    pub count: usize,
    /// At most [`MAX_CELL_IMAGES`] of them, each with its class probabilities.
    pub images: Vec<CellImage>,
}

/// The most test images a [`CellImages`] carries.
pub const MAX_CELL_IMAGES: usize = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellImage {
    pub image: StripDigit,
    /// The network's probability for each class.
    pub probabilities: Vec<f32>,
}

/// One training chunk's mean loss and accuracy, at the samples seen after it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChunkPoint {
    pub samples: u64,
    pub loss: f32,
    pub accuracy: f32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub run: RunId,
    pub running: bool,
    pub samples: u64,
    /// 1 during the first pass over the training digits.
    pub epoch: u64,
    /// How far through this epoch, 0–1.
    pub epoch_fraction: f32,
    /// Training samples per second of wall time over the last few seconds (evaluations and
    /// snapshots included), 0 when paused.
    pub samples_per_second: f32,
    /// The chunks trained since the last progress report.
    pub points: Vec<ChunkPoint>,
    /// The share of the worker's busy time spent making snapshots, 0–1.
    pub snapshot_share: f32,
    /// The optimizer and batch size in force.
    pub optimizer: Optimizer,
    pub batch_size: usize,
}

/// The network's score on the test digits after `samples` training samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluated {
    pub run: RunId,
    pub samples: u64,
    pub loss: f32,
    /// 0–1.
    pub accuracy: f32,
    pub total: usize,
    /// `confusion[true · 10 + predicted]`.
    pub confusion: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub run: RunId,
    pub samples: u64,
    pub filters: Filters,
    pub digit: DigitView,
}

/// The first convolution's filters (one input channel): `count` kernels of
/// `size × size` weights, row-major, one after another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    pub count: usize,
    pub size: usize,
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    /// Filter 1 is a planted kernel that training does not change.
    pub frozen_first: bool,
}

/// One digit's way through the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigitView {
    /// The test digit's index and label, or `None` for a drawn digit.
    pub test: Option<(usize, u8)>,
    /// 28 × 28 values in 0–1.
    pub input: Vec<f32>,
    /// Every layer's output but flatten's (which only reshapes its input) and dropout's
    /// (which passes its input through outside training).
    pub layers: Vec<LayerMaps>,
    /// Softmax of the logits, one per digit 0–9.
    pub probabilities: Vec<f32>,
    /// The class whose score `saliency` explains: the answer, unless another was asked for.
    pub explained: usize,
    /// The gradient of that class's logit with respect to each of the 28 × 28 input
    /// pixels: positive where more ink would raise the score.
    pub saliency: Vec<f32>,
}

/// A layer's output for one digit: `shape.channels` maps of `shape.height × shape.width`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerMaps {
    /// Position in the network (0 = first layer).
    pub index: usize,
    /// e.g. "convolution", "max pooling".
    pub name: String,
    pub shape: Shape,
    /// How a convolution or pooling got its output size, e.g. `3×3, stride 1, SAME:
    /// ⌊(28 + 2·1 − 3) / 1⌋ + 1 = 28; SAME: ⌈28 / 1⌉ = 28`.
    pub formula: Option<String>,
    pub values: Vec<f32>,
}

/// Why a message could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unreadable message: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

/// A message as bytes.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Writing plain data into a Vec cannot fail: every protocol type has only strings,
    // numbers, sequences of known length and enums.
    postcard::to_allocvec(message).unwrap_or_default()
}

/// A message from bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    postcard::from_bytes(bytes).map_err(|e| DecodeError(e.to_string()))
}
