//! The explorer's pipeline: input → convolution → ReLU → 2×2 max pooling with stride 2.

use ndarray::{Array2, ArrayView2, Axis};

use super::kernel::Kernel;
use super::layer::{run_layer, ActivationChoice, Filter, LayerError, LayerSettings, PoolingChoice};
use crate::common::geometry::{Padding, Window};

/// The working sizes a user can choose: the longer side of the image the math sees.
pub const WORKING_SIZES: [usize; 4] = [128, 300, 512, 1024];
pub const DEFAULT_WORKING_SIZE: usize = 300;
/// Convolution strides the explorer offers.
pub const STRIDES: [usize; 3] = [1, 2, 3];

/// The four stages, in order, with the names the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Input,
    Convolution,
    Relu,
    MaxPooling,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Input,
        Stage::Convolution,
        Stage::Relu,
        Stage::MaxPooling,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Input => "Input",
            Stage::Convolution => "Convolution",
            Stage::Relu => "ReLU",
            Stage::MaxPooling => "Max pooling",
        }
    }

    /// A file-name friendly form, e.g. `max-pooling`.
    pub fn slug(self) -> &'static str {
        match self {
            Stage::Input => "input",
            Stage::Convolution => "convolution",
            Stage::Relu => "relu",
            Stage::MaxPooling => "max-pooling",
        }
    }

    /// Whether the stage holds signed values (drawn with a diverging colormap).
    pub fn is_signed(self) -> bool {
        self == Stage::Convolution
    }
}

/// The pipeline's settings other than the kernel: they apply to convolution and pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipelineSettings {
    pub stride: usize,
    pub padding: Padding,
}

impl Default for PipelineSettings {
    fn default() -> PipelineSettings {
        PipelineSettings {
            stride: 1,
            padding: Padding::Same,
        }
    }
}

/// Every stage's values, and the geometry of the two steps that change the size.
#[derive(Clone, Debug, PartialEq)]
pub struct Stages {
    pub convolution: Array2<f32>,
    pub relu: Array2<f32>,
    pub max_pooling: Array2<f32>,
    pub conv_window: Window,
    pub pool_window: Window,
}

/// Runs convolution, ReLU and max pooling on `input`: the layer of [`run_layer`] with one
/// grayscale filter and no bias.
pub fn run(
    input: ArrayView2<f32>,
    kernel: &Kernel,
    settings: PipelineSettings,
) -> Result<Stages, LayerError> {
    let filter = Filter {
        weights: kernel.weights().clone().insert_axis(Axis(0)),
        bias: 0.0,
    };
    let layer = LayerSettings {
        stride: settings.stride,
        padding: settings.padding,
        activation: ActivationChoice::Relu,
        pooling: PoolingChoice::Max,
    };
    let out = run_layer(input.insert_axis(Axis(0)), &[filter], layer)?;
    let relu = out
        .activation
        .ok_or_else(|| LayerError::Filters("ReLU was not applied".into()))?;
    Ok(Stages {
        convolution: out.convolution.index_axis_move(Axis(0), 0),
        relu: relu.index_axis_move(Axis(0), 0),
        max_pooling: out.pooling.index_axis_move(Axis(0), 0),
        conv_window: out.conv_window,
        pool_window: out.pool_window,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explorer::kernel::OUTLINE;

    #[test]
    fn flat_image_gives_a_flat_outline() {
        let kernel = Kernel::parse(&OUTLINE.cell_texts()).expect("outline parses");
        let input = Array2::from_elem((5, 5), 0.5f32);
        let stages = run(input.view(), &kernel, PipelineSettings::default()).expect("runs");
        // Inside, the outline kernel sums to 0; at the zero-padded border it sees an edge.
        assert_eq!(stages.convolution[[2, 2]], 0.0);
        assert_eq!(stages.convolution[[0, 0]], 8.0 * 0.5 - 3.0 * 0.5);
        assert_eq!(stages.max_pooling.dim(), (3, 3));
    }

    #[test]
    fn valid_on_a_tiny_image_says_which_step() {
        let kernel = Kernel::parse(&OUTLINE.cell_texts()).expect("outline parses");
        let settings = PipelineSettings {
            stride: 1,
            padding: Padding::Valid,
        };
        let step = |rows| match run(Array2::zeros((rows, 9)).view(), &kernel, settings) {
            Err(LayerError::TooSmall { step, .. }) => step,
            other => panic!("{other:?}"),
        };
        assert_eq!(step(2), "Convolution");
        assert_eq!(step(3), "Pooling");
    }
}
