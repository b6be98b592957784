//! The explorer's pipeline: input → convolution → ReLU → 2×2 max pooling with stride 2.

use std::fmt;

use ndarray::{Array2, ArrayView2, CowArray, Ix2};

use super::conv::conv2d;
use super::kernel::Kernel;
use crate::common::activation::Activation;
use crate::common::geometry::{Padding, Window};
use crate::common::pool::max_pool_forward;

/// Max pooling window and stride: the classic 2×2, stride 2.
pub const POOL_WINDOW: usize = 2;
pub const POOL_STRIDE: usize = 2;
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

/// The image is too small for a step under VALID padding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooSmall {
    pub stage: Stage,
    pub shape: (usize, usize),
    pub window: usize,
}

impl fmt::Display for TooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, w) = self.shape;
        write!(
            f,
            "{} with VALID padding needs at least {n}×{n} values, but its input is {h}×{w}: \
             choose SAME padding or a larger image",
            self.stage.name(),
            n = self.window
        )
    }
}

impl std::error::Error for TooSmall {}

/// `activation` applied to every value of `map`.
pub fn activate(map: ArrayView2<f32>, activation: Activation) -> Array2<f32> {
    let x = map.as_standard_layout();
    let mut out = Array2::zeros(map.dim());
    activation.forward(contiguous(&x), contiguous_mut(&mut out));
    out
}

/// Max pooling of `map` over `window` (whose input is `map`'s shape).
pub fn max_pool(map: ArrayView2<f32>, window: &Window) -> Array2<f32> {
    let x = map.as_standard_layout();
    let mut out = Array2::zeros(window.output_shape());
    let mut argmax = vec![0u32; window.outputs()];
    max_pool_forward(
        contiguous(&x),
        1,
        window,
        contiguous_mut(&mut out),
        &mut argmax,
    );
    out
}

fn contiguous<'a>(array: &'a CowArray<f32, Ix2>) -> &'a [f32] {
    array
        .as_slice()
        .expect("an array in standard layout is one slice")
}

fn contiguous_mut(array: &mut Array2<f32>) -> &mut [f32] {
    array
        .as_slice_mut()
        .expect("a freshly built array is one slice")
}

/// Runs convolution, ReLU and max pooling on `input`.
pub fn run(
    input: ArrayView2<f32>,
    kernel: &Kernel,
    settings: PipelineSettings,
) -> Result<Stages, TooSmall> {
    let weights = kernel.weights();
    let conv_window = Window::new(
        input.dim(),
        weights.dim(),
        settings.stride,
        settings.padding,
    );
    if conv_window.is_empty() {
        return Err(TooSmall {
            stage: Stage::Convolution,
            shape: input.dim(),
            window: weights.nrows(),
        });
    }
    let convolution = conv2d(input, weights.view(), settings.stride, settings.padding);
    let relu = activate(convolution.view(), Activation::Relu);
    let pool_window = Window::new(
        relu.dim(),
        (POOL_WINDOW, POOL_WINDOW),
        POOL_STRIDE,
        settings.padding,
    );
    if pool_window.is_empty() {
        return Err(TooSmall {
            stage: Stage::MaxPooling,
            shape: relu.dim(),
            window: POOL_WINDOW,
        });
    }
    let max_pooling = max_pool(relu.view(), &pool_window);
    Ok(Stages {
        convolution,
        relu,
        max_pooling,
        conv_window,
        pool_window,
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
        let err = run(Array2::zeros((2, 9)).view(), &kernel, settings).unwrap_err();
        assert_eq!(err.stage, Stage::Convolution);
        let err = run(Array2::zeros((3, 9)).view(), &kernel, settings).unwrap_err();
        assert_eq!(err.stage, Stage::MaxPooling);
    }
}
