//! The layer's filters: how deep the input is ("Channels"), how many filters ("Filters") and
//! how large their kernels ("Kernel size"); one editor per filter; the weights as files; and
//! why a typed cell or bias is not in use.

use yew::prelude::*;

use super::filter_editor::FilterEditor;
use super::labeled_select::{on_choice, options, LabeledSelect};
use crate::explorer::filters::{FilterDraft, MAX_FILTERS};
use crate::explorer::kernel::KERNEL_SIZES;
use crate::explorer::layer::Channels;
use crate::explorer::state::ExplorerAction;

#[derive(Properties, PartialEq)]
pub struct KernelEditorProps {
    /// The filters in the layer, as typed.
    pub drafts: Vec<FilterDraft>,
    pub channels: Channels,
    /// What each filter's kernels are named, per channel (`Kernel`, `Filter 2 red`, …).
    pub kernel_names: Vec<Vec<AttrValue>>,
    /// Each filter's bias field's name.
    pub bias_names: Vec<AttrValue>,
    /// Why a typed kernel, or bias, is not in use.
    pub kernel_error: Option<String>,
    pub bias_error: Option<String>,
    pub on_action: Callback<ExplorerAction>,
    /// Download the kernels (`Kernels .npy`, HWIO) or the biases (`Biases .npy`).
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
    let size = props.drafts.first().map_or(3, FilterDraft::size);
    let count = props.drafts.len();
    let depth = props.channels.count();
    let channels = options(Channels::ALL, |c| c.name().into());
    let (kernel_error, bias_error) = (&props.kernel_error, &props.bias_error);
    let single = count == 1 && props.channels == Channels::Grayscale;
    html! {
        <section class="panel kernel-editor" aria-labelledby="kernel-heading">
            <h2 id="kernel-heading">{ if single { "Kernel" } else { "The layer's filters" } }</h2>
            <LabeledSelect label="Channels" options={channels} selected={props.channels.name()}
                on_change={on_choice(&props.on_action, |v| {
                    Channels::ALL.into_iter().find(|c| c.name() == v).map(ExplorerAction::SetChannels)
                })} />
            <LabeledSelect label="Filters"
                options={options(1..=MAX_FILTERS, |k| k.to_string())}
                selected={count.to_string()}
                on_change={on_choice(&props.on_action, |v| v.parse().ok().map(ExplorerAction::SetFilterCount))} />
            <LabeledSelect label="Kernel size"
                options={KERNEL_SIZES
                    .map(|f| (AttrValue::from(f.to_string()), AttrValue::from(format!("{f} × {f}"))))
                    .to_vec()}
                selected={size.to_string()}
                on_change={on_choice(&props.on_action, |v| v.parse().ok().map(ExplorerAction::SetKernelSize))} />
            <p class="hint depth-hint">
                { if depth == 1 {
                    format!("Each filter is {size} × {size} × 1: one {size} × {size} kernel over \
                             the input's one channel, plus its bias.")
                } else {
                    format!("Each filter is {size} × {size} × {depth}: one {size} × {size} kernel \
                             for each of the input's {depth} channels, their results summed, \
                             plus its bias.")
                } }
                { if count == 1 {
                    " 1 filter gives an output of depth 1.".to_string()
                } else {
                    format!(" {count} filters give an output of depth {count}.")
                } }
            </p>
            <div class={classes!("filter-editors", (props.channels == Channels::Rgb).then_some("rgb"))}>
                { for props.drafts.iter().enumerate().map(|(k, draft)| html! {
                    <FilterEditor index={k} draft={draft.clone()} channels={props.channels}
                        kernel_names={props.kernel_names[k].clone()}
                        bias_name={props.bias_names[k].clone()}
                        heading={(!single).then(|| AttrValue::from(format!("Filter {}", k + 1)))}
                        on_action={props.on_action.clone()} />
                }) }
            </div>
            <div class="downloads">
                <button type="button" class="button small"
                    onclick={props.on_download.reform(|_| KernelFile::Kernels)}>{ "Kernels .npy" }</button>
                <button type="button" class="button small"
                    onclick={props.on_download.reform(|_| KernelFile::Biases)}>{ "Biases .npy" }</button>
            </div>
            <p id="bias-message" class={classes!("kernel-message", bias_error.is_some().then_some("error"))}
                role={bias_error.is_some().then_some("alert")}>
                { match &bias_error {
                    Some(error) => format!("{error}. The last valid bias stays in use."),
                    None => "Added to every output of the convolution.".into(),
                } }
            </p>
            <p id="kernel-message" class={classes!("kernel-message", kernel_error.is_some().then_some("error"))}
                role={kernel_error.is_some().then_some("alert")}>
                { match &kernel_error {
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
    use crate::explorer::source::SourceImage;
    use crate::explorer::state::{CellAt, ExplorerState};
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::HtmlInputElement;

    fn start() -> ExplorerState {
        let bytes = include_bytes!("../../../tests/fixtures/explorer/odd_rgb.png");
        ExplorerState::new(SourceImage::decode_png("odd_rgb.png".into(), bytes).expect("decodes"))
            .expect("starts")
    }

    #[wasm_bindgen_test]
    async fn typing_in_a_cell_reports_the_text_and_marks_bad_cells() {
        let root = crate::app::test_dom::attach("div");
        let actions = Rc::new(RefCell::new(Vec::new()));
        let typed = start()
            .apply(ExplorerAction::EditCell {
                at: CellAt {
                    filter: 0,
                    channel: 0,
                    row: 2,
                    col: 0,
                },
                text: "abc".into(),
            })
            .apply(ExplorerAction::EditBias {
                filter: 0,
                text: "abc".into(),
            });
        let props = KernelEditorProps {
            drafts: typed.filter_drafts().to_vec(),
            channels: typed.channels,
            kernel_names: vec![vec!["Kernel".into()]],
            bias_names: vec!["Bias".into()],
            kernel_error: typed.kernel_error(),
            bias_error: typed.bias_error(),
            on_action: {
                let actions = Rc::clone(&actions);
                Callback::from(move |action| actions.borrow_mut().push(action))
            },
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
        let text = |selector: &str| {
            root.query_selector(selector)
                .expect("query")
                .expect("the element")
                .text_content()
                .unwrap_or_default()
        };
        let message = text("#kernel-message");
        assert!(
            message.contains("The last valid kernel stays in use"),
            "{message}"
        );
        let bias: HtmlInputElement = crate::app::test_dom::find(&root, "label.bias input");
        assert_eq!(bias.get_attribute("aria-invalid").as_deref(), Some("true"));
        let bias_message = text("#bias-message");
        assert!(
            bias_message.contains("The last valid bias stays in use"),
            "{bias_message}"
        );

        let centre = cell(2, 2);
        centre.set_value("−4");
        let input = web_sys::InputEvent::new("input").expect("event");
        centre.dispatch_event(&input).expect("dispatched");
        let actions = actions.borrow();
        assert!(matches!(
            actions.as_slice(),
            [ExplorerAction::EditCell { at: CellAt { filter: 0, channel: 0, row: 1, col: 1 }, text }]
                if text == "−4"
        ));
    }
}
