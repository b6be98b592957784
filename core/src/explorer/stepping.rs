//! Step through the sliding window: the layer computed one output cell at a time, as a
//! teacher would on the board. The window visits every cell of the convolution row by row
//! (the activation follows each cell at once), then every cell of the pooling; after `shown`
//! steps, the first `shown` cells in that order are computed and the rest are not yet.

use super::layer::LayerOutput;
use super::pipeline::Stage;
use super::probe::Position;

/// The speeds offered, in steps per second.
pub const STEP_SPEEDS: [u32; 6] = [1, 2, 5, 10, 30, 100];
/// The speed a step-through starts at: slow enough to read each step aloud.
pub const DEFAULT_STEP_SPEED: u32 = 2;
/// Working sizes at most this large show every pixel of a map distinctly.
pub const SMALL_WORKING_SIZE: usize = 32;

/// Where a step-through is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stepping {
    /// How many steps are done, from 1 (the first cell) to [`StepPlan::total`].
    pub shown: usize,
    /// Whether steps follow one another by themselves.
    pub playing: bool,
    /// Steps per second while playing, one of [`STEP_SPEEDS`].
    pub speed: u32,
}

impl Default for Stepping {
    fn default() -> Stepping {
        Stepping {
            shown: 1,
            playing: false,
            speed: DEFAULT_STEP_SPEED,
        }
    }
}

/// The order in which a step-through visits the cells of a layer's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepPlan {
    /// `(rows, columns)` of the convolution (and activation) maps.
    pub conv: (usize, usize),
    /// `(rows, columns)` of the pooling maps.
    pub pool: (usize, usize),
}

impl StepPlan {
    pub fn of(output: &LayerOutput) -> StepPlan {
        StepPlan {
            conv: output.conv_window.output_shape(),
            pool: output.pool_window.output_shape(),
        }
    }

    fn conv_cells(&self) -> usize {
        self.conv.0 * self.conv.1
    }

    /// Every step: one per convolution cell, then one per pooling cell.
    pub fn total(&self) -> usize {
        self.conv_cells() + self.pool.0 * self.pool.1
    }

    /// The cell that step `shown` (from 1) computes, and the stage it is in; `None` for 0
    /// or beyond the last step.
    pub fn current(&self, shown: usize) -> Option<(Stage, Position)> {
        let index = shown.checked_sub(1)?;
        if index < self.conv_cells() {
            Some((
                Stage::Convolution,
                (index / self.conv.1, index % self.conv.1),
            ))
        } else if index < self.total() {
            let index = index - self.conv_cells();
            Some((Stage::Pooling, (index / self.pool.1, index % self.pool.1)))
        } else {
            None
        }
    }

    /// How many cells of `stage`'s maps (row by row) are computed after `shown` steps;
    /// the input is there from the start.
    pub fn computed(&self, stage: Stage, shown: usize) -> usize {
        match stage {
            Stage::Input => usize::MAX,
            Stage::Convolution | Stage::Activation => shown.min(self.conv_cells()),
            Stage::Pooling => shown.saturating_sub(self.conv_cells()),
        }
    }

    /// The step that computes `cell` of `stage`'s maps; `None` for the input or a cell
    /// outside the maps.
    pub fn step_of(&self, stage: Stage, (row, col): Position) -> Option<usize> {
        match stage {
            Stage::Input => None,
            Stage::Convolution | Stage::Activation => {
                (row < self.conv.0 && col < self.conv.1).then(|| row * self.conv.1 + col + 1)
            }
            Stage::Pooling => (row < self.pool.0 && col < self.pool.1)
                .then(|| self.conv_cells() + row * self.pool.1 + col + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3 × 4 convolution pooled to 2 × 2 (SAME): 12 + 4 steps.
    fn plan() -> StepPlan {
        StepPlan {
            conv: (3, 4),
            pool: (2, 2),
        }
    }

    #[test]
    fn the_window_visits_every_convolution_cell_row_by_row_then_every_pooling_cell() {
        let plan = plan();
        assert_eq!(plan.total(), 16);
        let visited: Vec<_> = (1..=16).filter_map(|s| plan.current(s)).collect();
        assert_eq!(visited.len(), 16);
        assert_eq!(visited[0], (Stage::Convolution, (0, 0)));
        assert_eq!(visited[3], (Stage::Convolution, (0, 3)));
        assert_eq!(visited[4], (Stage::Convolution, (1, 0)));
        assert_eq!(visited[11], (Stage::Convolution, (2, 3)));
        assert_eq!(visited[12], (Stage::Pooling, (0, 0)));
        assert_eq!(visited[15], (Stage::Pooling, (1, 1)));
        assert_eq!(plan.current(0), None);
        assert_eq!(plan.current(17), None);
    }

    #[test]
    fn each_cell_is_computed_by_its_own_step() {
        let plan = plan();
        for shown in 1..=plan.total() {
            let (stage, cell) = plan.current(shown).expect("a step");
            assert_eq!(plan.step_of(stage, cell), Some(shown));
            // That cell is the last one computed in its stage.
            let (_, cols) = if stage == Stage::Pooling {
                plan.pool
            } else {
                plan.conv
            };
            assert_eq!(plan.computed(stage, shown), cell.0 * cols + cell.1 + 1);
        }
        assert_eq!(plan.step_of(Stage::Activation, (2, 3)), Some(12));
        assert_eq!(plan.step_of(Stage::Convolution, (3, 0)), None);
        assert_eq!(plan.step_of(Stage::Pooling, (0, 2)), None);
        assert_eq!(plan.step_of(Stage::Input, (0, 0)), None);
    }

    #[test]
    fn pooling_starts_once_the_convolution_is_done() {
        let plan = plan();
        assert_eq!(plan.computed(Stage::Convolution, 5), 5);
        assert_eq!(plan.computed(Stage::Activation, 5), 5);
        assert_eq!(plan.computed(Stage::Pooling, 5), 0);
        assert_eq!(plan.computed(Stage::Convolution, 14), 12);
        assert_eq!(plan.computed(Stage::Pooling, 14), 2);
        assert_eq!(plan.computed(Stage::Pooling, 16), 4);
    }
}
