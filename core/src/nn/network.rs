//! A network built from a [`NetworkSpec`]: its parameters, one contiguous buffer for all
//! of them (and one for their gradients), and a workspace with every layer's activations
//! for the last batch, sized once and then reused, so a training step allocates nothing.

use std::ops::Range;

use ndarray::{
    Array3, Array4, ArrayView1, ArrayView2, ArrayView4, ArrayViewD, ArrayViewMut1, ArrayViewMutD,
    Axis as NdAxis, IxDyn,
};

use super::error::NnError;
use super::layers::{self, Conv};
use super::rng::Rng;
use super::spec::{Init, LayerSpec, NetworkSpec, Shape};
use crate::common::activation::Activation;
use crate::common::geometry::{Padding, Window};
use crate::common::pool;

/// The most values one activation of one sample may hold, and the most parameters a
/// network may have: far above anything that trains in a browser, low enough that sizes
/// cannot overflow.
const MAX_VALUES: usize = 1 << 24;
/// The most values all of a batch's activations of one layer may hold (indices stay `u32`).
const MAX_BATCH_VALUES: usize = 1 << 30;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Conv(Conv),
    Activation(Activation),
    MaxPool(Window),
    AvgPool(Window),
    Flatten,
    Dense { units: usize },
    Dropout(f32),
}

#[derive(Clone, Debug, PartialEq)]
struct Layer {
    op: Op,
    input: Shape,
    output: Shape,
    /// Where the weights are in the parameter buffer; the bias follows them.
    weights: Range<usize>,
    bias: Range<usize>,
}

/// Buffers for one batch, reused from step to step (they only grow).
#[derive(Clone, Debug, Default)]
struct Workspace {
    batch: usize,
    input: Vec<f32>,
    outputs: Vec<Vec<f32>>,
    cols: Vec<Vec<f32>>,
    argmax: Vec<Vec<u32>>,
    /// Each dropout layer's mask of the last pass: 0 or 1 / (1 − rate) per value (all 1
    /// outside training).
    masks: Vec<Vec<f32>>,
    probs: Vec<f32>,
    /// Per-column scratch for softmax.
    columns: Vec<f32>,
    grad: Vec<f32>,
    grad_next: Vec<f32>,
    /// Whether the last forward pass fused each ReLU followed by max pooling into the
    /// pooling ([`Activations::Needed`]), so the backward pass must too.
    fused: bool,
}

/// Which activations a forward pass must leave in the workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Activations {
    /// Every layer's, for [`Network::activation`] to show.
    All,
    /// Only what the loss and the backward pass need: a ReLU followed by max pooling is
    /// then computed as the pooling of its input with the ReLU applied to the pooled
    /// values (the maximum of ReLUs is the ReLU of the maximum), a quarter of the work for
    /// 2 × 2 windows, and its own output is never written.
    Needed,
}

/// The loss of a batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchLoss {
    /// Mean cross-entropy over the batch (natural log).
    pub loss: f32,
    /// How many samples' largest logit was their label.
    pub correct: usize,
}

/// A layer's weights (or their gradients) as arrays: convolution weights are
/// `filters × channels × kernel × kernel`, dense weights `units × inputs`.
#[derive(Clone, Debug)]
pub struct LayerWeights<'a> {
    pub weights: ArrayViewD<'a, f32>,
    pub bias: ArrayView1<'a, f32>,
}

/// Mutable [`LayerWeights`].
#[derive(Debug)]
pub struct LayerWeightsMut<'a> {
    pub weights: ArrayViewMutD<'a, f32>,
    pub bias: ArrayViewMut1<'a, f32>,
}

/// A network ready to run and train.
#[derive(Clone, Debug)]
pub struct Network {
    spec: NetworkSpec,
    layers: Vec<Layer>,
    params: Vec<f32>,
    grads: Vec<f32>,
    ws: Workspace,
    /// Whether passes are training passes (dropout drops).
    training: bool,
    /// Draws the dropout masks; seeded with the weights, so a run repeats exactly.
    dropout_rng: Rng,
}

