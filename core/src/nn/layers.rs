//! The layers' arithmetic on plain slices, batch at a time.
//!
//! Activations are stored channel-major with the batch inside: value `(b, c, y, x)` of a
//! `C × H × W` activation for a batch of `B` is at `((c·B + b)·H + y)·W + x` ("CNHW").
//! With this layout a convolution over the whole batch is one matrix product,
//! `Y (F × B·Ho·Wo) = W (F × C·k·k) · im2col(X) (C·k·k × B·Ho·Wo)`, whose result is already
//! in CNHW; a flat activation (`N × 1 × 1`) is an `N × B` matrix, which a dense layer
//! multiplies directly.

use std::cmp::min;
use std::ops::Range;

use super::gemm::{gemm, gemm_bias, Mat};
use super::spec::Shape;
use crate::common::geometry::{Axis, Window};

/// The sum of `values` in eight interleaved partial sums, which the compiler can keep in
/// one vector register (a plain running sum is a chain of dependent scalar additions).
/// The index of the largest value, the first of equals (nothing beats a NaN in first
/// place, and a later NaN never wins): the class a network answers from its probabilities.
pub fn argmax(values: impl IntoIterator<Item = f32>) -> usize {
    let mut values = values.into_iter().enumerate();
    let Some(first) = values.next() else {
        return 0;
    };
    values
        .fold(first, |best, (i, v)| if v > best.1 { (i, v) } else { best })
        .0
}

