//! Activation, pooling, padding, stride, working size, colormap, color range and whether
//! a stage's maps share one color scale.

use yew::prelude::*;

use super::labeled_select::{on_choice, options, LabeledSelect};
use crate::common::geometry::Padding;
use crate::explorer::colormap::{ColorRange, Colormap, ScaleSharing};
use crate::explorer::layer::LayerSettings;
use crate::explorer::layer::{ActivationChoice, PoolingChoice};
use crate::explorer::pipeline::STRIDES;
use crate::explorer::pipeline::WORKING_SIZES;
use crate::explorer::state::ExplorerAction;

#[derive(Properties, PartialEq)]
pub struct PipelineControlsProps {
    pub settings: LayerSettings,
    pub working_size: usize,
    pub colormap: Colormap,
    pub color_range: ColorRange,
    pub scale_sharing: ScaleSharing,
    pub on_action: Callback<ExplorerAction>,
}

#[function_component(PipelineControls)]
pub fn pipeline_controls(props: &PipelineControlsProps) -> Html {
    let emit = |make| on_choice(&props.on_action, make);
    let activations = options(ActivationChoice::ALL, |c| c.name().into());
    let poolings = options(PoolingChoice::ALL, |c| c.name().into());
    let paddings = options(Padding::ALL, |c| c.name().into());
    let colormaps = options(Colormap::SEQUENTIAL, |c| c.name().into());
    let color_ranges = options(ColorRange::ALL, |c| c.name().into());
    let sharings = options(ScaleSharing::ALL, |c| c.name().into());
    html! {
        <section class="panel pipeline-controls" aria-labelledby="settings-heading">
            <h2 id="settings-heading">{ "Settings" }</h2>
            <LabeledSelect label="Activation" options={activations}
                selected={props.settings.activation.name()}
                on_change={emit(|v| {
                    ActivationChoice::ALL.into_iter().find(|a| a.name() == v).map(ExplorerAction::SetActivation)
                })} />
            <LabeledSelect label="Pooling" options={poolings}
                selected={props.settings.pooling.name()}
                on_change={emit(|v| {
                    PoolingChoice::ALL.into_iter().find(|p| p.name() == v).map(ExplorerAction::SetPooling)
                })} />
            <LabeledSelect label="Padding" options={paddings}
                selected={props.settings.padding.name()}
                on_change={emit(|v| Padding::from_name(v).map(ExplorerAction::SetPadding))} />
            <LabeledSelect label="Stride" options={options(STRIDES, |s| s.to_string())}
                selected={props.settings.stride.to_string()}
                on_change={emit(|v| v.parse().ok().map(ExplorerAction::SetStride))} />
            <LabeledSelect label="Working size" options={options(WORKING_SIZES, |s| s.to_string())}
                selected={props.working_size.to_string()}
                on_change={emit(|v| v.parse().ok().map(ExplorerAction::SetWorkingSize))} />
            <LabeledSelect label="Colormap" options={colormaps}
                selected={props.colormap.name()}
                on_change={emit(|v| {
                    Colormap::SEQUENTIAL.into_iter().find(|c| c.name() == v).map(ExplorerAction::SetColormap)
                })} />
            <LabeledSelect label="Color range" options={color_ranges}
                selected={props.color_range.name()}
                on_change={emit(|v| {
                    ColorRange::ALL.into_iter().find(|c| c.name() == v).map(ExplorerAction::SetColorRange)
                })} />
            <LabeledSelect label="Color scale" options={sharings}
                selected={props.scale_sharing.name()}
                on_change={emit(|v| {
                    ScaleSharing::ALL.into_iter().find(|s| s.name() == v).map(ExplorerAction::SetScaleSharing)
                })} />
            <p class="hint">
                { "The activation follows the convolution (Leaky ReLU keeps 0.2 × x below 0, as \
                   TensorFlow's leaky_relu); pooling takes the largest (Max) or the mean (Average) \
                   of each 2×2 window. Padding follows TensorFlow: SAME pads with zeros so the \
                   output is ⌈n / s⌉; VALID does not pad. It applies to the convolution and to \
                   the pooling, whose mean never counts padded cells. Stride applies to the convolution. Working size is the longer \
                   side of the image the math sees; larger images are scaled down by area \
                   averaging, smaller ones are never enlarged. Clipping the color range saturates the \
                   2 % most extreme values so the rest stay visible; downloads keep every value. \
                   A color scale shared by a stage's maps lets filters compare (one color, one \
                   value); each map its own shows a weak filter's detail." }
            </p>
        </section>
    }
}
