//! The whole convolution layer the explorer shows: an input volume of C channels (1 for
//! grayscale, 3 for RGB), K filters of `f × f × C` weights with a bias each, an activation,
//! and 2 × 2 pooling with stride 2 (max or average). Each filter gives one output map, so
//! the output has depth K. TensorFlow's semantics throughout: cross-correlation with
//! SAME/VALID zero padding, `tf.nn.leaky_relu`'s slope 0.2, and pooling that never counts
//! padded cells (`max_pool2d`, `avg_pool2d`).
//!
//! Volumes are channel-major here, `(C, H, W)`; the exports turn them into TensorFlow's
//! `(H, W, C)`.

use std::rc::Rc;

use ndarray::{Array2, Array3, ArrayView3, Axis};

use super::conv::{conv_accumulate, zero_pad};
use crate::common::activation::Activation;
use crate::common::geometry::{Padding, Window};
use crate::common::pool::{avg_pool_forward, max_pool_forward};
use crate::common::resize::fit;

/// Pooling window and stride: the classic 2 × 2, stride 2.
pub const POOL_SIZE: usize = 2;
/// The leaky ReLU's slope for negative values, as `tf.nn.leaky_relu`'s default.
pub const LEAKY_SLOPE: f32 = 0.2;

/// What the input volume holds: one grayscale channel or the three colour channels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Channels {
    /// BT.601 luma, as the explorer has always shown.
    #[default]
    Grayscale,
    /// Red, green and blue, each value / 255.
    Rgb,
}

impl Channels {
    pub const ALL: [Channels; 2] = [Channels::Grayscale, Channels::Rgb];

    pub fn name(self) -> &'static str {
        match self {
            Channels::Grayscale => "Grayscale",
            Channels::Rgb => "RGB",
        }
    }

    /// C, the input's depth and every filter's.
    pub fn count(self) -> usize {
        match self {
            Channels::Grayscale => 1,
            Channels::Rgb => 3,
        }
    }

    /// The channels' names as the page writes them into labels: none for grayscale.
    pub fn channel_names(self) -> &'static [&'static str] {
        match self {
            Channels::Grayscale => &[""],
            Channels::Rgb => &["red", "green", "blue"],
        }
    }
}

/// The nonlinearity after the convolution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ActivationChoice {
    #[default]
    Relu,
    LeakyRelu,
    Tanh,
    Sigmoid,
    /// No activation: pooling works on the convolution itself.
    None,
}

impl ActivationChoice {
    pub const ALL: [ActivationChoice; 5] = [
        ActivationChoice::Relu,
        ActivationChoice::LeakyRelu,
        ActivationChoice::Tanh,
        ActivationChoice::Sigmoid,
        ActivationChoice::None,
    ];

    /// The name the page shows (and titles its stage and downloads with).
    pub fn name(self) -> &'static str {
        match self {
            ActivationChoice::Relu => "ReLU",
            ActivationChoice::LeakyRelu => "Leaky ReLU",
            ActivationChoice::Tanh => "Tanh",
            ActivationChoice::Sigmoid => "Sigmoid",
            ActivationChoice::None => "None",
        }
    }

    /// The function applied, or `None` for no activation.
    pub fn activation(self) -> Option<Activation> {
        match self {
            ActivationChoice::Relu => Some(Activation::Relu),
            ActivationChoice::LeakyRelu => Some(Activation::LeakyRelu(LEAKY_SLOPE)),
            ActivationChoice::Tanh => Some(Activation::Tanh),
            ActivationChoice::Sigmoid => Some(Activation::Sigmoid),
            ActivationChoice::None => None,
        }
    }
}

/// Which pooling follows the activation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PoolingChoice {
    #[default]
    Max,
    Average,
}

impl PoolingChoice {
    pub const ALL: [PoolingChoice; 2] = [PoolingChoice::Max, PoolingChoice::Average];

    pub fn name(self) -> &'static str {
        match self {
            PoolingChoice::Max => "Max",
            PoolingChoice::Average => "Average",
        }
    }
}

/// One filter: `C × f × f` weights (one `f × f` kernel per input channel) and a bias.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub weights: Array3<f32>,
    pub bias: f32,
}

/// How the layer slides and what follows the convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerSettings {
    pub stride: usize,
    pub padding: Padding,
    pub activation: ActivationChoice,
    pub pooling: PoolingChoice,
}

impl Default for LayerSettings {
    fn default() -> LayerSettings {
        LayerSettings {
            stride: 1,
            padding: Padding::Same,
            activation: ActivationChoice::Relu,
            pooling: PoolingChoice::Max,
        }
    }
}

