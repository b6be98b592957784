//! Helpers shared by the integration tests: fixtures made by an independent reference
//! (tests/reference/*.py), and a small network that trains fast.
//!
//! Each test crate includes this module and uses part of it, hence the `allow`.
//!
//! The engine's test crates also run compiled to wasm32 (in node, by wasm-bindgen-test-runner;
//! see scripts/test.sh): there they read the repository's files through node's `fs`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use convlab::common::geometry::Padding;
use convlab::nn::data::{DatasetKind, Mnist};
use convlab::nn::{LayerSpec, NetworkSpec, Optimizer, Shape, TrainConfig};
use ndarray::{ArrayD, ArrayViewD, IxDyn};

/// conv 4 filters 3×3 stride 2 → ReLU → max-pool 2 → flatten → dense 10, SGD 0.1, batch 16:
/// 30 times less work than the default network, so tests that train run fast in debug builds.
pub fn small_config(seed: u64) -> TrainConfig {
    TrainConfig {
        network: NetworkSpec {
            input: Shape::new(1, 28, 28),
            layers: vec![
                LayerSpec::Conv2d {
                    filters: 4,
                    kernel_size: 3,
                    stride: 2,
                    padding: Padding::Same,
                },
                LayerSpec::Relu,
                LayerSpec::MaxPool {
                    size: 2,
                    stride: 2,
                    padding: Padding::Valid,
                },
                LayerSpec::Flatten,
                LayerSpec::Dense { units: 10 },
            ],
            init: Default::default(),
        },
        optimizer: Optimizer::Sgd {
            learning_rate: 0.1,
            momentum: 0.0,
        },
        batch_size: 16,
        seed,
        weight_decay: 0.0,
        train_examples: 8_000,
    }
}

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file's bytes; panics (failing the test) when it cannot be read.
pub fn read(path: &Path) -> Vec<u8> {
    #[cfg(not(target_arch = "wasm32"))]
    return std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    #[cfg(target_arch = "wasm32")]
    return node::read_file_sync(&path.to_string_lossy())
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .to_vec();
}

/// A UTF-8 file's text.
pub fn read_to_string(path: &Path) -> String {
    String::from_utf8(read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[cfg(target_arch = "wasm32")]
mod node {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "fs")]
    extern "C" {
        #[wasm_bindgen(js_name = readFileSync, catch)]
        pub fn read_file_sync(path: &str) -> Result<js_sys::Uint8Array, JsValue>;
    }
}

/// The dataset shipped in www/.
pub fn dataset(kind: DatasetKind) -> Mnist {
    let dir = root().join("www").join(kind.folder());
    Mnist::from_bytes(
        &read(&dir.join(kind.sprite_file())),
        &read(&dir.join("labels.idx1")),
    )
    .expect("the shipped dataset loads")
}

/// Reads a little-endian float32, C-order `.npy` file as numpy writes it, of any rank.
pub fn read_npy(path: &Path) -> ArrayD<f32> {
    let bytes = read(path);
    assert_eq!(&bytes[..6], b"\x93NUMPY", "{}", path.display());
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).expect("ascii header");
    assert!(header.contains("'descr': '<f4'"), "{header}");
    assert!(header.contains("'fortran_order': False"), "{header}");
    let shape_text = header
        .split("'shape': (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("a shape");
    let dims: Vec<usize> = shape_text
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().expect("a dimension"))
        .collect();
    let values = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    ArrayD::from_shape_vec(IxDyn(&dims), values).expect("shape matches data")
}

/// Asserts the shapes agree and every value is within `tolerance` of the reference, relative
/// to `1 + |expected|`.
pub fn assert_close(what: &str, actual: ArrayViewD<f32>, expected: &ArrayD<f32>, tolerance: f32) {
    assert_eq!(actual.shape(), expected.shape(), "{what}: shape");
    let worst = actual
        .iter()
        .zip(expected.iter())
        .map(|(&a, &e)| (a - e).abs() / (1.0 + e.abs()))
        .fold(0.0f32, f32::max);
    assert!(worst <= tolerance, "{what}: worst relative error {worst:e}");
}
