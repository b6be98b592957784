//! A trained network as an ONNX model, and back: [`export`] writes what a student opens in
//! Netron or runs with `onnxruntime` in Python; [`open`] reads a model ConvLab wrote, so
//! training can go on from it, and refuses anything else in words.
//!
//! The model: input `image`, float32 `[N, 1, 28, 28]` with pixels in 0–1 (as the engine
//! sees them); output `logits`, float32 `[N, 10]` (softmax gives the probabilities);
//! opset 13 operators only: `Conv`, `Relu`/`LeakyRelu`/`Tanh`/`Sigmoid`,
//! `MaxPool`/`AveragePool`, `Flatten` and `Gemm`. Dropout, which only acts in training,
//! is left out. The weights are stored as they are in the engine: convolution kernels
//! `[filters, channels, k, k]` (ONNX's `OIHW`), dense weights `[units, inputs]` (`Gemm`
//! with `transB = 1`), and `Flatten` of `NCHW` keeps the engine's channel, row, column
//! order, so no value is moved. The messages are the official `onnx.proto`'s (beside this
//! file), encoded by prost.

#[allow(clippy::all, clippy::pedantic, missing_docs)]
mod proto;

use std::collections::HashMap;
use std::fmt;

use prost::Message;

use self::proto::attribute_proto::AttributeType;
use self::proto::tensor_proto::DataType;
use self::proto::tensor_shape_proto::{dimension, Dimension};
use self::proto::type_proto::{self, Tensor};
use self::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};
use super::data::{DatasetKind, CLASSES, SIDE};
use super::network::Network;
use super::spec::{Init, LayerSpec, NetworkSpec, Shape};
use crate::common::geometry::{Axis, Padding};
use crate::common::text::shown;

/// The operator set the model is written for (every operator used is unchanged since).
pub const OPSET: i64 = 13;
/// The IR version that goes with opset 13 (ONNX 1.8).
const IR_VERSION: i64 = 7;
/// The model's input and output names.
pub const INPUT: &str = "image";
pub const OUTPUT: &str = "logits";
/// The largest file [`open`] reads: ConvLab's largest network is under 4 MB.
pub const MAX_MODEL_BYTES: usize = 16 << 20;
/// Metadata keys: which dataset the network learnt, and how many samples it saw.
const DATASET_KEY: &str = "convlab.dataset";
const SAMPLES_KEY: &str = "convlab.samples";
const CLASSES_KEY: &str = "convlab.classes";
/// The operators [`open`] knows, as a message lists them.
const KNOWN_OPERATORS: &str =
    "Conv, Relu, LeakyRelu, Tanh, Sigmoid, MaxPool, AveragePool, Flatten and Gemm";

/// Why a file is not a model ConvLab can open, in words for the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnnxError(pub String);

impl fmt::Display for OnnxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OnnxError {}

fn refuse<T>(message: impl Into<String>) -> Result<T, OnnxError> {
    Err(OnnxError(message.into()))
}

/// What the model file says about where the network comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub dataset: DatasetKind,
    /// Training samples the network had seen.
    pub samples: u64,
}

/// A model read back: the network (without dropout, which the file does not hold), its
/// parameters laid out as [`Network::parameters`], and where it comes from when the file
/// says so.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenedModel {
    pub network: NetworkSpec,
    pub parameters: Vec<f32>,
    pub provenance: Option<Provenance>,
}

fn int_attribute(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(value),
        ..AttributeProto::default()
    }
}

fn ints_attribute(name: &str, values: &[usize]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Ints as i32),
        ints: values.iter().map(|&v| v as i64).collect(),
        ..AttributeProto::default()
    }
}

fn float_attribute(name: &str, value: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Float as i32),
        f: Some(value),
        ..AttributeProto::default()
    }
}

fn node(op: &str, name: &str, inputs: &[&str], attributes: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![name.to_string()],
        name: Some(name.to_string()),
        op_type: Some(op.to_string()),
        attribute: attributes,
        ..NodeProto::default()
    }
}

fn tensor(name: String, dims: &[usize], values: impl Iterator<Item = f32>) -> TensorProto {
    TensorProto {
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: Some(DataType::Float as i32),
        name: Some(name),
        raw_data: Some(values.flat_map(f32::to_le_bytes).collect()),
        ..TensorProto::default()
    }
}

