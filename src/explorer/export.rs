//! Files a student can download: `.npy` (the exact float32 values) and PNG (the colours drawn).

use std::io::Cursor;

use image::{ImageFormat, RgbaImage};
use ndarray::{Array1, Array2, Array4, ArrayView, Axis, Dimension};

/// Encodes float32 values of any shape as a NumPy `.npy` file (format 1.0, dtype `<f4`,
/// C order).
pub fn npy<D: Dimension>(values: ArrayView<f32, D>) -> Vec<u8> {
    let dims: Vec<String> = values.shape().iter().map(ToString::to_string).collect();
    // Python's tuple syntax: `(3,)` for one dimension, `(200, 300)` for more.
    let shape = match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple
    // of 64 bytes and closed by a newline.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let header_len = u16::try_from(header.len()).expect("the header is a few dozen bytes");
    let mut bytes = Vec::with_capacity(10 + header.len() + values.len() * 4);
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&header_len.to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for &v in values.iter() {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes
}

/// One grayscale filter's `f × f` kernel in TensorFlow's HWIO filter layout,
/// `(f, f, C = 1, K = 1)`, the `w` of `tf.nn.conv2d(x, w, …)`.
pub fn kernels_hwio(kernel: &Array2<f32>) -> Array4<f32> {
    kernel.clone().insert_axis(Axis(2)).insert_axis(Axis(2))
}

/// The biases of the layer's filters, `(K,)`.
pub fn biases(biases: &[f32]) -> Array1<f32> {
    Array1::from_vec(biases.to_vec())
}

/// Encodes RGBA pixels (`width × height × 4` bytes) as a PNG file.
pub fn png(rgba: Vec<u8>, width: usize, height: usize) -> Result<Vec<u8>, image::ImageError> {
    let too_large = || {
        image::ImageError::Limits(image::error::LimitError::from_kind(
            image::error::LimitErrorKind::DimensionError,
        ))
    };
    let w = u32::try_from(width).map_err(|_| too_large())?;
    let h = u32::try_from(height).map_err(|_| too_large())?;
    let image = RgbaImage::from_raw(w, h, rgba).ok_or_else(too_large)?;
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn npy_header_is_aligned_and_values_little_endian() {
        let values = array![[1.0f32, -2.5, 3.0], [0.0, 0.5, 1e30]];
        let bytes = npy(values.view());
        assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + header_len) % 64, 0);
        let header = std::str::from_utf8(&bytes[10..10 + header_len]).expect("ascii");
        assert!(header.contains("'shape': (2, 3)"), "{header}");
        assert!(header.ends_with('\n'));
        let data = &bytes[10 + header_len..];
        assert_eq!(data.len(), 6 * 4);
        assert_eq!(&data[4..8], &(-2.5f32).to_le_bytes());
    }

    #[test]
    fn kernels_are_hwio_and_one_dimension_is_a_python_one_tuple() {
        let kernel = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]];
        let hwio = kernels_hwio(&kernel);
        assert_eq!(hwio.shape(), [3, 3, 1, 1]);
        assert_eq!(hwio[[1, 2, 0, 0]], 6.0);
        let header = |bytes: &[u8]| {
            let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
            String::from_utf8_lossy(&bytes[10..10 + len]).into_owned()
        };
        assert!(header(&npy(hwio.view())).contains("'shape': (3, 3, 1, 1)"));
        let b = biases(&[0.25]);
        let bytes = npy(b.view());
        assert!(
            header(&bytes).contains("'shape': (1,)"),
            "{}",
            header(&bytes)
        );
        assert_eq!(&bytes[bytes.len() - 4..], &0.25f32.to_le_bytes());
    }

    #[test]
    fn png_round_trips() {
        let rgba = vec![10, 20, 30, 255, 40, 50, 60, 255];
        let bytes = png(rgba.clone(), 2, 1).expect("encodes");
        let decoded = image::load_from_memory(&bytes).expect("decodes").to_rgba8();
        assert_eq!(decoded.into_raw(), rgba);
    }
}