fn check_window(size: usize, stride: usize, what: &str) -> Result<(), String> {
    if size == 0 {
        return Err(format!("the {what} size must be at least 1"));
    }
    if stride == 0 {
        return Err("the stride must be at least 1".into());
    }
    if size > MAX_VALUES || stride > MAX_VALUES {
        return Err(format!(
            "the {what} size and stride must be at most {MAX_VALUES}"
        ));
    }
    Ok(())
}

fn window(
    input: Shape,
    size: usize,
    stride: usize,
    padding: Padding,
    what: &str,
) -> Result<Window, String> {
    let window = Window::new((input.height, input.width), (size, size), stride, padding);
    if window.is_empty() {
        return Err(format!(
            "a {size}×{size} {what} with stride {stride} and {padding} padding does not fit its \
             {}×{} input: the output would be {}×{}",
            input.height, input.width, window.rows.output, window.cols.output
        ));
    }
    Ok(window)
}

fn plan_layer(spec: &LayerSpec, input: Shape) -> Result<(Op, Shape, usize, usize), String> {
    Ok(match *spec {
        LayerSpec::Conv2d {
            filters,
            kernel_size,
            stride,
            padding,
        } => {
            if filters == 0 || filters > MAX_VALUES {
                return Err(format!(
                    "the number of filters must be between 1 and {MAX_VALUES}"
                ));
            }
            check_window(kernel_size, stride, "kernel")?;
            let window = window(input, kernel_size, stride, padding, "kernel")?;
            let weights = input
                .channels
                .checked_mul(kernel_size * kernel_size)
                .and_then(|n| n.checked_mul(filters))
                .filter(|&n| n <= MAX_VALUES)
                .ok_or_else(|| format!("too many weights (more than {MAX_VALUES})"))?;
            let output = Shape::new(filters, window.rows.output, window.cols.output);
            let conv = Conv {
                filters,
                kernel_size,
                window,
            };
            (Op::Conv(conv), output, weights, filters)
        }
        LayerSpec::Relu => (Op::Activation(Activation::Relu), input, 0, 0),
        LayerSpec::LeakyRelu { slope } => {
            if !(0.0..1.0).contains(&slope) {
                return Err(format!(
                    "the leaky ReLU slope must be in [0, 1), not {slope}"
                ));
            }
            (Op::Activation(Activation::LeakyRelu(slope)), input, 0, 0)
        }
        LayerSpec::Tanh => (Op::Activation(Activation::Tanh), input, 0, 0),
        LayerSpec::Sigmoid => (Op::Activation(Activation::Sigmoid), input, 0, 0),
        LayerSpec::MaxPool {
            size,
            stride,
            padding,
        }
        | LayerSpec::AvgPool {
            size,
            stride,
            padding,
        } => {
            check_window(size, stride, "pooling window")?;
            let window = window(input, size, stride, padding, "pooling window")?;
            let output = Shape::new(input.channels, window.rows.output, window.cols.output);
            let op = if matches!(spec, LayerSpec::MaxPool { .. }) {
                Op::MaxPool(window)
            } else {
                Op::AvgPool(window)
            };
            (op, output, 0, 0)
        }
        LayerSpec::Flatten => (Op::Flatten, Shape::flat(input.len()), 0, 0),
        LayerSpec::Dropout { rate } => {
            if !(0.0..1.0).contains(&rate) {
                return Err(format!("the dropout rate must be in [0, 1), not {rate}"));
            }
            (Op::Dropout(rate), input, 0, 0)
        }
        LayerSpec::Dense { units } => {
            if !input.is_flat() {
                return Err(format!(
                    "a dense layer needs a flat input, but it receives {input}: add a flatten \
                     layer before it"
                ));
            }
            if units == 0 || units > MAX_VALUES {
                return Err(format!(
                    "the number of units must be between 1 and {MAX_VALUES}"
                ));
            }
            let weights = units
                .checked_mul(input.len())
                .filter(|&n| n <= MAX_VALUES)
                .ok_or_else(|| format!("too many weights (more than {MAX_VALUES})"))?;
            (Op::Dense { units }, Shape::flat(units), weights, units)
        }
    })
}

