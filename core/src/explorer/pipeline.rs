//! The explorer's pipeline as the page shows it: input → convolution (+ bias) → activation
//! → 2×2 pooling with stride 2, the stages of [`super::layer`], and the choices offered.

use super::layer::{ActivationChoice, LayerSettings, PoolingChoice};

/// The working sizes a user can choose: the longer side of the image the math sees. The
/// smallest (28 is MNIST's size) show each pixel, for stepping through the window.
pub const WORKING_SIZES: [usize; 7] = [16, 28, 32, 128, 300, 512, 1024];
pub const DEFAULT_WORKING_SIZE: usize = 300;
/// Convolution strides the explorer offers.
pub const STRIDES: [usize; 3] = [1, 2, 3];

/// The four stages, in order. Their names follow the chosen activation and pooling
/// ([`LayerSettings::stage_name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Input,
    Convolution,
    /// The activation's output (not shown when the activation is `None`).
    Activation,
    Pooling,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Input,
        Stage::Convolution,
        Stage::Activation,
        Stage::Pooling,
    ];
}

/// The page's settings other than the kernel and bias are the layer's: stride, padding,
/// activation and pooling. What the page says about its stages follows from them.
impl LayerSettings {
    /// The stages the page shows: all four, or three without an activation.
    pub fn stages(&self) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|&s| s != Stage::Activation || self.activation != ActivationChoice::None)
            .collect()
    }

    /// The name the page gives a stage: `Input`, `Convolution`, the activation's name
    /// (`ReLU`, `Tanh`, …) and `Max pooling` or `Average pooling`.
    pub fn stage_name(&self, stage: Stage) -> &'static str {
        match stage {
            Stage::Input => "Input",
            Stage::Convolution => "Convolution",
            Stage::Activation => self.activation.name(),
            Stage::Pooling => match self.pooling {
                PoolingChoice::Max => "Max pooling",
                PoolingChoice::Average => "Average pooling",
            },
        }
    }

    /// Whether a stage holds signed values (drawn with the diverging map centred on 0):
    /// the convolution, and after it whatever an activation leaves negative (leaky ReLU,
    /// tanh, or none).
    pub fn is_signed(&self, stage: Stage) -> bool {
        match stage {
            Stage::Input => false,
            Stage::Convolution => true,
            Stage::Activation | Stage::Pooling => matches!(
                self.activation,
                ActivationChoice::LeakyRelu | ActivationChoice::Tanh | ActivationChoice::None
            ),
        }
    }

    /// A file-name friendly form of the stage's name, e.g. `leaky-relu`, `max-pooling`.
    pub fn stage_slug(&self, stage: Stage) -> String {
        self.stage_name(stage).to_lowercase().replace(' ', "-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::geometry::Padding;
    use crate::explorer::kernel::{Kernel, OUTLINE};
    use crate::explorer::layer::{run_layer, Filter, LayerError, LayerOutput};
    use ndarray::{Array2, Axis};

    fn run(
        input: Array2<f32>,
        bias: f32,
        settings: LayerSettings,
    ) -> Result<LayerOutput, LayerError> {
        let kernel = Kernel::parse(&OUTLINE.cell_texts()).expect("outline parses");
        let filter = Filter {
            weights: kernel.weights().clone().insert_axis(Axis(0)),
            bias,
        };
        run_layer(input.insert_axis(Axis(0)).view(), &[filter], settings)
    }

    #[test]
    fn flat_image_gives_a_flat_outline() {
        let out = run(
            Array2::from_elem((5, 5), 0.5f32),
            0.0,
            LayerSettings::default(),
        )
        .expect("runs");
        // Inside, the outline kernel sums to 0; at the zero-padded border it sees an edge.
        assert_eq!(out.convolution[[0, 2, 2]], 0.0);
        assert_eq!(out.convolution[[0, 0, 0]], 8.0 * 0.5 - 3.0 * 0.5);
        assert_eq!(out.pooling.dim(), (1, 3, 3));
    }

    #[test]
    fn names_follow_the_choices_and_none_hides_the_activation() {
        let settings = LayerSettings {
            activation: ActivationChoice::None,
            pooling: PoolingChoice::Average,
            ..LayerSettings::default()
        };
        assert_eq!(
            settings.stages(),
            [Stage::Input, Stage::Convolution, Stage::Pooling]
        );
        assert_eq!(settings.stage_name(Stage::Pooling), "Average pooling");
        assert_eq!(settings.stage_slug(Stage::Pooling), "average-pooling");
        let leaky = LayerSettings {
            activation: ActivationChoice::LeakyRelu,
            ..settings
        };
        assert_eq!(leaky.stage_slug(Stage::Activation), "leaky-relu");
        // A bias of −1 on a flat 0.5 image: inside, 0 − 1; averaged with no activation.
        let out = run(Array2::from_elem((6, 6), 0.5f32), -1.0, settings).expect("runs");
        assert!(out.activation.is_none());
        assert_eq!(out.convolution[[0, 2, 2]], -1.0);
        assert_eq!(out.pooling[[0, 1, 1]], -1.0);
    }

    #[test]
    fn valid_on_a_tiny_image_says_which_step() {
        let settings = LayerSettings {
            padding: Padding::Valid,
            ..LayerSettings::default()
        };
        let step = |rows| match run(Array2::zeros((rows, 9)), 0.0, settings) {
            Err(LayerError::TooSmall { step, .. }) => step,
            other => panic!("{other:?}"),
        };
        assert_eq!(step(2), "Convolution");
        assert_eq!(step(3), "Pooling");
    }
}
