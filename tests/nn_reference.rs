//! Every layer of the CNN engine, and a whole small network, against TensorFlow: forward
//! outputs and the gradients of the backward pass, from fixtures made once by
//! tests/reference/make_nn_fixtures.py (see tests/fixtures/nn/manifest.json).

mod common;

use std::path::PathBuf;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use common::assert_close;

use convlab::nn::{LayerSpec, Network, NetworkSpec, Shape};
use ndarray::{ArrayD, ArrayView4, Ix4};
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    layers: Vec<LayerCase>,
    network: NetworkCase,
}

#[derive(Deserialize)]
struct LayerCase {
    layer: LayerSpec,
    input_shape: [usize; 4],
    output_shape: [usize; 4],
    files: LayerFiles,
}

#[derive(Deserialize)]
struct LayerFiles {
    input: String,
    output: String,
    probe: String,
    grad_input: String,
    weights: Option<String>,
    bias: Option<String>,
    grad_weights: Option<String>,
    grad_bias: Option<String>,
}

#[derive(Deserialize)]
struct NetworkCase {
    spec: NetworkSpec,
    labels: Vec<u8>,
    loss: f32,
    params: Vec<NetworkParams>,
    files: NetworkFiles,
}

#[derive(Deserialize)]
struct NetworkParams {
    layer: usize,
    weights: String,
    bias: String,
    grad_weights: String,
    grad_bias: String,
}

#[derive(Deserialize)]
struct NetworkFiles {
    input: String,
    logits: String,
    probabilities: String,
}

fn manifest() -> Manifest {
    let text = common::read_to_string(&dir().join("manifest.json"));
    let value = serde_json::from_str(&text).expect("manifest is JSON");
    serde_json::from_value(tagged_outside(value)).expect("manifest parses")
}

/// The fixtures name a layer's kind in a `"type"` field, as Keras does; the spec's serde form
/// names it outside: `{"conv2d": {"filters": 8, …}}`, or `"relu"`.
fn tagged_outside(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(mut fields) => {
            let kind = fields.remove("type");
            let fields: serde_json::Map<String, Value> = fields
                .into_iter()
                .map(|(key, value)| (key, tagged_outside(value)))
                .collect();
            match kind {
                // A layer without settings is a unit variant: its name alone.
                Some(Value::String(kind)) if fields.is_empty() => Value::String(kind),
                Some(Value::String(kind)) => serde_json::json!({ kind: Value::Object(fields) }),
                _ => Value::Object(fields),
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(tagged_outside).collect()),
        other => other,
    }
}

fn dir() -> PathBuf {
    common::root().join("tests/fixtures/nn")
}

fn npy(name: &str) -> ArrayD<f32> {
    common::read_npy(&dir().join(name))
}

fn npy4(name: &str) -> ndarray::Array4<f32> {
    npy(name).into_dimensionality::<Ix4>().expect("4-D")
}

fn set_params(net: &mut Network, layer: usize, weights: &ArrayD<f32>, bias: &ArrayD<f32>) {
    let mut params = net.weights_mut(layer).expect("a layer with parameters");
    assert_eq!(params.weights.shape(), weights.shape(), "weights layout");
    params.weights.assign(weights);
    params.bias.assign(
        &bias
            .view()
            .into_dimensionality::<ndarray::Ix1>()
            .expect("1-D bias"),
    );
}