fn plan(spec: &NetworkSpec) -> Result<(Vec<Layer>, usize), NnError> {
    let input = spec.input;
    if input.is_empty() || input.len() > MAX_VALUES {
        return Err(NnError::Network(format!(
            "the input must have between 1 and {MAX_VALUES} values, not {input}"
        )));
    }
    if spec.layers.is_empty() {
        return Err(NnError::Network(
            "a network needs at least one layer".into(),
        ));
    }
    let mut layers = Vec::with_capacity(spec.layers.len());
    let (mut shape, mut offset) = (input, 0usize);
    for (index, layer_spec) in spec.layers.iter().enumerate() {
        let layer_error = |message: String| NnError::Layer {
            index,
            message: format!("{}: {message}", layer_spec.name()),
        };
        let (op, output, n_weights, n_bias) = plan_layer(layer_spec, shape).map_err(layer_error)?;
        if output.len() > MAX_VALUES {
            return Err(layer_error(format!(
                "its output {output} has more than {MAX_VALUES} values"
            )));
        }
        let weights = offset..offset + n_weights;
        let bias = weights.end..weights.end + n_bias;
        offset = bias.end;
        if offset > MAX_VALUES {
            return Err(NnError::Network(format!(
                "more than {MAX_VALUES} parameters in all"
            )));
        }
        layers.push(Layer {
            op,
            input: shape,
            output,
            weights,
            bias,
        });
        shape = output;
    }
    Ok((layers, offset))
}

/// One layer of a network as a table shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerSummary {
    pub name: &'static str,
    pub output: Shape,
    /// Weights and biases.
    pub parameters: usize,
    /// How a sliding window got the output size (see [`LayerSpec::formula`]).
    pub formula: Option<String>,
}

impl NetworkSpec {
    /// Every layer's output shape, parameter count and size formula, or why the network
    /// cannot be built (a window larger than its input, say), without building it.
    pub fn summary(&self) -> Result<Vec<LayerSummary>, NnError> {
        let (layers, _) = plan(self)?;
        Ok(layers
            .iter()
            .zip(&self.layers)
            .map(|(layer, spec)| LayerSummary {
                name: spec.name(),
                output: layer.output,
                parameters: layer.weights.len() + layer.bias.len(),
                formula: spec.formula(layer.input),
            })
            .collect())
    }
}

impl Network {
    /// Builds the network and draws its initial weights from `seed` (He or Xavier, as the
    /// spec says; biases start at 0). The same spec and seed give bit-identical weights.
    pub fn new(spec: &NetworkSpec, seed: u64) -> Result<Network, NnError> {
        let (layers, n_params) = plan(spec)?;
        let mut network = Network {
            spec: spec.clone(),
            layers,
            params: vec![0.0; n_params],
            grads: vec![0.0; n_params],
            ws: Workspace {
                outputs: vec![Vec::new(); spec.layers.len()],
                cols: vec![Vec::new(); spec.layers.len()],
                argmax: vec![Vec::new(); spec.layers.len()],
                masks: vec![Vec::new(); spec.layers.len()],
                ..Workspace::default()
            },
            training: false,
            dropout_rng: Rng::new(seed ^ 0x9E37_79B9_7F4A_7C15),
        };
        network.initialize(&mut Rng::new(seed));
        Ok(network)
    }

    /// Draws fresh weights from `rng` and zeroes the biases.
    pub fn initialize(&mut self, rng: &mut Rng) {
        for layer in &self.layers {
            let (fan_in, fan_out) = match layer.op {
                Op::Conv(conv) => {
                    let area = conv.kernel_size * conv.kernel_size;
                    (layer.input.channels * area, conv.filters * area)
                }
                Op::Dense { units } => (layer.input.len(), units),
                _ => continue,
            };
            let weights = &mut self.params[layer.weights.clone()];
            match self.spec.init {
                Init::He => {
                    let std = (2.0 / fan_in as f64).sqrt();
                    weights
                        .iter_mut()
                        .for_each(|w| *w = (rng.normal() * std) as f32);
                }
                Init::Xavier => {
                    let limit = (6.0 / (fan_in + fan_out) as f64).sqrt();
                    weights
                        .iter_mut()
                        .for_each(|w| *w = ((2.0 * rng.uniform() - 1.0) * limit) as f32);
                }
            }
            self.params[layer.bias.clone()].fill(0.0);
        }
    }

    pub fn spec(&self) -> &NetworkSpec {
        &self.spec
    }

