//! The explorer's math against fixtures made by an independent reference
//! (tests/reference/make_fixtures.py: Pillow + numpy + TensorFlow), and its refusal of bad
//! files. Every case in tests/fixtures/explorer/manifest.json runs through the same public
//! functions the page calls.

mod common;

use std::path::PathBuf;

use common::{assert_close, read_npy, root};

use convlab::common::geometry::Padding;
use convlab::common::resize::fit;
use convlab::explorer::kernel::Kernel;
use convlab::explorer::layer::{run_layer, Filter, LayerSettings};
use convlab::explorer::source::{check, decode_grayscale, LoadError};
use convlab::nn::{LayerSpec, Network, NetworkSpec, Shape};
use ndarray::{Array2, ArrayD, Axis};
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    image: String,
    working_size: usize,
    kernel: Vec<Vec<f32>>,
    stride: usize,
    padding: String,
    files: Files,
}

#[derive(Deserialize)]
struct Files {
    input: String,
    convolution: String,
    relu: String,
    #[serde(rename = "max-pooling")]
    max_pooling: String,
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/explorer")
}

/// The explorer's steps are float32 sums of at most nine terms: within 2e-6 of the reference.
const TOLERANCE: f32 = 2e-6;

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).expect("manifest");
    let manifest: Manifest = serde_json::from_str(&text).expect("manifest parses");
    assert!(manifest.cases.len() >= 8);
    manifest.cases
}

fn padding(case: &Case) -> Padding {
    Padding::from_name(&case.padding).expect("SAME or VALID")
}

#[test]
fn every_reference_case_matches() {
    for (i, case) in cases().iter().enumerate() {
        let what = format!(
            "case {i} ({} @ {}, stride {}, {})",
            case.image, case.working_size, case.stride, case.padding
        );
        let bytes = std::fs::read(root().join(&case.image)).expect("case image");
        let gray = decode_grayscale(&bytes).expect("case image decodes");
        let reference_input = read_npy(&fixtures().join(&case.files.input));
        assert_close(
            &format!("{what} input"),
            fit(gray.view(), case.working_size).view().into_dyn(),
            &reference_input,
            TOLERANCE,
        );
        let reference_input: Array2<f32> = reference_input
            .into_dimensionality()
            .unwrap_or_else(|e| panic!("{what}: input not 2-D: {e}"));
        let weights = Array2::from_shape_fn((3, 3), |(r, c)| case.kernel[r][c]);
        let kernel = Kernel::from_weights(weights).expect("kernel is usable");
        let settings = LayerSettings {
            stride: case.stride,
            padding: padding(case),
            ..LayerSettings::default()
        };
        // Each step is checked on the reference's own input, so errors do not compound.
        let filter = Filter {
            weights: kernel.weights().clone().insert_axis(Axis(0)),
            bias: 0.0,
        };
        let out = run_layer(
            reference_input.view().insert_axis(Axis(0)),
            &[filter],
            settings,
        )
        .expect("the layer runs");
        let relu = out.activation.expect("ReLU by default");
        for (name, actual, file) in [
            ("convolution", &out.convolution, &case.files.convolution),
            ("relu", &relu, &case.files.relu),
            ("max pooling", &out.pooling, &case.files.max_pooling),
        ] {
            assert_close(
                &format!("{what} {name}"),
                actual.index_axis(Axis(0), 0).into_dyn(),
                &read_npy(&fixtures().join(file)),
                TOLERANCE,
            );
        }
    }
}

