//! Fitting an image to a size: large images are scaled down by exact area
//! averaging (each output pixel is the mean of the input area it covers, as TensorFlow's
//! `resize` with `method="area"` computes it); smaller images are never upscaled.

use ndarray::{Array2, ArrayView2, Axis};

/// The shape `(height, width)` an image of `shape` gets at `working_size`: unchanged when
/// its longer side fits; otherwise the longer side becomes `working_size` exactly and the
/// other keeps the aspect ratio, rounded to the nearest integer (at least 1).
pub fn fitted_shape(shape: (usize, usize), working_size: usize) -> (usize, usize) {
    let (h, w) = shape;
    let longer = h.max(w);
    if longer <= working_size {
        return shape;
    }
    let scale = |side: usize| ((side * working_size * 2 + longer) / (2 * longer)).max(1);
    if h >= w {
        (working_size, scale(w))
    } else {
        (scale(h), working_size)
    }
}

/// Scales `image` down to [`fitted_shape`] by area averaging; returns a copy when it fits.
pub fn fit(image: ArrayView2<f32>, working_size: usize) -> Array2<f32> {
    let (out_h, out_w) = fitted_shape(image.dim(), working_size);
    let horizontal = area_resample(image, Axis(1), out_w);
    area_resample(horizontal.view(), Axis(0), out_h)
}

/// For each output cell along one axis: the first input index it covers and the weights of
/// the inputs from there on (their overlap with the cell, divided by the cell's length).
fn area_weights(input_len: usize, output_len: usize) -> Vec<(usize, Vec<f64>)> {
    let scale = input_len as f64 / output_len as f64;
    (0..output_len)
        .map(|o| {
            let start = o as f64 * scale;
            let end = ((o + 1) as f64 * scale).min(input_len as f64);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(input_len);
            let weights = (first..last)
                .map(|i| {
                    let overlap = end.min((i + 1) as f64) - start.max(i as f64);
                    overlap.max(0.0) / scale
                })
                .collect();
            (first, weights)
        })
        .collect()
}

fn area_resample(input: ArrayView2<f32>, axis: Axis, output_len: usize) -> Array2<f32> {
    let input_len = input.len_of(axis);
    if input_len == output_len {
        return input.to_owned();
    }
    let mut shape = [input.nrows(), input.ncols()];
    shape[axis.index()] = output_len;
    let mut out = Array2::<f32>::zeros(shape);
    let mut acc = vec![0.0f64; input.len_of(Axis(1 - axis.index()))];
    for (o, (first, weights)) in area_weights(input_len, output_len).iter().enumerate() {
        acc.iter_mut().for_each(|a| *a = 0.0);
        for (k, &weight) in weights.iter().enumerate() {
            let lane = input.index_axis(axis, first + k);
            for (a, &x) in acc.iter_mut().zip(lane.iter()) {
                *a += weight * f64::from(x);
            }
        }
        for (dst, &a) in out.index_axis_mut(axis, o).iter_mut().zip(&acc) {
            *dst = a as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_keep_aspect_and_never_grow() {
        assert_eq!(fitted_shape((300, 451), 300), (200, 300));
        assert_eq!(fitted_shape((3000, 4000), 300), (225, 300));
        assert_eq!(fitted_shape((4000, 3000), 1024), (1024, 768));
        assert_eq!(fitted_shape((100, 50), 300), (100, 50));
        assert_eq!(fitted_shape((1, 5000), 128), (1, 128));
        // 2.5 rounds up: 5 × 128 / 256 = 2.5 → 3.
        assert_eq!(fitted_shape((5, 256), 128), (3, 128));
    }

    #[test]
    fn integer_factor_is_the_block_mean() {
        let image = Array2::from_shape_fn((4, 6), |(i, j)| (i * 6 + j) as f32);
        let out = fit(image.view(), 3);
        assert_eq!(out.dim(), (2, 3));
        assert_eq!(out[[0, 0]], (0.0 + 1.0 + 6.0 + 7.0) / 4.0);
        assert_eq!(out[[1, 2]], (16.0 + 17.0 + 22.0 + 23.0) / 4.0);
    }

    #[test]
    fn area_average_preserves_the_mean() {
        let image = Array2::from_shape_fn((97, 131), |(i, j)| ((i * 7 + j * 3) % 11) as f32);
        let out = fit(image.view(), 50);
        let mean_in = image.mean().unwrap_or_default();
        let mean_out = out.mean().unwrap_or_default();
        assert!((mean_in - mean_out).abs() < 0.05, "{mean_in} vs {mean_out}");
    }
}