/// A float32 tensor `[N, dims…]` with a free batch size.
fn batch_value(name: &str, dims: &[usize]) -> ValueInfoProto {
    let batch = Dimension {
        value: Some(dimension::Value::DimParam("N".into())),
        ..Dimension::default()
    };
    let fixed = dims.iter().map(|&d| Dimension {
        value: Some(dimension::Value::DimValue(d as i64)),
        ..Dimension::default()
    });
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(Tensor {
                elem_type: Some(DataType::Float as i32),
                shape: Some(TensorShapeProto {
                    dim: std::iter::once(batch).chain(fixed).collect(),
                }),
            })),
            ..TypeProto::default()
        }),
        ..ValueInfoProto::default()
    }
}

/// The four pads of a square window on a `size × size` input: top, left, bottom, right.
fn pads(input: Shape, size: usize, stride: usize, padding: Padding) -> [usize; 4] {
    let rows = Axis::new(input.height, size, stride, padding);
    let cols = Axis::new(input.width, size, stride, padding);
    [
        rows.pad_before,
        cols.pad_before,
        rows.pad_after,
        cols.pad_after,
    ]
}

fn metadata(key: &str, value: String) -> StringStringEntryProto {
    StringStringEntryProto {
        key: Some(key.into()),
        value: Some(value),
    }
}

/// The network as an ONNX model (the bytes of a `.onnx` file).
pub fn export(network: &Network, provenance: Provenance) -> Vec<u8> {
    let spec = network.spec();
    let inputs: Vec<Shape> = std::iter::once(network.input_shape())
        .chain(network.output_shapes())
        .collect();
    let last = spec.layers.len().saturating_sub(1);
    let mut nodes = Vec::new();
    let mut initializers = Vec::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut current = INPUT.to_string();
    for (index, layer) in spec.layers.iter().enumerate() {
        let short = match layer {
            LayerSpec::Conv2d { .. } => "conv",
            LayerSpec::Relu => "relu",
            LayerSpec::LeakyRelu { .. } => "leaky_relu",
            LayerSpec::Tanh => "tanh",
            LayerSpec::Sigmoid => "sigmoid",
            LayerSpec::MaxPool { .. } => "max_pool",
            LayerSpec::AvgPool { .. } => "average_pool",
            LayerSpec::Flatten => "flatten",
            LayerSpec::Dense { .. } => "dense",
            // Inverted dropout passes values through outside training.
            LayerSpec::Dropout { .. } => continue,
        };
        let count = counts.entry(short).or_insert(0);
        *count += 1;
        let name = if index == last {
            OUTPUT.to_string()
        } else {
            format!("{short}{count}")
        };
        let input = inputs[index];
        let (op, mut attributes) = match *layer {
            LayerSpec::Conv2d {
                kernel_size,
                stride,
                padding,
                ..
            } => (
                "Conv",
                vec![
                    ints_attribute("kernel_shape", &[kernel_size, kernel_size]),
                    ints_attribute("strides", &[stride, stride]),
                    ints_attribute("pads", &pads(input, kernel_size, stride, padding)),
                ],
            ),
            LayerSpec::Relu => ("Relu", Vec::new()),
            LayerSpec::LeakyRelu { slope } => ("LeakyRelu", vec![float_attribute("alpha", slope)]),
            LayerSpec::Tanh => ("Tanh", Vec::new()),
            LayerSpec::Sigmoid => ("Sigmoid", Vec::new()),
            LayerSpec::MaxPool {
                size,
                stride,
                padding,
            }
            | LayerSpec::AvgPool {
                size,
                stride,
                padding,
            } => (
                if matches!(layer, LayerSpec::MaxPool { .. }) {
                    "MaxPool"
                } else {
                    "AveragePool"
                },
                vec![
                    ints_attribute("kernel_shape", &[size, size]),
                    ints_attribute("strides", &[stride, stride]),
                    ints_attribute("pads", &pads(input, size, stride, padding)),
                ],
            ),
            LayerSpec::Flatten => ("Flatten", vec![int_attribute("axis", 1)]),
            LayerSpec::Dense { .. } => ("Gemm", vec![int_attribute("transB", 1)]),
            LayerSpec::Dropout { .. } => continue,
        };
        if op == "AveragePool" {
            // The mean over the cells inside the input, as the engine and TensorFlow take it.
            attributes.push(int_attribute("count_include_pad", 0));
        }
        let mut node_inputs = vec![current.clone()];
        if let Some(weights) = network.weights(index) {
            let (w, b) = (format!("{name}.weight"), format!("{name}.bias"));
            initializers.push(tensor(
                w.clone(),
                weights.weights.shape(),
                weights.weights.iter().copied(),
            ));
            initializers.push(tensor(
                b.clone(),
                &[weights.bias.len()],
                weights.bias.iter().copied(),
            ));
            node_inputs.extend([w, b]);
        }
        let refs: Vec<&str> = node_inputs.iter().map(String::as_str).collect();
        nodes.push(node(op, &name, &refs, attributes));
        current = name;
    }
    let input = network.input_shape();
    let output = network.output_shape();
    let dataset = provenance.dataset;
    let classes: Vec<&str> = (0..CLASSES).map(|c| dataset.class_name(c)).collect();
    let model = ModelProto {
        ir_version: Some(IR_VERSION),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(OPSET),
        }],
        producer_name: Some("ConvLab".into()),
        producer_version: Some(env!("CARGO_PKG_VERSION").into()),
        doc_string: Some(format!(
            "A CNN trained in ConvLab on {} ({} samples). Input: {INPUT}, float32 [N, 1, \
             {SIDE}, {SIDE}], pixels in 0–1. Output: {OUTPUT}, float32 [N, {CLASSES}]; softmax \
             gives the probabilities of the classes {}.",
            dataset.name(),
            provenance.samples,
            classes.join(", ")
        )),
        graph: Some(GraphProto {
            node: nodes,
            name: Some("convlab".into()),
            initializer: initializers,
            input: vec![batch_value(
                INPUT,
                &[input.channels, input.height, input.width],
            )],
            output: vec![batch_value(OUTPUT, &[output.len()])],
            ..GraphProto::default()
        }),
        metadata_props: vec![
            metadata(DATASET_KEY, dataset.folder().into()),
            metadata(SAMPLES_KEY, provenance.samples.to_string()),
            metadata(CLASSES_KEY, classes.join(",")),
        ],
        ..ModelProto::default()
    };
    model.encode_to_vec()
}

