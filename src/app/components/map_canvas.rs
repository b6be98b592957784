//! One feature map's canvas: the pointer and the keyboard probe it (arrow keys, Page keys,
//! Home/End), and the probed region is outlined on it. The explorer paints the canvas.

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::explorer::probe::Position;

/// One map a stage shows: a channel of the input, the colour picture, or one filter's map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSlot {
    /// The canvas's accessible name.
    pub label: AttrValue,
    /// A short visible name above the map (`Filter 2`, `Red`), when the stage has several.
    pub caption: Option<AttrValue>,
    pub canvas: NodeRef,
    /// This map's own legend, when each map has its own colour scale.
    pub legend: Option<NodeRef>,
    /// The filter whose map this is; `None` on the input.
    pub filter: Option<usize>,
    /// `(height, width)` in cells.
    pub shape: (usize, usize),
    /// The probed region, `(top, left, height, width)` in map cells.
    pub highlight: Option<(usize, usize, usize, usize)>,
    /// The probed cell of this map, where arrow keys move from (signed: on the input it
    /// may be the centre of a window over the padding).
    pub cursor: Option<(isize, isize)>,
}

#[derive(Properties, PartialEq)]
pub struct MapCanvasProps {
    pub slot: MapSlot,
    /// The cell under the pointer, with the map's filter.
    pub on_point: Callback<(Option<usize>, Position)>,
    /// The cell clicked, or moved to with the keyboard, with the map's filter: chosen on
    /// purpose (in a step-through, a jump to that cell's step).
    pub on_pick: Callback<(Option<usize>, Position)>,
}

#[function_component(MapCanvas)]
pub fn map_canvas(props: &MapCanvasProps) -> Html {
    let slot = &props.slot;
    let filter = slot.filter;
    let (h, w) = slot.shape;
    let cell_of = move |event: &MouseEvent| {
        let canvas: HtmlCanvasElement = event.target_unchecked_into();
        let (css_w, css_h) = (canvas.client_width(), canvas.client_height());
        if css_w <= 0 || css_h <= 0 {
            return None;
        }
        let cell = |offset: i32, css: i32, cells: u32| {
            ((f64::from(offset.max(0)) / f64::from(css) * f64::from(cells)) as usize)
                .min(cells.saturating_sub(1) as usize)
        };
        Some((
            cell(event.offset_y(), css_h, canvas.height()),
            cell(event.offset_x(), css_w, canvas.width()),
        ))
    };
    let onpointermove = {
        let on_point = props.on_point.clone();
        Callback::from(move |event: PointerEvent| {
            if let Some(at) = cell_of(&event) {
                on_point.emit((filter, at));
            }
        })
    };
    let onclick = {
        let on_pick = props.on_pick.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(at) = cell_of(&event) {
                on_pick.emit((filter, at));
            }
        })
    };
    // Arrow keys move the probed cell one step; Page Up/Down ten rows; Home/End to the
    // row's ends, with Ctrl to the map's first and last cells.
    // The latest cursor, also updated by each key at once: keys pressed faster than the
    // page re-renders still move one step each.
    let cursor = use_mut_ref(|| None);
    *cursor.borrow_mut() = slot.cursor;
    let onkeydown = {
        let (on_pick, cursor) = (props.on_pick.clone(), cursor.clone());
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
                on_pick.emit((filter, (r as usize, c as usize)));
            }
        })
    };
    let highlight = slot.highlight.map(|(top, left, height, width)| {
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
        <div class="map-slot">
            if let Some(caption) = &slot.caption {
                <p class="map-caption" aria-hidden="true">{ caption.clone() }</p>
            }
            <div class="canvas-frame">
                <canvas ref={slot.canvas.clone()} class="map" role="img" tabindex="0"
                    aria-label={slot.label.clone()}
                    aria-describedby="probe-hint"
                    {onpointermove} {onclick} {onkeydown} />
                if let Some(style) = highlight {
                    <div class="probe-box" style={style} aria-hidden="true"></div>
                }
            </div>
            if let Some(legend) = &slot.legend {
                <canvas ref={legend.clone()} class="legend" aria-hidden="true"
                    style={format!("height: {}px", crate::app::paint::LEGEND_HEIGHT)} />
            }
        </div>
    }
}
