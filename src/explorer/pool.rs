//! Max pooling as TensorFlow's `tf.nn.max_pool2d` computes it: padded cells (SAME) are
//! ignored, never taken as zeros.

use ndarray::{Array2, ArrayView2};

use super::conv::Geometry;
use super::geometry::Padding;

/// Max pooling with a square `window` and `stride`. Returns an empty array when the window
/// does not fit (VALID on a map smaller than the window).
pub fn max_pool2d(
    input: ArrayView2<f32>,
    window: usize,
    stride: usize,
    padding: Padding,
) -> Array2<f32> {
    let geometry = Geometry::new(input.dim(), (window, window), stride, padding);
    let (h, w) = input.dim();
    let (r, c) = (geometry.rows, geometry.cols);
    Array2::from_shape_fn(geometry.output_shape(), |(i, j)| {
        // The window in input coordinates, clipped to the data: padding never wins.
        let top = (i * stride).saturating_sub(r.pad_before);
        let bottom = (i * stride + window - r.pad_before).min(h);
        let left = (j * stride).saturating_sub(c.pad_before);
        let right = (j * stride + window - c.pad_before).min(w);
        input
            .slice(ndarray::s![top..bottom, left..right])
            .fold(f32::NEG_INFINITY, |m, &x| m.max(x))
    })
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
