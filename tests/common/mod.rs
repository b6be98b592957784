//! Helpers shared by the integration tests that read fixtures made by an independent
//! reference (tests/reference/*.py).
//!
//! Each test crate includes this module and uses part of it, hence the `allow`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, ArrayViewD, IxDyn};

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a little-endian float32, C-order `.npy` file as numpy writes it, of any rank.
pub fn read_npy(path: &Path) -> ArrayD<f32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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
