//! The training worker's web glue (wasm32 only): it receives [`Request`]s as postcard
//! bytes, fetches the digits, and runs the [`WorkerSession`] a chunk at a time, giving the event
//! loop a turn between chunks so a Pause is read within one chunk.
//!
//! Built into its own wasm module by `bins/worker.rs` and started by the page with
//! `new Worker(...)`; everything it knows about training is in [`crate::training`].

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    DedicatedWorkerGlobalScope, MessageChannel, MessageEvent, ReadableStreamDefaultReader, Response,
};

use crate::nn::data::{DatasetKind, Mnist};
use crate::nn::TrainConfig;
use crate::training::protocol::{decode, encode, Reply, Request, RunId};
use crate::training::worker_session::WorkerSession;
use crate::web::now;

/// The worker's state between events.
#[derive(Default)]
struct Worker {
    session: Option<WorkerSession>,
    loading: bool,
    /// A chunk loop is scheduled or running.
    looping: bool,
}

type Shared = Rc<RefCell<Worker>>;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(reply: &Reply) {
    let bytes = encode(reply);
    let array = Uint8Array::from(bytes.as_slice());
    let transfer = Array::of1(&array.buffer());
    // The page is gone if this fails; there is nobody left to tell.
    let _ = scope().post_message_with_transfer(&array, &transfer);
}

fn post_all(replies: Vec<Reply>) {
    replies.iter().for_each(post);
}

/// Starts listening for the page's requests.
pub fn start() {
    console_error_panic_hook::set_once();
    let worker: Shared = Rc::default();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let bytes = Uint8Array::new(&event.data()).to_vec();
        match decode::<Request>(&bytes) {
            Ok(request) => receive(&worker, request),
            Err(e) => post(&Reply::Refused {
                message: format!("The training worker could not read a request: {e}."),
            }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

fn receive(worker: &Shared, request: Request) {
    if let Request::Load {
        base_url,
        run,
        config,
        dataset,
    } = request
    {
        let mut state = worker.borrow_mut();
        if state.session.is_none() && !state.loading {
            state.loading = true;
            spawn_local(load(worker.clone(), base_url, run, config, dataset));
        }
        return;
    }
    let replies = match worker.borrow_mut().session.as_mut() {
        Some(session) => session.handle(request, &now),
        None => vec![Reply::Refused {
            message: "The digits are still loading.".into(),
        }],
    };
    post_all(replies);
    run(worker);
}

/// Fetches and checks the dataset, then builds the session.
async fn load(
    worker: Shared,
    base_url: String,
    run_id: RunId,
    config: TrainConfig,
    dataset: DatasetKind,
) {
    let result = async {
        let folder = format!("{base_url}{}/", dataset.folder());
        let labels = fetch(&format!("{folder}labels.idx1"), |_, _| {}).await?;
        let sprite = fetch(
            &format!("{folder}{}", dataset.sprite_file()),
            |loaded, total| post(&Reply::Loading { loaded, total }),
        )
        .await?;
        let data = Mnist::from_bytes(&sprite, &labels)
            .map_err(|e| format!("The {} are damaged: {e}.", dataset.name()))?;
        WorkerSession::new(run_id, config, data)
    }
    .await;
    let mut state = worker.borrow_mut();
    state.loading = false;
    match result {
        Ok((session, replies)) => {
            state.session = Some(session);
            drop(state);
            post_all(replies);
            run(&worker);
        }
        Err(message) => post(&Reply::LoadFailed { message }),
    }
}

/// The bytes at `url`, reporting (bytes so far, bytes in all) as they arrive.
async fn fetch(url: &str, progress: impl Fn(u64, Option<u64>)) -> Result<Vec<u8>, String> {
    let failed = |e: JsValue| format!("Could not download {url}: {}.", describe(&e));
    let response: Response = JsFuture::from(scope().fetch_with_str(url))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    if !response.ok() {
        return Err(format!(
            "Could not download {url}: the server answered {} {}.",
            response.status(),
            response.status_text()
        ));
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|n| n.parse().ok());
    let body = response
        .body()
        .ok_or_else(|| format!("Could not download {url}: the answer was empty."))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(failed)?;
        if Reflect::get(&chunk, &"done".into()).is_ok_and(|d| d.is_truthy()) {
            break;
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(failed)?;
        bytes.extend(Uint8Array::new(&value).to_vec());
        progress(bytes.len() as u64, total);
    }
    Ok(bytes)
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "a network error".into())
}

/// Runs chunks while the session has work, one event-loop turn apart.
fn run(worker: &Shared) {
    {
        let mut state = worker.borrow_mut();
        let busy = state.session.as_ref().is_some_and(WorkerSession::is_busy);
        if state.looping || !busy {
            return;
        }
        state.looping = true;
    }
    let worker = worker.clone();
    spawn_local(async move {
        let yielder = Yielder::new();
        loop {
            match &yielder {
                Some(yielder) => yielder.turn().await,
                None => gloo_timers::future::TimeoutFuture::new(0).await,
            }
            let (replies, busy) = {
                let mut state = worker.borrow_mut();
                let Some(session) = state.session.as_mut() else {
                    break;
                };
                let replies = if session.is_busy() {
                    session.work(&now)
                } else {
                    Vec::new()
                };
                (replies, session.is_busy())
            };
            let start = now();
            let mut snapshots_ms = 0.0;
            for reply in &replies {
                let before = now();
                post(reply);
                if matches!(reply, Reply::Snapshot(_)) {
                    snapshots_ms += now() - before;
                }
            }
            if let Some(session) = worker.borrow_mut().session.as_mut() {
                session.record_sending(now() - start, snapshots_ms);
            }
            if !busy {
                break;
            }
        }
        worker.borrow_mut().looping = false;
    });
}

/// Gives the worker's event loop a turn (so the page's messages are read) between chunks.
///
/// Through a `MessageChannel` rather than `setTimeout(0)`: browsers clamp nested timers to
/// at least 4 ms, which cost about 6 % of every 60 ms chunk; a message to itself comes back
/// after the messages already queued (a Pause among them), with no clamp. One channel
/// serves the whole loop, so it stays alive while a message is on its way.
struct Yielder {
    channel: MessageChannel,
    resolve: Rc<RefCell<Option<js_sys::Function>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Yielder {
    fn new() -> Option<Yielder> {
        let channel = MessageChannel::new().ok()?;
        let resolve: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
        let waiting = resolve.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
            if let Some(resolve) = waiting.borrow_mut().take() {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        channel
            .port1()
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Yielder {
            channel,
            resolve,
            _on_message: on_message,
        })
    }

    /// Resolves once the event loop has run the tasks queued before it.
    async fn turn(&self) {
        let promise = Promise::new(&mut |resolve, _| {
            *self.resolve.borrow_mut() = Some(resolve);
        });
        if self.channel.port2().post_message(&JsValue::NULL).is_err() {
            // A port that cannot post: go on at once rather than stall training.
            self.resolve.borrow_mut().take();
            return;
        }
        let _ = JsFuture::from(promise).await;
    }
}

impl Drop for Yielder {
    fn drop(&mut self) {
        self.channel.port1().set_onmessage(None);
        self.channel.port1().close();
        self.channel.port2().close();
    }
}
