//! The browser front end (compiled for wasm32 only): Yew components that draw the
//! explorer's state, and the small web helpers they use.

mod camera;
mod canvas;
mod chart;
mod components;
mod download;
mod loading;
mod paint;
mod samples;
mod timing;
mod training_worker;

/// Starts the page: panic messages go to the console, then Yew renders the app.
pub fn start() {
    console_error_panic_hook::set_once();
    yew::Renderer::<components::app::App>::new().render();
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Helpers for the component tests, which run in headless Chromium.
#[cfg(test)]
mod test_dom {
    use wasm_bindgen::JsCast;

    /// A new `<tag>` appended to the page's body.
    pub fn attach(tag: &str) -> web_sys::Element {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("a document");
        let element = document.create_element(tag).expect("an element");
        document
            .body()
            .expect("a body")
            .append_child(&element)
            .expect("appended");
        element
    }

    /// The element under `root` matching `selector`, as `T` (the test fails without it).
    pub fn find<T: JsCast>(root: &web_sys::Element, selector: &str) -> T {
        root.query_selector(selector)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("no {selector}"))
            .dyn_into()
            .unwrap_or_else(|_| panic!("{selector} is not the element expected"))
    }
}