    pub fn input_shape(&self) -> Shape {
        self.spec.input
    }

    /// The shape of each layer's output, in order.
    pub fn output_shapes(&self) -> Vec<Shape> {
        self.layers.iter().map(|l| l.output).collect()
    }

    /// The shape of the last layer's output (the logits).
    pub fn output_shape(&self) -> Shape {
        self.layers.last().map_or(self.spec.input, |l| l.output)
    }

    pub fn parameter_count(&self) -> usize {
        self.params.len()
    }

    /// All parameters, layer after layer, weights before bias.
    pub fn parameters(&self) -> &[f32] {
        &self.params
    }

    pub fn parameters_mut(&mut self) -> &mut [f32] {
        &mut self.params
    }

    /// The gradients of the last backward pass, laid out like [`Network::parameters`].
    pub fn gradients(&self) -> &[f32] {
        &self.grads
    }

    /// Makes the following passes training passes (dropout drops values) or not.
    pub fn set_training(&mut self, training: bool) {
        self.training = training;
    }

    /// Adds L2 weight decay to the gradients of the last backward pass: `g += decay · w`.
    pub(crate) fn add_weight_decay(&mut self, decay: f32) {
        if decay != 0.0 {
            for (g, &w) in self.grads.iter_mut().zip(&self.params) {
                *g += decay * w;
            }
        }
    }

    pub(crate) fn parameters_and_gradients(&mut self) -> (&mut [f32], &[f32]) {
        (&mut self.params, &self.grads)
    }

    fn weight_shape(&self, layer: &Layer) -> Option<Vec<usize>> {
        match layer.op {
            Op::Conv(conv) => Some(vec![
                conv.filters,
                layer.input.channels,
                conv.kernel_size,
                conv.kernel_size,
            ]),
            Op::Dense { units } => Some(vec![units, layer.input.len()]),
            _ => None,
        }
    }

