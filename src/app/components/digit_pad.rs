//! Draw your own digit: a pad for mouse, finger or pen (Pointer Events), white ink on
//! black like MNIST. While drawing (at most every 80 ms) and at each lift of the pen, the
//! drawing is read back with one `getImageData`, centred the MNIST way
//! ([`center_digit`]) and sent on; the 28 × 28 the network sees is shown beside it.

use std::rc::Rc;

use ndarray::Array2;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};
use yew::prelude::*;

use crate::app::canvas::{context_2d, put_rgba, size_for_device};
use crate::web::now;

use crate::nn::data::{DatasetKind, SIDE};
use crate::training::digit::center_digit;

/// The pad's side in CSS pixels.
const PAD_CSS: f64 = 280.0;
/// Stroke width as a share of the side: MNIST strokes are 2–3 pixels of 28.
const STROKE: f64 = 1.0 / 12.0;
/// Milliseconds between readings while the pen moves.
const EVERY_MS: f64 = 80.0;

#[derive(Properties, PartialEq)]
pub struct DigitPadProps {
    /// The drawing, centred: 784 values in 0–1, row by row.
    pub on_digit: Callback<Vec<f32>>,
    pub on_clear: Callback<()>,
    /// What the network was trained on, so the pad asks for something it knows.
    pub kind: DatasetKind,
}

/// A blank pad at the screen's pixel ratio, ready for round white strokes.
fn clear_pad(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    size_for_device(canvas, PAD_CSS, PAD_CSS);
    let side = canvas.width();
    let context = context_2d(canvas)?;
    context.set_fill_style_str("#000");
    context.fill_rect(0.0, 0.0, f64::from(side), f64::from(side));
    context.set_stroke_style_str("#fff");
    context.set_fill_style_str("#fff");
    context.set_line_width(f64::from(side) * STROKE);
    context.set_line_cap("round");
    context.set_line_join("round");
    Some(context)
}

/// The pad's pixels as ink (the red channel, 0–1), centred the MNIST way.
fn read_digit(canvas: &HtmlCanvasElement) -> Option<Vec<f32>> {
    let side = canvas.width();
    let data = context_2d(canvas)?
        .get_image_data(0.0, 0.0, f64::from(side), f64::from(side))
        .ok()?
        .data()
        .0;
    let ink: Vec<f32> = data
        .chunks_exact(4)
        .map(|p| f32::from(p[0]) / 255.0)
        .collect();
    let ink = Array2::from_shape_vec((side as usize, side as usize), ink).ok()?;
    center_digit(ink.view())
}

fn draw_preview(canvas: &HtmlCanvasElement, digit: &[f32]) -> Option<()> {
    let rgba: Vec<u8> = digit
        .iter()
        .flat_map(|&v| {
            let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            [g, g, g, 255]
        })
        .collect();
    put_rgba(canvas, &rgba, SIDE as u32, SIDE as u32).ok()
}

/// A stroke being drawn: which pointer draws it, and where it was last, in backing-store
/// pixels.
#[derive(Clone, Copy)]
struct Stroke {
    pointer: i32,
    at: (f64, f64),
}

/// The pointer's position in the pad's backing-store pixels.
fn position(canvas: &HtmlCanvasElement, event: &PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let scale = |css: f64, extent: f64| {
        if extent > 0.0 {
            css * f64::from(canvas.width()) / extent
        } else {
            0.0
        }
    };
    (
        scale(f64::from(event.client_x()) - rect.left(), rect.width()),
        scale(f64::from(event.client_y()) - rect.top(), rect.height()),
    )
}

