//! Getting an image into the explorer: from a file (picker, drop, paste) or a sample
//! (fetched from beside the page). Its header is checked here; PNG is decoded in wasm, the
//! other formats by the browser (`browser_image`). Decoding a large photo takes a moment, so
//! the page shows a busy notice first and lets the browser paint it before the work starts.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::UseReducerDispatcher;

use super::components::explorer::ExplorerStore;
use super::{browser_image, timing};
use crate::explorer::samples::Sample;
use crate::explorer::source::{check, check_file_size, LoadError, SourceImage};
use crate::explorer::state::{ExplorerAction, ExplorerSetup};

pub type Dispatcher = UseReducerDispatcher<ExplorerStore>;

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
                decode_and_show(name, &bytes, &dispatch).await;
            }
            Err(_) => dispatch.dispatch(ExplorerAction::LoadFailed {
                name,
                reason: "The browser could not read the file.".into(),
            }),
        }
    });
}

/// Loads a sample.
pub fn load_sample(sample: &'static Sample, dispatch: Dispatcher) {
    timing::start_load();
    with_sample(sample, dispatch, move |source| {
        ExplorerAction::ImageLoaded {
            source,
            sample: Some(sample),
        }
    });
}

/// Opens a lesson (Back, Forward): when it names a sample other than the one `shown`, that
/// sample is loaded first; if it cannot be, nothing changes and the page says why.
pub fn open_lesson(setup: Rc<ExplorerSetup>, shown: Option<&'static Sample>, dispatch: Dispatcher) {
    let Some(sample) = setup.sample.filter(|&wanted| Some(wanted) != shown) else {
        dispatch.dispatch(ExplorerAction::OpenLesson {
            setup,
            picture: None,
        });
        return;
    };
    with_sample(sample, dispatch, move |picture| {
        ExplorerAction::OpenLesson {
            setup,
            picture: Some(picture),
        }
    });
}

/// Says the sample is loading, lets the browser paint that, gets its picture and dispatches
/// `action` with it, or says why it could not be had.
fn with_sample(
    sample: &'static Sample,
    dispatch: Dispatcher,
    action: impl FnOnce(Rc<SourceImage>) -> ExplorerAction + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
        dispatch.dispatch(ExplorerAction::Busy(format!(
            "Loading sample “{}”…",
            sample.name
        )));
        after_next_paint().await;
        match sample_picture(sample).await {
            Ok(source) => dispatch.dispatch(action(Rc::new(source))),
            Err(reason) => dispatch.dispatch(ExplorerAction::LoadFailed {
                name: sample.file.to_string(),
                reason,
            }),
        }
    });
}

/// A sample's picture, fetched and decoded. The error says why in a sentence.
pub async fn sample_picture(sample: &'static Sample) -> Result<SourceImage, String> {
    let bytes = fetch_bytes(&sample.path()).await?;
    decode_picture(sample.file.into(), &bytes)
        .await
        .map_err(|error| error.to_string())
}

/// Checks an image file's header, then decodes it: a PNG here, anything else in the browser.
pub async fn decode_picture(name: String, bytes: &[u8]) -> Result<SourceImage, LoadError> {
    let header = check(bytes)?;
    if header.format.decoded_by_browser() {
        let pixels = browser_image::decode(bytes, header).await?;
        Ok(SourceImage { name, pixels })
    } else {
        SourceImage::decode_png(name, bytes)
    }
}

/// The bytes of a file beside the page.
async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    let offline =
        || format!("The page could not fetch {path}: the network or the server does not answer.");
    let window = web_sys::window().ok_or_else(offline)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| offline())?
        .dyn_into()
        .map_err(|_| offline())?;
    if !response.ok() {
        return Err(format!(
            "The server answered {} {} for {path}.",
            response.status(),
            response.status_text()
        ));
    }
    let buffer = response.array_buffer().map_err(|_| offline())?;
    let buffer = JsFuture::from(buffer).await.map_err(|_| offline())?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Decodes the bytes of a file and shows them, or says why not.