    fn view<'a>(&self, buffer: &'a [f32], index: usize) -> Option<LayerWeights<'a>> {
        let layer = self.layers.get(index)?;
        let shape = self.weight_shape(layer)?;
        Some(LayerWeights {
            weights: ArrayViewD::from_shape(IxDyn(&shape), &buffer[layer.weights.clone()]).ok()?,
            bias: ArrayView1::from(&buffer[layer.bias.clone()]),
        })
    }

    /// Where layer `index`'s weights and then its bias sit in [`Network::parameters`], or
    /// `None` for a layer without parameters.
    pub fn parameter_ranges(&self, index: usize) -> Option<(Range<usize>, Range<usize>)> {
        let layer = self.layers.get(index)?;
        self.weight_shape(layer)?;
        Some((layer.weights.clone(), layer.bias.clone()))
    }

    /// Layer `index`'s weights and bias, or `None` for a layer without parameters.
    pub fn weights(&self, index: usize) -> Option<LayerWeights<'_>> {
        self.view(&self.params, index)
    }

    /// Layer `index`'s gradients from the last backward pass, shaped like its weights.
    pub fn layer_gradients(&self, index: usize) -> Option<LayerWeights<'_>> {
        self.view(&self.grads, index)
    }

    pub fn weights_mut(&mut self, index: usize) -> Option<LayerWeightsMut<'_>> {
        let layer = self.layers.get(index)?;
        let shape = self.weight_shape(layer)?;
        let (start, split, end) = (layer.weights.start, layer.weights.end, layer.bias.end);
        let (weights, bias) = self.params[start..end].split_at_mut(split - start);
        Some(LayerWeightsMut {
            weights: ArrayViewMutD::from_shape(IxDyn(&shape), weights).ok()?,
            bias: ArrayViewMut1::from(bias),
        })
    }

    /// Bytes held: parameters, gradients and the workspace's buffers (as allocated).
    pub fn memory_bytes(&self) -> usize {
        let ws = &self.ws;
        let floats = self.params.capacity()
            + self.grads.capacity()
            + ws.input.capacity()
            + ws.probs.capacity()
            + ws.columns.capacity()
            + ws.grad.capacity()
            + ws.grad_next.capacity()
            + ws.outputs
                .iter()
                .chain(&ws.cols)
                .map(Vec::capacity)
                .sum::<usize>();
        let indices: usize = ws.argmax.iter().map(Vec::capacity).sum();
        4 * (floats + indices)
    }

    /// Sizes the workspace for `batch` samples (allocating only when it grows).
    fn prepare(&mut self, batch: usize) -> Result<(), NnError> {
        if batch == 0 {
            return Err(NnError::Hyperparameter(
                "the batch size must be at least 1".into(),
            ));
        }
        let largest = self
            .layers
            .iter()
            .map(|l| l.output.len())
            .chain([self.spec.input.len()])
            .max()
            .unwrap_or(0);
        if largest.saturating_mul(batch) > MAX_BATCH_VALUES {
            return Err(NnError::Hyperparameter(format!(
                "a batch of {batch} needs more than {MAX_BATCH_VALUES} values per layer"
            )));
        }
        if self.ws.batch == batch {
            return Ok(());
        }
        let classes = self.output_shape().len();
        let ws = &mut self.ws;
        ws.batch = batch;
        ws.input.resize(self.spec.input.len() * batch, 0.0);
        for (i, layer) in self.layers.iter().enumerate() {
            ws.outputs[i].resize(layer.output.len() * batch, 0.0);
            if let Op::Conv(conv) = layer.op {
                ws.cols[i].resize(conv.cols_len(layer.input, batch), 0.0);
            }
            if let Op::MaxPool(_) = layer.op {
                ws.argmax[i].resize(layer.output.len() * batch, 0);
            }
            if let Op::Dropout(_) = layer.op {
                ws.masks[i].resize(layer.output.len() * batch, 1.0);
            }
        }
        ws.probs.resize(classes * batch, 0.0);
        ws.columns.resize(2 * batch, 0.0);
        ws.grad.resize(largest * batch, 0.0);
        ws.grad_next.resize(largest * batch, 0.0);
        Ok(())
    }

    /// The input buffer for a batch, CNHW, to fill before [`Network::run_forward`].
    pub(crate) fn input_buffer(&mut self, batch: usize) -> Result<&mut [f32], NnError> {
        self.prepare(batch)?;
        Ok(&mut self.ws.input)
    }

    /// Runs every layer on the workspace's input, then softmax on the logits.
    pub(crate) fn run_forward(&mut self, keep: Activations) {
        let Network {
            layers,
            params,
            ws,
            training,
            dropout_rng,
            ..
        } = self;
        let batch = ws.batch;
        ws.fused = keep == Activations::Needed;
        for (i, layer) in layers.iter().enumerate() {
            let (done, rest) = ws.outputs.split_at_mut(i);
            let y = &mut rest[0];
            if ws.fused && relu_before_max_pool(layers, i) {
                continue;
            }
            let fused_relu = ws.fused && i > 0 && relu_before_max_pool(layers, i - 1);
            // A pooling fused with the ReLU before it reads what the ReLU would have read.
            let source = i.checked_sub(1 + usize::from(fused_relu));
            let x: &[f32] = source.map_or(&ws.input, |j| &done[j]);
            let w = &params[layer.weights.clone()];
            let b = &params[layer.bias.clone()];
            let planes = layer.input.channels * batch;
            match layer.op {
                Op::Conv(conv) => conv.forward(layer.input, batch, x, w, b, &mut ws.cols[i], y),
                Op::Activation(act) => act.forward(x, y),
                Op::MaxPool(win) => {
                    pool::max_pool_forward(x, planes, &win, y, &mut ws.argmax[i]);
                    if fused_relu {
                        y.iter_mut()
                            .for_each(|v| *v = if *v > 0.0 { *v } else { 0.0 });
                    }
                }
                Op::AvgPool(win) => pool::avg_pool_forward(x, planes, &win, y),
                Op::Flatten => layers::flatten_forward(x, layer.input, batch, y),
                Op::Dense { units } => {
                    layers::dense_forward(units, layer.input.len(), batch, x, w, b, y)
                }
                Op::Dropout(rate) => {
                    let mask = &mut ws.masks[i];
                    if *training && rate > 0.0 {
                        let keep = 1.0 / (1.0 - rate);
                        for m in mask.iter_mut() {
                            *m = if dropout_rng.uniform() < f64::from(rate) {
                                0.0
                            } else {
                                keep
                            };
                        }
                    } else {
                        mask.fill(1.0);
                    }
                    for ((y, &x), &m) in y.iter_mut().zip(x).zip(mask.iter()) {
                        *y = x * m;
                    }
                }
            }
        }
        let logits = &self.ws.outputs[self.layers.len() - 1];
        layers::softmax(logits, batch, &mut self.ws.probs, &mut self.ws.columns);
    }

    /// Back-propagates the gradient in `ws.grad` (with respect to the last layer's output)
    /// through every layer, filling the parameter gradients; the gradient with respect to
    /// the input ends in `ws.grad` when `input_gradient` is set.
    fn run_backward(&mut self, input_gradient: bool) {
        let Network {
            layers,
            params,
            grads,
            ws,
            ..
        } = self;
        let batch = ws.batch;
        for (i, layer) in layers.iter().enumerate().rev() {
            if ws.fused && relu_before_max_pool(layers, i) {
                // The pooling below already passed the gradient through this ReLU.
                continue;
            }
            let fused_relu = ws.fused && i > 0 && relu_before_max_pool(layers, i - 1);
            let x: &[f32] = if i == 0 {
                &ws.input
            } else {
                &ws.outputs[i - 1]
            };
            let y = &ws.outputs[i];
            let dy = &ws.grad[..layer.output.len() * batch];
            let want_dx = i > 0 || input_gradient;
            let dx = &mut ws.grad_next[..layer.input.len() * batch];
            let w = &params[layer.weights.clone()];
            let (dw, db) =
                grads[layer.weights.start..layer.bias.end].split_at_mut(layer.weights.len());
            let planes = layer.input.channels * batch;
            match layer.op {
                Op::Conv(conv) => conv.backward(
                    layer.input,
                    batch,
                    dy,
                    w,
                    &mut ws.cols[i],
                    dw,
                    db,
                    want_dx.then_some(dx),
                ),
                Op::Dense { units } => layers::dense_backward(
                    units,
                    layer.input.len(),
                    batch,
                    x,
                    w,
                    dy,
                    dw,
                    db,
                    want_dx.then_some(dx),
                ),
                _ if !want_dx => {}
                Op::Activation(act) => act.backward(y, dy, dx),
                Op::MaxPool(win) => pool::max_pool_backward(
                    dy,
                    &ws.argmax[i],
                    fused_relu.then_some(y.as_slice()),
                    planes,
                    &win,
                    dx,
                ),
                Op::AvgPool(win) => pool::avg_pool_backward(dy, planes, &win, dx),
                Op::Flatten => layers::flatten_backward(dy, layer.input, batch, dx),
                Op::Dropout(_) => {
                    for ((dx, &dy), &m) in dx.iter_mut().zip(dy).zip(&ws.masks[i]) {
                        *dx = dy * m;
                    }
                }
            }
            if want_dx {
                std::mem::swap(&mut ws.grad, &mut ws.grad_next);
            }
        }
    }

    /// Softmax cross-entropy of the last forward pass against `labels`; with `backward`,
    /// also every parameter's gradient of the batch-mean loss.
    pub(crate) fn loss(&mut self, labels: &[u8], backward: bool) -> Result<BatchLoss, NnError> {
        let classes = self.output_shape().len();
        if labels.len() != self.ws.batch {
            return Err(NnError::Input(format!(
                "{} labels for a batch of {}",
                labels.len(),
                self.ws.batch
            )));
        }
        if let Some(&bad) = labels.iter().find(|&&l| l as usize >= classes) {
            return Err(NnError::Input(format!(
                "label {bad} is out of range: the network has {classes} outputs"
            )));
        }
        let logits = &self.ws.outputs[self.layers.len() - 1];
        let dlogits = backward.then_some(&mut self.ws.grad[..classes * labels.len()]);
        let (sum, correct) =
            layers::cross_entropy(logits, &self.ws.probs, classes, labels, dlogits);
        if backward {
            self.run_backward(false);
        }
        Ok(BatchLoss {
            loss: (sum / labels.len() as f64) as f32,
            correct,
        })
    }

    /// Copies an NCHW batch into the workspace.
    fn load(&mut self, input: ArrayView4<f32>) -> Result<(), NnError> {
        let (batch, c, h, w) = input.dim();
        let expected = self.spec.input;
        if Shape::new(c, h, w) != expected {
            return Err(NnError::Input(format!(
                "the network takes {expected} inputs, not {c}×{h}×{w}"
            )));
        }
        to_cnhw(input, self.input_buffer(batch)?);
        Ok(())
    }

    /// Runs a batch (`batch × C × H × W`) through the network and returns its logits
    /// (`batch × classes`). Every layer's activations stay available through
    /// [`Network::activation`] until the next pass.
    pub fn forward(&mut self, input: ArrayView4<f32>) -> Result<ArrayView2<'_, f32>, NnError> {
        self.load(input)?;
        self.run_forward(Activations::All);
        let classes = self.output_shape().len();
        let logits = ArrayView2::from_shape(
            (classes, self.ws.batch),
            &self.ws.outputs[self.layers.len() - 1],
        )
        .map_err(|e| NnError::Input(e.to_string()))?;
        Ok(logits.reversed_axes())
    }

    /// The activation of layer `index` for the last pass, `batch × C × H × W` (flat layers
    /// are `batch × n × 1 × 1`), viewed in place without copying.
    pub fn activation(&self, index: usize) -> Option<ArrayView4<'_, f32>> {
        let shape = self.layers.get(index)?.output;
        cnhw_view(&self.ws.outputs[index], shape, self.ws.batch)
    }

    /// The input of the last pass, `batch × C × H × W`.
    pub fn input(&self) -> Option<ArrayView4<'_, f32>> {
        cnhw_view(&self.ws.input, self.spec.input, self.ws.batch)
    }

    /// Softmax of the last pass's logits, `batch × classes`.
    pub fn probabilities(&self) -> ArrayView2<'_, f32> {
        let classes = self.output_shape().len();
        let probs = &self.ws.probs[..classes * self.ws.batch];
        ArrayView2::from_shape((classes, self.ws.batch), probs)
            .expect("prepare sizes the probabilities for the batch")
            .reversed_axes()
    }

    /// One image (`C × H × W`) through the network: its class probabilities. Every layer's
    /// activation is then available through [`Network::activation`] (with batch 1).
    pub fn predict(
        &mut self,
        image: ndarray::ArrayView3<f32>,
    ) -> Result<ArrayView1<'_, f32>, NnError> {
        self.forward(image.insert_axis(NdAxis(0)))?;
        Ok(self.probabilities().index_axis_move(NdAxis(0), 0))
    }

    /// Why one image (`C × H × W`) gets the score it gets for `class`: the gradient of
    /// that class's logit with respect to every input value, from the backward pass (a
    /// saliency map: positive where more ink raises the score). Parameters do not change;
    /// the parameter gradients of the last pass are overwritten.
    pub fn saliency(
        &mut self,
        image: ndarray::ArrayView3<f32>,
        class: usize,
    ) -> Result<Array3<f32>, NnError> {
        let classes = self.output_shape().len();
        if class >= classes {
            return Err(NnError::Input(format!(
                "class {class} is out of range: the network has {classes} outputs"
            )));
        }
        self.forward(image.insert_axis(NdAxis(0)))?;
        let mut probe = Array4::<f32>::zeros((1, classes, 1, 1));
        probe[[0, class, 0, 0]] = 1.0;
        let gradient = self.backward(probe.view())?;
        Ok(gradient.index_axis(NdAxis(0), 0).to_owned())
    }

    /// Forward and backward on a batch: the mean loss, and every parameter's gradient in
    /// [`Network::gradients`]. Parameters are not changed.
    pub fn loss_and_gradients(
        &mut self,
        input: ArrayView4<f32>,
        labels: &[u8],
    ) -> Result<BatchLoss, NnError> {
        self.load(input)?;
        self.run_forward(Activations::All);
        self.loss(labels, true)
    }

    /// Back-propagates `d_output` (`batch × output shape`, the gradient of some loss with
    /// respect to the last pass's final activations) and returns the gradient with respect
    /// to the input; the parameters' gradients land in [`Network::gradients`].
    pub fn backward(&mut self, d_output: ArrayView4<f32>) -> Result<ArrayView4<'_, f32>, NnError> {
        let out = self.output_shape();
        let batch = self.ws.batch;
        let (b, c, h, w) = d_output.dim();
        if batch == 0 || b != batch || Shape::new(c, h, w) != out {
            return Err(NnError::Input(format!(
                "the output gradient must be {batch}×{out} (the last forward pass), not {b}×{c}×{h}×{w}"
            )));
        }
        to_cnhw(d_output, &mut self.ws.grad);
        self.run_backward(true);
        cnhw_view(&self.ws.grad, self.spec.input, batch)
            .ok_or_else(|| NnError::Input("no input gradient".into()))
    }
}

