//! The kernel explorer's start: the sample the page's address names is fetched first
//! unless it is compiled in (the default one is), so the explorer opens on it.

use std::rc::Rc;

use yew::prelude::*;

use super::explorer::{Explorer, FirstPicture};
use crate::app::lesson_link::Opened;
use crate::app::loading::sample_picture;
use crate::explorer::samples::{default_picture, DEFAULT};
use crate::explorer::state::ExplorerSetup;

#[derive(Properties, PartialEq)]
pub struct ExplorerStartProps {
    /// Told filter 1's grayscale kernel whenever it changes.
    pub on_kernel: Callback<ndarray::Array2<f32>>,
    /// The lesson the page's address opened (on load, and at each Back or Forward).
    pub lesson: Opened<ExplorerSetup>,
    /// Told the user's choices whenever they change, for the address.
    pub on_setup: Callback<ExplorerSetup>,
}

#[function_component(ExplorerStart)]
pub fn explorer_start(props: &ExplorerStartProps) -> Html {
    let wanted = props.lesson.value.sample.unwrap_or(DEFAULT);
    let first = use_state(|| {
        (wanted == DEFAULT).then(|| FirstPicture {
            sample: DEFAULT,
            source: Rc::new(default_picture()),
            failure: None,
        })
    });
    {
        let first = first.clone();
        use_effect_with((), move |_| {
            if first.is_none() {
                wasm_bindgen_futures::spawn_local(async move {
                    let picture = match sample_picture(wanted).await {
                        Ok(source) => FirstPicture {
                            sample: wanted,
                            source: Rc::new(source),
                            failure: None,
                        },
                        Err(reason) => FirstPicture {
                            sample: DEFAULT,
                            source: Rc::new(default_picture()),
                            failure: Some(format!(
                                "The link's sample “{}” could not be loaded: {reason} The \
                                 sample “{}” is shown instead.",
                                wanted.name, DEFAULT.name
                            )),
                        },
                    };
                    first.set(Some(picture));
                });
            }
        });
    }
    match &*first {
        Some(first) => html! {
            <Explorer on_kernel={props.on_kernel.clone()} lesson={props.lesson.clone()}
                on_setup={props.on_setup.clone()} first={first.clone()} />
        },
        None => html! {
            <div class="explorer">
                <p class="notice busy" role="status" aria-busy="true">
                    <span class="spinner" aria-hidden="true"></span>
                    { format!("Loading sample “{}”…", wanted.name) }
                </p>
            </div>
        },
    }
}
