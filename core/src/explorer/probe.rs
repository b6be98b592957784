//! The numbers behind one pixel: for one filter, each channel's input patch under its
//! kernel, the products and their sum per channel, the sums plus the bias (the
//! convolution), the activation and the pooling cell it falls in. The page shows them for
//! the position under the pointer, so the arithmetic is never hidden.

use super::layer::POOL_SIZE;
use super::pipeline::Stage;
use super::state::ExplorerState;

/// A position `(row, column)` in one stage's map.
pub type Position = (usize, usize);

/// A square of values, row by row.
pub type Square<T> = Vec<Vec<T>>;

/// The numbers behind one convolution output of one filter.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// The filter, from 0.
    pub filter: usize,
    /// Position in the convolution (and activation) maps.
    pub conv: Position,
    /// Top-left corner of the kernel's window in input coordinates (negative in the padding).
    pub window_origin: (isize, isize),
    /// For each channel, the input values under the kernel; `None` over zero padding.
    pub patches: Vec<Square<Option<f32>>>,
    /// For each channel, the filter's `f × f` kernel.
    pub weights: Vec<Square<f32>>,
    pub bias: f32,
    pub conv_value: f32,
    /// The activation's output at `conv`; `None` without an activation.
    pub activation_value: Option<f32>,
    /// The pooling cell whose window contains `conv`, its value, and how many cells of its
    /// window lie inside the map (what an average divides by); `None` when VALID pooling
    /// drops that row or column (an odd size).
    pub pool: Option<PoolCell>,
}

/// One pooling output, as the probe explains it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolCell {
    pub at: Position,
    pub value: f32,
    /// Cells of the 2 × 2 window inside the map (SAME padding leaves 1 or 2 at an odd edge).
    pub count: usize,
    /// The values the window covers (the activation's, or the convolution's without one),
    /// row by row; `None` past the map's edge.
    pub window: [[Option<f32>; POOL_SIZE]; POOL_SIZE],
}

