//! Choosing the picture: a file picker, the bundled samples, and a hint about dropping or
//! pasting (those listeners live on the whole page, in the explorer).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::explorer::samples::{Sample, SAMPLES};

#[derive(Properties, PartialEq)]
pub struct ImageLoaderProps {
    pub on_file: Callback<web_sys::File>,
    pub on_sample: Callback<&'static Sample>,
    pub busy: bool,
    /// More ways to get a picture (the camera), below the samples.
    #[prop_or_default]
    pub children: Html,
}

#[function_component(ImageLoader)]
pub fn image_loader(props: &ImageLoaderProps) -> Html {
    let onchange = {
        let on_file = props.on_file.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                on_file.emit(file);
            }
            // Choosing the same file again must fire `change` again.
            input.set_value("");
        })
    };
    html! {
        <section class="panel image-loader" aria-labelledby="image-heading">
            <h2 id="image-heading">{ "Image" }</h2>
            <div class="file-row">
                <input id="file-input" class="visually-hidden" type="file" accept="image/*"
                    aria-label="Load image" disabled={props.busy} {onchange} />
                <label for="file-input" class="button primary" aria-hidden="true">
                    { "Load image…" }
                </label>
                <span class="hint">{ "or drop / paste one anywhere on the page" }</span>
            </div>
            <div class="samples" role="group" aria-label="Sample images">
                { for SAMPLES.iter().map(|sample| {
                    let on_sample = props.on_sample.clone();
                    html! {
                        <button type="button" class="button" disabled={props.busy}
                            onclick={move |_| on_sample.emit(sample)}>
                            { format!("Sample: {}", sample.name) }
                        </button>
                    }
                }) }
            </div>
            { props.children.clone() }
        </section>
    }
}
