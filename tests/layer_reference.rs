//! The explorer's whole convolution layer (RGB or grayscale input, several filters with
//! biases, kernel sizes 3–7, strides 1–3, SAME and VALID, every activation, max and average
//! pooling) against fixtures made by TensorFlow 2.21 (tests/reference/make_layer_fixtures.py).
//! Every case decodes its image with the explorer's own decoder and fits it to the working
//! size, so decoding, channels and resizing are checked too.

mod common;

use std::path::PathBuf;

use common::{assert_close, read_npy, root};

use convlab::common::geometry::Padding;
use convlab::explorer::layer::{
    run_layer, ActivationChoice, Channels, Filter, LayerSettings, PoolingChoice,
};
use convlab::explorer::source::SourceImage;
use ndarray::{Array3, ArrayD, Axis, Ix3, Ix4};
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    image: String,
    working_size: usize,
    channels: String,
    stride: usize,
    padding: String,
    activation: String,
    pooling: String,
    files: Files,
}

#[derive(Deserialize)]
struct Files {
    input: String,
    kernels: String,
    biases: String,
    convolution: String,
    activation: Option<String>,
    pooling: String,
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/layer")
}

/// Sums of up to 7 · 7 · 3 = 147 float32 products, added in another order than
/// TensorFlow's: within 2e-5 of the reference, relative to 1 + |value|.
const TOLERANCE: f32 = 2e-5;

/// `(C, H, W)` → TensorFlow's `(H, W, C)`.
fn hwc(volume: &Array3<f32>) -> ArrayD<f32> {
    volume.view().permuted_axes([1, 2, 0]).to_owned().into_dyn()
}

fn activation(name: &str) -> ActivationChoice {
    match name {
        "relu" => ActivationChoice::Relu,
        "leaky_relu" => ActivationChoice::LeakyRelu,
        "tanh" => ActivationChoice::Tanh,
        "sigmoid" => ActivationChoice::Sigmoid,
        "none" => ActivationChoice::None,
        other => panic!("unknown activation {other}"),
    }
}

#[test]
fn every_layer_case_matches_tensorflow() {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).expect("manifest");
    let manifest: Manifest = serde_json::from_str(&text).expect("manifest parses");
    assert!(manifest.cases.len() >= 7);
    for (i, case) in manifest.cases.iter().enumerate() {
        let what = format!(
            "case {i} ({}, {}, {} {} {} {})",
            case.image, case.channels, case.padding, case.stride, case.activation, case.pooling
        );
        let bytes = std::fs::read(root().join(&case.image)).expect("case image");
        let channels = match case.channels.as_str() {
            "rgb" => Channels::Rgb,
            _ => Channels::Grayscale,
        };
        let input = SourceImage::decode_png(case.image.clone(), &bytes)
            .expect("decodes")
            .fitted(channels, case.working_size);
        assert_close(
            &format!("{what} input"),
            hwc(&input).view(),
            &read_npy(&fixtures().join(&case.files.input)),
            TOLERANCE,
        );
        // Each step on the reference's own input, so errors do not compound.
        let reference: Array3<f32> = read_npy(&fixtures().join(&case.files.input))
            .into_dimensionality::<Ix3>()
            .expect("(H, W, C)")
            .permuted_axes([2, 0, 1])
            .as_standard_layout()
            .to_owned();
        let kernels = read_npy(&fixtures().join(&case.files.kernels))
            .into_dimensionality::<Ix4>()
            .expect("(f, f, C, K)");
        let biases = read_npy(&fixtures().join(&case.files.biases));
        let filters: Vec<Filter> = (0..kernels.dim().3)
            .map(|k| Filter {
                weights: kernels
                    .index_axis(Axis(3), k)
                    .permuted_axes([2, 0, 1])
                    .to_owned(),
                bias: biases[[k]],
            })
            .collect();
        let settings = LayerSettings {
            stride: case.stride,
            padding: Padding::from_name(&case.padding).expect("SAME or VALID"),
            activation: activation(&case.activation),
            pooling: match case.pooling.as_str() {
                "max" => PoolingChoice::Max,
                _ => PoolingChoice::Average,
            },
        };
        let out = run_layer(reference.view(), &filters, settings).expect("the layer runs");
        assert_close(
            &format!("{what} convolution"),
            hwc(&out.convolution).view(),
            &read_npy(&fixtures().join(&case.files.convolution)),
            TOLERANCE,
        );
        match (&out.activation, &case.files.activation) {
            (Some(actual), Some(file)) => assert_close(
                &format!("{what} activation"),
                hwc(actual).view(),
                &read_npy(&fixtures().join(file)),
                TOLERANCE,
            ),
            (None, None) => {}
            _ => panic!("{what}: an activation stage where the reference has none, or back"),
        }
        assert_close(
            &format!("{what} pooling"),
            hwc(&out.pooling).view(),
            &read_npy(&fixtures().join(&case.files.pooling)),
            TOLERANCE,
        );
    }
}
