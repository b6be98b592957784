//! The live camera as the explorer's input: a `getUserMedia` stream played in a video element
//! that is never attached to the page, each new frame drawn at the working size onto a
//! canvas that is never attached either, and its RGBA pixels handed on. Nothing leaves the
//! page: the frames exist only in this tab's memory.

use std::cell::Cell;
use std::rc::Rc;

use image::RgbaImage;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, DomException, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamConstraints, MediaStreamTrack,
};

use crate::common::resize::fitted_shape;

/// Which camera, where a device has two.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Facing {
    /// The one facing the user (a laptop's, a phone's selfie camera).
    #[default]
    Front,
    Back,
}

impl Facing {
    pub const ALL: [Facing; 2] = [Facing::Front, Facing::Back];

    pub fn name(self) -> &'static str {
        match self {
            Facing::Front => "Front",
            Facing::Back => "Back",
        }
    }

    fn facing_mode(self) -> &'static str {
        match self {
            Facing::Front => "user",
            Facing::Back => "environment",
        }
    }
}

/// A running camera. Dropping it stops the stream and the frame loop.
pub struct Camera {
    stream: MediaStream,
    running: Rc<Cell<bool>>,
    /// Told when a track ends by itself; kept alive while the camera runs.
    _on_ended: Closure<dyn FnMut()>,
}

impl Drop for Camera {
    fn drop(&mut self) {
        self.running.set(false);
        for track in self.stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.set_onended(None);
                track.stop();
            }
        }
    }
}

/// Why the camera could not start, in words; `error` is what `getUserMedia` rejected with.
fn refusal(error: &JsValue) -> String {
    let name = error
        .dyn_ref::<DomException>()
        .map(DomException::name)
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => {
            "The camera permission was refused. Allow the camera in the browser's site \
             settings to try again."
        }
        "NotFoundError" | "OverconstrainedError" => "No camera was found on this device.",
        "NotReadableError" | "AbortError" => {
            "The camera could not start: another program may be using it."
        }
        _ => "The camera could not start.",
    }
    .to_string()
}

/// How many cameras the browser reports (0 when it does not say).
pub async fn count_cameras() -> usize {
    let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return 0;
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return 0;
    };
    match JsFuture::from(promise).await {
        Ok(list) => js_sys::Array::from(&list)
            .iter()
            .filter_map(|d| d.dyn_into::<web_sys::MediaDeviceInfo>().ok())
            .filter(|d| d.kind() == web_sys::MediaDeviceKind::Videoinput)
            .count(),
        Err(_) => 0,
    }
}

impl Camera {
    /// Asks for the camera and starts handing on frames: each new video frame is drawn at
    /// `working_size()` (the longer side; smaller frames are not enlarged) and given to
    /// `on_frame` unless `frozen()`. `on_stopped` hears why, if the stream ends by itself
    /// (a camera unplugged).
    pub async fn start(
        facing: Facing,
        working_size: Rc<dyn Fn() -> usize>,
        frozen: Rc<dyn Fn() -> bool>,
        on_frame: Rc<dyn Fn(RgbaImage)>,
        on_stopped: Rc<dyn Fn(String)>,
    ) -> Result<Camera, String> {
        let window = web_sys::window().ok_or("There is no browser window.")?;
        let devices = window.navigator().media_devices().map_err(|_| {
            "This browser offers no camera to this page (a camera needs https or localhost)."
                .to_string()
        })?;
        let video = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&video, &key.into(), value);
        set("facingMode", &JsValue::from_str(facing.facing_mode())).map_err(|_| "constraints")?;
        let rate = Object::new();
        Reflect::set(&rate, &"ideal".into(), &JsValue::from(60)).map_err(|_| "constraints")?;
        set("frameRate", &rate).map_err(|_| "constraints")?;
        let constraints = Object::new();
        Reflect::set(&constraints, &"video".into(), &video).map_err(|_| "constraints")?;
        Reflect::set(&constraints, &"audio".into(), &JsValue::FALSE).map_err(|_| "constraints")?;
        let promise = devices
            .get_user_media_with_constraints(constraints.unchecked_ref::<MediaStreamConstraints>())
            .map_err(|e| refusal(&e))?;
        let stream: MediaStream = JsFuture::from(promise)
            .await
            .map_err(|e| refusal(&e))?
            .dyn_into()
            .map_err(|_| "The camera gave no video stream.")?;

