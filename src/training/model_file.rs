//! A model file and the page's training settings: what a downloaded model is called, and
//! which settings train on from an opened one (its network in the page's controls, its
//! dataset), or why it cannot be opened. No web code, so it is tested natively.

use super::state::{
    ActivationKind, NetworkPooling, TrainingSettings, BLOCK_CHOICES, FILTER_CHOICES,
    HIDDEN_CHOICES, NETWORK_KERNEL_SIZES,
};
use crate::common::format::grouped;
use crate::common::geometry::Padding;
use crate::common::text::shown;
use crate::nn::data::{DatasetKind, CLASSES};
use crate::nn::onnx::{self, MAX_MODEL_BYTES};
use crate::nn::{LayerSpec, NetworkSpec};

/// What the page saves the trained network as.
pub fn file_name(dataset: DatasetKind) -> String {
    format!("convlab-{}.onnx", dataset.folder())
}

/// A model opened from a file, ready to train on.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenedModel {
    /// The settings with the model's network and dataset; the rest (learning rate,
    /// optimizer, dropout, …) as they were.
    pub settings: TrainingSettings,
    /// Its weights, laid out as `Network::parameters`.
    pub parameters: Vec<f32>,
    /// The training samples they had seen, when the file says (0 otherwise).
    pub samples: u64,
    /// Where the weights come from, e.g. `convlab-mnist.onnx (MNIST digits, 12,000
    /// samples)`.
    pub origin: String,
}

/// Why a file of `size` bytes is not even read, if it is too large.
pub fn too_large(file_name: &str, size: f64) -> Option<String> {
    (size > MAX_MODEL_BYTES as f64).then(|| {
        format!(
            "“{}” was not opened. It is {:.0} MB, and a model ConvLab writes is at most {} MB. \
             The current run goes on.",
            shown(file_name),
            size / f64::from(1 << 20),
            MAX_MODEL_BYTES >> 20
        )
    })
}

/// Reads `bytes` (the file `file_name`) as a model ConvLab wrote and finds the settings
/// that train on from it, or says in words why it cannot be opened.
pub fn open(
    current: &TrainingSettings,
    file_name: &str,
    bytes: &[u8],
) -> Result<OpenedModel, String> {
    let refused = |reason: String| {
        format!(
            "“{}” was not opened. {reason} The current run goes on.",
            shown(file_name)
        )
    };
    let model = onnx::open(bytes).map_err(|e| refused(e.0))?;
    let mut settings = settings_for(current, &model.network).map_err(refused)?;
    let origin = match model.provenance {
        Some(provenance) => {
            settings.dataset = provenance.dataset;
            format!(
                "{} ({}, {} samples)",
                shown(file_name),
                provenance.dataset.name(),
                grouped(provenance.samples)
            )
        }
        None => shown(file_name),
    };
    Ok(OpenedModel {
        settings,
        parameters: model.parameters,
        samples: model.provenance.map_or(0, |p| p.samples),
        origin,
    })
}

