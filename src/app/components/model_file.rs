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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::time::Duration;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::{DataTransfer, File, HtmlButtonElement};

    use crate::app::test_dom::{attach, find};

    /// What the component emitted: downloads asked for, files opened, refusals.
    #[derive(Default)]
    struct Emitted {
        downloads: usize,
        opened: Vec<(String, Vec<u8>)>,
        refused: Vec<String>,
    }

    /// Puts a file of `bytes` named `name` in `input`, as choosing it does.
    fn choose(input: &HtmlInputElement, bytes: &Uint8Array, name: &str) {
        let file =
            File::new_with_u8_array_sequence(&js_sys::Array::of1(bytes), name).expect("a file");
        let chosen = DataTransfer::new().expect("a data transfer");
        chosen.items().add_with_file(&file).expect("added");
        input.set_files(chosen.files().as_ref());
        input
            .dispatch_event(&Event::new("change").expect("an event"))
            .expect("dispatched");
    }

    fn render(ready: bool, origin: Option<&str>) -> (web_sys::Element, Rc<RefCell<Emitted>>) {
        let root = attach("div");
        let emitted = Rc::new(RefCell::new(Emitted::default()));
        let (a, b, c) = (emitted.clone(), emitted.clone(), emitted.clone());
        yew::Renderer::<ModelFile>::with_root_and_props(
            root.clone(),
            ModelFileProps {
                ready,
                origin: origin.map(str::to_string),
                on_download: Callback::from(move |()| a.borrow_mut().downloads += 1),
                on_open: Callback::from(move |(name, bytes): (String, Rc<Vec<u8>>)| {
                    b.borrow_mut().opened.push((name, bytes.to_vec()))
                }),
                on_refused: Callback::from(move |message| c.borrow_mut().refused.push(message)),
            },
        )
        .render();
        (root, emitted)
    }

    #[wasm_bindgen_test]
    async fn both_wait_for_a_network_and_the_origin_is_said() {
        let (root, emitted) = render(false, None);
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let download: HtmlButtonElement = find(&root, "button");
        let input: HtmlInputElement = find(&root, "input[type=file]");
        assert!(download.disabled() && input.disabled());
        download.click();
        assert_eq!(emitted.borrow().downloads, 0);

        let (root, emitted) = render(true, Some("m.onnx (MNIST digits, 640 samples)"));
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let download: HtmlButtonElement = find(&root, "button");
        assert_eq!(
            download.text_content().as_deref(),
            Some("Download model (.onnx)")
        );
        download.click();
        assert_eq!(emitted.borrow().downloads, 1);
        let origin = find::<web_sys::Element>(&root, ".model-origin").text_content();
        assert_eq!(
            origin.as_deref(),
            Some("This run started from the model m.onnx (MNIST digits, 640 samples).")
        );
    }

    #[wasm_bindgen_test]
    async fn a_chosen_file_is_read_and_handed_on_with_its_name() {
        let (root, emitted) = render(true, None);
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let input: HtmlInputElement = find(&root, "input[type=file]");
        assert_eq!(
            input.get_attribute("aria-label").as_deref(),
            Some("Open model")
        );
        let bytes = [8u8, 7, 0, 255, 13];
        choose(&input, &Uint8Array::from(&bytes[..]), "mine.onnx");
        yew::platform::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            emitted.borrow().opened,
            [("mine.onnx".to_string(), bytes.to_vec())]
        );
        assert!(emitted.borrow().refused.is_empty());
        assert_eq!(input.value(), "", "the same file can be chosen again");

        // A file too large to be a model is refused by its size, without being read.
        choose(&input, &Uint8Array::new_with_length(17 << 20), "big.onnx");
        yew::platform::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(emitted.borrow().opened.len(), 1, "nothing more opened");
        let refused = emitted.borrow().refused.clone();
        assert!(
            refused.len() == 1 && refused[0].starts_with("“big.onnx” was not opened. It is 17 MB"),
            "{refused:?}"
        );
    }
}
