//! The kernel explorer's start: the sample the page's address names (else the first one) is
//! fetched and decoded first, so the explorer opens on it. If it cannot be had, the first
//! sample is tried, then a test card drawn by the app, and the page says why.

use std::rc::Rc;

use yew::prelude::*;

use super::explorer::{Explorer, FirstPicture};
use crate::app::lesson_link::Opened;
use crate::app::loading::sample_picture;
use crate::explorer::samples::{test_card, Sample, DEFAULT};
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
    let first = use_state(|| None);
    {
        let first = first.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                first.set(Some(first_picture(wanted).await));
            });
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

/// The wanted sample's picture; failing that, the first sample's; failing that, the test
/// card. The failure says what could not be loaded and why.
async fn first_picture(wanted: &'static Sample) -> FirstPicture {
    let reason = match sample_picture(wanted).await {
        Ok(source) => {
            return FirstPicture {
                sample: Some(wanted),
                source: Rc::new(source),
                failure: None,
            }
        }
        Err(reason) => reason,
    };
    if wanted != DEFAULT {
        if let Ok(source) = sample_picture(DEFAULT).await {
            return FirstPicture {
                sample: Some(DEFAULT),
                source: Rc::new(source),
                failure: Some(format!(
                    "The link's sample “{}” could not be loaded: {reason} The sample “{}” is \
                     shown instead.",
                    wanted.name, DEFAULT.name
                )),
            };
        }
    }
    FirstPicture {
        sample: None,
        source: Rc::new(test_card()),
        failure: Some(format!(
            "The sample “{}” could not be loaded: {reason} A test card drawn by ConvLab is \
             shown instead; open an image of your own with the button above.",
            wanted.name
        )),
    }
}
