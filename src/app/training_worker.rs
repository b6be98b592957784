//! The page's end of the training worker: starts it, sends [`Request`]s, and turns what
//! comes back into [`Reply`]s, or into a failure when the worker dies (an uncaught error
//! in it, such as a panic, or a script that does not load) or stops answering while it
//! trains ([`Liveness`]).
//!
//! [`use_training_worker`] is the one path for live training's side effects: components
//! dispatch [`TrainingAction`]s, [`TrainingState::apply`] decides what they mean and which
//! [`Command`]s they call for, and the hook carries those out.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};
use yew::prelude::*;

use crate::app::download::save;
use crate::training::liveness::{Liveness, SILENT_MS};
use crate::training::protocol::{decode, encode, Reply, Request};
use crate::training::state::{Command, TrainingAction, TrainingSettings, TrainingState};
use crate::web::now;

/// The loader script Trunk copies next to the worker's wasm (see `www/worker_loader.js`).
const LOADER: &str = "./worker_loader.js";
/// How often to ask whether a training worker is still answering.
const CHECK_EVERY_MS: i32 = 2000;

/// A running training worker; dropping it stops the worker.
pub struct TrainingWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
    _check: Closure<dyn FnMut()>,
    interval: Option<i32>,
}

impl TrainingWorker {
    /// Starts a worker. `on_reply` gets its replies; `on_failure` gets, in words, why it
    /// stopped working (after which it answers nothing more).
    pub fn spawn(on_reply: Callback<Reply>, on_failure: Callback<String>) -> Result<Self, String> {
        let worker = Worker::new(LOADER)
            .map_err(|e| format!("The training worker could not start: {e:?}."))?;
        let liveness = Rc::new(Cell::new(Liveness::default()));
        // Said once: a worker that stopped is not reported again every check.
        let reported = Rc::new(Cell::new(false));
        let failure = on_failure.clone();
        let heard = liveness.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if !data.is_instance_of::<Uint8Array>() {
                failure.emit("The training worker sent a message of an unknown kind.".into());
                return;
            }
            match decode::<Reply>(&Uint8Array::new(&data).to_vec()) {
                Ok(reply) => {
                    let mut liveness = heard.get();
                    liveness.heard(&reply, now());
                    heard.set(liveness);
                    on_reply.emit(reply);
                }
                Err(e) => failure.emit(format!("The training worker sent an {e}.")),
            }
        });
        let stuck = (on_failure.clone(), reported.clone());
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            reported.set(true);
            let message = event.message();
            on_failure.emit(if message.is_empty() {
                "The training worker stopped.".to_string()
            } else {
                format!("The training worker stopped: {message}")
            });
        });
        let check = Closure::<dyn FnMut()>::new(move || {
            let (on_failure, reported) = &stuck;
            if !reported.get() && liveness.get().is_stuck(now()) {
                reported.set(true);
                on_failure.emit(format!(
                    "The training worker stopped answering: nothing for {} seconds while it \
                     was training.",
                    SILENT_MS / 1000.0
                ));
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let interval = web_sys::window().and_then(|w| {
            w.set_interval_with_callback_and_timeout_and_arguments_0(
                check.as_ref().unchecked_ref(),
                CHECK_EVERY_MS,
            )
            .ok()
        });
        Ok(TrainingWorker {
            worker,
            _on_message: on_message,
            _on_error: on_error,
            _check: check,
            interval,
        })
    }

    /// Sends a request (as bytes whose buffer moves to the worker, not copied).
    pub fn send(&self, request: &Request) {
        let array = Uint8Array::from(encode(request).as_slice());
        // A worker that cannot take messages any more reports it through `on_error`.
        let _ = self
            .worker
            .post_message_with_transfer(&array, &Array::of1(&array.buffer()));
    }
}

impl Drop for TrainingWorker {
    fn drop(&mut self) {
        if let (Some(window), Some(id)) = (web_sys::window(), self.interval) {
            window.clear_interval_with_handle(id);
        }
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// The folder the page was served from, where `mnist/` is.
fn base_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|href| web_sys::Url::new_with_base("./", &href).ok())
        .map(|url| url.href())
        .unwrap_or_else(|| "./".into())
}

/// Live training's state and its worker, behind one `dispatch`.
struct Driver {
    state: RefCell<Rc<TrainingState>>,
    worker: RefCell<Option<TrainingWorker>>,
    rerender: Callback<()>,
}

impl Driver {
    /// Applies `action`, stores the new state, carries out its commands, and redraws.
    fn dispatch(self: &Rc<Self>, action: TrainingAction) {
        let (next, commands) = self.state.borrow().apply(action);
        *self.state.borrow_mut() = Rc::new(next);
        for command in commands {
            match command {
                Command::Send(request) => {
                    if let Some(worker) = self.worker.borrow().as_ref() {
                        worker.send(&request);
                    }
                }
                Command::StartWorker => self.start_worker(),
                Command::Save { file_name, bytes } => {
                    if save(&bytes, &file_name, "application/octet-stream").is_err() {
                        self.dispatch(TrainingAction::Notice(format!(
                            "The browser did not save {file_name}."
                        )));
                    }
                }
            }
        }
        self.rerender.emit(());
    }

    /// A callback that dispatches `action(value)` while the driver lives.
    fn dispatcher<T: 'static>(
        driver: Weak<Driver>,
        action: fn(T) -> TrainingAction,
    ) -> Callback<T> {
        Callback::from(move |value| {
            if let Some(driver) = driver.upgrade() {
                driver.dispatch(action(value));
            }
        })
    }

    /// Replaces the worker (if any) with a new one, which is then told to load.
    fn start_worker(self: &Rc<Self>) {
        drop(self.worker.borrow_mut().take());
        let on_reply = Driver::dispatcher(Rc::downgrade(self), TrainingAction::Reply);
        let on_failure = Driver::dispatcher(Rc::downgrade(self), TrainingAction::WorkerLost);
        match TrainingWorker::spawn(on_reply, on_failure) {
            Ok(worker) => {
                *self.worker.borrow_mut() = Some(worker);
                self.dispatch(TrainingAction::WorkerStarted {
                    base_url: base_url(),
                });
            }
            Err(message) => self.dispatch(TrainingAction::WorkerLost(message)),
        }
    }
}

/// Live training's state, starting from `settings`, and the way to change it: starts the
/// worker when the component mounts, stops it when it unmounts, and carries out the
/// commands every action calls for.
#[hook]
pub fn use_training_worker(
    settings: &TrainingSettings,
) -> (Rc<TrainingState>, Callback<TrainingAction>) {
    let redraw = use_force_update();
    let settings = settings.clone();
    let driver = use_memo((), move |_| Driver {
        state: RefCell::new(Rc::new(TrainingState {
            settings,
            ..TrainingState::default()
        })),
        worker: RefCell::new(None),
        rerender: Callback::from(move |()| redraw.force_update()),
    });
    {
        let driver = Rc::clone(&driver);
        use_effect_with((), move |_| {
            driver.start_worker();
            move || drop(driver.worker.borrow_mut().take())
        });
    }
    let dispatch = {
        let driver = Rc::downgrade(&driver);
        use_memo((), move |_| {
            Callback::from(move |action| {
                if let Some(driver) = driver.upgrade() {
                    driver.dispatch(action);
                }
            })
        })
    };
    let state = Rc::clone(&driver.state.borrow());
    (state, (*dispatch).clone())
}
