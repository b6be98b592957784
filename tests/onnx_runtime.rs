//! The exported model, run by the independent reference: onnxruntime, after the ONNX
//! checker (tests/reference/run_onnx.py, in the Python that `scripts/test.sh` installs and
//! names in `CONVLAB_PYTHON`). Its predictions must equal the engine's on all 2,000 test
//! images, and its logits agree to float32 rounding.
//!
//! Without `CONVLAB_PYTHON` (a plain `cargo test`) the test says it was skipped.

mod common;

use std::path::PathBuf;
use std::process::Command;

use convlab::common::geometry::Padding;
use convlab::nn::data::{DatasetKind, Mnist, CLASSES, PIXELS, SIDE};
use convlab::nn::onnx::{export, Provenance};
use convlab::nn::{argmax, LayerSpec, NetworkSpec, Shape, TrainConfig, Trainer};
use ndarray::Array4;
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    labels: Vec<u8>,
    logits: Vec<Vec<f32>>,
    predicted: Vec<usize>,
    accuracy: f64,
    metadata: std::collections::HashMap<String, String>,
}

fn python() -> Option<PathBuf> {
    std::env::var_os("CONVLAB_PYTHON").map(PathBuf::from)
}

fn run_reference(python: &PathBuf, model: &[u8], kind: DatasetKind, name: &str) -> Reference {
    let dir = std::env::temp_dir().join(format!("convlab-onnx-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (path, out) = (dir.join("model.onnx"), dir.join("out.json"));
    std::fs::write(&path, model).expect("model written");
    let status = Command::new(python)
        .arg(common::root().join("tests/reference/run_onnx.py"))
        .arg(&path)
        .arg(common::root().join("www").join(kind.folder()))
        .arg(&out)
        .status()
        .expect("the reference Python starts");
    assert!(status.success(), "run_onnx.py failed on {name}");
    let text = std::fs::read_to_string(&out).expect("reference output");
    std::fs::remove_dir_all(&dir).ok();
    serde_json::from_str(&text).expect("reference JSON")
}

/// Trains `config` for a few hundred batches, exports it and compares it with onnxruntime.
fn check(config: TrainConfig, kind: DatasetKind, name: &str) {
    let Some(python) = python() else {
        eprintln!("skipped {name}: CONVLAB_PYTHON (a Python with onnxruntime) is not set");
        return;
    };
    let data = Mnist::load(&common::root().join("www"), kind).expect("data");
    let mut trainer = Trainer::new(config, data.clone()).expect("trainer");
    trainer.train_batches(300).expect("trains");
    let evaluation = trainer.evaluate().expect("evaluates");
    let samples = trainer.samples();
    let network = trainer.network_mut();
    network.set_training(false);
    let model = export(
        network,
        Provenance {
            dataset: kind,
            samples,
        },
    );
    let reference = run_reference(&python, &model, kind, name);

    let test = data.test();
    assert_eq!(
        reference.labels,
        test.labels(),
        "{name}: the same test images"
    );
    assert_eq!(reference.metadata["convlab.dataset"], kind.folder());
    let mut images = Array4::<f32>::zeros((test.len(), 1, SIDE, SIDE));
    for (i, mut image) in images.outer_iter_mut().enumerate() {
        for (d, &p) in image.iter_mut().zip(test.pixels(i)) {
            *d = f32::from(p) / 255.0;
        }
    }
    assert_eq!(images.len(), test.len() * PIXELS);
    let logits = network.forward(images.view()).expect("forward").to_owned();
    let mut worst = 0.0f32;
    for (i, (ours, theirs)) in logits.outer_iter().zip(&reference.logits).enumerate() {
        assert_eq!(theirs.len(), CLASSES);
        for (&a, &b) in ours.iter().zip(theirs) {
            let error = (a - b).abs() / a.abs().max(1.0);
            worst = worst.max(error);
            assert!(
                error < 1e-4,
                "{name}: image {i}: logit {a} vs onnxruntime {b}"
            );
        }
        assert_eq!(
            argmax(ours.iter().copied()),
            reference.predicted[i],
            "{name}: image {i} is answered differently"
        );
    }
    assert_eq!(
        reference.accuracy as f32, evaluation.accuracy,
        "{name}: accuracy"
    );
    eprintln!(
        "{name}: onnxruntime agrees on all {} images (accuracy {:.4}, worst relative logit \
         difference {worst:e})",
        test.len(),
        reference.accuracy
    );
}

#[test]
fn the_default_network_runs_the_same_in_onnxruntime() {
    check(TrainConfig::default(), DatasetKind::Digits, "default");
}

#[test]
fn every_other_layer_kind_runs_the_same_in_onnxruntime() {
    // Stride 2 with SAME padding pads 0 before and 1 after: ONNX's pads say so.
    check(common::small_config(4), DatasetKind::Digits, "small");
    let conv = |filters| LayerSpec::Conv2d {
        filters,
        kernel_size: 5,
        stride: 1,
        padding: Padding::Valid,
    };
    let pool = LayerSpec::AvgPool {
        size: 2,
        stride: 2,
        padding: Padding::Valid,
    };
    let network = NetworkSpec {
        input: Shape::new(1, SIDE, SIDE),
        layers: vec![
            conv(4),
            LayerSpec::Tanh,
            pool,
            conv(8),
            LayerSpec::LeakyRelu { slope: 0.1 },
            pool,
            LayerSpec::Flatten,
            LayerSpec::Dense { units: 32 },
            LayerSpec::Sigmoid,
            LayerSpec::Dropout { rate: 0.25 },
            LayerSpec::Dense { units: CLASSES },
        ],
        init: convlab::nn::spec::Init::Xavier,
    };
    check(
        TrainConfig {
            network,
            ..TrainConfig::default()
        },
        DatasetKind::Fashion,
        "fashion",
    );
}