        let document = window.document().ok_or("There is no document.")?;
        let player: HtmlVideoElement = document
            .create_element("video")
            .map_err(|_| "no video element")?
            .dyn_into()
            .map_err(|_| "no video element")?;
        player.set_muted(true);
        player.set_attribute("playsinline", "").ok();
        player.set_src_object(Some(&stream));
        if let Ok(playing) = player.play() {
            JsFuture::from(playing)
                .await
                .map_err(|_| "The camera's video would not play.")?;
        }
        let canvas: HtmlCanvasElement = document
            .create_element("canvas")
            .map_err(|_| "no canvas")?
            .dyn_into()
            .map_err(|_| "no canvas")?;
        let options = Object::new();
        Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE).ok();
        let context: CanvasRenderingContext2d = canvas
            .get_context_with_context_options("2d", &options)
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or("no 2d context")?;

        let running = Rc::new(Cell::new(true));
        let on_ended = {
            let running = Rc::clone(&running);
            Closure::<dyn FnMut()>::new(move || {
                if running.replace(false) {
                    on_stopped(
                        "The camera stopped (unplugged, or taken by another program). The \
                         last frame stays."
                            .into(),
                    );
                }
            })
        };
        for track in stream.get_video_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.set_onended(Some(on_ended.as_ref().unchecked_ref()));
            }
        }

        let frames = Rc::new(FrameLoop {
            request: Reflect::get(&player, &"requestVideoFrameCallback".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok()),
            player,
            canvas,
            context,
            running: Rc::clone(&running),
            working_size,
            frozen,
            on_frame,
        });
        frames.request_next();
        Ok(Camera {
            stream,
            running,
            _on_ended: on_ended,
        })
    }
}

/// The frame loop: one callback per new video frame (`requestVideoFrameCallback`), or per
/// animation frame where a browser lacks it. Each callback is a one-shot closure that frees
/// itself when called and holds the loop, so nothing keeps the loop alive once the camera
/// stops and the last callback has run.
struct FrameLoop {
    player: HtmlVideoElement,
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    request: Option<Function>,
    running: Rc<Cell<bool>>,
    working_size: Rc<dyn Fn() -> usize>,
    frozen: Rc<dyn Fn() -> bool>,
    on_frame: Rc<dyn Fn(RgbaImage)>,
}

impl FrameLoop {
    fn request_next(self: Rc<Self>) {
        let this = Rc::clone(&self);
        let callback = Closure::once_into_js(move || {
            if !this.running.get() {
                return;
            }
            if !(this.frozen)() {
                if let Some(frame) = grab(
                    &this.player,
                    &this.canvas,
                    &this.context,
                    (this.working_size)(),
                ) {
                    (this.on_frame)(frame);
                }
            }
            this.request_next();
        });
        match &self.request {
            Some(request) => {
                let _ = request.call1(&self.player, &callback);
            }
            None => {
                if let Some(window) = web_sys::window() {
                    let _ = window.request_animation_frame(callback.unchecked_ref());
                }
            }
        }
    }
}

/// The video's current frame at the working size, as RGBA pixels.
fn grab(
    player: &HtmlVideoElement,
    canvas: &HtmlCanvasElement,
    context: &CanvasRenderingContext2d,
    working_size: usize,
) -> Option<RgbaImage> {
    let (vh, vw) = (
        player.video_height() as usize,
        player.video_width() as usize,
    );
    if vh == 0 || vw == 0 {
        return None;
    }
    let (h, w) = fitted_shape((vh, vw), working_size);
    let (h32, w32) = (u32::try_from(h).ok()?, u32::try_from(w).ok()?);
    if canvas.width() != w32 || canvas.height() != h32 {
        canvas.set_width(w32);
        canvas.set_height(h32);
    }
    context
        .draw_image_with_html_video_element_and_dw_and_dh(player, 0.0, 0.0, w as f64, h as f64)
        .ok()?;
    let pixels = context.get_image_data(0.0, 0.0, w as f64, h as f64).ok()?;
    RgbaImage::from_raw(w32, h32, pixels.data().0)
}
