//! Files a student can download: `.npy` (the exact float32 values) and PNG (the colours drawn).

use std::io::Cursor;

use image::{ImageFormat, RgbaImage};
use ndarray::{Array1, Array4, ArrayView, ArrayView3, Dimension};

use super::layer::Filter;

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

/// The layer's filters in TensorFlow's HWIO filter layout, `(f, f, C, K)`: the `w` of
/// `tf.nn.conv2d(x, w, …)`.
pub fn kernels_hwio(filters: &[Filter]) -> Array4<f32> {
    let (c, f) = filters.first().map_or((0, 0), |filter| {
        (filter.weights.dim().0, filter.weights.dim().1)
    });
    Array4::from_shape_fn((f, f, c, filters.len()), |(i, j, c, k)| {
        filters[k].weights[[c, i, j]]
    })
}

/// A `(C, H, W)` volume in TensorFlow's `(H, W, C)` layout (a view: `npy` writes it in
/// that order).
pub fn hwc(volume: ArrayView3<f32>) -> ArrayView3<f32> {
    volume.permuted_axes([1, 2, 0])
}

/// Lays RGBA maps of `width × height` side by side, left to right, `GAP` white pixels
/// apart: one sheet for a stage's maps. Returns the pixels and the sheet's width.
pub fn sheet(maps: &[Vec<u8>], width: usize, height: usize) -> (Vec<u8>, usize) {
    const GAP: usize = 4;
    let total = (maps.len() * (width + GAP)).saturating_sub(GAP);
    let mut rgba = vec![255u8; total * height * 4];
    for (m, map) in maps.iter().enumerate() {
        let x0 = m * (width + GAP);
        for (y, row) in map.chunks_exact(width * 4).enumerate() {
            let start = (y * total + x0) * 4;
            rgba[start..start + width * 4].copy_from_slice(row);
        }
    }
    (rgba, total)
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
        // Filter k, channel c, row i, column j holds 1000 k + 100 c + 10 i + j.
        let filters: Vec<Filter> = (0..4)
            .map(|k| Filter {
                weights: ndarray::Array3::from_shape_fn((3, 5, 5), |(c, i, j)| {
                    (1000 * k + 100 * c + 10 * i + j) as f32
                }),
                bias: 0.0,
            })
            .collect();
        let hwio = kernels_hwio(&filters);
        assert_eq!(hwio.shape(), [5, 5, 3, 4]);
        assert_eq!(hwio[[1, 2, 0, 3]], 3012.0);
        assert_eq!(hwio[[4, 0, 2, 1]], 1240.0);
        let volume =
            ndarray::Array3::from_shape_fn((3, 2, 4), |(c, i, j)| (100 * c + 10 * i + j) as f32);
        let bytes = npy(hwc(volume.view()));
        let data = &bytes[bytes.len() - 24 * 4..];
        // (H, W, C) in C order: (0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0), …
        let first: Vec<f32> = data[..16]
            .chunks(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect();
        assert_eq!(first, [0.0, 100.0, 200.0, 1.0]);
        let header = |bytes: &[u8]| {
            let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
            String::from_utf8_lossy(&bytes[10..10 + len]).into_owned()
        };
        assert!(header(&npy(hwio.view())).contains("'shape': (5, 5, 3, 4)"));
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
    fn a_sheet_puts_maps_side_by_side() {
        let red = [255, 0, 0, 255].repeat(2 * 3);
        let blue = [0, 0, 255, 255].repeat(2 * 3);
        let (rgba, width) = sheet(&[red, blue], 2, 3);
        assert_eq!(width, 2 + 4 + 2);
        let px = |x: usize, y: usize| &rgba[(y * width + x) * 4..][..4];
        assert_eq!(px(1, 2), [255, 0, 0, 255]);
        assert_eq!(px(3, 1), [255, 255, 255, 255]);
        assert_eq!(px(6, 0), [0, 0, 255, 255]);
    }

    #[test]
    fn png_round_trips() {
        let rgba = vec![10, 20, 30, 255, 40, 50, 60, 255];
        let bytes = png(rgba.clone(), 2, 1).expect("encodes");
        let decoded = image::load_from_memory(&bytes).expect("decodes").to_rgba8();
        assert_eq!(decoded.into_raw(), rgba);
    }
}
