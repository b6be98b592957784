//! One filter of the layer: its preset, a grid of cells per channel that applies as you
//! type, the sum of its weights, its bias, and (over RGB) "Copy to all channels".

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::labeled_select::{options, LabeledSelect};
use crate::common::format::number;
use crate::explorer::filters::FilterDraft;
use crate::explorer::kernel::{matching_preset, parse_cell, PRESETS};
use crate::explorer::layer::Channels;
use crate::explorer::state::{CellAt, ExplorerAction};

const CUSTOM: &str = "Custom";

#[derive(Properties, PartialEq)]
pub struct FilterEditorProps {
    /// The filter, from 0.
    pub index: usize,
    pub draft: FilterDraft,
    pub channels: Channels,
    /// What each channel's cells are called: `Kernel`, `Filter 2`, `Filter 2 red`, …
    pub kernel_names: Vec<AttrValue>,
    /// The bias field's name: `Bias` or `Filter 2 bias`.
    pub bias_name: AttrValue,
    /// A heading for the filter, when the layer has more than one grayscale filter.
    pub heading: Option<AttrValue>,
    pub on_action: Callback<ExplorerAction>,
}

#[function_component(FilterEditor)]
pub fn filter_editor(props: &FilterEditorProps) -> Html {
    let filter = props.index;
    let grids = props.draft.grids(props.channels);
    // The preset shown is the one every channel's cells read, if there is one.
    let preset = grids
        .first()
        .and_then(|g| matching_preset(g.texts()))
        .filter(|p| grids.iter().all(|g| matching_preset(g.texts()) == Some(*p)));
    let preset_name = preset.map_or(CUSTOM, |p| p.name);
    // "Custom" is offered only while it is what the cells read.
    let choices = PRESETS
        .iter()
        .map(|p| p.name)
        .chain(preset.is_none().then_some(CUSTOM));
    let options = options(choices, str::to_string);
    let on_preset = {
        let on_action = props.on_action.clone();
        Callback::from(move |name: String| {
            if let Some(preset) = PRESETS.iter().find(|p| p.name == name) {
                on_action.emit(ExplorerAction::ApplyPreset { filter, preset });
            }
        })
    };
    let preset_label = match &props.heading {
        Some(heading) => format!("{heading} preset"),
        None => "Preset".into(),
    };
    let grid = |channel: usize| {
        let texts = grids[channel].texts();
        let size = texts.len();
        let name = props.kernel_names[channel].clone();
        let cell = |row: usize, col: usize| {
            let text = texts[row][col].clone();
            let invalid = parse_cell(&text).is_err();
            let on_action = props.on_action.clone();
            let oninput = Callback::from(move |event: InputEvent| {
                let input: HtmlInputElement = event.target_unchecked_into();
                on_action.emit(ExplorerAction::EditCell {
                    at: CellAt {
                        filter,
                        channel,
                        row,
                        col,
                    },
                    text: input.value(),
                });
            });
            html! {
                <input type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
                    class={classes!("cell", invalid.then_some("invalid"))}
                    aria-label={format!("{name} row {} column {}", row + 1, col + 1)}
                    aria-invalid={invalid.to_string()}
                    aria-describedby="kernel-message"
                    value={text} {oninput} />
            }
        };
        let channel_name = props.channels.channel_names()[channel];
        html! {
            <div class={classes!("channel-kernel", (!channel_name.is_empty()).then_some(channel_name))}>
                if !channel_name.is_empty() {
                    <span class="channel-name" aria-hidden="true">{ channel_name }</span>
                }
                <div class={classes!("kernel-grid", (size > 3).then_some("large"))}
                    style={format!("--size: {size}")} role="group"
                    aria-label={format!("{name} weights")}>
                    { for (0..size).flat_map(|r| (0..size).map(move |c| (r, c))).map(|(r, c)| cell(r, c)) }
                </div>
            </div>
        }
    };
    let sum: f64 = grids.iter().map(|g| g.kernel().sum()).sum();
    let meaning = match sum {
        s if s.abs() < 1e-6 => "keeps only changes: flat areas become 0",
        s if (s - 1.0).abs() < 1e-6 => "keeps the overall brightness",
        _ => "scales the overall brightness",
    };
    let on_bias = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            on_action.emit(ExplorerAction::EditBias {
                filter,
                text: input.value(),
            });
        })
    };
    let bias = props.draft.bias();
    let bias_invalid = bias.error().is_some();
    let copy_label = match &props.heading {
        Some(heading) => format!("{heading}: copy red to all channels"),
        None => "Copy red to all channels".into(),
    };
    html! {
        <fieldset class={classes!("filter-editor", props.heading.is_some().then_some("framed"))}>
            if let Some(heading) = &props.heading {
                <legend>{ heading.clone() }</legend>
            }
            <LabeledSelect label={preset_label} options={options} selected={preset_name}
                on_change={on_preset} />
            <div class={classes!("channel-kernels", (props.draft.size() == 3).then_some("small"))}>
                { for (0..grids.len()).map(grid) }
            </div>
            if props.channels == Channels::Rgb {
                <button type="button" class="button small"
                    onclick={props.on_action.reform(move |_| ExplorerAction::CopyToAllChannels { filter })}>
                    { copy_label }
                </button>
            }
            <p class="kernel-sum">
                { format!("Sum of weights: {} — {meaning}", number(sum)) }
            </p>
            <label class="bias">
                <span>{ props.bias_name.clone() }</span>
                <input type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
                    class={classes!("cell", bias_invalid.then_some("invalid"))}
                    aria-invalid={bias_invalid.to_string()}
                    aria-describedby="bias-message"
                    value={AttrValue::from(bias.text().to_string())} oninput={on_bias} />
            </label>
        </fieldset>
    }
}
