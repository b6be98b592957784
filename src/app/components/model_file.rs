//! Taking the model away and bringing it back: "Download model (.onnx)" saves the trained
//! network for Netron or Python's onnxruntime; "Open model" reads one ConvLab saved and
//! trains on from it. Too large a file is refused before it is read.

use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::training::model_file::too_large;

#[derive(Properties, PartialEq)]
pub struct ModelFileProps {
    pub ready: bool,
    /// Where the run's first weights came from, when a model was opened.
    pub origin: Option<String>,
    pub on_download: Callback<()>,
    /// A chosen file's name and bytes.
    pub on_open: Callback<(String, Rc<Vec<u8>>)>,
    /// Why a chosen file was not read.
    pub on_refused: Callback<String>,
}

#[function_component(ModelFile)]
pub fn model_file(props: &ModelFileProps) -> Html {
    let onchange = {
        let (on_open, on_refused) = (props.on_open.clone(), props.on_refused.clone());
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                let name = file.name();
                if let Some(message) = too_large(&name, file.size()) {
                    on_refused.emit(message);
                } else {
                    let (on_open, on_refused) = (on_open.clone(), on_refused.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match JsFuture::from(file.array_buffer()).await {
                            Ok(buffer) => {
                                on_open.emit((name, Rc::new(Uint8Array::new(&buffer).to_vec())))
                            }
                            Err(_) => on_refused.emit(format!(
                                "The browser could not read “{}”. The current run goes on.",
                                crate::common::text::shown(&name)
                            )),
                        }
                    });
                }
            }
            // Choosing the same file again must fire `change` again.
            input.set_value("");
        })
    };
    let on_download = props.on_download.reform(|_: MouseEvent| ());
    let origin = props
        .origin
        .as_ref()
        .map(|origin| format!("This run started from the model {origin}."))
        .unwrap_or_default();
    html! {
        <div class="panel model-file">
            <h3>{ "Take the model away" }</h3>
            <p class="hint">{ "Save the trained network as an ONNX model to open in Netron or \
                run in Python with onnxruntime (the README shows how), or open a model saved \
                here to train on from it." }</p>
            <div class="model-buttons">
                <button class="button" disabled={!props.ready} onclick={on_download}>
                    { "Download model (.onnx)" }
                </button>
                <input id="model-input" class="visually-hidden" type="file" accept=".onnx"
                    aria-label="Open model" disabled={!props.ready} {onchange} />
                <label for="model-input" class="button" aria-hidden="true">{ "Open model…" }</label>
            </div>
            <p class="hint model-origin" aria-live="polite">{ origin }</p>
        </div>
    }
}