#[function_component(DigitPad)]
pub fn digit_pad(props: &DigitPadProps) -> Html {
    let pad = use_node_ref();
    let preview = use_node_ref();
    // The pointer drawing the current stroke and its last point: a second finger or a
    // pen hovering must not draw a line from wherever the first one is.
    let stroke = use_mut_ref(|| None::<Stroke>);
    // When the drawing was last read while the pen moved.
    let read_at = use_mut_ref(|| f64::NEG_INFINITY);
    {
        let (pad, preview) = (pad.clone(), preview.clone());
        use_effect_with((), move |_| {
            if let Some(canvas) = pad.cast::<HtmlCanvasElement>() {
                clear_pad(&canvas);
            }
            if let Some(canvas) = preview.cast::<HtmlCanvasElement>() {
                draw_preview(&canvas, &[0.0; SIDE * SIDE]);
            }
        });
    }
    let send = {
        let (pad, preview, on_digit) = (pad.clone(), preview.clone(), props.on_digit.clone());
        Rc::new(move || {
            let Some(canvas) = pad.cast::<HtmlCanvasElement>() else {
                return;
            };
            if let Some(digit) = read_digit(&canvas) {
                if let Some(preview) = preview.cast::<HtmlCanvasElement>() {
                    draw_preview(&preview, &digit);
                }
                on_digit.emit(digit);
            }
        })
    };
    let onpointerdown = {
        let (pad, stroke) = (pad.clone(), stroke.clone());
        Callback::from(move |event: PointerEvent| {
            // Only the main button of the first pointer draws (not a right click or a
            // second finger).
            if !event.is_primary() || event.button() != 0 {
                return;
            }
            let Some(canvas) = pad.cast::<HtmlCanvasElement>() else {
                return;
            };
            event.prevent_default();
            // Keep receiving the stroke if the pen leaves the pad.
            let _ = canvas.set_pointer_capture(event.pointer_id());
            let (x, y) = position(&canvas, &event);
            if let Some(context) = context_2d(&canvas) {
                context.begin_path();
                let _ = context.arc(x, y, context.line_width() / 2.0, 0.0, std::f64::consts::TAU);
                context.fill();
            }
            *stroke.borrow_mut() = Some(Stroke {
                pointer: event.pointer_id(),
                at: (x, y),
            });
        })
    };
    let onpointermove = {
        let (pad, stroke, read_at, send) =
            (pad.clone(), stroke.clone(), read_at.clone(), send.clone());
        Callback::from(move |event: PointerEvent| {
            let Some(from) = stroke
                .borrow()
                .filter(|s| s.pointer == event.pointer_id())
                .map(|s| s.at)
            else {
                return;
            };
            let Some(canvas) = pad.cast::<HtmlCanvasElement>() else {
                return;
            };
            let to = position(&canvas, &event);
            if let Some(context) = context_2d(&canvas) {
                context.begin_path();
                context.move_to(from.0, from.1);
                context.line_to(to.0, to.1);
                context.stroke();
            }
            *stroke.borrow_mut() = Some(Stroke {
                pointer: event.pointer_id(),
                at: to,
            });
            let time = now();
            if time - *read_at.borrow() >= EVERY_MS {
                *read_at.borrow_mut() = time;
                send();
            }
        })
    };
    let onpointerup = {
        let (stroke, send) = (stroke.clone(), send.clone());
        Callback::from(move |event: PointerEvent| {
            let ended = stroke
                .borrow()
                .is_some_and(|s| s.pointer == event.pointer_id());
            if ended {
                *stroke.borrow_mut() = None;
                send();
            }
        })
    };
    let onclear = {
        let (pad, preview, on_clear) = (pad.clone(), preview.clone(), props.on_clear.clone());
        Callback::from(move |_: MouseEvent| {
            *stroke.borrow_mut() = None;
            if let Some(canvas) = pad.cast::<HtmlCanvasElement>() {
                clear_pad(&canvas);
            }
            if let Some(canvas) = preview.cast::<HtmlCanvasElement>() {
                draw_preview(&canvas, &[0.0; SIDE * SIDE]);
            }
            on_clear.emit(());
        })
    };
    html! {
        <div class="digit-pad">
            <canvas ref={pad} class="pad" aria-label="Digit drawing pad" role="img"
                style={format!("width: {PAD_CSS}px; height: {PAD_CSS}px")}
                onpointerdown={onpointerdown} onpointermove={onpointermove}
                onpointerup={onpointerup.clone()} onpointercancel={onpointerup}></canvas>
            <div class="pad-side">
                <figure class="pad-preview">
                    <canvas ref={preview} width={SIDE.to_string()} height={SIDE.to_string()}
                        role="img" aria-label="What the network sees: your digit, 28 × 28"></canvas>
                    <figcaption>{ "What the network sees (28 × 28, centred like MNIST)" }</figcaption>
                </figure>
                <button type="button" class="button" onclick={onclear}>{ "Clear" }</button>
                <p class="hint">{ match props.kind {
                    DatasetKind::Digits => "Draw a digit 0–9 with mouse, finger or pen.",
                    DatasetKind::Fashion => "Draw a piece of clothing, a shoe or a bag, white on \
                        black as the photographs are, with mouse, finger or pen.",
                } }</p>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::time::Duration;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::{HtmlElement, PointerEventInit};

    fn pointer(kind: &str, x: f64, y: f64, primary: bool) -> PointerEvent {
        let init = PointerEventInit::new();
        init.set_client_x(x as i32);
        init.set_client_y(y as i32);
        init.set_pointer_id(if primary { 1 } else { 2 });
        init.set_pointer_type("touch");
        init.set_bubbles(true);
        init.set_is_primary(primary);
        PointerEvent::new_with_event_init_dict(kind, &init).expect("a pointer event")
    }

    /// A vertical stroke from `top` down `length` CSS pixels at `x`, as one pointer.
    fn stroke(pad: &HtmlCanvasElement, x: f64, top: f64, length: f64, primary: bool) {
        pad.dispatch_event(&pointer("pointerdown", x, top, primary))
            .expect("down");
        for i in 1..=10 {
            let y = top + length * f64::from(i) / 10.0;
            pad.dispatch_event(&pointer("pointermove", x, y, primary))
                .expect("move");
        }
        pad.dispatch_event(&pointer("pointerup", x, top + length, primary))
            .expect("up");
    }

    /// The centre of mass (row, column) of 28 × 28 values, in pixel-centre coordinates.
    fn centre_of_mass(digit: &[f32]) -> (f32, f32) {
        let mass: f32 = digit.iter().sum();
        let moment = |coordinate: fn(usize) -> usize| {
            digit
                .iter()
                .enumerate()
                .map(|(i, v)| v * (coordinate(i) as f32 + 0.5))
                .sum::<f32>()
                / mass
        };
        (moment(|i| i / SIDE), moment(|i| i % SIDE))
    }

    fn brightest(canvas: &HtmlCanvasElement) -> u8 {
        let data = context_2d(canvas)
            .and_then(|c| c.get_image_data(0.0, 0.0, SIDE as f64, SIDE as f64).ok())
            .expect("the preview's pixels")
            .data()
            .0;
        data.chunks_exact(4).map(|p| p[0]).max().unwrap_or(0)
    }

    #[wasm_bindgen_test]
    async fn a_stroke_is_centred_and_sent_and_clear_clears() {
        let root = crate::app::test_dom::attach("div");
        let digits = Rc::new(RefCell::new(Vec::<Vec<f32>>::new()));
        let cleared = Rc::new(Cell::new(0));
        let props = DigitPadProps {
            on_digit: {
                let digits = Rc::clone(&digits);
                Callback::from(move |d| digits.borrow_mut().push(d))
            },
            on_clear: {
                let cleared = Rc::clone(&cleared);
                Callback::from(move |()| cleared.set(cleared.get() + 1))
            },
            kind: DatasetKind::Digits,
        };
        yew::Renderer::<DigitPad>::with_root_and_props(root.clone(), props).render();
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let pad: HtmlCanvasElement = crate::app::test_dom::find(&root, "canvas.pad");
        let preview: HtmlCanvasElement = crate::app::test_dom::find(&root, ".pad-preview canvas");
        let rect = pad.get_bounding_client_rect();
        assert_eq!((rect.width(), rect.height()), (PAD_CSS, PAD_CSS));

        // A second finger alone draws nothing.
        stroke(&pad, rect.left() + 140.0, rect.top() + 40.0, 200.0, false);
        assert!(digits.borrow().is_empty(), "a non-primary pointer drew");
        assert_eq!(read_digit(&pad), None);

        // A "1" high in the left third is sent centred.
        stroke(&pad, rect.left() + 80.0, rect.top() + 20.0, 150.0, true);
        let digit = digits.borrow().last().cloned().expect("a digit was sent");
        assert_eq!(digit.len(), SIDE * SIDE);
        let (cy, cx) = centre_of_mass(&digit);
        assert!(
            (cy - 14.0).abs() <= 0.6 && (cx - 14.0).abs() <= 0.6,
            "centred: {cy} {cx}"
        );
        assert!(digit.iter().copied().fold(0.0, f32::max) > 0.5);
        assert!(brightest(&preview) > 128, "the preview shows the digit");

        let clear: HtmlElement = crate::app::test_dom::find(&root, "button");
        assert_eq!(clear.text_content().as_deref(), Some("Clear"));
        clear.click();
        assert_eq!(cleared.get(), 1);
        assert_eq!(read_digit(&pad), None, "the pad is blank again");
        assert_eq!(brightest(&preview), 0, "and so is the preview");
    }
}