/// The engine convolves batches by im2col and a matrix product, the explorer one image
/// directly (see `explorer::conv`): both must compute the same layer, so the engine runs
/// every explorer case too, as a one-filter conv → ReLU → max-pool network.
#[test]
fn the_engine_computes_every_reference_case_too() {
    for (i, case) in cases().iter().enumerate() {
        let input: Array2<f32> = read_npy(&fixtures().join(&case.files.input))
            .into_dimensionality()
            .expect("a 2-D input");
        let (h, w) = input.dim();
        let spec = NetworkSpec {
            input: Shape::new(1, h, w),
            layers: vec![
                LayerSpec::Conv2d {
                    filters: 1,
                    kernel_size: 3,
                    stride: case.stride,
                    padding: padding(case),
                },
                LayerSpec::Relu,
                LayerSpec::MaxPool {
                    size: 2,
                    stride: 2,
                    padding: padding(case),
                },
            ],
            init: Default::default(),
        };
        let mut network = Network::new(&spec, 1).expect("the layer builds");
        let layer = network.weights_mut(0).expect("conv weights");
        let (mut weights, mut bias) = (layer.weights, layer.bias);
        weights.indexed_iter_mut().for_each(|(index, weight)| {
            *weight = case.kernel[index[2]][index[3]];
        });
        bias.fill(0.0);
        let batch = input.insert_axis(Axis(0)).insert_axis(Axis(0));
        network.forward(batch.view()).expect("runs");
        for (layer, file) in [
            (0, &case.files.convolution),
            (1, &case.files.relu),
            (2, &case.files.max_pooling),
        ] {
            let actual: ArrayD<f32> = network
                .activation(layer)
                .expect("an activation")
                .index_axis(Axis(0), 0)
                .index_axis(Axis(0), 0)
                .to_owned()
                .into_dyn();
            assert_close(
                &format!("case {i}, engine layer {layer}"),
                actual.view(),
                &read_npy(&fixtures().join(file)),
                TOLERANCE,
            );
        }
    }
}

/// Every bad file is refused by the checks the page makes before any decoder sees the file,
/// or, for PNG, by the decoder here (the page's browser-side decoding is tested in
/// src/app/loading.rs).
#[test]
fn bad_files_are_refused_with_their_reason() {
    let decode = |name: &str| {
        let bytes = std::fs::read(fixtures().join(name)).expect("fixture exists");
        let header = check(&bytes)?;
        assert!(
            !header.format.decoded_by_browser(),
            "{name} passed the checks"
        );
        decode_grayscale(&bytes).map(drop)
    };
    assert_eq!(decode("bad_empty.png"), Err(LoadError::Empty));
    assert_eq!(decode("bad_not_an_image.txt"), Err(LoadError::NotAnImage));
    assert!(matches!(
        decode("bad_truncated.png"),
        Err(LoadError::Corrupt { .. })
    ));
    assert!(matches!(
        decode("bad_corrupt.png"),
        Err(LoadError::Corrupt { .. })
    ));
    assert_eq!(
        decode("bad_bomb.png"),
        Err(LoadError::TooManyPixels {
            width: 100_000,
            height: 100_000
        })
    );
    assert_eq!(
        decode("bad_animated.gif"),
        Err(LoadError::Animated { format: "GIF" })
    );
    assert_eq!(
        decode("bad_16bit.png"),
        Err(LoadError::HighBitDepth { format: "PNG" })
    );
    assert_eq!(decode("bad_cmyk.jpg"), Err(LoadError::Cmyk));
    // Valid headers and no image data: JPEG decoders let such a file through (as a grey
    // picture), so that one is checked before decoding, as are GIF frames and WebP chunks.
    let no_image_data = Err(LoadError::Corrupt {
        detail: "the file ends before its image data".into(),
    });
    assert_eq!(decode("bad_no_scan.jpg"), no_image_data);
    assert_eq!(decode("bad_empty_scan.jpg"), no_image_data);
    for name in [
        "bad_no_idat.png",
        "bad_no_frames.gif",
        "bad_no_bitstream.webp",
    ] {
        assert!(
            matches!(decode(name), Err(LoadError::Corrupt { .. })),
            "{name}: {:?}",
            decode(name)
        );
    }
}

#[test]
fn the_samples_pass_the_checks_and_the_png_one_decodes() {
    for name in ["chelsea.jpg", "coffee.jpg", "astronaut.jpg", "camera.png"] {
        let bytes = std::fs::read(root().join("www/samples").join(name)).expect("sample exists");
        let header = check(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(header.width >= 256 && header.height >= 256, "{name}");
        if !header.format.decoded_by_browser() {
            let gray = decode_grayscale(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(gray.iter().all(|v| (0.0..=1.0).contains(v)), "{name}");
        }
    }
}