/// Whether layer `i` is a ReLU whose output goes straight into max pooling.
fn relu_before_max_pool(layers: &[Layer], i: usize) -> bool {
    matches!(layers[i].op, Op::Activation(Activation::Relu))
        && matches!(layers.get(i + 1).map(|l| l.op), Some(Op::MaxPool(_)))
}

/// Copies an NCHW array into a CNHW buffer, a contiguous plane at a time when it can.
fn to_cnhw(nchw: ArrayView4<f32>, cnhw: &mut [f32]) {
    let (batch, channels, h, w) = nchw.dim();
    for c in 0..channels {
        for b in 0..batch {
            let plane = nchw.index_axis(NdAxis(0), b).index_axis_move(NdAxis(0), c);
            let dst = &mut cnhw[(c * batch + b) * h * w..][..h * w];
            match plane.as_slice() {
                Some(src) => dst.copy_from_slice(src),
                None => dst.iter_mut().zip(plane.iter()).for_each(|(d, &v)| *d = v),
            }
        }
    }
}

fn cnhw_view(buffer: &[f32], shape: Shape, batch: usize) -> Option<ArrayView4<'_, f32>> {
    let len = shape.len() * batch;
    let view = ArrayView4::from_shape(
        (shape.channels, batch, shape.height, shape.width),
        buffer.get(..len)?,
    )
    .ok()?;
    Some(view.permuted_axes([1, 0, 2, 3]))
}

