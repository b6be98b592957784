//! The kernel: its size (3, 5 or 7), one text cell per weight that applies as you type,
//! presets, the bias, and the kernel's sum.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::labeled_select::LabeledSelect;
use crate::common::format::number;
use crate::explorer::kernel::{
    matching_preset, parse_cell, CellTexts, Preset, KERNEL_SIZES, PRESETS,
};

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
    pub on_size: Callback<usize>,
    /// The bias as typed, and why it is not in use, if it is not.
    pub bias: AttrValue,
    pub bias_error: Option<String>,
    pub on_bias: Callback<String>,
    /// Download the kernel (`Kernels .npy`, HWIO) or the bias (`Biases .npy`).
    pub on_download: Callback<KernelFile>,
}

/// The layer's weights as files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelFile {
    Kernels,
    Biases,
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
    let size = props.cells.len();
    let sizes: Vec<(AttrValue, AttrValue)> = KERNEL_SIZES
        .iter()
        .map(|&f| (f.to_string().into(), format!("{f} × {f}").into()))
        .collect();
    let on_size = {
        let on_size = props.on_size.clone();
        Callback::from(move |value: String| {
            if let Ok(size) = value.parse() {
                on_size.emit(size);
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
    let on_bias = {
        let on_bias = props.on_bias.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            on_bias.emit(input.value());
        })
    };
    let bias_invalid = props.bias_error.is_some();
    let meaning = match props.sum {
        s if s.abs() < 1e-6 => "keeps only changes: flat areas become 0",
        s if (s - 1.0).abs() < 1e-6 => "keeps the overall brightness",
        _ => "scales the overall brightness",
    };
    html! {
        <section class="panel kernel-editor" aria-labelledby="kernel-heading">
            <h2 id="kernel-heading">{ "Kernel" }</h2>
            <LabeledSelect label="Kernel size" options={sizes} selected={size.to_string()}
                on_change={on_size} />
            <LabeledSelect label="Preset" options={options} selected={preset_name}
                on_change={on_preset} />
            <div class={classes!("kernel-grid", (size > 3).then_some("large"))}
                style={format!("--size: {size}")} role="group" aria-label="Kernel weights">
                { for (0..size).flat_map(|r| (0..size).map(move |c| (r, c))).map(|(r, c)| cell(r, c)) }
            </div>
            <p class="kernel-sum">
                { format!("Sum of weights: {} — {meaning}", number(props.sum)) }
            </p>
            <label class="bias">
                <span>{ "Bias" }</span>
                <input type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
                    class={classes!("cell", bias_invalid.then_some("invalid"))}
                    aria-invalid={bias_invalid.to_string()}
                    aria-describedby="bias-message"
                    value={props.bias.clone()} oninput={on_bias} />
            </label>
            <div class="downloads">
                <button type="button" class="button small"
                    onclick={props.on_download.reform(|_| KernelFile::Kernels)}>{ "Kernels .npy" }</button>
                <button type="button" class="button small"
                    onclick={props.on_download.reform(|_| KernelFile::Biases)}>{ "Biases .npy" }</button>
            </div>
            <p id="bias-message" class={classes!("kernel-message", bias_invalid.then_some("error"))}
                role={bias_invalid.then_some("alert")}>
                { match &props.bias_error {
                    Some(error) => format!("{error}. The last valid bias stays in use."),
                    None => "Added to every output of the convolution.".into(),
                } }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explorer::kernel::OUTLINE;
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    async fn typing_in_a_cell_reports_the_text_and_marks_bad_cells() {
        let root = crate::app::test_dom::attach("div");
        let edits = Rc::new(RefCell::new(Vec::new()));
        let mut cells = OUTLINE.cell_texts();
        cells[2][0] = "abc".into();
        let props = KernelEditorProps {
            cells,
            error: Some("Row 3, column 1 “abc” is not a number".into()),
            sum: 0.0,
            on_edit: {
                let edits = Rc::clone(&edits);
                Callback::from(move |edit| edits.borrow_mut().push(edit))
            },
            on_preset: Callback::noop(),
            on_size: Callback::noop(),
            bias: "abc".into(),
            bias_error: Some("The bias “abc” is not a number".into()),
            on_bias: Callback::noop(),
            on_download: Callback::noop(),
        };
        yew::Renderer::<KernelEditor>::with_root_and_props(root.clone(), props).render();
        yew::platform::time::sleep(Duration::from_millis(10)).await;

        let cell = |r: usize, c: usize| -> HtmlInputElement {
            root.query_selector(&format!("input[aria-label='Kernel row {r} column {c}']"))
                .expect("query")
                .expect("the cell")
                .dyn_into()
                .expect("an input")
        };
        assert_eq!(cell(2, 2).value(), "8");
        assert_eq!(
            cell(2, 2).get_attribute("inputmode").as_deref(),
            Some("decimal")
        );
        assert_eq!(
            cell(3, 1).get_attribute("aria-invalid").as_deref(),
            Some("true")
        );
        assert_eq!(
            cell(1, 1).get_attribute("aria-invalid").as_deref(),
            Some("false")
        );
        let message = root
            .query_selector("#kernel-message")
            .expect("query")
            .expect("message")
            .text_content()
            .unwrap_or_default();
        assert!(
            message.contains("The last valid kernel stays in use"),
            "{message}"
        );
        let bias: HtmlInputElement = crate::app::test_dom::find(&root, "label.bias input");
        assert_eq!(bias.get_attribute("aria-invalid").as_deref(), Some("true"));
        let bias_message = root
            .query_selector("#bias-message")
            .expect("query")
            .expect("message")
            .text_content()
            .unwrap_or_default();
        assert!(
            bias_message.contains("The last valid bias stays in use"),
            "{bias_message}"
        );

        let centre = cell(2, 2);
        centre.set_value("−4");
        let input = web_sys::InputEvent::new("input").expect("event");
        centre.dispatch_event(&input).expect("dispatched");
        assert_eq!(*edits.borrow(), vec![(1, 1, "−4".to_string())]);
    }
}