impl Probe {
    /// The probe of `filter` (from 0) for `position` in the maps of `stage`: an input pixel
    /// maps to the output whose window is centred nearest to it, a pooling cell to the
    /// first output of its window. `None` for a position outside the maps or a filter not
    /// in the layer.
    pub fn at(
        state: &ExplorerState,
        stage: Stage,
        filter: usize,
        position: Position,
    ) -> Option<Probe> {
        let (_, h, w) = state.values(stage).dim();
        let in_use = state.filters.get(filter)?;
        if position.0 >= h || position.1 >= w {
            return None;
        }
        let output = &state.output;
        let geometry = output.conv_window;
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
            Stage::Convolution | Stage::Activation => position,
            Stage::Pooling => (
                (position.0 * POOL_SIZE).min(out_h - 1),
                (position.1 * POOL_SIZE).min(out_w - 1),
            ),
        };
        let origin = (
            (conv.0 * stride) as isize - geometry.rows.pad_before as isize,
            (conv.1 * stride) as isize - geometry.cols.pad_before as isize,
        );
        let size = in_use.weights.dim().1;
        let patches = state
            .input
            .outer_iter()
            .map(|plane| {
                (0..size)
                    .map(|r| {
                        (0..size)
                            .map(|c| {
                                let (y, x) = (origin.0 + r as isize, origin.1 + c as isize);
                                let inside = y >= 0 && x >= 0;
                                inside
                                    .then(|| plane.get((y as usize, x as usize)).copied())
                                    .flatten()
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let weights = in_use
            .weights
            .outer_iter()
            .map(|kernel| kernel.rows().into_iter().map(|row| row.to_vec()).collect())
            .collect();
        let pool_window = output.pool_window;
        let pool_row = (conv.0 + pool_window.rows.pad_before) / POOL_SIZE;
        let pool_col = (conv.1 + pool_window.cols.pad_before) / POOL_SIZE;
        let inside = |o: usize, axis: &crate::common::geometry::Axis| {
            let start = (o * POOL_SIZE).saturating_sub(axis.pad_before);
            let end = (o * POOL_SIZE + POOL_SIZE).saturating_sub(axis.pad_before);
            end.min(axis.input) - start.min(axis.input)
        };
        let pooled = state.values(Stage::Activation);
        let cell_of = |o: usize, k: usize, axis: &crate::common::geometry::Axis| {
            (o * POOL_SIZE + k)
                .checked_sub(axis.pad_before)
                .filter(|&i| i < axis.input)
        };
        let pool =
            (pool_row < pool_window.rows.output && pool_col < pool_window.cols.output).then(|| {
                let at = (pool_row, pool_col);
                PoolCell {
                    at,
                    value: output.pooling[[filter, at.0, at.1]],
                    count: inside(pool_row, &pool_window.rows)
                        * inside(pool_col, &pool_window.cols),
                    window: std::array::from_fn(|r| {
                        std::array::from_fn(|c| {
                            let y = cell_of(pool_row, r, &pool_window.rows)?;
                            let x = cell_of(pool_col, c, &pool_window.cols)?;
                            Some(pooled[[filter, y, x]])
                        })
                    }),
                }
            });
        Some(Probe {
            filter,
            conv,
            window_origin: origin,
            patches,
            weights,
            bias: in_use.bias,
            conv_value: output.convolution[[filter, conv.0, conv.1]],
            activation_value: output
                .activation
                .as_ref()
                .map(|a| a[[filter, conv.0, conv.1]]),
            pool,
        })
    }

    /// Each channel's sum of patch × kernel, as the page spells it out (padding counts as
    /// 0).
    pub fn channel_sums(&self) -> Vec<f64> {
        self.patches
            .iter()
            .zip(&self.weights)
            .map(|(patch, kernel)| {
                patch
                    .iter()
                    .flatten()
                    .zip(kernel.iter().flatten())
                    .map(|(x, &w)| f64::from(x.unwrap_or(0.0)) * f64::from(w))
                    .sum()
            })
            .collect()
    }

    /// The sum of every channel's products, before the bias.
    pub fn sum_of_products(&self) -> f64 {
        self.channel_sums().iter().sum()
    }

    /// The kernel's side.
    fn size(&self) -> usize {
        self.weights.first().map_or(0, Vec::len)
    }

    /// The probed cell in `stage`'s own map, where keyboard moves start from: the centre of
    /// the kernel's window on the input (which may lie in the padding, so it is signed), the
    /// output on convolution and activation, the pooling cell (if any) on pooling.
    pub fn cursor(&self, stage: Stage) -> Option<(isize, isize)> {
        let half = (self.size() / 2) as isize;
        match stage {
            Stage::Input => Some((self.window_origin.0 + half, self.window_origin.1 + half)),
            Stage::Convolution | Stage::Activation => {
                Some((self.conv.0 as isize, self.conv.1 as isize))
            }
            Stage::Pooling => self
                .pool
                .map(|cell| (cell.at.0 as isize, cell.at.1 as isize)),
        }
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
                    let hi = ((start + self.size() as isize).max(0) as usize).min(len);
                    (lo.min(len), hi.saturating_sub(lo))
                };
                let (top, height) = clip(self.window_origin.0, map_shape.0);
                let (left, width) = clip(self.window_origin.1, map_shape.1);
                Some((top, left, height, width))
            }
            Stage::Convolution | Stage::Activation => Some((self.conv.0, self.conv.1, 1, 1)),
            Stage::Pooling => self.pool.map(|cell| (cell.at.0, cell.at.1, 1, 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::geometry::Padding;
    use crate::explorer::source::SourceImage;
    use crate::explorer::state::ExplorerAction;

    fn state(padding: Padding, stride: usize) -> ExplorerState {
        ExplorerState::new(SourceImage::pattern(9, 11, |i, j| {
            ((i * 11 + j) % 7 * 36) as u8
        }))
        .expect("starts")
        .apply(ExplorerAction::SetPadding(padding))
        .apply(ExplorerAction::SetStride(stride))
    }

    #[test]
    fn the_products_add_up_to_the_convolution() {
        for (padding, stride) in [(Padding::Same, 1), (Padding::Valid, 2), (Padding::Same, 3)] {
            let state = state(padding, stride);
            let (_, h, w) = state.output.convolution.dim();
            for i in 0..h {
                for j in 0..w {
                    let probe = Probe::at(&state, Stage::Convolution, 0, (i, j)).expect("inside");
                    let sum = probe.sum_of_products();
                    assert!(
                        (sum - f64::from(probe.conv_value)).abs() < 1e-5,
                        "{padding} s{stride} ({i},{j}): {sum} vs {}",
                        probe.conv_value
                    );
                    let relu = probe.activation_value.expect("ReLU by default");
                    assert_eq!(relu, probe.conv_value.max(0.0));
                    match probe.pool {
                        Some(cell) => {
                            assert!(cell.value >= relu && cell.count >= 1);
                            // Max pooling: the value is the largest of the window, which
                            // holds this output's own activation.
                            let inside: Vec<f32> =
                                cell.window.iter().flatten().flatten().copied().collect();
                            assert_eq!(inside.len(), cell.count);
                            assert!(inside.contains(&relu));
                            assert_eq!(inside.iter().copied().fold(f32::MIN, f32::max), cell.value);
                        }
                        // Only VALID drops the last row or column of an odd-sized map.
                        None => assert!(padding == Padding::Valid && (i == h - 1 || j == w - 1)),
                    }
                }
            }
        }
    }

    #[test]
    fn an_average_counts_only_the_cells_inside_and_the_bias_is_added() {
        // 9 × 11 with SAME: the last pooling column covers one convolution column.
        let state = state(Padding::Same, 1)
            .apply(ExplorerAction::SetPooling(
                crate::explorer::layer::PoolingChoice::Average,
            ))
            .apply(ExplorerAction::EditBias {
                filter: 0,
                text: "0.25".into(),
            });
        let corner = Probe::at(&state, Stage::Pooling, 0, (4, 5)).expect("inside");
        let cell = corner.pool.expect("SAME keeps the edge");
        assert_eq!((cell.at, cell.count), ((4, 5), 1));
        let relu = state.output.activation.as_ref().expect("ReLU");
        assert_eq!(cell.value, relu[[0, 8, 10]]);
        // SAME pads after an odd map: the window's other three cells are past the edge.
        assert_eq!(cell.window, [[Some(relu[[0, 8, 10]]), None], [None, None]]);
        let full = Probe::at(&state, Stage::Pooling, 0, (1, 2)).expect("inside");
        let window = full.pool.expect("inside").window;
        let mean = window.iter().flatten().flatten().sum::<f32>() / 4.0;
        assert!((mean - full.pool.expect("inside").value).abs() < 1e-6);
        assert_eq!(window[1][0], Some(relu[[0, 3, 4]]));
        let inner = Probe::at(&state, Stage::Convolution, 0, (2, 2)).expect("inside");
        assert_eq!(inner.pool.map(|c| c.count), Some(4));
        let sum = inner.sum_of_products() + 0.25;
        assert!((sum - f64::from(inner.conv_value)).abs() < 1e-5);
    }

    #[test]
    fn the_cursor_is_the_probed_cell_of_each_map() {
        let state = state(Padding::Same, 1);
        let probe = Probe::at(&state, Stage::Input, 0, (4, 5)).expect("inside");
        assert_eq!(probe.cursor(Stage::Input), Some((4, 5)));
        assert_eq!(probe.cursor(Stage::Activation), Some((4, 5)));
        assert_eq!(probe.cursor(Stage::Pooling), Some((2, 2)));
        let corner = Probe::at(&state, Stage::Convolution, 0, (0, 0)).expect("inside");
        assert_eq!(corner.cursor(Stage::Input), Some((0, 0)));
    }

    #[test]
    fn same_padding_shows_the_zeros_at_the_corner() {
        let probe = Probe::at(&state(Padding::Same, 1), Stage::Input, 0, (0, 0)).expect("inside");
        assert_eq!(probe.conv, (0, 0));
        assert_eq!(probe.window_origin, (-1, -1));
        assert_eq!(probe.patches[0][0], [None, None, None]);
        assert_eq!(probe.patches[0][1][0], None);
        assert!(probe.patches[0][1][1].is_some());
        assert_eq!(probe.highlight(Stage::Input, (9, 11)), Some((0, 0, 2, 2)));
    }

    #[test]
    fn positions_map_between_stages() {
        let state = state(Padding::Same, 1);
        // Input pixel (4, 5) is the centre of output (4, 5)'s window.
        let from_input = Probe::at(&state, Stage::Input, 0, (4, 5)).expect("inside");
        assert_eq!(
            (from_input.conv, from_input.window_origin),
            ((4, 5), (3, 4))
        );
        let from_pool = Probe::at(&state, Stage::Pooling, 0, (2, 3)).expect("inside");
        assert_eq!(from_pool.conv, (4, 6));
        assert_eq!(from_pool.pool.map(|cell| cell.at), Some((2, 3)));
        assert_eq!(Probe::at(&state, Stage::Activation, 0, (9, 0)), None);
    }
}
