//! One stage of the pipeline: its name, shape, picture, legend, how its size came about, and
//! its downloads. The explorer paints the two canvases; this component only lays them out.

use yew::prelude::*;

use crate::app::paint::LEGEND_HEIGHT;
use crate::explorer::colormap::ValueRange;
use crate::explorer::format::number;
use crate::explorer::pipeline::Stage;

/// The two downloads each stage offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Npy,
    Png,
}

#[derive(Properties, PartialEq)]
pub struct StageViewProps {
    pub stage: Stage,
    /// `(height, width)`.
    pub shape: (usize, usize),
    pub range: Option<ValueRange>,
    /// What the stage does, in one line.
    pub caption: AttrValue,
    /// Output-size formulas, one per line, where the size changes.
    #[prop_or_default]
    pub formulas: Vec<AttrValue>,
    pub canvas: NodeRef,
    pub legend: NodeRef,
    pub on_download: Callback<(Stage, FileKind)>,
}

#[function_component(StageView)]
pub fn stage_view(props: &StageViewProps) -> Html {
    let stage = props.stage;
    let name = stage.name();
    let (h, w) = props.shape;
    let shape = format!("{h} × {w}");
    let values = match props.range {
        Some(r) if r.is_flat() => format!("every value is {}", number(f64::from(r.min))),
        Some(r) => format!(
            "values from {} to {}",
            number(f64::from(r.min)),
            number(f64::from(r.max))
        ),
        None => "no values".into(),
    };
    let download = |kind: FileKind, label: &str| {
        let on_download = props.on_download.clone();
        html! {
            <button type="button" class="button small" onclick={move |_| on_download.emit((stage, kind))}>
                { format!("{name} {label}") }
            </button>
        }
    };
    html! {
        <figure class="stage" data-stage={stage.slug()}>
            <figcaption>
                <h3>{ name }</h3>
                <span class="shape" title="height × width">{ shape.clone() }</span>
            </figcaption>
            <p class="caption">{ props.caption.clone() }</p>
            <div class="canvas-frame">
                <canvas ref={props.canvas.clone()} class="map" role="img"
                    aria-label={format!("{name} feature map, {shape} (height × width)")} />
            </div>
            <canvas ref={props.legend.clone()} class="legend" aria-hidden="true"
                style={format!("height: {LEGEND_HEIGHT}px")} />
            <p class="summary">{ format!("{name}: {shape} (height × width), {values}") }</p>
            { for props.formulas.iter().map(|f| html! { <p class="formula">{ f.clone() }</p> }) }
            <div class="downloads">
                { download(FileKind::Npy, ".npy") }
                { download(FileKind::Png, "PNG") }
            </div>
        </figure>
    }
}
