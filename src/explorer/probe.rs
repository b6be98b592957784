//! The numbers behind one pixel: the input patch under the kernel, the products, their
//! sum (the convolution), its ReLU and the max-pooling cell it falls in. The page shows
//! them for the position under the pointer, so the arithmetic is never hidden.

use super::kernel::SIZE;
use super::layer::POOL_SIZE;
use super::pipeline::Stage;
use super::state::ExplorerState;

/// A position `(row, column)` in one stage's map.
pub type Position = (usize, usize);

/// The numbers behind one convolution output.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// Position in the convolution (and ReLU) map.
    pub conv: Position,
    /// Top-left corner of the kernel's window in input coordinates (negative in the padding).
    pub window_origin: (isize, isize),
    /// The input values under the kernel; `None` where the window is over zero padding.
    pub patch: [[Option<f32>; SIZE]; SIZE],
    pub weights: [[f32; SIZE]; SIZE],
    pub conv_value: f32,
    pub relu_value: f32,
    /// The max-pooling cell whose window contains `conv`, and its value; `None` when VALID
    /// pooling drops that row or column (an odd size).
    pub pool: Option<(Position, f32)>,
}

impl Probe {
    /// The probe for `position` in the map of `stage`: an input pixel maps to the output
    /// whose window is centred nearest to it, a pooling cell to the first output of its
    /// window. `None` for a position outside the map.
    pub fn at(state: &ExplorerState, stage: Stage, position: Position) -> Option<Probe> {
        let (h, w) = state.values(stage).dim();
        if position.0 >= h || position.1 >= w {
            return None;
        }
        let geometry = state.stages.conv_window;
        let (out_h, out_w) = geometry.output_shape();
        let stride = state.settings.stride;
        let centred = |p: usize, pad_before: usize, out: usize| {
            // Output k's window is centred on input k·s − pad + 1.
            let k = ((p + pad_before) as f64 - 1.0) / stride as f64;
            (k.round().max(0.0) as usize).min(out - 1)
        };
        let conv = match stage {
            Stage::Input => (
                centred(position.0, geometry.rows.pad_before, out_h),
                centred(position.1, geometry.cols.pad_before, out_w),
            ),
            Stage::Convolution | Stage::Relu => position,
            Stage::MaxPooling => (
                (position.0 * POOL_SIZE).min(out_h - 1),
                (position.1 * POOL_SIZE).min(out_w - 1),
            ),
        };
        let origin = (
            (conv.0 * stride) as isize - geometry.rows.pad_before as isize,
            (conv.1 * stride) as isize - geometry.cols.pad_before as isize,
        );
        let input = &state.input;
        let patch = std::array::from_fn(|r| {
            std::array::from_fn(|c| {
                let (y, x) = (origin.0 + r as isize, origin.1 + c as isize);
                let inside = y >= 0 && x >= 0;
                inside
                    .then(|| input.get((y as usize, x as usize)).copied())
                    .flatten()
            })
        });
        let kernel = state.kernel.weights();
        let pool_window = state.stages.pool_window;
        let pool_row = (conv.0 + pool_window.rows.pad_before) / POOL_SIZE;
        let pool_col = (conv.1 + pool_window.cols.pad_before) / POOL_SIZE;
        let pool =
            (pool_row < pool_window.rows.output && pool_col < pool_window.cols.output).then(|| {
                let cell = (pool_row, pool_col);
                (cell, state.stages.max_pooling[cell])
            });
        Some(Probe {
            conv,
            window_origin: origin,
            patch,
            weights: std::array::from_fn(|r| std::array::from_fn(|c| kernel[[r, c]])),
            conv_value: state.stages.convolution[conv],
            relu_value: state.stages.relu[conv],
            pool,
        })
    }

    /// The sum of patch × weights, as the page spells it out (padding counts as 0).
    pub fn sum_of_products(&self) -> f64 {
        self.patch
            .iter()
            .flatten()
            .zip(self.weights.iter().flatten())
            .map(|(x, &w)| f64::from(x.unwrap_or(0.0)) * f64::from(w))
            .sum()
    }

