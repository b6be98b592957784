//! One stage of the layer: its name, its volume's shape, its maps (one per channel or per
//! filter, side by side with the other stages' maps of the same filter), the legend, how
//! its size came about, and its downloads. The explorer paints the canvases; this component
//! only lays them out.

use yew::prelude::*;

use super::map_canvas::{MapCanvas, MapSlot};
use crate::app::paint::LEGEND_HEIGHT;
use crate::common::format::number;
use crate::explorer::colormap::ValueRange;
use crate::explorer::pipeline::Stage;
use crate::explorer::probe::Position;

/// The two downloads each stage offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Npy,
    Png,
}

#[derive(Properties, PartialEq)]
pub struct StageViewProps {
    pub stage: Stage,
    /// The stage's name as the page shows it (it follows the activation and pooling).
    pub name: AttrValue,
    /// The name in file-name form, e.g. `max-pooling`.
    pub slug: AttrValue,
    /// `(height, width, depth)`.
    pub shape: (usize, usize, usize),
    /// The range of every value of the stage.
    pub range: Option<ValueRange>,
    /// What the stage does, in one line.
    pub caption: AttrValue,
    /// Output-size formulas, one per line, where the size changes.
    #[prop_or_default]
    pub formulas: Vec<AttrValue>,
    /// Where the depth comes from, where it changes.
    #[prop_or_default]
    pub depth: Option<AttrValue>,
    pub maps: Vec<MapSlot>,
    /// The stage's one legend, when its maps share a colour scale.
    pub legend: Option<NodeRef>,
    pub on_download: Callback<(Stage, FileKind)>,
    /// A map cell under the pointer, with the map's filter.
    pub on_point: Callback<(Stage, Option<usize>, Position)>,
    /// A map cell clicked, or moved to with the keyboard, with the map's filter.
    pub on_pick: Callback<(Stage, Option<usize>, Position)>,
}

#[function_component(StageView)]
pub fn stage_view(props: &StageViewProps) -> Html {
    let stage = props.stage;
    let name = props.name.clone();
    let (h, w, d) = props.shape;
    let shape = format!("{h} × {w} × {d}");
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
    let on_point = props
        .on_point
        .reform(move |(filter, at): (Option<usize>, Position)| (stage, filter, at));
    let on_pick = props
        .on_pick
        .reform(move |(filter, at): (Option<usize>, Position)| (stage, filter, at));
    html! {
        <figure class="stage" data-stage={props.slug.clone()}>
            <div class="stage-head">
                <figcaption>
                    <h3>{ name.clone() }</h3>
                    <span class="shape" title="height × width × depth">{ shape.clone() }</span>
                </figcaption>
                <p class="caption">{ props.caption.clone() }</p>
            </div>
            <div class="maps">
                { for props.maps.iter().map(|slot| html! {
                    <MapCanvas slot={slot.clone()} on_point={on_point.clone()} on_pick={on_pick.clone()} />
                }) }
            </div>
            <div class="stage-foot">
                if let Some(legend) = &props.legend {
                    <canvas ref={legend.clone()} class="legend" aria-hidden="true"
                        style={format!("height: {LEGEND_HEIGHT}px")} />
                }
                <p class="summary">{ format!("{name}: {shape} (height × width × depth), {values}") }</p>
                if !props.formulas.is_empty() {
                    <p class="formula rule">{ "Output size = ⌊(n + 2p − f) / s⌋ + 1" }</p>
                }
                { for props.formulas.iter().map(|f| html! { <p class="formula">{ f.clone() }</p> }) }
                if let Some(depth) = &props.depth {
                    <p class="formula depth">{ depth.clone() }</p>
                }
                <div class="downloads">
                    { download(FileKind::Npy, ".npy") }
                    { download(FileKind::Png, "PNG") }
                </div>
            </div>
        </figure>
    }
}
