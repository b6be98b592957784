//! Max pooling as TensorFlow's `tf.nn.max_pool2d` computes it: padded cells (SAME) are
//! ignored, never taken as zeros.

use ndarray::{Array2, ArrayView2};

use crate::common::geometry::{Padding, Window};

/// Max pooling with a square `window` and `stride`. Returns an empty array when the window
/// does not fit (VALID on a map smaller than the window).
pub fn max_pool2d(
    input: ArrayView2<f32>,
    window: usize,
    stride: usize,
    padding: Padding,
) -> Array2<f32> {
    let geometry = Window::new(input.dim(), (window, window), stride, padding);
    let (h, w) = input.dim();
    let (r, c) = (geometry.rows, geometry.cols);
    let (out_h, out_w) = geometry.output_shape();
    // The window of output j along an axis, in input coordinates and clipped to the data:
    // padding never wins.
    let span = |j: usize, pad_before: usize, len: usize| {
        let start = (j * stride).saturating_sub(pad_before);
        let end = (j * stride + window).saturating_sub(pad_before).min(len);
        start..end
    };
    let cols: Vec<_> = (0..out_w).map(|j| span(j, c.pad_before, w)).collect();
    let mut out = Array2::<f32>::from_elem((out_h, out_w), f32::NEG_INFINITY);
    let mut row_buffer = Vec::new();
    for (i, mut out_row) in out.rows_mut().into_iter().enumerate() {
        let out_row = out_row
            .as_slice_mut()
            .expect("rows of a fresh array are contiguous");
        for y in span(i, r.pad_before, h) {
            let row = input.row(y);
            let row = match row.as_slice() {
                Some(slice) => slice,
                None => {
                    row_buffer.clear();
                    row_buffer.extend(row.iter().copied());
                    &row_buffer
                }
            };
            if window == stride && c.pad_before == 0 {
                // Windows side by side (the 2×2, stride-2 case): walk the row in chunks.
                for (o, chunk) in out_row.iter_mut().zip(row.chunks(window)) {
                    *o = chunk.iter().fold(*o, larger);
                }
            } else {
                for (o, cols) in out_row.iter_mut().zip(&cols) {
                    *o = row[cols.clone()].iter().fold(*o, larger);
                }
            }
        }
    }
    out
}

/// The larger of two values, by plain comparison (`f32::max`'s NaN rules cost extra code in
/// this inner loop, and the pipeline never holds NaN).
fn larger(m: f32, &x: &f32) -> f32 {
    if x > m {
        x
    } else {
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn same_keeps_the_odd_edge() {
        let input = array![[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0], [-7.0, -8.0, -9.0]];
        let out = max_pool2d(input.view(), 2, 2, Padding::Same);
        // The padded cells must not count as 0: the bottom-right window holds only −9.
        assert_eq!(out, array![[5.0, 3.0], [-7.0, -9.0]]);
    }

    #[test]
    fn valid_drops_the_odd_edge() {
        let input = Array2::from_shape_fn((5, 3), |(i, j)| (i * 3 + j) as f32);
        let out = max_pool2d(input.view(), 2, 2, Padding::Valid);
        assert_eq!(out, array![[4.0], [10.0]]);
    }
}