#[cfg(test)]
mod tests {
    use ndarray::Array4;

    use super::*;
    use crate::nn::spec::Init;

    /// A network with a ReLU before max pooling of each kind the fused pass handles: 2 × 2
    /// windows tiling the map (12 → 6), windows cut by SAME padding (5 → 3), and overlapping
    /// windows (3 → 1).
    fn pooled_network() -> NetworkSpec {
        let pool = |size, stride, padding| LayerSpec::MaxPool {
            size,
            stride,
            padding,
        };
        NetworkSpec {
            input: Shape::new(2, 12, 12),
            layers: vec![
                LayerSpec::Conv2d {
                    filters: 4,
                    kernel_size: 3,
                    stride: 1,
                    padding: Padding::Same,
                },
                LayerSpec::Relu,
                pool(2, 2, Padding::Valid),
                LayerSpec::Conv2d {
                    filters: 5,
                    kernel_size: 2,
                    stride: 1,
                    padding: Padding::Valid,
                },
                LayerSpec::Relu,
                pool(2, 2, Padding::Same),
                LayerSpec::Relu,
                pool(3, 2, Padding::Valid),
                LayerSpec::Flatten,
                LayerSpec::Dense { units: 3 },
            ],
            init: Init::He,
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_fused_training_pass_computes_what_every_layer_in_turn_does() {
        let spec = pooled_network();
        let mut rng = Rng::new(7);
        let batch = 6;
        let input = Array4::from_shape_fn((batch, 2, 12, 12), |_| rng.normal() as f32);
        let labels: Vec<u8> = (0..batch).map(|b| (b % 3) as u8).collect();

        let mut layered = Network::new(&spec, 3).expect("network");
        let expected = layered
            .loss_and_gradients(input.view(), &labels)
            .expect("loss");
        let mut fused = Network::new(&spec, 3).expect("network");
        fused.load(input.view()).expect("input");
        fused.run_forward(Activations::Needed);
        let got = fused.loss(&labels, true).expect("loss");

        assert_eq!(got, expected);
        assert_eq!(fused.gradients(), layered.gradients());
        assert!(layered.gradients().iter().any(|&g| g != 0.0));
        let last = spec.layers.len() - 1;
        assert_eq!(fused.activation(last), layered.activation(last));
    }
}
