//! The browser front end (compiled for wasm32 only): Yew components that draw the
//! explorer's state, and the small web helpers they use.

mod browser_image;
mod camera;
mod canvas;
mod chart;
mod components;
mod download;
mod lesson_link;
mod loading;
mod measured_canvas;
mod paint;
mod timing;
mod training_worker;

/// Starts the page: panic messages go to the console, then Yew renders the app.
pub fn start() {
    console_error_panic_hook::set_once();
    #[cfg(not(debug_assertions))]
    register_service_worker();
    yew::Renderer::<components::app::App>::new().render();
}

/// Registers the service worker that a release build carries (`sw.js` beside the page,
/// written by scripts/trunk-post-build.sh), so that after one visit the app works offline.
/// Where the browser offers none (an `http://` address other than localhost), or refuses,
/// the app simply needs the network, as before.
#[cfg(not(debug_assertions))]
fn register_service_worker() {
    use wasm_bindgen::JsCast;
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    let Ok(container) = js_sys::Reflect::get(&navigator, &"serviceWorker".into()) else {
        return;
    };
    let Ok(container) = container.dyn_into::<web_sys::ServiceWorkerContainer>() else {
        return;
    };
    let registration = container.register("sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        // A refusal only means no offline copy; the page works the same. Each visit asks
        // for a new deployment at once (browsers otherwise wait), which installs beside
        // this version and takes over on the next visit.
        if let Ok(registration) = wasm_bindgen_futures::JsFuture::from(registration).await {
            if let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>()
            {
                if let Ok(update) = registration.update() {
                    let _ = wasm_bindgen_futures::JsFuture::from(update).await;
                }
            }
        }
    });
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
