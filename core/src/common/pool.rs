//! Max and average pooling, forward and backward, as TensorFlow's `max_pool2d` and
//! `avg_pool2d` compute them: padded cells (SAME) never take part (they never win a
//! maximum and are not counted in a mean). One implementation for the explorer's pooling
//! stage (one map per filter) and the engine's pooling layers (a batch of maps).
//!
//! Maps are `planes` row-major `height × width` planes stored one after another; outputs
//! likewise, with the window's output size.

use std::cmp::min;

use super::geometry::{Axis, Window};

/// The input rows (or columns) that output cell `o` of `axis` covers, clipped to the input.
fn span(o: usize, axis: &Axis) -> (usize, usize) {
    let start = o * axis.stride;
    let lo = start.saturating_sub(axis.pad_before);
    let hi = min(start + axis.window, axis.input + axis.pad_before) - axis.pad_before;
    (lo, hi)
}

/// Visits every output cell with the start of its input plane and the input rows and
/// columns its window covers.
fn for_each_window(
    planes: usize,
    win: &Window,
    mut visit: impl FnMut(usize, usize, (usize, usize), (usize, usize)),
) {
    let (h, w) = (win.rows.input, win.cols.input);
    let (ho, wo) = win.output_shape();
    for plane in 0..planes {
        for oy in 0..ho {
            let rows = span(oy, &win.rows);
            for ox in 0..wo {
                let out = (plane * ho + oy) * wo + ox;
                visit(out, plane * h * w, rows, span(ox, &win.cols));
            }
        }
    }
}

/// Output cells along `axis` whose window lies wholly inside the input (all of them from
/// 0 up to the returned count), when windows are 2 wide, 2 apart and unpadded in front.
fn whole_2x2(axis: &Axis) -> Option<usize> {
    (axis.window == 2 && axis.stride == 2 && axis.pad_before == 0)
        .then_some(min(axis.output, axis.input / 2))
}

/// The largest value of the window over `rows × cols` of the plane at `base` (`w` wide),
/// and its index in `x` (the first in row order on ties).
fn window_max(
    x: &[f32],
    w: usize,
    base: usize,
    (r0, r1): (usize, usize),
    (c0, c1): (usize, usize),
) -> (f32, usize) {
    let mut best = f32::NEG_INFINITY;
    let mut at = base + r0 * w + c0;
    for r in r0..r1 {
        let row = base + r * w;
        for (i, &v) in x[row + c0..row + c1].iter().enumerate() {
            if v > best {
                best = v;
                at = row + c0 + i;
            }
        }
    }
    (best, at)
}

/// Max pooling: `y` gets each window's largest value and `argmax` the index in `x` it came
/// from (the first one, in row order, on ties).
pub fn max_pool_forward(x: &[f32], planes: usize, win: &Window, y: &mut [f32], argmax: &mut [u32]) {
    let (h, w) = (win.rows.input, win.cols.input);
    let (ho, wo) = win.output_shape();
    let (Some(inner_h), Some(inner_w)) = (whole_2x2(&win.rows), whole_2x2(&win.cols)) else {
        for_each_window(planes, win, |out, base, rows, cols| {
            let (best, at) = window_max(x, w, base, rows, cols);
            y[out] = best;
            argmax[out] = at as u32;
        });
        return;
    };
    // The common case, 2 × 2 windows with stride 2: the windows wholly inside the input
    // take the same comparisons in the same order without the bookkeeping; only a last
    // row or column cut by SAME padding (odd sizes) goes the general way.
    for plane in 0..planes {
        let base = plane * h * w;
        for oy in 0..ho {
            let out_row = (plane * ho + oy) * wo;
            let rows = span(oy, &win.rows);
            if oy >= inner_h {
                for ox in 0..wo {
                    let (best, at) = window_max(x, w, base, rows, span(ox, &win.cols));
                    y[out_row + ox] = best;
                    argmax[out_row + ox] = at as u32;
                }
                continue;
            }
            let top = base + 2 * oy * w;
            let (upper, lower) = (
                &x[top..top + 2 * inner_w],
                &x[top + w..top + w + 2 * inner_w],
            );
            let outputs = y[out_row..out_row + inner_w]
                .iter_mut()
                .zip(&mut argmax[out_row..out_row + inner_w]);
            for (ox, ((out, at), (u, l))) in outputs
                .zip(upper.chunks_exact(2).zip(lower.chunks_exact(2)))
                .enumerate()
            {
                // A knockout, with selects rather than branches (which mispredict on half
                // the windows): each row's pair, then the rows; a later cell wins only when
                // strictly larger, so ties go to the first in row order, as above.
                let (top_max, top_at) = if u[1] > u[0] { (u[1], 1) } else { (u[0], 0) };
                let (low_max, low_at) = if l[1] > l[0] { (l[1], 1) } else { (l[0], 0) };
                let (best, offset) = if low_max > top_max {
                    (low_max, w + low_at)
                } else {
                    (top_max, top_at)
                };
                *out = best;
                *at = (top + 2 * ox + offset) as u32;
            }
            for ox in inner_w..wo {
                let (best, at) = window_max(x, w, base, rows, span(ox, &win.cols));
                y[out_row + ox] = best;
                argmax[out_row + ox] = at as u32;
            }
        }
    }
}

