//! A strip of test digits (two of each class) to choose the one whose feature maps are
//! shown.

use std::rc::Rc;

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::app::canvas::{put_rgba, use_painted_canvas};

use crate::nn::data::DatasetKind;
use crate::nn::data::SIDE;
use crate::training::protocol::{Dataset, StripDigit};

#[derive(Properties, PartialEq)]
pub struct DigitStripProps {
    pub dataset: Rc<Dataset>,
    /// Whose class names the buttons say.
    pub kind: DatasetKind,
    /// The chosen test digit's index, if a test digit is chosen.
    pub chosen: Option<usize>,
    pub on_choose: Callback<usize>,
}

/// White ink on black, like the digits the network reads.
pub(crate) fn draw_digit(canvas: &HtmlCanvasElement, digit: &StripDigit) {
    let rgba: Vec<u8> = digit.pixels.iter().flat_map(|&p| [p, p, p, 255]).collect();
    // A failed draw leaves the button blank; its name still says which digit it is.
    let _ = put_rgba(canvas, &rgba, SIDE as u32, SIDE as u32);
}

#[derive(Properties, PartialEq)]
struct DigitButtonProps {
    digit: StripDigit,
    kind: DatasetKind,
    chosen: bool,
    on_choose: Callback<usize>,
}

#[function_component(DigitButton)]
fn digit_button(props: &DigitButtonProps) -> Html {
    let digit = props.digit.clone();
    let canvas = use_painted_canvas(props.digit.index, move |canvas, _| {
        draw_digit(canvas, &digit)
    });
    let onclick = {
        let (on_choose, index) = (props.on_choose.clone(), props.digit.index);
        Callback::from(move |_: MouseEvent| on_choose.emit(index))
    };
    html! {
        <button class={classes!("digit", props.chosen.then_some("chosen"))}
            aria-pressed={props.chosen.to_string()}
            aria-label={format!("Test {} {} (a {})", props.kind.noun().0, props.digit.index + 1,
                props.kind.class_name(usize::from(props.digit.label)))}
            {onclick}>
            <canvas ref={canvas} width={SIDE.to_string()} height={SIDE.to_string()}></canvas>
        </button>
    }
}

#[function_component(DigitStrip)]
pub fn digit_strip(props: &DigitStripProps) -> Html {
    html! {
        <div class="digit-strip" role="group"
            aria-label={format!("Choose a test {}", props.kind.noun().0)}>
            { for props.dataset.strip.iter().map(|digit| html! {
                <DigitButton key={digit.index} digit={digit.clone()} kind={props.kind}
                    chosen={props.chosen == Some(digit.index)}
                    on_choose={props.on_choose.clone()} />
            }) }
        </div>
    }
}
