//! A `<select>` with a visible label that names it for screen readers and tests.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LabeledSelectProps {
    /// The visible label, also the select's accessible name.
    pub label: AttrValue,
    /// `(value, text)` pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    pub selected: AttrValue,
    pub on_change: Callback<String>,
}

#[function_component(LabeledSelect)]
pub fn labeled_select(props: &LabeledSelectProps) -> Html {
    let select = use_node_ref();
    let id = format!(
        "select-{}",
        props
            .label
            .to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "-")
    );
    // A refused change leaves the state as it was, so no attribute changes: put the DOM
    // back in step with the state after every render.
    {
        let select = select.clone();
        let selected = props.selected.clone();
        use_effect(move || {
            if let Some(element) = select.cast::<HtmlSelectElement>() {
                if element.value() != selected.as_str() {
                    element.set_value(&selected);
                }
            }
        });
    }
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let element: HtmlSelectElement = event.target_unchecked_into();
            on_change.emit(element.value());
        })
    };
    html! {
        <div class="field">
            <label for={id.clone()}>{ props.label.clone() }</label>
            <select id={id} ref={select} {onchange}>
                { for props.options.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={*value == props.selected}>
                        { text.clone() }
                    </option>
                }) }
            </select>
        </div>
    }
}
