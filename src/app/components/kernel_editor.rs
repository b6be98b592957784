//! The 3×3 kernel: nine text cells that apply as you type, presets, and the kernel's sum.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::labeled_select::LabeledSelect;
use crate::explorer::format::number;
use crate::explorer::kernel::{matching_preset, parse_cell, CellTexts, Preset, PRESETS};

const CUSTOM: &str = "Custom";

#[derive(Properties, PartialEq)]
pub struct KernelEditorProps {
    /// The cells as typed.
    pub cells: CellTexts,
    /// Why the typed cells are not in use, if they are not.
    pub error: Option<String>,
    /// Sum of the kernel in use.
    pub sum: f64,
    pub on_edit: Callback<(usize, usize, String)>,
    pub on_preset: Callback<&'static Preset>,
}

#[function_component(KernelEditor)]
pub fn kernel_editor(props: &KernelEditorProps) -> Html {
    let preset_name = matching_preset(&props.cells).map_or(CUSTOM, |p| p.name);
    let mut options: Vec<(AttrValue, AttrValue)> = PRESETS
        .iter()
        .map(|p| (p.name.into(), p.name.into()))
        .collect();
    if preset_name == CUSTOM {
        options.push((CUSTOM.into(), CUSTOM.into()));
    }
    let on_preset = {
        let on_preset = props.on_preset.clone();
        Callback::from(move |name: String| {
            if let Some(preset) = PRESETS.iter().find(|p| p.name == name) {
                on_preset.emit(preset);
            }
        })
    };
    let cell = |row: usize, col: usize| {
        let text = props.cells[row][col].clone();
        let invalid = parse_cell(&text).is_err();
        let on_edit = props.on_edit.clone();
        let oninput = Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            on_edit.emit((row, col, input.value()));
        });
        html! {
            <input type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
                class={classes!("cell", invalid.then_some("invalid"))}
                aria-label={format!("Kernel row {} column {}", row + 1, col + 1)}
                aria-invalid={invalid.to_string()}
                aria-describedby="kernel-message"
                value={text} {oninput} />
        }
    };
    let meaning = match props.sum {
        s if s.abs() < 1e-6 => "keeps only changes: flat areas become 0",
        s if (s - 1.0).abs() < 1e-6 => "keeps the overall brightness",
        _ => "scales the overall brightness",
    };
    html! {
        <section class="panel kernel-editor" aria-labelledby="kernel-heading">
            <h2 id="kernel-heading">{ "Kernel" }</h2>
            <LabeledSelect label="Preset" options={options} selected={preset_name}
                on_change={on_preset} />
            <div class="kernel-grid" role="group" aria-label="Kernel weights">
                { for (0..3).flat_map(|r| (0..3).map(move |c| (r, c))).map(|(r, c)| cell(r, c)) }
            </div>
            <p class="kernel-sum">
                { format!("Sum of weights: {} — {meaning}", number(props.sum)) }
            </p>
            <p id="kernel-message" class={classes!("kernel-message", props.error.is_some().then_some("error"))}
                role={props.error.is_some().then_some("alert")}>
                { match &props.error {
                    Some(error) => format!("{error}. The last valid kernel stays in use."),
                    None => "Type numbers, fractions like 1/9, or −1; edits apply as you type.".into(),
                } }
            </p>
        </section>
    }
}