pub(crate) fn sum(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let chunks = values.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Output columns `ox` whose input column `ox·stride + offset − pad` lies in `0..width`.
fn inside(offset: usize, axis: &Axis) -> (usize, usize) {
    let (pad, stride, width) = (axis.pad_before, axis.stride, axis.input);
    let lo = if pad > offset {
        (pad - offset).div_ceil(stride)
    } else {
        0
    };
    let hi = if width + pad > offset {
        min(axis.output, (width - 1 + pad - offset) / stride + 1)
    } else {
        0
    };
    (min(lo, hi), hi)
}

/// Input row `oy·stride + offset − pad`, or `None` in the padding.
fn source_row(oy: usize, offset: usize, axis: &Axis) -> Option<usize> {
    (oy * axis.stride + offset)
        .checked_sub(axis.pad_before)
        .filter(|&r| r < axis.input)
}

/// Visits every (im2col row, output row) pair with its destination range in `cols` and,
/// unless it falls in the padding, its input row in `x`.
fn for_each_patch_row(
    input: Shape,
    batch: usize,
    k: usize,
    win: &Window,
    mut visit: impl FnMut(usize, Option<usize>, (usize, usize), usize),
) {
    let (h, w) = (input.height, input.width);
    let (ho, wo) = (win.rows.output, win.cols.output);
    let n = batch * ho * wo;
    for c in 0..input.channels {
        for ki in 0..k {
            for kj in 0..k {
                let row = (c * k + ki) * k + kj;
                let span = inside(kj, &win.cols);
                for b in 0..batch {
                    let plane = (c * batch + b) * h * w;
                    for oy in 0..ho {
                        let dst = row * n + (b * ho + oy) * wo;
                        let src = source_row(oy, ki, &win.rows).map(|iy| plane + iy * w);
                        visit(dst, src, span, kj);
                    }
                }
            }
        }
    }
}

/// Unfolds every `k × k × C` input patch into a column of `cols` (`C·k·k × B·Ho·Wo`), zeros
/// where the patch covers padding.
pub(crate) fn im2col(
    x: &[f32],
    input: Shape,
    batch: usize,
    k: usize,
    win: &Window,
    cols: &mut [f32],
) {
    if keeps_row_length(input, win) {
        for_each_shifted_plane(input, batch, k, win, |dst, shift| {
            let block = &mut cols[dst..dst + input.plane()];
            let Some(shift) = shift else {
                block.fill(0.0);
                return;
            };
            block[..shift.first].fill(0.0);
            block[shift.last..].fill(0.0);
            block[shift.first..shift.last].copy_from_slice(&x[shift.source()]);
            shift.zero_gaps(block);
        });
    } else {
        im2col_by_rows(x, input, batch, k, win, cols);
    }
}

/// [`im2col`] an output row at a time: any stride and padding.
fn im2col_by_rows(x: &[f32], input: Shape, batch: usize, k: usize, win: &Window, cols: &mut [f32]) {
    let wo = win.cols.output;
    let (stride, pad) = (win.cols.stride, win.cols.pad_before);
    for_each_patch_row(input, batch, k, win, |dst, src, (lo, hi), kj| {
        let dst = &mut cols[dst..dst + wo];
        match src {
            None => dst.fill(0.0),
            Some(src) => {
                dst[..lo].fill(0.0);
                dst[hi..].fill(0.0);
                if stride == 1 {
                    let start = src + lo + kj - pad;
                    dst[lo..hi].copy_from_slice(&x[start..start + hi - lo]);
                } else {
                    for (ox, d) in dst.iter_mut().enumerate().take(hi).skip(lo) {
                        *d = x[src + ox * stride + kj - pad];
                    }
                }
            }
        }
    });
}

/// The adjoint of [`im2col`]: adds every column entry back onto the input cell it came
/// from. `dx` is overwritten; `cols` is scratch (its entries for padding are zeroed).
pub(crate) fn col2im(
    cols: &mut [f32],
    input: Shape,
    batch: usize,
    k: usize,
    win: &Window,
    dx: &mut [f32],
) {
    dx.fill(0.0);
    if keeps_row_length(input, win) {
        for_each_shifted_plane(input, batch, k, win, |dst, shift| {
            let Some(shift) = shift else {
                return;
            };
            let block = &mut cols[dst..dst + input.plane()];
            // The gaps hold what the padding received: zeroed, the whole shifted run is
            // one contiguous sum, and each input cell still gets its terms in the same
            // order as an output row at a time would add them.
            shift.zero_gaps(block);
            for (d, c) in dx[shift.source()]
                .iter_mut()
                .zip(&block[shift.first..shift.last])
            {
                *d += c;
            }
        });
    } else {
        col2im_by_rows(cols, input, batch, k, win, dx);
    }
}

/// [`col2im`] an output row at a time (after `dx` is zeroed): any stride and padding.
fn col2im_by_rows(
    cols: &[f32],
    input: Shape,
    batch: usize,
    k: usize,
    win: &Window,
    dx: &mut [f32],
) {
    let (stride, pad) = (win.cols.stride, win.cols.pad_before);
    for_each_patch_row(input, batch, k, win, |dst, src, (lo, hi), kj| {
        if let Some(src) = src {
            if stride == 1 {
                let start = src + lo + kj - pad;
                for (d, c) in dx[start..start + hi - lo]
                    .iter_mut()
                    .zip(&cols[dst + lo..dst + hi])
                {
                    *d += c;
                }
            } else {
                for ox in lo..hi {
                    dx[src + ox * stride + kj - pad] += cols[dst + ox];
                }
            }
        }
    });
}

/// Whether every output plane has the input's size with stride 1 (`SAME` padding, or a
/// 1 × 1 kernel), so that each row of `cols` holds, for every sample, its input plane
/// shifted by one offset: one contiguous run instead of an output row at a time.
fn keeps_row_length(input: Shape, win: &Window) -> bool {
    win.rows.stride == 1
        && win.cols.stride == 1
        && win.rows.output == input.height
        && win.cols.output == input.width
}

/// Where one kernel offset's shifted plane lies, for [`keeps_row_length`] windows: output
/// cells `first..last` of the plane read input cells `first + offset..last + offset` of
/// the plane at `plane`, except the gaps (the `width − (hi − lo)` cells between one output
/// row's inside span `lo..hi` and the next's), which fall in the left or right padding.
struct Shift {
    plane: usize,
    offset: isize,
    first: usize,
    last: usize,
    width: usize,
    span: (usize, usize),
}

impl Shift {
    fn source(&self) -> Range<usize> {
        let start = (self.plane + self.first).wrapping_add_signed(self.offset);
        start..start + (self.last - self.first)
    }

    /// Zeroes the gaps of `block`, one column of the plane at a time: a gap is one or two
    /// cells, and a fill per gap was a call to `memset` (natively) or `memory.fill` (in
    /// wasm) for each, which cost more than the copy itself.
    fn zero_gaps(&self, block: &mut [f32]) {
        let (lo, hi) = self.span;
        // The gap after the first inside row: its columns `hi..` and the next row's `..lo`.
        for start in self.first - lo + hi..min(self.first + self.width, self.last) {
            for cell in block[start..self.last].iter_mut().step_by(self.width) {
                *cell = 0.0;
            }
        }
    }
}

/// Visits every (im2col row, sample) pair of a [`keeps_row_length`] window with the start
/// of its plane in `cols` and its [`Shift`], or `None` when the whole plane is padding.
fn for_each_shifted_plane(
    input: Shape,
    batch: usize,
    k: usize,
    win: &Window,
    mut visit: impl FnMut(usize, Option<Shift>),
) {
    let (w, plane) = (input.width, input.plane());
    let n = batch * plane;
    for c in 0..input.channels {
        for ki in 0..k {
            let (top, bottom) = inside(ki, &win.rows);
            for kj in 0..k {
                let row = (c * k + ki) * k + kj;
                let (lo, hi) = inside(kj, &win.cols);
                for b in 0..batch {
                    let dst = row * n + b * plane;
                    let shift = (top < bottom && lo < hi).then(|| Shift {
                        plane: (c * batch + b) * plane,
                        offset: (ki as isize - win.rows.pad_before as isize) * w as isize
                            + (kj as isize - win.cols.pad_before as isize),
                        first: top * w + lo,
                        last: (bottom - 1) * w + hi,
                        width: w,
                        span: (lo, hi),
                    });
                    visit(dst, shift);
                }
            }
        }
    }
}

/// A convolution's sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Conv {
    pub filters: usize,
    pub kernel_size: usize,
    pub window: Window,
}