/// Reads a model ConvLab wrote: its network, parameters and provenance, or why it cannot.
pub fn open(bytes: &[u8]) -> Result<OpenedModel, OnnxError> {
    if bytes.len() > MAX_MODEL_BYTES {
        return refuse(format!(
            "The file is {} MB: a model ConvLab writes is at most {} MB.",
            bytes.len() >> 20,
            MAX_MODEL_BYTES >> 20
        ));
    }
    if bytes.is_empty() {
        return refuse("The file is empty.");
    }
    let model = ModelProto::decode(bytes).map_err(|e| {
        OnnxError(format!(
            "This is not an ONNX model, or it is cut short: it cannot be read ({e})."
        ))
    })?;
    let opset = model
        .opset_import
        .iter()
        .find(|o| o.domain.as_deref().unwrap_or("").is_empty())
        .and_then(|o| o.version);
    match opset {
        Some(v) if v >= OPSET => {}
        Some(v) => {
            return refuse(format!(
                "The model uses ONNX opset {v}; ConvLab reads opset {OPSET} and later."
            ))
        }
        None => return refuse("This is not an ONNX model: it names no operator set."),
    }
    if let Some(other) = model
        .opset_import
        .iter()
        .filter_map(|o| o.domain.as_deref())
        .find(|d| !d.is_empty())
    {
        return refuse(format!(
            "The model uses operators of the domain “{}”; ConvLab knows only the standard ones.",
            shown(other)
        ));
    }
    let Some(graph) = &model.graph else {
        return refuse("This is not an ONNX model: it holds no graph.");
    };
    let network = read_graph(graph)?;
    Ok(OpenedModel {
        network: network.0,
        parameters: network.1,
        provenance: provenance(&model.metadata_props),
    })
}

