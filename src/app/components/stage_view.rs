//! One stage of the pipeline: its name, shape, picture, legend, how its size came about, and
//! its downloads. The explorer paints the two canvases; this component only lays them out.

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::app::paint::LEGEND_HEIGHT;
use crate::common::format::number;
use crate::explorer::colormap::ValueRange;
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
    /// The stage's name as the page shows it (it follows the activation and pooling).
    pub name: AttrValue,
    /// The name in file-name form, e.g. `max-pooling`.
    pub slug: AttrValue,
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
    /// The probed region, `(top, left, height, width)` in map cells.
    pub highlight: Option<(usize, usize, usize, usize)>,
    /// The probed cell of this map, where arrow keys move from (signed: on the input it
    /// may be the centre of a window over the padding).
    pub cursor: Option<(isize, isize)>,
    /// The map cell under the pointer, or moved to with the keyboard.
    pub on_point: Callback<(Stage, (usize, usize))>,
}

#[function_component(StageView)]
pub fn stage_view(props: &StageViewProps) -> Html {
    let stage = props.stage;
    let name = props.name.clone();
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
    let onpointermove = {
        let on_point = props.on_point.clone();
        Callback::from(move |event: PointerEvent| {
            let canvas: HtmlCanvasElement = event.target_unchecked_into();
            let (css_w, css_h) = (canvas.client_width(), canvas.client_height());
            if css_w <= 0 || css_h <= 0 {
                return;
            }
            let cell = |offset: i32, css: i32, cells: u32| {
                ((f64::from(offset.max(0)) / f64::from(css) * f64::from(cells)) as usize)
                    .min(cells.saturating_sub(1) as usize)
            };
            on_point.emit((
                stage,
                (
                    cell(event.offset_y(), css_h, canvas.height()),
                    cell(event.offset_x(), css_w, canvas.width()),
                ),
            ));
        })
    };
    // Arrow keys move the probed cell one step; Page Up/Down ten rows; Home/End to the
    // row's ends, with Ctrl to the map's first and last cells.
    // The latest cursor, also updated by each key at once: keys pressed faster than the
    // page re-renders still move one step each.
    let cursor = use_mut_ref(|| None);
    *cursor.borrow_mut() = props.cursor;
    let onkeydown = {
        let (on_point, cursor) = (props.on_point.clone(), cursor.clone());
        let (rows, cols) = (h as isize, w as isize);
        Callback::from(move |event: KeyboardEvent| {
            let (r, c) = cursor.borrow().unwrap_or((0, 0));
            let control = event.ctrl_key() || event.meta_key();
            let (r, c) = match event.key().as_str() {
                "ArrowUp" => (r - 1, c),
                "ArrowDown" => (r + 1, c),
                "ArrowLeft" => (r, c - 1),
                "ArrowRight" => (r, c + 1),
                "PageUp" => (r - 10, c),
                "PageDown" => (r + 10, c),
                "Home" if control => (0, 0),
                "End" if control => (rows - 1, cols - 1),
                "Home" => (r, 0),
                "End" => (r, cols - 1),
                _ => return,
            };
            event.prevent_default();
            if rows > 0 && cols > 0 {
                let (r, c) = (r.clamp(0, rows - 1), c.clamp(0, cols - 1));
                *cursor.borrow_mut() = Some((r, c));
                on_point.emit((stage, (r as usize, c as usize)));
            }
        })
    };
    let highlight = props.highlight.map(|(top, left, height, width)| {
        let pct = |v: usize, of: usize| 100.0 * v as f64 / of.max(1) as f64;
        format!(
            "top: {:.3}%; left: {:.3}%; height: {:.3}%; width: {:.3}%",
            pct(top, h),
            pct(left, w),
            pct(height, h),
            pct(width, w)
        )
    });
    html! {
        <figure class="stage" data-stage={props.slug.clone()}>
            <figcaption>
                <h3>{ name.clone() }</h3>
                <span class="shape" title="height × width">{ shape.clone() }</span>
            </figcaption>
            <p class="caption">{ props.caption.clone() }</p>
            <div class="canvas-frame">
                <canvas ref={props.canvas.clone()} class="map" role="img" tabindex="0"
                    aria-label={format!("{name} feature map, {shape} (height × width)")}
                    aria-describedby="probe-hint"
                    {onpointermove} {onkeydown} />
                if let Some(style) = highlight {
                    <div class="probe-box" style={style} aria-hidden="true"></div>
                }
            </div>
            <canvas ref={props.legend.clone()} class="legend" aria-hidden="true"
                style={format!("height: {LEGEND_HEIGHT}px")} />
            <p class="summary">{ format!("{name}: {shape} (height × width), {values}") }</p>
            if !props.formulas.is_empty() {
                <p class="formula rule">{ "Output size = ⌊(n + 2p − f) / s⌋ + 1" }</p>
            }
            { for props.formulas.iter().map(|f| html! { <p class="formula">{ f.clone() }</p> }) }
            <div class="downloads">
                { download(FileKind::Npy, ".npy") }
                { download(FileKind::Png, "PNG") }
            </div>
        </figure>
    }
}