impl Conv {
    fn patch(&self, input: Shape) -> usize {
        input.channels * self.kernel_size * self.kernel_size
    }

    /// Length of the im2col buffer for a batch.
    pub fn cols_len(&self, input: Shape, batch: usize) -> usize {
        self.patch(input) * batch * self.window.outputs()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn forward(
        &self,
        input: Shape,
        batch: usize,
        x: &[f32],
        w: &[f32],
        bias: &[f32],
        cols: &mut [f32],
        y: &mut [f32],
    ) {
        let (kk, n) = (self.patch(input), batch * self.window.outputs());
        im2col(x, input, batch, self.kernel_size, &self.window, cols);
        gemm_bias(
            Mat::row_major(w, self.filters, kk),
            Mat::row_major(cols, kk, n),
            bias,
            y,
        );
    }

    /// Weight and bias gradients from `dy`; the input gradient too when `dx` is given
    /// (`cols` holds the forward pass's patches and is used as scratch).
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        input: Shape,
        batch: usize,
        dy: &[f32],
        w: &[f32],
        cols: &mut [f32],
        dw: &mut [f32],
        db: &mut [f32],
        dx: Option<&mut [f32]>,
    ) {
        let (kk, n) = (self.patch(input), batch * self.window.outputs());
        for (g, row) in db.iter_mut().zip(dy.chunks_exact(n)) {
            *g = sum(row);
        }
        gemm(
            Mat::row_major(dy, self.filters, n),
            Mat::row_major(cols, kk, n).t(),
            dw,
            false,
        );
        if let Some(dx) = dx {
            gemm(
                Mat::row_major(w, self.filters, kk).t(),
                Mat::row_major(dy, self.filters, n),
                cols,
                false,
            );
            col2im(cols, input, batch, self.kernel_size, &self.window, dx);
        }
    }
}

/// CNHW `C × B × (H·W)` → flat `(C·H·W) × B`.
pub(crate) fn flatten_forward(x: &[f32], input: Shape, batch: usize, y: &mut [f32]) {
    let hw = input.plane();
    for c in 0..input.channels {
        for b in 0..batch {
            let src = &x[(c * batch + b) * hw..][..hw];
            for (s, &v) in src.iter().enumerate() {
                y[(c * hw + s) * batch + b] = v;
            }
        }
    }
}

pub(crate) fn flatten_backward(dy: &[f32], input: Shape, batch: usize, dx: &mut [f32]) {
    let hw = input.plane();
    for c in 0..input.channels {
        for b in 0..batch {
            let dst = &mut dx[(c * batch + b) * hw..][..hw];
            for (s, d) in dst.iter_mut().enumerate() {
                *d = dy[(c * hw + s) * batch + b];
            }
        }
    }
}

