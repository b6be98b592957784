//! Getting an image into the explorer: from a file (picker, drop, paste) or a bundled
//! sample. Decoding a large photo takes a moment, so the page shows a busy notice first and
//! lets the browser paint it before the work starts.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::UseReducerDispatcher;

use super::timing;
use crate::explorer::samples::Sample;
use crate::explorer::source::{check_file_size, SourceImage};
use crate::explorer::state::{ExplorerAction, ExplorerState};

pub type Dispatcher = UseReducerDispatcher<ExplorerState>;

/// Loads a file the user chose, dropped or pasted.
pub fn load_file(file: web_sys::File, dispatch: Dispatcher) {
    timing::start_load();
    let name = file.name();
    if let Err(error) = check_file_size(file.size() as u64) {
        dispatch.dispatch(ExplorerAction::LoadFailed {
            name,
            reason: error.to_string(),
        });
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        dispatch.dispatch(ExplorerAction::Busy(format!("Loading “{name}”…")));
        match read_bytes(&file).await {
            Ok(bytes) => {
                after_next_paint().await;
                decode_and_show(name, &bytes, None, &dispatch);
            }
            Err(_) => dispatch.dispatch(ExplorerAction::LoadFailed {
                name,
                reason: "The browser could not read the file.".into(),
            }),
        }
    });
}

/// Loads a bundled sample.
pub fn load_sample(sample: &'static Sample, dispatch: Dispatcher) {
    timing::start_load();
    wasm_bindgen_futures::spawn_local(async move {
        dispatch.dispatch(ExplorerAction::Busy(format!(
            "Loading sample “{}”…",
            sample.name
        )));
        after_next_paint().await;
        decode_and_show(
            sample.file.to_string(),
            sample.bytes,
            Some(sample),
            &dispatch,
        );
    });
}

/// Decodes `bytes` (of the bundled `sample`, or of a file) and shows them, or says why not.
fn decode_and_show(
    name: String,
    bytes: &[u8],
    sample: Option<&'static Sample>,
    dispatch: &Dispatcher,
) {
    match SourceImage::decode(name.clone(), bytes) {
        Ok(source) => dispatch.dispatch(ExplorerAction::ImageLoaded {
            source: Rc::new(source),
            sample,
        }),
        Err(error) => dispatch.dispatch(ExplorerAction::LoadFailed {
            name,
            reason: error.to_string(),
        }),
    }
}

async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(file.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Resolves after the browser has painted the current DOM: a timeout queued from an
/// animation frame runs after that frame's paint. Hidden tabs get no animation frames, so
/// a plain timeout resolves it too.
async fn after_next_paint() {
    let promise = Promise::new(&mut |resolve, _reject| {
        let fallback = resolve.clone();
        Timeout::new(100, move || {
            let _ = fallback.call0(&JsValue::NULL);
        })
        .forget();
        let queue_timeout = Closure::once_into_js(move || {
            Timeout::new(0, move || {
                let _ = resolve.call0(&JsValue::NULL);
            })
            .forget();
        });
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(queue_timeout.unchecked_ref());
        }
    });
    let _ = JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use crate::explorer::source::{decode_grayscale, LoadError};
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The bad files again, in 32-bit wasm, where decoders fail differently from native
    /// (a 100,000² PNG overflowed the PNG decoder's buffer size before our check ran).
    #[wasm_bindgen_test]
    fn bad_files_are_refused_with_their_reason_in_wasm() {
        macro_rules! fixture {
            ($name:literal) => {
                include_bytes!(concat!("../../tests/fixtures/explorer/", $name)).as_slice()
            };
        }
        assert_eq!(
            decode_grayscale(fixture!("bad_bomb.png")),
            Err(LoadError::TooManyPixels {
                width: 100_000,
                height: 100_000
            })
        );
        assert_eq!(
            decode_grayscale(fixture!("bad_empty.png")),
            Err(LoadError::Empty)
        );
        assert_eq!(
            decode_grayscale(fixture!("bad_not_an_image.txt")),
            Err(LoadError::NotAnImage)
        );
        assert!(matches!(
            decode_grayscale(fixture!("bad_truncated.png")),
            Err(LoadError::Corrupt { .. })
        ));
        assert!(matches!(
            decode_grayscale(fixture!("bad_corrupt.png")),
            Err(LoadError::Corrupt { .. })
        ));
        assert_eq!(
            decode_grayscale(fixture!("bad_animated.gif")),
            Err(LoadError::Animated { format: "GIF" })
        );
        assert_eq!(
            decode_grayscale(fixture!("bad_16bit.png")),
            Err(LoadError::HighBitDepth { format: "PNG" })
        );
        assert_eq!(
            decode_grayscale(fixture!("bad_cmyk.jpg")),
            Err(LoadError::Cmyk)
        );
        for bytes in [
            fixture!("bad_no_scan.jpg"),
            fixture!("bad_empty_scan.jpg"),
            fixture!("bad_no_idat.png"),
            fixture!("bad_no_frames.gif"),
            fixture!("bad_no_bitstream.webp"),
        ] {
            assert!(matches!(
                decode_grayscale(bytes),
                Err(LoadError::Corrupt { .. })
            ));
        }
        let sample = decode_grayscale(fixture!("odd_rgb.png")).expect("a good file decodes");
        assert_eq!(sample.dim(), (23, 37));
    }
}