/// Routes each output gradient to the input cell that won its window. With `gate` (the
/// pooled outputs of a ReLU that came before the pooling, fused into it), a gradient
/// passes only where its output is positive, as the ReLU's own backward pass would let it.
pub fn max_pool_backward(
    dy: &[f32],
    argmax: &[u32],
    gate: Option<&[f32]>,
    planes: usize,
    win: &Window,
    dx: &mut [f32],
) {
    let (h, w) = (win.rows.input, win.cols.input);
    let (ho, wo) = win.output_shape();
    let tiles = whole_2x2(&win.rows).is_some()
        && whole_2x2(&win.cols).is_some()
        && ho * 2 == h
        && wo * 2 == w;
    if !tiles {
        dx.fill(0.0);
        route(dy, argmax, gate, |at, g| dx[at] += g);
        return;
    }
    // 2 × 2 windows tiling the input: each input cell lies in exactly one window, so the
    // two input rows under a row of outputs are zeroed while in cache, then written once.
    for plane in 0..planes {
        for oy in 0..ho {
            let top = (plane * h + 2 * oy) * w;
            dx[top..top + 2 * w].fill(0.0);
            let outputs = (plane * ho + oy) * wo..(plane * ho + oy + 1) * wo;
            route(
                &dy[outputs.clone()],
                &argmax[outputs.clone()],
                gate.map(|y| &y[outputs]),
                |at, g| dx[at] = g,
            );
        }
    }
}

/// Hands each gradient, or 0 where the gate's output is not positive, to `to` with its
/// input cell. The gate is applied by masking bits rather than by a branch: about half
/// the outputs of a ReLU are 0, in no order a branch predictor could learn.
#[inline(always)]
fn route(dy: &[f32], argmax: &[u32], gate: Option<&[f32]>, mut to: impl FnMut(usize, f32)) {
    match gate {
        None => dy
            .iter()
            .zip(argmax)
            .for_each(|(&g, &at)| to(at as usize, g)),
        Some(y) => dy.iter().zip(argmax).zip(y).for_each(|((&g, &at), &y)| {
            let keep = u32::from(y > 0.0).wrapping_neg();
            to(at as usize, f32::from_bits(g.to_bits() & keep));
        }),
    }
}

/// Average pooling over the cells of each window that lie inside the input.
pub fn avg_pool_forward(x: &[f32], planes: usize, win: &Window, y: &mut [f32]) {
    let w = win.cols.input;
    for_each_window(planes, win, |out, base, (r0, r1), (c0, c1)| {
        let mut sum = 0.0;
        for r in r0..r1 {
            sum += x[base + r * w + c0..base + r * w + c1].iter().sum::<f32>();
        }
        y[out] = sum / ((r1 - r0) * (c1 - c0)) as f32;
    });
}

/// Spreads each output gradient evenly over the input cells its window averaged.
pub fn avg_pool_backward(dy: &[f32], planes: usize, win: &Window, dx: &mut [f32]) {
    dx.fill(0.0);
    let w = win.cols.input;
    for_each_window(planes, win, |out, base, (r0, r1), (c0, c1)| {
        let share = dy[out] / ((r1 - r0) * (c1 - c0)) as f32;
        for r in r0..r1 {
            for d in &mut dx[base + r * w + c0..base + r * w + c1] {
                *d += share;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::geometry::Padding;

    fn max_pool(x: &[f32], shape: (usize, usize), padding: Padding) -> (Vec<f32>, Vec<u32>) {
        let win = Window::new(shape, (2, 2), 2, padding);
        let mut y = vec![0.0; win.outputs()];
        let mut argmax = vec![0; win.outputs()];
        max_pool_forward(x, 1, &win, &mut y, &mut argmax);
        (y, argmax)
    }

    #[test]
    fn same_keeps_the_odd_edge_and_padding_never_wins() {
        let x = [1.0, -2.0, 3.0, -4.0, 5.0, -6.0, -7.0, -8.0, -9.0];
        let (y, argmax) = max_pool(&x, (3, 3), Padding::Same);
        // The bottom-right window holds only −9: the padded cells do not count as 0.
        assert_eq!(y, [5.0, 3.0, -7.0, -9.0]);
        assert_eq!(argmax, [4, 2, 6, 8]);
    }

    #[test]
    fn valid_drops_the_odd_edge() {
        let x: Vec<f32> = (0..15).map(|v| v as f32).collect();
        let (y, _) = max_pool(&x, (5, 3), Padding::Valid);
        assert_eq!(y, [4.0, 10.0]);
    }

    #[test]
    fn average_counts_only_cells_inside() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let win = Window::new((2, 3), (2, 2), 2, Padding::Same);
        let mut y = vec![0.0; win.outputs()];
        avg_pool_forward(&x, 1, &win, &mut y);
        assert_eq!(y, [(1.0 + 2.0 + 4.0 + 5.0) / 4.0, (3.0 + 6.0) / 2.0]);
    }
}