    /// The part of `stage`'s map this probe concerns, as `(top, left, height, width)` in
    /// that map's cells: the kernel's window (clipped to the image) on the input, the
    /// output on convolution and ReLU, the pooling cell on max pooling (if any).
    pub fn highlight(
        &self,
        stage: Stage,
        map_shape: (usize, usize),
    ) -> Option<(usize, usize, usize, usize)> {
        match stage {
            Stage::Input => {
                let clip = |start: isize, len: usize| {
                    let lo = start.max(0) as usize;
                    let hi = ((start + SIZE as isize).max(0) as usize).min(len);
                    (lo.min(len), hi.saturating_sub(lo))
                };
                let (top, height) = clip(self.window_origin.0, map_shape.0);
                let (left, width) = clip(self.window_origin.1, map_shape.1);
                Some((top, left, height, width))
            }
            Stage::Convolution | Stage::Relu => Some((self.conv.0, self.conv.1, 1, 1)),
            Stage::MaxPooling => self.pool.map(|((row, col), _)| (row, col, 1, 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::geometry::Padding;
    use crate::explorer::source::SourceImage;
    use crate::explorer::state::ExplorerAction;
    use ndarray::Array2;

    fn state(padding: Padding, stride: usize) -> ExplorerState {
        let gray = Array2::from_shape_fn((9, 11), |(i, j)| ((i * 11 + j) % 7) as f32 / 7.0);
        ExplorerState::new(SourceImage {
            name: "t".into(),
            gray,
        })
        .expect("starts")
        .apply(ExplorerAction::SetPadding(padding))
        .apply(ExplorerAction::SetStride(stride))
    }

    #[test]
    fn the_products_add_up_to_the_convolution() {
        for (padding, stride) in [(Padding::Same, 1), (Padding::Valid, 2), (Padding::Same, 3)] {
            let state = state(padding, stride);
            let (h, w) = state.stages.convolution.dim();
            for i in 0..h {
                for j in 0..w {
                    let probe = Probe::at(&state, Stage::Convolution, (i, j)).expect("inside");
                    let sum = probe.sum_of_products();
                    assert!(
                        (sum - f64::from(probe.conv_value)).abs() < 1e-5,
                        "{padding} s{stride} ({i},{j}): {sum} vs {}",
                        probe.conv_value
                    );
                    assert_eq!(probe.relu_value, probe.conv_value.max(0.0));
                    match probe.pool {
                        Some((_, value)) => assert!(value >= probe.relu_value),
                        // Only VALID drops the last row or column of an odd-sized map.
                        None => assert!(padding == Padding::Valid && (i == h - 1 || j == w - 1)),
                    }
                }
            }
        }
    }

    #[test]
    fn same_padding_shows_the_zeros_at_the_corner() {
        let probe = Probe::at(&state(Padding::Same, 1), Stage::Input, (0, 0)).expect("inside");
        assert_eq!(probe.conv, (0, 0));
        assert_eq!(probe.window_origin, (-1, -1));
        assert_eq!(probe.patch[0], [None, None, None]);
        assert_eq!(probe.patch[1][0], None);
        assert!(probe.patch[1][1].is_some());
        assert_eq!(probe.highlight(Stage::Input, (9, 11)), Some((0, 0, 2, 2)));
    }

    #[test]
    fn positions_map_between_stages() {
        let state = state(Padding::Same, 1);
        // Input pixel (4, 5) is the centre of output (4, 5)'s window.
        let from_input = Probe::at(&state, Stage::Input, (4, 5)).expect("inside");
        assert_eq!(
            (from_input.conv, from_input.window_origin),
            ((4, 5), (3, 4))
        );
        let from_pool = Probe::at(&state, Stage::MaxPooling, (2, 3)).expect("inside");
        assert_eq!(from_pool.conv, (4, 6));
        assert_eq!(from_pool.pool.map(|(cell, _)| cell), Some((2, 3)));
        assert_eq!(Probe::at(&state, Stage::Relu, (9, 0)), None);
    }
}
