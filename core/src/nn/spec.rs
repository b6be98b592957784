//! A network and its training described as plain data, serialisable with serde, so the UI
//! can build, change, save and reset it.
//!
//! The JSON form of the default network:
//! ```json
//! {"input": {"channels": 1, "height": 28, "width": 28},
//!  "layers": [
//!    {"conv2d": {"filters": 8, "kernel_size": 3, "stride": 1, "padding": "SAME"}},
//!    "relu",
//!    {"max_pool": {"size": 2, "stride": 2, "padding": "VALID"}},
//!    …,
//!    "flatten",
//!    {"dense": {"units": 10}}],
//!  "init": "he"}
//! ```

use serde::{Deserialize, Serialize};

use super::data::TRAIN;
use crate::common::geometry::{Axis, Padding};

/// The size of one sample's activation: channels × height × width. Flat vectors (after
/// [`LayerSpec::Flatten`] or [`LayerSpec::Dense`]) are `n × 1 × 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl Shape {
    pub const fn new(channels: usize, height: usize, width: usize) -> Shape {
        Shape {
            channels,
            height,
            width,
        }
    }

    /// A flat vector of `n` values.
    pub const fn flat(n: usize) -> Shape {
        Shape::new(n, 1, 1)
    }

    /// Values per sample.
    pub const fn len(&self) -> usize {
        self.channels * self.height * self.width
    }

    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Values per channel plane.
    pub const fn plane(&self) -> usize {
        self.height * self.width
    }

    pub const fn is_flat(&self) -> bool {
        self.height == 1 && self.width == 1
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}×{}×{}", self.channels, self.height, self.width)
    }
}

/// One layer. Every layer but the last feeds the next; the last one's outputs are the
/// logits, turned into probabilities by softmax and scored by cross-entropy (the loss is
/// not a layer).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LayerSpec {
    /// 2-D convolution (cross-correlation, as in TensorFlow and PyTorch) of all input
    /// channels with `filters` kernels of `kernel_size × kernel_size × channels` weights,
    /// plus a bias per filter.
    Conv2d {
        filters: usize,
        kernel_size: usize,
        stride: usize,
        padding: Padding,
    },
    /// `max(x, 0)`
    Relu,
    /// `x` for positive `x`, `slope · x` otherwise (`0 ≤ slope < 1`).
    LeakyRelu {
        slope: f32,
    },
    Tanh,
    /// `1 / (1 + e^−x)`
    Sigmoid,
    /// The largest value of each window (padding never wins, as in TensorFlow).
    MaxPool {
        size: usize,
        stride: usize,
        padding: Padding,
    },
    /// The mean of each window over its cells inside the input (as in TensorFlow).
    AvgPool {
        size: usize,
        stride: usize,
        padding: Padding,
    },
    /// `C × H × W` → `C·H·W × 1 × 1`, in channel, row, column order.
    Flatten,
    /// A fully connected layer on a flat input: `y = W·x + b`.
    Dense {
        units: usize,
    },
    /// Inverted dropout, in training only: each value is zeroed with probability `rate`
    /// and the others scaled by `1 / (1 − rate)`; outside training it passes values
    /// through. The masks come from the network's seed, so a run still repeats exactly.
    Dropout {
        rate: f32,
    },
}

impl LayerSpec {
    /// The name shown to people.
    pub fn name(&self) -> &'static str {
        match self {
            LayerSpec::Conv2d { .. } => "convolution",
            LayerSpec::Relu => "ReLU",
            LayerSpec::LeakyRelu { .. } => "leaky ReLU",
            LayerSpec::Tanh => "tanh",
            LayerSpec::Sigmoid => "sigmoid",
            LayerSpec::MaxPool { .. } => "max pooling",
            LayerSpec::AvgPool { .. } => "average pooling",
            LayerSpec::Flatten => "flatten",
            LayerSpec::Dense { .. } => "dense",
            LayerSpec::Dropout { .. } => "dropout",
        }
    }

    /// A sliding-window layer's window size, stride and padding (`None` for the others).
    pub fn window(&self) -> Option<(usize, usize, Padding)> {
        match *self {
            LayerSpec::Conv2d {
                kernel_size: size,
                stride,
                padding,
                ..
            }
            | LayerSpec::MaxPool {
                size,
                stride,
                padding,
            }
            | LayerSpec::AvgPool {
                size,
                stride,
                padding,
            } => Some((size, stride, padding)),
            _ => None,
        }
    }

    /// How a sliding-window layer on `input` gets its output size (rows; the images and
    /// every map here are square), e.g. `3×3 filters, stride 1, SAME: ⌊(28 + 2·1 − 3) / 1⌋
    /// + 1 = 28; SAME: ⌈28 / 1⌉ = 28`.
    pub fn formula(&self, input: Shape) -> Option<String> {
        let (size, stride, padding) = self.window()?;
        let what = match self {
            LayerSpec::Conv2d { .. } => "filters",
            _ => "windows",
        };
        let axis = Axis::new(input.height, size, stride, padding);
        Some(format!(
            "{size}×{size} {what}, stride {stride}, {padding}: {}",
            axis.formula()
        ))
    }
}