/// `current` with the architecture of `network` (which has no dropout), if the page's
/// controls can express it.
fn settings_for(
    current: &TrainingSettings,
    network: &NetworkSpec,
) -> Result<TrainingSettings, String> {
    let cannot = |what: String| {
        Err(format!(
            "Its network is not one the page's controls can build ({what})."
        ))
    };
    let mut layers = network.layers.iter().peekable();
    let mut settings = current.clone();
    let mut blocks = 0;
    let mut first_block: Option<(usize, Padding, LayerSpec, LayerSpec)> = None;
    while let Some(&&LayerSpec::Conv2d {
        filters,
        kernel_size,
        stride,
        padding,
    }) = layers.peek()
    {
        layers.next();
        let (Some(&activation), Some(&pool)) = (layers.next(), layers.next()) else {
            return cannot("a convolution without its activation and pooling".into());
        };
        let block = (kernel_size, padding, activation, pool);
        if *first_block.get_or_insert(block) != block || stride != 1 {
            return cannot("convolution blocks that differ from one another".into());
        }
        if blocks >= BLOCK_CHOICES.len() || !FILTER_CHOICES[blocks].contains(&filters) {
            return cannot(format!("{filters} filters in convolution {}", blocks + 1));
        }
        settings.filters[blocks] = filters;
        blocks += 1;
    }
    let Some((kernel_size, padding, activation, pool)) = first_block else {
        return cannot("no convolution".into());
    };
    if !NETWORK_KERNEL_SIZES.contains(&kernel_size) {
        return cannot(format!("{kernel_size} × {kernel_size} kernels"));
    }
    settings.blocks = blocks;
    settings.kernel_size = kernel_size;
    settings.padding = padding;
    settings.activation = match ActivationKind::ALL
        .into_iter()
        .find(|a| a.layer() == activation)
    {
        Some(kind) => kind,
        None => return cannot(format!("the activation {}", activation.name())),
    };
    settings.pooling = match pool {
        LayerSpec::MaxPool { .. } => NetworkPooling::Max,
        LayerSpec::AvgPool { .. } => NetworkPooling::Average,
        other => return cannot(format!("{} after a convolution", other.name())),
    };
    if layers.next() != Some(&LayerSpec::Flatten) {
        return cannot("no flatten after the convolutions".into());
    }
    settings.hidden = match (layers.next(), layers.next(), layers.next()) {
        (Some(&LayerSpec::Dense { units }), None, None) if units == CLASSES => 0,
        (Some(&LayerSpec::Dense { units }), Some(&a), Some(&LayerSpec::Dense { units: last }))
            if a == activation && last == CLASSES && HIDDEN_CHOICES.contains(&units) =>
        {
            units
        }
        _ => return cannot("dense layers other than [hidden →] 10".into()),
    };
    if layers.next().is_some() {
        return cannot("layers after the last dense one".into());
    }
    // What the controls build must be the model's network, but for dropout (which the
    // file does not hold and the settings keep).
    let mut built = settings.network();
    built
        .layers
        .retain(|l| !matches!(l, LayerSpec::Dropout { .. }));
    if built.layers != network.layers {
        return cannot("a layer order the controls do not make".into());
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::onnx::{export, Provenance};
    use crate::nn::Network;

    fn model_of(settings: &TrainingSettings, dataset: DatasetKind) -> (Vec<u8>, Vec<f32>) {
        let network = Network::new(&settings.network(), 7).expect("builds");
        let bytes = export(
            &network,
            Provenance {
                dataset,
                samples: 12_000,
            },
        );
        (bytes, network.parameters().to_vec())
    }

    #[test]
    fn every_architecture_the_controls_build_opens_with_the_same_controls() {
        let current = TrainingSettings {
            learning_rate: 0.01,
            dropout: 0.25,
            seed: 9,
            ..TrainingSettings::default()
        };
        let mut checked = 0;
        for blocks in BLOCK_CHOICES {
            for kernel_size in NETWORK_KERNEL_SIZES {
                for padding in [Padding::Same, Padding::Valid] {
                    for activation in ActivationKind::ALL {
                        for (pooling, hidden) in
                            [(NetworkPooling::Max, 0), (NetworkPooling::Average, 64)]
                        {
                            let written = TrainingSettings {
                                blocks,
                                filters: [4, 16, 64],
                                kernel_size,
                                padding,
                                activation,
                                pooling,
                                hidden,
                                dropout: 0.5,
                                ..TrainingSettings::default()
                            };
                            if written.network_problem().is_some() {
                                continue;
                            }
                            let (bytes, parameters) = model_of(&written, DatasetKind::Fashion);
                            let opened = open(&current, "m.onnx", &bytes).expect("opens");
                            // Unused convolutions keep the filters they had.
                            let mut filters = current.filters;
                            filters[..blocks].copy_from_slice(&[4, 16, 64][..blocks]);
                            let expected = TrainingSettings {
                                dataset: DatasetKind::Fashion,
                                blocks,
                                filters,
                                kernel_size,
                                padding,
                                activation,
                                pooling,
                                hidden,
                                ..current.clone()
                            };
                            assert_eq!(opened.settings, expected);
                            assert_eq!(opened.parameters, parameters);
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 60, "{checked} architectures");
    }

    #[test]
    fn the_origin_names_the_file_dataset_and_samples() {
        let (bytes, _) = model_of(&TrainingSettings::default(), DatasetKind::Digits);
        let opened = open(&TrainingSettings::default(), "my model.onnx", &bytes).expect("opens");
        assert_eq!(
            opened.origin,
            "my model.onnx (MNIST digits, 12,000 samples)"
        );
        assert_eq!(
            file_name(DatasetKind::Fashion),
            "convlab-fashion-mnist.onnx"
        );
    }

    #[test]
    fn networks_the_controls_cannot_build_are_refused_in_words() {
        let settings = TrainingSettings::default();
        let mut spec = settings.network();
        // A first convolution of 3 filters: not a choice of the page.
        spec.layers[0] = LayerSpec::Conv2d {
            filters: 3,
            kernel_size: 3,
            stride: 1,
            padding: Padding::Same,
        };
        let network = Network::new(&spec, 1).expect("builds");
        let provenance = Provenance {
            dataset: DatasetKind::Digits,
            samples: 0,
        };
        let message =
            open(&settings, "odd.onnx", &export(&network, provenance)).expect_err("refused");
        assert_eq!(
            message,
            "“odd.onnx” was not opened. Its network is not one the page's controls can build \
             (3 filters in convolution 1). The current run goes on."
        );
        let message = open(&settings, "x\u{202e}.onnx", b"not a model").expect_err("refused");
        assert!(message.starts_with("“x\u{FFFD}.onnx” was not opened. This is not an ONNX"));
    }

    #[test]
    fn files_over_the_limit_are_not_read() {
        assert_eq!(too_large("a.onnx", 1e6), None);
        let message = too_large("big.onnx", 1e9).expect("refused");
        assert!(message.contains("954 MB") && message.contains("at most 16 MB"));
    }
}
