//! The page's end of the training worker: starts it, sends [`Request`]s, and turns what
//! comes back into [`Reply`]s, or into a failure when the worker dies (an uncaught error
//! in it, such as a panic, or a script that does not load) or stops answering while it
//! trains ([`Liveness`]).

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};
use yew::Callback;

use crate::training::liveness::{Liveness, SILENT_MS};
use crate::training::protocol::{decode, encode, Reply, Request};

/// The loader script Trunk copies next to the worker's wasm (see `www/worker_loader.js`).
const LOADER: &str = "./worker_loader.js";
/// How often to ask whether a training worker is still answering.
const CHECK_EVERY_MS: i32 = 2000;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

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