fn provenance(props: &[StringStringEntryProto]) -> Option<Provenance> {
    let value = |key: &str| {
        props
            .iter()
            .find(|p| p.key.as_deref() == Some(key))
            .and_then(|p| p.value.as_deref())
    };
    let dataset = DatasetKind::ALL
        .into_iter()
        .find(|d| value(DATASET_KEY) == Some(d.folder()))?;
    let samples = value(SAMPLES_KEY).and_then(|s| s.parse().ok()).unwrap_or(0);
    Some(Provenance { dataset, samples })
}

/// A value's fixed dimensions after the free batch dimension, or why not.
fn batch_dims(value: &ValueInfoProto, what: &str) -> Result<Vec<i64>, OnnxError> {
    let dims = match value.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(Tensor {
            elem_type: Some(elem),
            shape: Some(shape),
        })) if *elem == DataType::Float as i32 => &shape.dim,
        _ => return refuse(format!("The model's {what} must be a float32 tensor.")),
    };
    let fixed = dims
        .iter()
        .skip(1)
        .map(|d| match d.value {
            Some(dimension::Value::DimValue(v)) => Ok(v),
            _ => refuse(format!(
                "The model's {what} must have fixed sizes after the batch size."
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if dims.is_empty() {
        return refuse(format!("The model's {what} has no batch dimension."));
    }
    Ok(fixed)
}

fn attribute<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute
        .iter()
        .find(|a| a.name.as_deref() == Some(name))
}

/// Walks the graph, a chain from `image` to `logits`, into a network and its parameters.
fn read_graph(graph: &GraphProto) -> Result<(NetworkSpec, Vec<f32>), OnnxError> {
    let input_shape = Shape::new(1, SIDE, SIDE);
    let initializers: HashMap<&str, &TensorProto> = graph
        .initializer
        .iter()
        .filter_map(|t| Some((t.name.as_deref()?, t)))
        .collect();
    let inputs: Vec<&ValueInfoProto> = graph
        .input
        .iter()
        .filter(|v| !initializers.contains_key(v.name.as_deref().unwrap_or("")))
        .collect();
    let [image] = inputs[..] else {
        return refuse(format!(
            "The model must have one input, {INPUT} [N, 1, {SIDE}, {SIDE}], not {}.",
            inputs.len()
        ));
    };
    if batch_dims(image, "input")? != [1, SIDE as i64, SIDE as i64] {
        return refuse(format!(
            "The model's input must be [N, 1, {SIDE}, {SIDE}] (one {SIDE} × {SIDE} gray image \
             per row)."
        ));
    }
    let [logits] = &graph.output[..] else {
        return refuse(format!(
            "The model must have one output, {OUTPUT} [N, {CLASSES}], not {}.",
            graph.output.len()
        ));
    };
    if batch_dims(logits, "output")? != [CLASSES as i64] {
        return refuse(format!(
            "The model's output must be [N, {CLASSES}]: one score per class."
        ));
    }
    let mut current = image.name.clone().unwrap_or_default();
    let mut layers = Vec::new();
    let mut parameters = Vec::new();
    let mut shape = input_shape;
    for node in &graph.node {
        let op = node.op_type.as_deref().unwrap_or("");
        if !node.domain.as_deref().unwrap_or("").is_empty() {
            return refuse(format!(
                "The model's operator “{}” is not a standard one.",
                shown(op)
            ));
        }
        if node.input.first() != Some(&current) || node.output.len() != 1 {
            return refuse(
                "The model is not a chain of layers from its input to its output, as ConvLab \
                 writes them.",
            );
        }
        let layer = read_node(node, op, shape, &initializers, &mut parameters)?;
        let summary = NetworkSpec {
            input: input_shape,
            layers: layers.iter().copied().chain([layer]).collect(),
            init: Init::He,
        }
        .summary()
        .map_err(|e| OnnxError(format!("The model's layers do not fit together: {e}.")))?;
        shape = summary.last().map_or(input_shape, |s| s.output);
        layers.push(layer);
        current = node.output[0].clone();
    }
    if Some(&current) != logits.name.as_ref() {
        return refuse("The model's last layer does not give its output.");
    }
    if shape != Shape::flat(CLASSES) {
        return refuse(format!(
            "The model's last layer gives {shape} values, not {CLASSES}."
        ));
    }
    Ok((
        NetworkSpec {
            input: input_shape,
            layers,
            init: Init::He,
        },
        parameters,
    ))
}

/// An `ints` attribute of two equal values (a square window), or `default` when absent.
fn square(node: &NodeProto, name: &str, default: Option<usize>) -> Result<usize, OnnxError> {
    match attribute(node, name) {
        None => default.map_or_else(
            || {
                refuse(format!(
                    "The model's {} has no {name}.",
                    shown(node.op_type.as_deref().unwrap_or(""))
                ))
            },
            Ok,
        ),
        Some(a) => match a.ints[..] {
            [x, y] if x == y && (1..=64).contains(&x) => Ok(x as usize),
            _ => refuse(format!(
                "The model's {} has {name} {:?}: ConvLab uses square windows up to 64.",
                shown(node.op_type.as_deref().unwrap_or("")),
                a.ints
            )),
        },
    }
}

/// The padding that `pads` (or its absence) means for a window on `input`.
fn padding(
    node: &NodeProto,
    input: Shape,
    size: usize,
    stride: usize,
) -> Result<Padding, OnnxError> {
    if let Some(auto) = attribute(node, "auto_pad").and_then(|a| a.s.as_deref()) {
        if auto != b"NOTSET" {
            return refuse("The model uses auto_pad; ConvLab writes its pads out.");
        }
    }
    let given: Vec<i64> = attribute(node, "pads").map_or(vec![0; 4], |a| a.ints.clone());
    for padding in [Padding::Valid, Padding::Same] {
        let expected = pads(input, size, stride, padding);
        if given.len() == 4 && given.iter().zip(expected).all(|(&g, e)| g == e as i64) {
            return Ok(padding);
        }
    }
    refuse(format!(
        "The model pads a {size} × {size} window by {given:?}, which is neither VALID nor SAME."
    ))
}

/// Refuses attributes that change an operator's meaning from what ConvLab writes.
fn check_defaults(node: &NodeProto, allowed: &[&str]) -> Result<(), OnnxError> {
    for a in &node.attribute {
        let name = a.name.as_deref().unwrap_or("");
        let plain = match name {
            "dilations" => a.ints.iter().all(|&d| d == 1),
            "group" => a.i == Some(1),
            "transA" | "ceil_mode" | "storage_order" => a.i == Some(0),
            "alpha" | "beta" if node.op_type.as_deref() == Some("Gemm") => a.f == Some(1.0),
            "auto_pad" | "pads" | "count_include_pad" => true,
            _ => allowed.contains(&name),
        };
        if !plain {
            return refuse(format!(
                "The model's {} sets {}, which ConvLab does not use.",
                shown(node.op_type.as_deref().unwrap_or("")),
                shown(name)
            ));
        }
    }
    Ok(())
}

/// A float32 initializer of exactly `dims`, or why not.
fn weights(
    node: &NodeProto,
    position: usize,
    dims: &[usize],
    initializers: &HashMap<&str, &TensorProto>,
) -> Result<Vec<f32>, OnnxError> {
    let op = shown(node.op_type.as_deref().unwrap_or(""));
    let Some(tensor) = node
        .input
        .get(position)
        .and_then(|name| initializers.get(name.as_str()))
    else {
        return refuse(format!("The model's {op} is missing its weights."));
    };
    let expected: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
    if tensor.dims != expected || tensor.data_type != Some(DataType::Float as i32) {
        return refuse(format!(
            "The model's {op} weights are {:?}, not float32 {expected:?}.",
            tensor.dims
        ));
    }
    let count: usize = dims.iter().product();
    let values: Vec<f32> = match &tensor.raw_data {
        Some(raw) if raw.len() == count * 4 => raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        None if tensor.float_data.len() == count => tensor.float_data.clone(),
        _ => {
            return refuse(format!(
                "The model's {op} weights do not hold {count} values."
            ))
        }
    };
    if values.iter().any(|v| !v.is_finite()) {
        return refuse(format!(
            "The model's {op} weights are not all numbers (NaN or infinite)."
        ));
    }
    Ok(values)
}

fn read_node(
    node: &NodeProto,
    op: &str,
    input: Shape,
    initializers: &HashMap<&str, &TensorProto>,
    parameters: &mut Vec<f32>,
) -> Result<LayerSpec, OnnxError> {
    let arity = |n: usize| -> Result<(), OnnxError> {
        if node.input.len() == n {
            Ok(())
        } else {
            refuse(format!(
                "The model's {op} has {} inputs, not {n}.",
                node.input.len()
            ))
        }
    };
    Ok(match op {
        "Conv" => {
            arity(3)?;
            check_defaults(node, &["kernel_shape", "strides"])?;
            let Some(kernel) = node
                .input
                .get(1)
                .and_then(|name| initializers.get(name.as_str()))
            else {
                return refuse("The model's Conv is missing its weights.");
            };
            let filters = match kernel.dims[..] {
                [f, ..] if (1..=1024).contains(&f) => f as usize,
                _ => return refuse("The model's Conv weights have no filter count."),
            };
            let kernel_size = square(
                node,
                "kernel_shape",
                kernel.dims.get(2).map(|&k| k as usize),
            )?;
            let stride = square(node, "strides", Some(1))?;
            let padding = padding(node, input, kernel_size, stride)?;
            let dims = [filters, input.channels, kernel_size, kernel_size];
            parameters.extend(weights(node, 1, &dims, initializers)?);
            parameters.extend(weights(node, 2, &[filters], initializers)?);
            LayerSpec::Conv2d {
                filters,
                kernel_size,
                stride,
                padding,
            }
        }
        "Relu" | "Tanh" | "Sigmoid" => {
            arity(1)?;
            check_defaults(node, &[])?;
            match op {
                "Relu" => LayerSpec::Relu,
                "Tanh" => LayerSpec::Tanh,
                _ => LayerSpec::Sigmoid,
            }
        }
        "LeakyRelu" => {
            arity(1)?;
            check_defaults(node, &["alpha"])?;
            let slope = attribute(node, "alpha").and_then(|a| a.f).unwrap_or(0.01);
            if !(0.0..1.0).contains(&slope) {
                return refuse(format!(
                    "The model's LeakyRelu slope is {slope}; ConvLab's lies in [0, 1)."
                ));
            }
            LayerSpec::LeakyRelu { slope }
        }
        "MaxPool" | "AveragePool" => {
            arity(1)?;
            check_defaults(node, &["kernel_shape", "strides"])?;
            let size = square(node, "kernel_shape", None)?;
            let stride = square(node, "strides", Some(1))?;
            let padding = padding(node, input, size, stride)?;
            if op == "AveragePool"
                && padding == Padding::Same
                && attribute(node, "count_include_pad").and_then(|a| a.i) == Some(1)
            {
                return refuse(
                    "The model's average pooling counts the padding; ConvLab's averages the \
                     cells inside the image.",
                );
            }
            if op == "MaxPool" {
                LayerSpec::MaxPool {
                    size,
                    stride,
                    padding,
                }
            } else {
                LayerSpec::AvgPool {
                    size,
                    stride,
                    padding,
                }
            }
        }
        "Flatten" => {
            arity(1)?;
            check_defaults(node, &["axis"])?;
            if attribute(node, "axis").is_some_and(|a| a.i != Some(1)) {
                return refuse("The model's Flatten must keep the batch (axis 1).");
            }
            LayerSpec::Flatten
        }
        "Gemm" => {
            arity(3)?;
            check_defaults(node, &["transB"])?;
            if attribute(node, "transB").and_then(|a| a.i) != Some(1) {
                return refuse("The model's Gemm must take its weights transposed (transB 1).");
            }
            if !input.is_flat() {
                return refuse("The model's Gemm must follow a Flatten.");
            }
            let units = match node
                .input
                .get(1)
                .and_then(|name| initializers.get(name.as_str()))
                .and_then(|t| t.dims.first())
            {
                Some(&u) if (1..=4096).contains(&u) => u as usize,
                _ => return refuse("The model's Gemm weights have no unit count."),
            };
            parameters.extend(weights(node, 1, &[units, input.len()], initializers)?);
            parameters.extend(weights(node, 2, &[units], initializers)?);
            LayerSpec::Dense { units }
        }
        other => {
            return refuse(format!(
                "The model uses the operator “{}”, which ConvLab does not have: it opens the \
                 models it writes ({KNOWN_OPERATORS}).",
                shown(other)
            ))
        }
    })
}

#[cfg(test)]
mod tests;