async fn decode_and_show(name: String, bytes: &[u8], dispatch: &Dispatcher) {
    match decode_picture(name.clone(), bytes).await {
        Ok(source) => dispatch.dispatch(ExplorerAction::ImageLoaded {
            source: Rc::new(source),
            sample: None,
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
    use super::decode_picture;
    use crate::explorer::source::LoadError;
    use wasm_bindgen_test::wasm_bindgen_test;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("../../tests/fixtures/explorer/", $name)).as_slice()
        };
    }

    async fn load(bytes: &[u8]) -> Result<(u32, u32), LoadError> {
        let picture = decode_picture("fixture".into(), bytes).await?;
        Ok(picture.pixels.dimensions())
    }

    /// The bad files again, the way the page reads them: in 32-bit wasm, where decoders fail
    /// differently from native (a 100,000² PNG overflowed the PNG decoder's buffer size
    /// before our check ran), and through the browser's decoders.
    #[wasm_bindgen_test]
    async fn bad_files_are_refused_with_their_reason_in_the_browser() {
        assert_eq!(
            load(fixture!("bad_bomb.png")).await,
            Err(LoadError::TooManyPixels {
                width: 100_000,
                height: 100_000
            })
        );
        assert_eq!(load(fixture!("bad_empty.png")).await, Err(LoadError::Empty));
        assert_eq!(
            load(fixture!("bad_not_an_image.txt")).await,
            Err(LoadError::NotAnImage)
        );
        assert_eq!(
            load(fixture!("bad_animated.gif")).await,
            Err(LoadError::Animated { format: "GIF" })
        );
        assert_eq!(
            load(fixture!("bad_16bit.png")).await,
            Err(LoadError::HighBitDepth { format: "PNG" })
        );
        assert_eq!(load(fixture!("bad_cmyk.jpg")).await, Err(LoadError::Cmyk));
        // The JPEG's tables and scan header intact, its entropy-coded data garbage: only
        // the browser's decoder can tell.
        let photo = fixture!("photo.jpg");
        let scan = photo
            .windows(2)
            .position(|w| w == [0xFF, 0xDA])
            .expect("a start-of-scan marker");
        let garbled = [&photo[..scan + 20], &[0xFF, 0xC0, 0x00, 0x01][..]].concat();
        for bytes in [
            fixture!("bad_truncated.png"),
            fixture!("bad_corrupt.png"),
            fixture!("bad_no_scan.jpg"),
            fixture!("bad_empty_scan.jpg"),
            fixture!("bad_no_idat.png"),
            fixture!("bad_no_frames.gif"),
            fixture!("bad_no_bitstream.webp"),
            &garbled,
        ] {
            let result = load(bytes).await;
            assert!(
                matches!(result, Err(LoadError::Corrupt { .. })),
                "{} bytes: {result:?}",
                bytes.len()
            );
        }
        assert_eq!(load(fixture!("odd_rgb.png")).await, Ok((37, 23)));
    }

    /// A JPEG decoded by the browser has the pixels Pillow's libjpeg-turbo gives
    /// (tests/reference/make_jpeg_fixtures.py), exactly: no colour management, the same
    /// IDCT and chroma upsampling as TensorFlow's `decode_jpeg`.
    #[wasm_bindgen_test]
    async fn the_browser_decodes_a_jpeg_as_libjpeg_turbo_does() {
        let picture = decode_picture("photo.jpg".into(), fixture!("photo.jpg"))
            .await
            .expect("decodes");
        assert_eq!(picture.pixels.dimensions(), (61, 47));
        let reference = fixture!("photo_pillow.rgb");
        let mut worst = 0;
        for (pixel, expected) in picture.pixels.pixels().zip(reference.chunks_exact(3)) {
            assert_eq!(pixel[3], 255);
            for c in 0..3 {
                worst = worst.max(pixel[c].abs_diff(expected[c]));
            }
        }
        assert_eq!(worst, 0, "largest difference from libjpeg-turbo, in levels");
    }
}
