//! The live camera: "Use camera" / "Stop camera", "Freeze frame" / "Resume camera", which
//! camera (where there are two), and how many frames a second go through the whole layer.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use super::labeled_select::{options, LabeledSelect};
use crate::app::camera::{count_cameras, Camera, Facing};
use crate::app::canvas::ByPointer;
use crate::app::loading::Dispatcher;
use crate::explorer::source::SourceImage;
use crate::explorer::state::ExplorerAction;
use crate::web::now;

#[derive(Properties, PartialEq)]
pub struct CameraControlsProps {
    pub dispatch: Dispatcher,
    /// The explorer's working size: frames are taken at it.
    pub working_size: usize,
    /// The picture the explorer shows: when it is not the camera's last frame (a file or a
    /// sample was chosen), the camera stops, or does not start if it was still starting, so
    /// its next frame does not replace the choice.
    pub source: ByPointer<SourceImage>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Off,
    Starting,
    Live,
    Frozen,
}

#[function_component(CameraControls)]
pub fn camera_controls(props: &CameraControlsProps) -> Html {
    let status = use_state(|| Status::Off);
    let camera = use_mut_ref(|| None::<Camera>);
    let facing = use_state(Facing::default);
    let cameras = use_state(|| 0usize);
    let fps = use_state(|| None::<f64>);
    let frames = use_memo((), |_| Rc::new(Cell::new(0u32)));
    let frozen = use_memo((), |_| Rc::new(Cell::new(false)));
    let working_size = use_memo((), |_| Rc::new(Cell::new(0usize)));
    working_size.set(props.working_size);
    // The last frame sent, held so that its address cannot be reused by another picture.
    let last_frame = use_mut_ref(|| None::<Rc<SourceImage>>);
    // Counts the starts asked for; a start that is no longer the latest when the camera
    // answers (a picture was chosen meanwhile) stops the camera at once.
    let starts = use_memo((), |_| Rc::new(Cell::new(0u32)));
    {
        let (status, camera, fps, last_frame) = (
            status.clone(),
            camera.clone(),
            fps.clone(),
            last_frame.clone(),
        );
        let starts = Rc::clone(&starts);
        use_effect_with(props.source.clone(), move |source| {
            let ours = last_frame
                .borrow()
                .as_ref()
                .is_some_and(|frame| Rc::ptr_eq(frame, &source.0));
            let starting = *status == Status::Starting;
            if (camera.borrow().is_some() || starting) && !ours {
                starts.set(starts.get() + 1);
                drop(camera.borrow_mut().take());
                status.set(Status::Off);
                fps.set(None);
            }
        });
    }

    {
        let cameras = cameras.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move { cameras.set(count_cameras().await) });
        });
    }
    // The frame rate, once a second while frames flow.
    {
        let (fps, frames) = (fps.clone(), Rc::clone(&frames));
        use_effect_with(*status, move |status| {
            let interval = (*status == Status::Live).then(|| {
                frames.set(0);
                let started = Rc::new(Cell::new(now()));
                Interval::new(1000, move || {
                    let elapsed = (now() - started.replace(now())) / 1000.0;
                    if elapsed > 0.0 {
                        fps.set(Some(f64::from(frames.replace(0)) / elapsed));
                    }
                })
            });
            move || drop(interval)
        });
    }
    // The camera stops when the explorer goes away.
    {
        let camera = camera.clone();
        use_effect_with((), move |_| move || drop(camera.borrow_mut().take()));
    }

    let start = {
        let (status, camera, facing, fps) =
            (status.clone(), camera.clone(), facing.clone(), fps.clone());
        let (frames, frozen, working_size) = (
            Rc::clone(&frames),
            Rc::clone(&frozen),
            Rc::clone(&working_size),
        );
        let dispatch = props.dispatch.clone();
        let starts = Rc::clone(&starts);
        Callback::from(move |_: MouseEvent| {
            drop(camera.borrow_mut().take());
            let this_start = starts.get() + 1;
            starts.set(this_start);
            let starts = Rc::clone(&starts);
            status.set(Status::Starting);
            fps.set(None);
            frozen.set(false);
            let (status, camera, dispatch) = (status.clone(), camera.clone(), dispatch.clone());
            let last_frame = last_frame.clone();
            let (frames, frozen, working_size) = (
                Rc::clone(&frames),
                Rc::clone(&frozen),
                Rc::clone(&working_size),
            );
            let facing = *facing;
            dispatch.dispatch(ExplorerAction::CameraStarted);
            wasm_bindgen_futures::spawn_local(async move {
                let on_frame = {
                    let dispatch = dispatch.clone();
                    Rc::new(move |pixels| {
                        frames.set(frames.get() + 1);
                        let frame = Rc::new(SourceImage {
                            name: "camera".into(),
                            pixels,
                        });
                        *last_frame.borrow_mut() = Some(Rc::clone(&frame));
                        dispatch.dispatch(ExplorerAction::CameraFrame(frame));
                    })
                };
                let on_stopped = {
                    let (status, dispatch) = (status.clone(), dispatch.clone());
                    Rc::new(move |reason: String| {
                        status.set(Status::Off);
                        dispatch.dispatch(ExplorerAction::CameraFailed(reason));
                    })
                };
                let size = Rc::new(move || working_size.get());
                let is_frozen = Rc::new(move || frozen.get());
                let started = Camera::start(facing, size, is_frozen, on_frame, on_stopped).await;
                if starts.get() != this_start {
                    // A picture was chosen while the camera started: it stops unused.
                    return;
                }
                match started {
                    Ok(started) => {
                        *camera.borrow_mut() = Some(started);
                        status.set(Status::Live);
                    }
                    Err(reason) => {
                        status.set(Status::Off);
                        dispatch.dispatch(ExplorerAction::CameraFailed(format!(
                            "{reason} The previous image stays."
                        )));
                    }
                }
            });
        })
    };
    let stop = {
        let (status, camera, fps) = (status.clone(), camera.clone(), fps.clone());
        Callback::from(move |_: MouseEvent| {
            drop(camera.borrow_mut().take());
            status.set(Status::Off);
            fps.set(None);
        })
    };
    let freeze = {
        let (status, frozen) = (status.clone(), Rc::clone(&frozen));
        Callback::from(move |_: MouseEvent| {
            let freeze = *status == Status::Live;
            frozen.set(freeze);
            status.set(if freeze { Status::Frozen } else { Status::Live });
        })
    };
    let on_facing = {
        let facing = facing.clone();
        Callback::from(move |name: String| {
            if let Some(choice) = Facing::ALL.into_iter().find(|f| f.name() == name) {
                facing.set(choice);
            }
        })
    };
    let facings = options(Facing::ALL, |f| f.name().into());
    let running = matches!(*status, Status::Live | Status::Frozen);
    html! {
        <div class="camera-controls" role="group" aria-label="Live camera">
            if *cameras > 1 {
                <LabeledSelect label="Camera" options={facings} selected={facing.name()}
                    on_change={on_facing} />
            }
            <div class="file-row">
                if running {
                    <button type="button" class="button" onclick={stop}>{ "Stop camera" }</button>
                    <button type="button" class="button" onclick={freeze}>
                        { if *status == Status::Frozen { "Resume camera" } else { "Freeze frame" } }
                    </button>
                } else {
                    <button type="button" class="button" disabled={*status == Status::Starting}
                        onclick={start}>{ "Use camera" }</button>
                }
            </div>
            <p class="hint camera-status" aria-live="polite">
                { match (*status, *fps) {
                    (Status::Starting, _) => "Asking for the camera…".to_string(),
                    (Status::Live, Some(fps)) => format!(
                        "Live: {fps:.1} frames per second through the whole layer. Frames never \
                         leave this page."
                    ),
                    (Status::Live, None) => "Live. Frames never leave this page.".to_string(),
                    (Status::Frozen, _) => "Frozen: probe and download this frame.".to_string(),
                    (Status::Off, _) => "Or use the camera: every frame goes through the layer \
                        live.".to_string(),
                } }
            </p>
        </div>
    }
}
