//! The first layer's learned filters as small heatmaps on one blue–white–red scale (so
//! they compare), their values on hover or focus, and beside them the kernel from the
//! explorer, with a button to plant it as filter 1.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::canvas::use_painted_canvas;
use crate::app::paint::draw_tiles;
use crate::common::format::number;
use crate::explorer::colormap::{Colormap, Scale, ValueRange};
use crate::training::protocol::Snapshot;

use super::app::ExplorerKernel;

/// A filter cell on screen, in CSS pixels.
const CELL_CSS: usize = 24;

#[derive(Properties, PartialEq)]
pub struct FilterGridProps {
    /// The snapshot whose filters are shown.
    pub snapshot: Rc<Snapshot>,
    /// Plant the explorer's kernel (row-major weights) as filter 1: frozen (true) or
    /// trainable.
    pub on_plant: Callback<(Vec<f32>, bool)>,
    pub ready: bool,
}

/// A symmetric scale for weights: white is exactly 0.
fn weight_scale(values: &[f32]) -> Scale {
    let largest = values
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f32, |m, v| m.max(v.abs()));
    let range = ValueRange {
        min: -largest,
        max: largest,
    };
    Scale::new(Colormap::Diverging, range)
}

#[derive(Properties, PartialEq)]
struct WeightsCanvasProps {
    /// `size × size` values, row-major.
    weights: Vec<f32>,
    size: usize,
    scale: Scale,
    label: AttrValue,
}

/// One kernel as a heatmap, with a readout of the cell under the pointer.
#[function_component(WeightsCanvas)]
fn weights_canvas(props: &WeightsCanvasProps) -> Html {
    let hovered = use_state(|| None::<(usize, usize)>);
    let size = props.size;
    // A failed draw leaves the previous weights on screen.
    let canvas = use_painted_canvas(
        (props.weights.clone(), props.scale),
        move |canvas, (weights, scale)| {
            let _ = draw_tiles(canvas, weights, (1, size, size), 1, scale);
        },
    );
    let onmousemove = {
        let hovered = hovered.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(target) = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let rect = target.get_bounding_client_rect();
            if rect.width() <= 0.0 || rect.height() <= 0.0 {
                return;
            }
            let x = (f64::from(event.offset_x()) / rect.width() * size as f64) as usize;
            let y = (f64::from(event.offset_y()) / rect.height() * size as f64) as usize;
            hovered.set(Some((y.min(size - 1), x.min(size - 1))));
        })
    };
    let onmouseleave = {
        let hovered = hovered.clone();
        Callback::from(move |_: MouseEvent| hovered.set(None))
    };
    let readout = hovered
        .and_then(|(r, c)| {
            props
                .weights
                .get(r * size + c)
                .map(|v| format!("row {}, column {}: {}", r + 1, c + 1, number(f64::from(*v))))
        })
        .unwrap_or_default();
    let all: Vec<String> = props
        .weights
        .chunks(size.max(1))
        .map(|row| {
            row.iter()
                .map(|v| number(f64::from(*v)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    let css = size * CELL_CSS;
    html! {
        <figure class="weights">
            <canvas ref={canvas} class="kernel-map" tabindex="0"
                style={format!("width: {css}px; height: {css}px")}
                role="img" aria-label={format!("{}: {}", props.label, all.join("; "))}
                title={all.join("\n")}
                {onmousemove} {onmouseleave}></canvas>
            <figcaption>
                { props.label.clone() }
                <span class="readout" aria-hidden="true">{ readout }</span>
            </figcaption>
        </figure>
    }
}

#[function_component(FilterGrid)]
pub fn filter_grid(props: &FilterGridProps) -> Html {
    let frozen = use_state(|| true);
    // The explorer's kernel comes by context, so a kernel edit redraws this grid alone,
    // not the whole training panel.
    let explorer_kernel = use_context::<ExplorerKernel>().and_then(|k| k.0);
    let filters = &props.snapshot.filters;
    let per = filters.size * filters.size;
    let scale = weight_scale(&filters.weights);
    let kernel = explorer_kernel.as_ref().map(|k| {
        let weights: Vec<f32> = k.iter().copied().collect();
        (weight_scale(&weights), weights, k.nrows())
    });
    let plant = {
        let (on_plant, frozen) = (props.on_plant.clone(), frozen.clone());
        let weights = kernel.as_ref().map(|(_, w, _)| w.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(weights) = &weights {
                on_plant.emit((weights.clone(), *frozen));
            }
        })
    };
    let toggle = {
        let frozen = frozen.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                frozen.set(input.checked());
            }
        })
    };
    let fits = kernel.as_ref().is_some_and(|(_, w, _)| w.len() == per);
    html! {
        <div class="filter-grid">
            <div class="filters" role="group" aria-label="Learned filters of the first convolution">
                { for filters.weights.chunks(per.max(1)).enumerate().map(|(i, w)| {
                    let mut label = format!("Filter {}", i + 1);
                    if i == 0 && filters.frozen_first {
                        label.push_str(" (planted, frozen)");
                    }
                    html! { <WeightsCanvas weights={w.to_vec()} size={filters.size} {scale}
                        label={label} /> }
                }) }
            </div>
            <p class="range">{ format!("One scale for all filters: blue {} · white 0 · red {}",
                number(scale.low), number(scale.high)) }</p>
            { for kernel.map(|(kscale, weights, size)| html! {
                <div class="your-kernel">
                    <WeightsCanvas {weights} {size} scale={kscale} label="Your kernel (the explorer's filter 1, grayscale)" />
                    <div class="plant">
                        <button class="button" disabled={!props.ready || !fits} onclick={plant}>
                            { "Plant my kernel as filter 1" }
                        </button>
                        <label class="check">
                            <input type="checkbox" checked={*frozen} onchange={toggle} />
                            { " Keep it frozen" }
                        </label>
                        <p class="hint">{ if fits {
                            "Frozen, it stays your edge detector while the other filters learn \
                             around it; unfrozen, watch training reshape it.".to_string()
                        } else {
                            format!("The network's filters are {0}×{0}: set the explorer's Kernel \
                                size to {0} to plant yours.", filters.size)
                        } }</p>
                    </div>
                </div>
            }) }
        </div>
    }
}