#[test]
fn every_layer_matches_tensorflow_forward_and_backward() {
    let manifest = manifest();
    assert!(manifest.layers.len() >= 18);
    for (i, case) in manifest.layers.iter().enumerate() {
        let what = format!("case {i} {:?} on {:?}", case.layer, case.input_shape);
        let [_, c, h, w] = case.input_shape;
        let spec = NetworkSpec {
            input: Shape::new(c, h, w),
            layers: vec![case.layer],
            init: Default::default(),
        };
        let mut net = Network::new(&spec, 0).unwrap_or_else(|e| panic!("{what}: {e}"));
        let f = &case.files;
        if let (Some(weights), Some(bias)) = (&f.weights, &f.bias) {
            set_params(&mut net, 0, &npy(weights), &npy(bias));
        }
        let input = npy4(&f.input);
        net.forward(input.view()).expect("forward");
        let output = net.activation(0).expect("an activation");
        assert_eq!(
            output.shape(),
            &case.output_shape[..],
            "{what}: output shape"
        );
        assert_close(
            &format!("{what} forward"),
            output.into_dyn(),
            &npy(&f.output),
            2e-6,
        );

        let probe = npy4(&f.probe);
        let grad_input = net.backward(probe.view()).expect("backward").to_owned();
        assert_close(
            &format!("{what} input gradient"),
            grad_input.view().into_dyn(),
            &npy(&f.grad_input),
            2e-5,
        );
        if let (Some(gw), Some(gb)) = (&f.grad_weights, &f.grad_bias) {
            let grads = net.layer_gradients(0).expect("gradients");
            assert_close(
                &format!("{what} weight gradient"),
                grads.weights,
                &npy(gw),
                2e-5,
            );
            assert_close(
                &format!("{what} bias gradient"),
                grads.bias.into_dyn(),
                &npy(gb),
                2e-5,
            );
        }
    }
}

#[test]
fn a_whole_network_matches_tensorflow() {
    let case = manifest().network;
    let mut net = Network::new(&case.spec, 0).expect("the network builds");
    for p in &case.params {
        set_params(&mut net, p.layer, &npy(&p.weights), &npy(&p.bias));
    }
    let input = npy4(&case.files.input);
    let logits = net.forward(input.view()).expect("forward").to_owned();
    assert_close(
        "logits",
        logits.view().into_dyn(),
        &npy(&case.files.logits),
        2e-5,
    );
    assert_close(
        "probabilities",
        net.probabilities().into_dyn(),
        &npy(&case.files.probabilities),
        2e-6,
    );

    let loss = net
        .loss_and_gradients(input.view(), &case.labels)
        .expect("loss");
    assert!(
        (loss.loss - case.loss).abs() <= 1e-5 * (1.0 + case.loss),
        "loss {} vs {}",
        loss.loss,
        case.loss
    );
    for p in &case.params {
        let grads = net.layer_gradients(p.layer).expect("gradients");
        assert_close(
            &format!("layer {} weight gradient", p.layer),
            grads.weights,
            &npy(&p.grad_weights),
            2e-5,
        );
        assert_close(
            &format!("layer {} bias gradient", p.layer),
            grads.bias.into_dyn(),
            &npy(&p.grad_bias),
            2e-5,
        );
    }
}

#[test]
fn activations_of_one_image_are_views_of_every_layer() {
    let mut net = Network::new(&NetworkSpec::default_mnist(), 3).expect("default network");
    let image = ndarray::Array3::from_shape_fn((1, 28, 28), |(_, y, x)| ((x * y) % 7) as f32 / 7.0);
    let probs = net.predict(image.view()).expect("predict").to_owned();
    assert!((probs.sum() - 1.0).abs() < 1e-5);
    let shapes: Vec<Vec<usize>> = (0..8)
        .map(|i| net.activation(i).expect("a layer").shape().to_vec())
        .collect();
    assert_eq!(
        shapes,
        [
            vec![1, 8, 28, 28],
            vec![1, 8, 28, 28],
            vec![1, 8, 14, 14],
            vec![1, 16, 14, 14],
            vec![1, 16, 14, 14],
            vec![1, 16, 7, 7],
            vec![1, 784, 1, 1],
            vec![1, 10, 1, 1],
        ]
    );
    let input: ArrayView4<f32> = net.input().expect("the input");
    assert_eq!(input.index_axis(ndarray::Axis(0), 0), image.view());
    let conv = net.weights(0).expect("conv weights");
    assert_eq!(conv.weights.shape(), &[8, 1, 3, 3]);
    assert!(net.weights(1).is_none(), "ReLU has no weights");
}