/// `y (U × B) = W (U × N) · x (N × B) + b`.
pub(crate) fn dense_forward(
    units: usize,
    inputs: usize,
    batch: usize,
    x: &[f32],
    w: &[f32],
    bias: &[f32],
    y: &mut [f32],
) {
    gemm_bias(
        Mat::row_major(w, units, inputs),
        Mat::row_major(x, inputs, batch),
        bias,
        y,
    );
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn dense_backward(
    units: usize,
    inputs: usize,
    batch: usize,
    x: &[f32],
    w: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    dx: Option<&mut [f32]>,
) {
    for (g, row) in db.iter_mut().zip(dy.chunks_exact(batch)) {
        *g = sum(row);
    }
    gemm(
        Mat::row_major(dy, units, batch),
        Mat::row_major(x, inputs, batch).t(),
        dw,
        false,
    );
    if let Some(dx) = dx {
        gemm(
            Mat::row_major(w, units, inputs).t(),
            Mat::row_major(dy, units, batch),
            dx,
            false,
        );
    }
}

/// Softmax of each column of the `K × B` logits into `probs`, walking rows (contiguous)
/// rather than columns; `scratch` holds `2B` values (each column's maximum, then its sum).
pub(crate) fn softmax(logits: &[f32], batch: usize, probs: &mut [f32], scratch: &mut [f32]) {
    let (max, total) = scratch[..2 * batch].split_at_mut(batch);
    max.fill(f32::NEG_INFINITY);
    total.fill(0.0);
    for row in logits.chunks_exact(batch) {
        for (m, &z) in max.iter_mut().zip(row) {
            *m = m.max(z);
        }
    }
    for (out, row) in probs
        .chunks_exact_mut(batch)
        .zip(logits.chunks_exact(batch))
    {
        for (((p, &z), &m), t) in out
            .iter_mut()
            .zip(row)
            .zip(max.iter())
            .zip(total.iter_mut())
        {
            *p = (z - m).exp();
            *t += *p;
        }
    }
    for out in probs.chunks_exact_mut(batch) {
        for (p, &t) in out.iter_mut().zip(total.iter()) {
            *p /= t;
        }
    }
}

/// Cross-entropy of each column against its label, computed stably as
/// `log Σ exp(z) − z_label` with the column's maximum factored out. Returns the sum over
/// the batch and the number of columns whose largest logit is the label; writes
/// `dL/dz = (softmax(z) − onehot) / B` (the gradient of the batch mean) into `dlogits`.
pub(crate) fn cross_entropy(
    logits: &[f32],
    probs: &[f32],
    classes: usize,
    labels: &[u8],
    mut dlogits: Option<&mut [f32]>,
) -> (f64, usize) {
    let batch = labels.len();
    let mut loss = 0.0f64;
    let mut correct = 0;
    for (b, &label) in labels.iter().enumerate() {
        let column = |k: usize| logits[k * batch + b];
        let (mut best, mut max) = (0, f32::NEG_INFINITY);
        for k in 0..classes {
            if column(k) > max {
                (best, max) = (k, column(k));
            }
        }
        let sum: f32 = (0..classes).map(|k| (column(k) - max).exp()).sum();
        loss += f64::from(max + sum.ln() - column(label as usize));
        correct += usize::from(best == label as usize);
        if let Some(d) = dlogits.as_deref_mut() {
            for k in 0..classes {
                let onehot = if k == label as usize { 1.0 } else { 0.0 };
                d[k * batch + b] = (probs[k * batch + b] - onehot) / batch as f32;
            }
        }
    }
    (loss, correct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::geometry::Padding;

    /// Distinct values, none zero, so a misplaced or missing copy shows.
    fn ramp(n: usize) -> Vec<f32> {
        (0..n).map(|i| 1.0 + (i * 37 % 101) as f32 / 8.0).collect()
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn whole_plane_unfolding_matches_row_by_row() {
        for (h, w, k) in [
            (5, 7, 3),
            (6, 4, 2),
            (4, 4, 5),
            (3, 8, 4),
            (7, 5, 1),
            (2, 2, 5),
        ] {
            let (input, batch) = (Shape::new(2, h, w), 3);
            let win = Window::new((h, w), (k, k), 1, Padding::Same);
            assert!(keeps_row_length(input, &win));
            let x = ramp(input.len() * batch);
            let len = input.channels * k * k * batch * win.outputs();
            let (mut fast, mut rows) = (vec![f32::NAN; len], vec![f32::NAN; len]);
            im2col(&x, input, batch, k, &win, &mut fast);
            im2col_by_rows(&x, input, batch, k, &win, &mut rows);
            assert_eq!(fast, rows, "im2col {h}×{w}, kernel {k}");

            let cols = ramp(len);
            let (mut fast, mut rows) = (vec![f32::NAN; x.len()], vec![0.0; x.len()]);
            col2im(&mut cols.clone(), input, batch, k, &win, &mut fast);
            col2im_by_rows(&cols, input, batch, k, &win, &mut rows);
            assert_eq!(fast, rows, "col2im {h}×{w}, kernel {k}");
        }
    }

    #[test]
    fn argmax_takes_the_first_of_the_largest_and_never_a_later_nan() {
        assert_eq!(argmax([0.1, 0.7, 0.2]), 1);
        assert_eq!(argmax([0.4, 0.4, 0.2]), 0);
        assert_eq!(argmax([0.1, f32::NAN, 0.3]), 2);
        assert_eq!(argmax([f32::NAN, 0.5]), 0);
        assert_eq!(argmax(std::iter::empty()), 0);
    }
}