/// Every stage of the layer, each `(K, H, W)`, and the windows of the two steps that change
/// the size.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerOutput {
    pub convolution: Array3<f32>,
    /// The activation's output; `None` when there is no activation.
    pub activation: Option<Array3<f32>>,
    pub pooling: Array3<f32>,
    pub conv_window: Window,
    pub pool_window: Window,
    /// Each input channel zero-padded for the convolution, kept for the next edit of one
    /// filter (shared, not copied, between versions of the output).
    padded: Rc<Vec<Array2<f32>>>,
}

/// Why the layer cannot run on this input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerError {
    /// VALID padding on a map smaller than the window: `step` is `"Convolution"` or
    /// `"Pooling"`.
    TooSmall {
        step: &'static str,
        shape: (usize, usize),
        window: usize,
    },
    /// No filters, or filters whose shape does not match the input or each other.
    Filters(String),
}

impl std::fmt::Display for LayerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayerError::TooSmall {
                step,
                shape: (h, w),
                window,
            } => write!(
                f,
                "{step} with VALID padding needs at least {window}×{window} values, but its \
                 input is {h}×{w}: choose SAME padding or a larger image"
            ),
            LayerError::Filters(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for LayerError {}

/// Fits every channel of a `(C, H, W)` volume to `working_size` by area averaging.
pub fn fit_channels(input: ArrayView3<f32>, working_size: usize) -> Array3<f32> {
    let planes: Vec<_> = input
        .axis_iter(Axis(0))
        .map(|plane| fit(plane, working_size))
        .collect();
    let (h, w) = planes.first().map_or((0, 0), |p| p.dim());
    let mut out = Array3::zeros((planes.len(), h, w));
    for (mut dst, plane) in out.axis_iter_mut(Axis(0)).zip(&planes) {
        dst.assign(plane);
    }
    out
}

/// Runs the layer: each filter's convolution over every channel plus its bias, the
/// activation, and the pooling.
pub fn run_layer(
    input: ArrayView3<f32>,
    filters: &[Filter],
    settings: LayerSettings,
) -> Result<LayerOutput, LayerError> {
    let (channels, h, w) = input.dim();
    let size = filters
        .first()
        .map(|f| f.weights.dim().1)
        .ok_or_else(|| LayerError::Filters("the layer needs at least one filter".into()))?;
    if filters
        .iter()
        .any(|f| f.weights.dim() != (channels, size, size))
    {
        return Err(LayerError::Filters(format!(
            "every filter must be {size}×{size}×{channels}, to match the input's {channels} \
             channel(s)"
        )));
    }
    let conv_window = Window::new((h, w), (size, size), settings.stride, settings.padding);
    if conv_window.is_empty() {
        return Err(LayerError::TooSmall {
            step: "Convolution",
            shape: (h, w),
            window: size,
        });
    }
    let (out_h, out_w) = conv_window.output_shape();
    let pool_window = Window::new(
        (out_h, out_w),
        (POOL_SIZE, POOL_SIZE),
        POOL_SIZE,
        settings.padding,
    );
    if pool_window.is_empty() {
        return Err(LayerError::TooSmall {
            step: "Pooling",
            shape: (out_h, out_w),
            window: POOL_SIZE,
        });
    }
    let (pool_h, pool_w) = pool_window.output_shape();
    let k = filters.len();
    let mut output = LayerOutput {
        convolution: Array3::zeros((k, out_h, out_w)),
        activation: settings
            .activation
            .activation()
            .map(|_| Array3::zeros((k, out_h, out_w))),
        pooling: Array3::zeros((k, pool_h, pool_w)),
        conv_window,
        pool_window,
        padded: Rc::new(pad_channels(input, &conv_window)),
    };
    for (index, filter) in filters.iter().enumerate() {
        output.compute_filter(index, filter, settings);
    }
    Ok(output)
}

/// Each channel of `input` zero-padded for `window`: padded once, for every filter.
fn pad_channels(input: ArrayView3<f32>, window: &Window) -> Vec<Array2<f32>> {
    input
        .outer_iter()
        .map(|plane| zero_pad(plane, window))
        .collect()
}

impl LayerOutput {
    /// Recomputes the maps of filter `index` alone, for a filter of the same shape whose
    /// weights or bias changed, over the same input with the same `settings` as before: an
    /// edit of one filter of eight costs an eighth of the layer.
    pub fn update_filter(&mut self, index: usize, filter: &Filter, settings: LayerSettings) {
        self.compute_filter(index, filter, settings);
    }

    /// Filter `index`'s convolution (+ bias), activation and pooling, into its planes.
    fn compute_filter(&mut self, index: usize, filter: &Filter, settings: LayerSettings) {
        let mut conv = self.convolution.index_axis_mut(Axis(0), index);
        let conv = conv
            .as_slice_mut()
            .expect("a plane of the layer's arrays is contiguous");
        conv.fill(filter.bias);
        conv_accumulate(&self.padded, filter.weights.view(), &self.conv_window, conv);
        let conv = &*conv;
        let activated = match (settings.activation.activation(), self.activation.as_mut()) {
            (Some(activation), Some(out)) => {
                let plane = out.index_axis_mut(Axis(0), index);
                let plane = plane
                    .into_slice()
                    .expect("a plane of the layer's arrays is contiguous");
                activation.forward(conv, plane);
                &*plane
            }
            _ => conv,
        };
        let mut pooled = self.pooling.index_axis_mut(Axis(0), index);
        let pooled = pooled
            .as_slice_mut()
            .expect("a plane of the layer's arrays is contiguous");
        match settings.pooling {
            PoolingChoice::Max => {
                let mut argmax = vec![0u32; pooled.len()];
                max_pool_forward(activated, 1, &self.pool_window, pooled, &mut argmax);
            }
            PoolingChoice::Average => avg_pool_forward(activated, 1, &self.pool_window, pooled),
        }
    }
}

/// The number of weights and biases of this layer, `f·f·C·K + K`, and of a fully
/// connected layer from the same input to the same output, `(H·W·C)·(H′·W′·K) + H′·W′·K`:
/// the saving that sharing one filter's weights across all positions buys.
pub fn parameter_counts(
    input: (usize, usize, usize),
    kernel_size: usize,
    filters: usize,
    output: (usize, usize),
) -> (u64, u64) {
    let (c, h, w) = (input.0 as u64, input.1 as u64, input.2 as u64);
    let (f, k) = (kernel_size as u64, filters as u64);
    let outputs = output.0 as u64 * output.1 as u64 * k;
    (f * f * c * k + k, h * w * c * outputs + outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn parameter_sharing_in_numbers() {
        // 300 × 200 × 3 → 3 × 3 × 3 × 4 + 4 = 112 weights; a dense layer to the same
        // 300 × 200 × 4 output would need 180,000 · 240,000 + 240,000.
        let (conv, dense) = parameter_counts((3, 300, 200), 3, 4, (300, 200));
        assert_eq!(conv, 112);
        assert_eq!(dense, 180_000 * 240_000 + 240_000);
        // One 3 × 3 grayscale filter on a 28 × 28 digit with SAME padding.
        assert_eq!(parameter_counts((1, 28, 28), 3, 1, (28, 28)), (10, 615_440));
    }

    #[test]
    fn updating_one_filter_gives_the_whole_layer_again() {
        let input = Array3::from_shape_fn((3, 9, 11), |(c, i, j)| ((c * 5 + i * 3 + j) % 7) as f32);
        let filter = |seed: usize, bias: f32| Filter {
            weights: Array3::from_shape_fn((3, 3, 3), |(c, i, j)| {
                ((seed + c * 9 + i * 3 + j) % 5) as f32 - 2.0
            }),
            bias,
        };
        for (activation, pooling) in [
            (ActivationChoice::Relu, PoolingChoice::Max),
            (ActivationChoice::None, PoolingChoice::Average),
        ] {
            let settings = LayerSettings {
                activation,
                pooling,
                ..LayerSettings::default()
            };
            let mut filters = vec![filter(0, 0.0), filter(1, 0.5), filter(2, -1.0)];
            let mut output = run_layer(input.view(), &filters, settings).expect("runs");
            filters[1] = filter(7, 2.0);
            output.update_filter(1, &filters[1], settings);
            assert_eq!(
                output,
                run_layer(input.view(), &filters, settings).expect("runs")
            );
        }
    }

    #[test]
    fn filters_must_match_the_input() {
        let input = Array3::<f32>::zeros((3, 8, 8));
        let gray = Filter {
            weights: Array3::zeros((1, 3, 3)),
            bias: 0.0,
        };
        let err = run_layer(input.view(), &[gray], LayerSettings::default()).unwrap_err();
        assert!(err.to_string().contains("3×3×3"), "{err}");
        assert!(run_layer(input.view(), &[], LayerSettings::default()).is_err());
    }

    #[test]
    fn a_bias_shifts_a_flat_map_and_none_skips_the_activation() {
        let input = Array3::<f32>::from_elem((1, 4, 4), 1.0);
        let filter = Filter {
            weights: Array3::zeros((1, 5, 5)),
            bias: -0.5,
        };
        let settings = LayerSettings {
            activation: ActivationChoice::None,
            pooling: PoolingChoice::Average,
            ..LayerSettings::default()
        };
        let out = run_layer(input.view(), &[filter], settings).expect("runs");
        assert!(out.activation.is_none());
        assert!(out.pooling.iter().all(|&v| v == -0.5));
        assert_eq!(out.pooling.dim(), (1, 2, 2));
    }
}
