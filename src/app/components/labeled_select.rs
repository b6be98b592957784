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
    /// Greyed out (a choice that does not apply now), still named and in the tab order's
    /// place.
    #[prop_or_default]
    pub disabled: bool,
}

/// A select's options for choices shown, and chosen, by one text each (a name, a number).
pub fn options<T>(
    choices: impl IntoIterator<Item = T>,
    text: impl Fn(T) -> String,
) -> Vec<(AttrValue, AttrValue)> {
    choices
        .into_iter()
        .map(|choice| {
            let text: AttrValue = text(choice).into();
            (text.clone(), text)
        })
        .collect()
}

/// A select's `on_change` that emits `make(value)` to `callback` whenever it makes something
/// (a value it does not know makes nothing).
pub fn on_choice<A: 'static>(
    callback: &Callback<A>,
    make: fn(&str) -> Option<A>,
) -> Callback<String> {
    let callback = callback.clone();
    Callback::from(move |value: String| {
        if let Some(chosen) = make(&value) {
            callback.emit(chosen);
        }
    })
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
            <select id={id} ref={select} {onchange} disabled={props.disabled}>
                { for props.options.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={*value == props.selected}>
                        { text.clone() }
                    </option>
                }) }
            </select>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A parent that re-renders on every change but never accepts one, like the explorer
    /// refusing VALID padding on a tiny image.
    #[function_component(Refusing)]
    fn refusing() -> Html {
        let changes = use_state(|| 0);
        let on_change = {
            let changes = changes.clone();
            Callback::from(move |_value: String| changes.set(*changes + 1))
        };
        html! {
            <>
                <LabeledSelect label="Padding" selected="SAME" on_change={on_change}
                    options={vec![("SAME".into(), "SAME".into()), ("VALID".into(), "VALID".into())]} />
                <output>{ *changes }</output>
            </>
        }
    }

    #[wasm_bindgen_test]
    async fn a_refused_choice_snaps_back() {
        let root = crate::app::test_dom::attach("div");
        yew::Renderer::<Refusing>::with_root(root.clone()).render();
        yew::platform::time::sleep(Duration::from_millis(10)).await;

        let select: HtmlSelectElement = root
            .query_selector("select")
            .expect("query")
            .expect("a select")
            .dyn_into()
            .expect("a select element");
        let label = root
            .query_selector("label")
            .expect("query")
            .expect("a label");
        assert_eq!(label.get_attribute("for"), Some(select.id()));
        assert_eq!(select.value(), "SAME");

        select.set_value("VALID");
        let change = web_sys::Event::new("change").expect("event");
        select.dispatch_event(&change).expect("dispatched");
        yew::platform::time::sleep(Duration::from_millis(10)).await;

        let output = root
            .query_selector("output")
            .expect("query")
            .expect("output");
        assert_eq!(output.text_content().as_deref(), Some("1"));
        assert_eq!(select.value(), "SAME");
    }
}
