//! A strip of test digits (two of each class) to choose the one whose feature maps are
//! shown.

use std::rc::Rc;

use wasm_bindgen::Clamped;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use crate::nn::data::SIDE;
use crate::training::protocol::{Dataset, StripDigit};

#[derive(Properties, PartialEq)]
pub struct DigitStripProps {
    pub dataset: Rc<Dataset>,
    /// The chosen test digit's index, if a test digit is chosen.
    pub chosen: Option<usize>,
    pub on_choose: Callback<usize>,
}

/// White ink on black, like the digits the network reads.
fn draw_digit(canvas: &HtmlCanvasElement, digit: &StripDigit) -> Option<()> {
    let rgba: Vec<u8> = digit.pixels.iter().flat_map(|&p| [p, p, p, 255]).collect();
    let image =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), SIDE as u32, SIDE as u32)
            .ok()?;
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context.put_image_data(&image, 0.0, 0.0).ok()
}

#[derive(Properties, PartialEq)]
struct DigitButtonProps {
    digit: StripDigit,
    chosen: bool,
    on_choose: Callback<usize>,
}

#[function_component(DigitButton)]
fn digit_button(props: &DigitButtonProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let digit = props.digit.clone();
        use_effect_with(props.digit.index, move |_| {
            if let Some(element) = canvas.cast::<HtmlCanvasElement>() {
                draw_digit(&element, &digit);
            }
        });
    }
    let onclick = {
        let (on_choose, index) = (props.on_choose.clone(), props.digit.index);
        Callback::from(move |_: MouseEvent| on_choose.emit(index))
    };
    html! {
        <button class={classes!("digit", props.chosen.then_some("chosen"))}
            aria-pressed={props.chosen.to_string()}
            aria-label={format!("Test digit {} (a {})", props.digit.index + 1, props.digit.label)}
            {onclick}>
            <canvas ref={canvas} width={SIDE.to_string()} height={SIDE.to_string()}></canvas>
        </button>
    }
}

#[function_component(DigitStrip)]
pub fn digit_strip(props: &DigitStripProps) -> Html {
    html! {
        <div class="digit-strip" role="group" aria-label="Choose a test digit">
            { for props.dataset.strip.iter().map(|digit| html! {
                <DigitButton key={digit.index} digit={digit.clone()}
                    chosen={props.chosen == Some(digit.index)}
                    on_choose={props.on_choose.clone()} />
            }) }
        </div>
    }
}
