//! 2-D convolution of one grayscale map, as TensorFlow's `tf.nn.conv2d` computes it:
//! cross-correlation (the kernel is not flipped), zero padding per [`Padding`].
//!
//! Why this is not the engine's convolution (`nn::layers::Conv`): the engine unfolds every
//! window into a column (im2col) so that a whole batch is one matrix product. For one
//! 1024 × 1024 photo that buffer holds `f·f·C` values per pixel — 36 MB for one 3 × 3
//! grayscale kernel, 590 MB for 7 × 7 over RGB — where this direct loop needs none and keeps
//! a kernel edit within a frame. Both are checked against the same TensorFlow fixtures
//! (`tests/explorer_reference.rs` runs every explorer case through the engine too).

use ndarray::{s, Array2, ArrayView2, ArrayView3, Axis};

use crate::common::geometry::{Padding, Window};

/// Cross-correlates `input` with `kernel`. Returns an empty array when the kernel does
/// not fit (VALID on an input smaller than the kernel); `stride` must be at least 1.
pub fn conv2d(
    input: ArrayView2<f32>,
    kernel: ArrayView2<f32>,
    stride: usize,
    padding: Padding,
) -> Array2<f32> {
    let geometry = Window::new(input.dim(), kernel.dim(), stride, padding);
    let mut out = Array2::<f32>::zeros(geometry.output_shape());
    let out_data = out
        .as_slice_mut()
        .expect("a freshly built array is contiguous");
    let padded = zero_pad(input, &geometry);
    conv_accumulate(&[padded], kernel.insert_axis(Axis(0)), &geometry, out_data);
    out
}

/// Adds one filter's cross-correlation with a volume to `out`, row-major
/// `geometry.output_shape()`: `padded` holds the volume's channels, each zero-padded by
/// [`zero_pad`], and `kernels` the filter's `(C, f, f)` weights.
///
/// The loops run output row by output row, every channel and kernel row inside, so the
/// row being summed stays in the nearest cache however large the map: a pass over the
/// whole map per channel and kernel row would stream it from memory nine times for a
/// 3 × 3 kernel over RGB.
pub fn conv_accumulate(
    padded: &[Array2<f32>],
    kernels: ArrayView3<f32>,
    geometry: &Window,
    out: &mut [f32],
) {
    let (out_w, stride) = (geometry.cols.output, geometry.cols.stride);
    if geometry.is_empty() {
        return;
    }
    let (_, k_h, k_w) = kernels.dim();
    for (i, out_row) in out.chunks_exact_mut(out_w).enumerate() {
        for (plane, kernel) in padded.iter().zip(kernels.outer_iter()) {
            let padded_w = plane.ncols();
            let data = plane
                .as_slice()
                .expect("a freshly padded plane is contiguous");
            for di in 0..k_h {
                let row = &data[(i * stride + di) * padded_w..][..padded_w];
                let weights = kernel.row(di);
                if stride == 1 && k_w == 3 {
                    // The common case, one pass per kernel row over three shifted slices:
                    // the compiler vectorises it (simd128 in wasm).
                    let (w0, w1, w2) = (weights[0], weights[1], weights[2]);
                    let shifted = row[..out_w]
                        .iter()
                        .zip(&row[1..=out_w])
                        .zip(&row[2..out_w + 2]);
                    for (o, ((&a, &b), &c)) in out_row.iter_mut().zip(shifted) {
                        *o += w0 * a + w1 * b + w2 * c;
                    }
                } else {
                    for (dj, &weight) in weights.iter().enumerate() {
                        let src = row[dj..].iter().step_by(stride);
                        for (o, &x) in out_row.iter_mut().zip(src) {
                            *o += weight * x;
                        }
                    }
                }
            }
        }
    }
}

/// Copies `input` into a zero-filled array grown by the padding of `geometry`.
pub fn zero_pad(input: ArrayView2<f32>, geometry: &Window) -> Array2<f32> {
    let (h, w) = input.dim();
    let (r, c) = (geometry.rows, geometry.cols);
    let mut padded = Array2::<f32>::zeros((
        h + r.pad_before + r.pad_after,
        w + c.pad_before + c.pad_after,
    ));
    padded
        .slice_mut(s![
            r.pad_before..r.pad_before + h,
            c.pad_before..c.pad_before + w
        ])
        .assign(&input);
    padded
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn cross_correlation_is_not_flipped() {
        let input = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]];
        let kernel = array![[1.0, 0.0], [0.0, 0.0]];
        let out = conv2d(input.view(), kernel.view(), 1, Padding::Valid);
        assert_eq!(out, array![[1.0, 2.0], [4.0, 5.0]]);
    }

    #[test]
    fn same_padding_with_stride_two_pads_after() {
        // n = 4, f = 3, s = 2: out 2, pad total 1 → 0 before, 1 after.
        let input = Array2::from_shape_fn((4, 4), |(i, j)| (i * 4 + j) as f32);
        let kernel = Array2::<f32>::ones((3, 3));
        let out = conv2d(input.view(), kernel.view(), 2, Padding::Same);
        // Top-left window covers rows 0..3, cols 0..3 with no padding before.
        let expected_00: f32 = (0..3)
            .flat_map(|i| (0..3).map(move |j| (i * 4 + j) as f32))
            .sum();
        assert_eq!(out.dim(), (2, 2));
        assert_eq!(out[[0, 0]], expected_00);
        // Bottom-right window covers rows 2..5, cols 2..5: row/col 4 is padding.
        assert_eq!(out[[1, 1]], 10.0 + 11.0 + 14.0 + 15.0);
    }

    #[test]
    fn kernel_larger_than_input_gives_empty_valid_output() {
        let input = Array2::<f32>::ones((2, 5));
        let kernel = Array2::<f32>::ones((3, 3));
        assert_eq!(
            conv2d(input.view(), kernel.view(), 1, Padding::Valid).dim(),
            (0, 3)
        );
    }
}