/// How the weights start (biases start at zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// He (Kaiming) normal: `N(0, 2 / fan_in)`, for ReLU networks.
    #[default]
    He,
    /// Xavier (Glorot) uniform: `U(±√(6 / (fan_in + fan_out)))`, for tanh and sigmoid.
    Xavier,
}

/// A network: its input shape, its layers and how its weights start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    pub input: Shape,
    pub layers: Vec<LayerSpec>,
    #[serde(default)]
    pub init: Init,
}

impl NetworkSpec {
    /// The reference network: 1×28×28 → conv 8 3×3 SAME → ReLU → max-pool 2 → conv 16 3×3
    /// SAME → ReLU → max-pool 2 → flatten → dense 10 (→ softmax in the loss).
    pub fn default_mnist() -> NetworkSpec {
        NetworkSpec::two_conv([8, 16], LayerSpec::Relu, Init::He)
    }

    /// The reference network's shape with other filter counts and activation: 1×28×28 →
    /// conv `filters[0]` 3×3 SAME → `activation` → max-pool 2 (VALID) → conv `filters[1]`
    /// 3×3 SAME → `activation` → max-pool 2 → flatten → dense 10.
    pub fn two_conv(filters: [usize; 2], activation: LayerSpec, init: Init) -> NetworkSpec {
        let conv = |filters| LayerSpec::Conv2d {
            filters,
            kernel_size: 3,
            stride: 1,
            padding: Padding::Same,
        };
        let pool = LayerSpec::MaxPool {
            size: 2,
            stride: 2,
            padding: Padding::Valid,
        };
        NetworkSpec {
            input: Shape::new(1, 28, 28),
            layers: vec![
                conv(filters[0]),
                activation,
                pool,
                conv(filters[1]),
                activation,
                pool,
                LayerSpec::Flatten,
                LayerSpec::Dense { units: 10 },
            ],
            init,
        }
    }
}

impl Default for NetworkSpec {
    fn default() -> Self {
        NetworkSpec::default_mnist()
    }
}

/// How the weights move along the gradient.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Optimizer {
    /// `v ← momentum·v + g; w ← w − learning_rate·v` (plain SGD when momentum is 0).
    Sgd { learning_rate: f32, momentum: f32 },
    /// Adam (Kingma & Ba), with bias correction.
    Adam {
        learning_rate: f32,
        beta1: f32,
        beta2: f32,
        epsilon: f32,
    },
}

impl Optimizer {
    /// Plain SGD with learning rate 0.15: the default. Of the rates tried on the default
    /// network (0.05–0.3, seeds 1–4), it reaches 97 % on the test digits soonest: after
    /// 19,000–40,000 samples, against 38,000–90,000 at 0.05.
    pub const DEFAULT_SGD: Optimizer = Optimizer::Sgd {
        learning_rate: 0.15,
        momentum: 0.0,
    };

    /// Adam with the usual β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub fn adam(learning_rate: f32) -> Optimizer {
        Optimizer::Adam {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }

    pub fn learning_rate(&self) -> f32 {
        match *self {
            Optimizer::Sgd { learning_rate, .. } | Optimizer::Adam { learning_rate, .. } => {
                learning_rate
            }
        }
    }
}

impl Default for Optimizer {
    fn default() -> Self {
        Optimizer::DEFAULT_SGD
    }
}

/// Everything that defines a training run: the same config and seed give the same weights
/// after the same number of steps, on the same build and CPU kind. Builds differ in their
/// rounding (native AVX2+FMA fuses multiply-adds, the portable and wasm kernels do not; see
/// `gemm`), so a run in the browser does not repeat a native run bit for bit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    pub network: NetworkSpec,
    pub optimizer: Optimizer,
    pub batch_size: usize,
    pub seed: u64,
    /// L2 weight decay: `weight_decay · w` is added to every parameter's gradient before
    /// each step (as PyTorch's `weight_decay` does), 0 for none.
    #[serde(default)]
    pub weight_decay: f32,
    /// How many of the training images are used (the first ones, already shuffled): fewer
    /// make overfitting visible sooner.
    #[serde(default = "all_training_images")]
    pub train_examples: usize,
}

fn all_training_images() -> usize {
    TRAIN
}

impl Default for TrainConfig {
    /// The reference run: default network, SGD lr 0.15, batch 32, seed 1.
    fn default() -> Self {
        TrainConfig {
            network: NetworkSpec::default_mnist(),
            optimizer: Optimizer::DEFAULT_SGD,
            batch_size: 32,
            seed: 1,
            weight_decay: 0.0,
            train_examples: TRAIN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_round_trips_through_json() {
        let config = TrainConfig::default();
        let text = serde_json::to_string(&config).expect("serialises");
        assert!(text
            .contains(r#"{"conv2d":{"filters":8,"kernel_size":3,"stride":1,"padding":"SAME"}}"#));
        assert!(text.contains(r#""optimizer":{"sgd":{"learning_rate":0.15,"momentum":0.0}}"#));
        let back: TrainConfig = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, config);
    }

    #[test]
    fn bad_padding_names_are_refused() {
        let err = serde_json::from_str::<LayerSpec>(
            r#"{"max_pool":{"size":2,"stride":2,"padding":"same"}}"#,
        )
        .expect_err("lowercase is not a TensorFlow name");
        assert!(
            err.to_string()
                .contains("unknown variant `same`, expected `SAME` or `VALID`"),
            "{err}"
        );
    }
}
