//! "Step through": the sliding window in slow motion. A toggle, then Previous / Play or
//! Pause / Next, the speed, a slider over every step, and where the window is in words.
//! Within these controls the arrow keys step, Home and End jump to the first and last
//! step, and space plays or pauses.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::labeled_select::{on_choice, options, LabeledSelect};
use crate::explorer::pipeline::Stage;
use crate::explorer::state::ExplorerAction;
use crate::explorer::stepping::{StepPlan, Stepping, SMALL_WORKING_SIZE, STEP_SPEEDS};

/// The working size step mode suggests: each pixel of the maps shows.
const SUGGESTED_SIZE: usize = 16;

#[derive(Properties, PartialEq)]
pub struct StepControlsProps {
    pub stepping: Option<Stepping>,
    pub plan: StepPlan,
    /// The names the page gives the convolution and pooling stages.
    pub conv_name: AttrValue,
    pub pool_name: AttrValue,
    pub working_size: usize,
    pub on_action: Callback<ExplorerAction>,
}

fn speed_name(speed: u32) -> String {
    match speed {
        1 => "1 step per second".into(),
        s => format!("{s} steps per second"),
    }
}

/// Where the window is after `shown` steps, in words: `Step 17 of 320: Convolution, row 2,
/// column 1`.
fn status(props: &StepControlsProps, shown: usize) -> String {
    let total = props.plan.total();
    match props.plan.current(shown) {
        Some((stage, (row, col))) => {
            let (name, (rows, cols)) = if stage == Stage::Pooling {
                (&props.pool_name, props.plan.pool)
            } else {
                (&props.conv_name, props.plan.conv)
            };
            format!(
                "Step {shown} of {total}: {name}, row {} of {rows}, column {} of {cols}",
                row + 1,
                col + 1
            )
        }
        None => format!("Step {shown} of {total}"),
    }
}

#[function_component(StepControls)]
pub fn step_controls(props: &StepControlsProps) -> Html {
    let on_action = props.on_action.clone();
    let ontoggle = {
        let on_action = on_action.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            on_action.emit(ExplorerAction::SetStepping(input.checked()));
        })
    };
    let playing = props.stepping.is_some_and(|s| s.playing);
    let onkeydown = {
        let on_action = on_action.clone();
        Callback::from(move |event: KeyboardEvent| {
            let Some(target) = event.target_dyn_into::<HtmlElement>() else {
                return;
            };
            // The slider and the speed select keep their own keys; the toggle its space.
            let own_keys = match target.tag_name().as_str() {
                "SELECT" => true,
                "INPUT" => target
                    .dyn_ref::<HtmlInputElement>()
                    .is_some_and(|input| input.type_() == "range"),
                _ => false,
            };
            let is_toggle = target
                .dyn_ref::<HtmlInputElement>()
                .is_some_and(|input| input.type_() == "checkbox");
            let action = match event.key().as_str() {
                _ if own_keys => return,
                "ArrowRight" | "ArrowDown" => ExplorerAction::StepBy(1),
                "ArrowLeft" | "ArrowUp" => ExplorerAction::StepBy(-1),
                "Home" => ExplorerAction::StepTo(1),
                "End" => ExplorerAction::StepTo(usize::MAX),
                " " if !is_toggle => ExplorerAction::SetPlaying(!playing),
                _ => return,
            };
            event.prevent_default();
            on_action.emit(action);
        })
    };
    let button = |label: &str, action: ExplorerAction| {
        let on_action = on_action.clone();
        html! {
            <button type="button" class="button"
                onclick={move |_| on_action.emit(action.clone())}>{ label.to_string() }</button>
        }
    };
    // Always one node (empty when not stepping): Yew pairs unkeyed children from the end,
    // so a child that comes and goes would re-create the toggle and lose its focus.
    let body = props.stepping.map_or_else(Html::default, |stepping| {
        let total = props.plan.total();
        let onslide = {
            let on_action = on_action.clone();
            Callback::from(move |event: InputEvent| {
                let input: HtmlInputElement = event.target_unchecked_into();
                if let Ok(shown) = input.value().parse() {
                    on_action.emit(ExplorerAction::StepTo(shown));
                }
            })
        };
        let text = status(props, stepping.shown);
        html! {
            <>
                <div class="step-buttons">
                    { button("Previous step", ExplorerAction::StepBy(-1)) }
                    if stepping.playing {
                        { button("Pause steps", ExplorerAction::SetPlaying(false)) }
                    } else {
                        { button("Play steps", ExplorerAction::SetPlaying(true)) }
                    }
                    { button("Next step", ExplorerAction::StepBy(1)) }
                </div>
                <LabeledSelect label="Speed" options={options(STEP_SPEEDS, speed_name)}
                    selected={speed_name(stepping.speed)}
                    on_change={on_choice(&on_action, |v| {
                        STEP_SPEEDS.into_iter().find(|&s| speed_name(s) == v)
                            .map(ExplorerAction::SetStepSpeed)
                    })} />
                <div class="field slider">
                    <label for="step-slider">{ "Step" }</label>
                    <input id="step-slider" type="range" min="1" max={total.to_string()}
                        value={stepping.shown.to_string()} aria-valuetext={text.clone()}
                        oninput={onslide} />
                </div>
                // Announced when it settles, not at every step of a fast play.
                <p class="step-status" aria-live={if stepping.playing { "off" } else { "polite" }}>
                    { text }
                </p>
                <p class="hint">
                    { "Arrow keys step, Home and End jump to the first and last step, and \
                       space plays or pauses. Click a map, or focus it and use the arrow keys, \
                       to jump to that pixel's step." }
                </p>
                if props.working_size > SMALL_WORKING_SIZE {
                    <p class="hint">
                        { format!("At working size {} the window has {total} steps to take: a \
                                   small working size shows every pixel.", props.working_size) }
                    </p>
                    { button(&format!("Use working size {SUGGESTED_SIZE}"),
                        ExplorerAction::SetWorkingSize(SUGGESTED_SIZE)) }
                }
            </>
        }
    });
    html! {
        <section class="panel step-controls" aria-labelledby="step-heading" {onkeydown}>
            <h2 id="step-heading">{ "Sliding window" }</h2>
            <label class="toggle">
                <input type="checkbox" checked={props.stepping.is_some()} onchange={ontoggle} />
                { "Step through" }
            </label>
            { body }
        </section>
    }
}
