//! ConvLab's second half: a CNN learning MNIST in a Web Worker, drawn live. This component
//! owns the page's training state (one reducer, [`TrainingState`]) and the worker; what
//! it shows is drawn by the components it renders.

use std::rc::Rc;

use ndarray::Array2;
use yew::prelude::*;

use super::confusion_matrix::ConfusionMatrix;
use super::digit_pad::DigitPad;
use super::digit_strip::DigitStrip;
use super::filter_grid::FilterGrid;
use super::layer_maps_view::LayerMapsView;
use super::probability_bars::ProbabilityBars;
use super::training_controls::TrainingControls;
use super::training_curves::{Metric, TrainingCurves};
use super::training_status::TrainingStatus;
use crate::app::training_worker::TrainingWorker;
use crate::common::format::{grouped, number};
use crate::training::protocol::{DigitChoice, Request};
use crate::training::state::{
    Chosen, Phase, TrainingAction, TrainingSettings, TrainingState, STEP_BATCHES,
};

impl Reducible for TrainingState {
    type Action = TrainingAction;

    fn reduce(self: Rc<Self>, action: TrainingAction) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[derive(Properties, PartialEq)]
pub struct TrainingPanelProps {
    /// The kernel in use in the explorer, to plant as a filter.
    pub kernel: Option<Array2<f32>>,
}

/// The folder the page was served from, where `mnist/` is.
fn base_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|href| web_sys::Url::new_with_base("./", &href).ok())
        .map(|url| url.href())
        .unwrap_or_else(|| "./".into())
}

/// The curves in words, for screen readers and for anyone reading numbers off a wall.
fn curve_summary(state: &TrainingState) -> String {
    let loss = state.history.train_loss_smoothed();
    let (Some(first), Some(last)) = (loss.first(), loss.last()) else {
        return String::new();
    };
    if loss.len() < 2 {
        return String::new();
    }
    let verb = if last.value < first.value {
        "fell"
    } else {
        "rose"
    };
    let mut text = format!(
        "Training loss (smoothed) {verb} from {} to {} over {} samples.",
        number(f64::from(first.value)),
        number(f64::from(last.value)),
        grouped(last.samples)
    );
    let test = state.history.test_accuracy();
    if let (Some(a), Some(b)) = (test.first(), test.last()) {
        text.push_str(&format!(
            " Test accuracy went from {:.1} % to {:.1} %.",
            f64::from(a.value) * 100.0,
            f64::from(b.value) * 100.0
        ));
    }
    text
}

#[function_component(TrainingPanel)]
pub fn training_panel(props: &TrainingPanelProps) -> Html {
    let state = use_reducer(TrainingState::default);
    let worker = use_mut_ref(|| None::<TrainingWorker>);
    // Bumped by Restart: the effect below then replaces the worker.
    let generation = use_state(|| 0u32);

    {
        let (worker, dispatch) = (worker.clone(), state.dispatcher());
        let config = state.settings.config();
        use_effect_with(*generation, move |generation| {
            if *generation > 0 {
                dispatch.dispatch(TrainingAction::Restarted);
            }
            let on_reply = {
                let dispatch = dispatch.clone();
                Callback::from(move |reply| dispatch.dispatch(TrainingAction::Reply(reply)))
            };
            let on_failure = {
                let dispatch = dispatch.clone();
                Callback::from(move |message| {
                    dispatch.dispatch(TrainingAction::WorkerLost(message))
                })
            };
            match TrainingWorker::spawn(on_reply, on_failure) {
                Ok(started) => {
                    started.send(&Request::Load {
                        base_url: base_url(),
                        config,
                    });
                    *worker.borrow_mut() = Some(started);
                }
                Err(message) => dispatch.dispatch(TrainingAction::WorkerLost(message)),
            }
            move || drop(worker.borrow_mut().take())
        });
    }

    let send = {
        let worker = worker.clone();
        Rc::new(move |request: Request| {
            if let Some(worker) = worker.borrow().as_ref() {
                worker.send(&request);
            }
        })
    };
    let request = |request: Request| {
        let send = send.clone();
        Callback::from(move |()| send(request.clone()))
    };
    let on_reset = {
        let (send, state) = (send.clone(), state.clone());
        Callback::from(move |()| {
            send(Request::Reset(state.settings.config()));
            state.dispatch(TrainingAction::Reset);
        })
    };
    let on_settings = {
        let (send, state) = (send.clone(), state.clone());
        Callback::from(move |next: TrainingSettings| {
            let current = &state.settings;
            if current.needs_new_network(&next) || current.seed != next.seed {
                send(Request::Reset(next.config()));
            } else {
                send(Request::Tune {
                    optimizer: next.optimizer(),
                    batch_size: next.batch_size,
                });
            }
            state.dispatch(TrainingAction::ChangeSettings(next));
        })
    };
    let on_refused = {
        let dispatch = state.dispatcher();
        Callback::from(move |message| dispatch.dispatch(TrainingAction::Notice(message)))
    };
    let on_choose = {
        let (send, dispatch) = (send.clone(), state.dispatcher());
        Callback::from(move |index: usize| {
            send(Request::ShowDigit(DigitChoice::Test(index)));
            dispatch.dispatch(TrainingAction::Choose(Chosen::Test(index)));
        })
    };
    let on_digit = {
        let (send, dispatch) = (send.clone(), state.dispatcher());
        Callback::from(move |pixels: Vec<f32>| {
            send(Request::ShowDigit(DigitChoice::Drawn(pixels)));
            dispatch.dispatch(TrainingAction::Choose(Chosen::Drawn));
        })
    };
    let on_clear = {
        let (on_choose, state) = (on_choose.clone(), state.clone());
        Callback::from(move |()| {
            let first = state.dataset.as_ref().and_then(|d| d.strip.first());
            if let Some(first) = first {
                on_choose.emit(first.index);
            }
        })
    };
    let on_plant = {
        let (send, kernel) = (send.clone(), props.kernel.clone());
        Callback::from(move |frozen: bool| {
            if let Some(kernel) = &kernel {
                send(Request::PlantKernel {
                    weights: kernel.iter().copied().collect(),
                    frozen,
                });
            }
        })
    };
    let on_restart = {
        let generation = generation.clone();
        Callback::from(move |_: MouseEvent| generation.set(*generation + 1))
    };
    let dismiss = {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(TrainingAction::DismissNotice))
    };

    let lost = match &state.phase {
        Phase::WorkerLost(message) => Some(message.clone()),
        _ => None,
    };
    let chosen_test = match state.chosen {
        Chosen::Test(index) => Some(index),
        Chosen::Drawn => None,
    };
    let snapshot = state.snapshot.clone();
    let share = state.progress.snapshot_share;
    let share_text = if state.ready() && share > 0.0 {
        format!(
            "Snapshots for these pictures take {:.1} % of the worker's time.",
            f64::from(share) * 100.0
        )
    } else {
        String::new()
    };
    html! {
        <section class="training" aria-labelledby="training-heading">
            <header class="section-head">
                <h2 id="training-heading">{ "Training" }</h2>
                <p class="tagline">{ "A small CNN learns to read handwritten digits (8,000 real \
                    MNIST digits; 2,000 more test it) in a Web Worker, so this page stays smooth." }</p>
            </header>
            <div class="training-top">
                <div class="panel training-side">
                    <TrainingControls settings={state.settings.clone()} ready={state.ready()}
                        running={state.running()}
                        on_train={request(Request::Start)}
                        on_pause={request(Request::Pause)}
                        on_step={request(Request::Step { batches: STEP_BATCHES })}
                        {on_reset} {on_settings} {on_refused} />
                    <TrainingStatus phase={state.phase.clone()} parts={state.status()}
                        epoch_fraction={state.progress.epoch_fraction} running={state.running()}
                        announcement={state.announcement()} />
                    <div class="training-notices" aria-live="assertive">
                        { for state.diverged.iter().map(|message| html! {
                            <p class="notice error" role="alert">{ message.clone() }</p>
                        }) }
                        { for lost.map(|message| html! {
                            <p class="notice error" role="alert">
                                { format!("{message} Training stopped; the page still works.") }
                                { " " }
                                <button class="button" onclick={on_restart}>{ "Restart" }</button>
                            </p>
                        }) }
                        { for state.notice.iter().map(|message| html! {
                            <p class="notice error" role="alert">
                                { message.clone() }{ " " }
                                <button class="link" aria-label="Dismiss" onclick={dismiss.clone()}>{ "×" }</button>
                            </p>
                        }) }
                    </div>
                    // Always the same element: Yew matches unkeyed siblings from the end,
                    // so a node that comes and goes here would remount the controls above
                    // (and wipe a learning rate being typed).
                    <p class="hint">{ share_text }</p>
                </div>
                <div class="panel curves">
                    <TrainingCurves history={state.history.clone()} metric={Metric::Loss} />
                    <TrainingCurves history={state.history.clone()} metric={Metric::Accuracy} />
                    <p class="curve-summary hint">{ curve_summary(&state) }</p>
                </div>
                <div class="panel filters-panel">
                    <h3>{ "What the first layer learns" }</h3>
                    { match &snapshot {
                        Some(s) => html! { <FilterGrid filters={s.filters.clone()}
                            kernel={props.kernel.clone()} {on_plant} ready={state.ready()} /> },
                        None => html! { <p class="hint">{ "The filters appear once the network is built." }</p> },
                    } }
                </div>
            </div>
            <div class="panel follow">
                <h3>{ "Follow one digit through the network" }</h3>
                <div class="follow-inputs">
                    <div>
                        <p class="hint">{ "Pick a test digit…" }</p>
                        { for state.dataset.clone().map(|dataset| html! {
                            <DigitStrip {dataset} chosen={chosen_test} on_choose={on_choose.clone()} />
                        }) }
                    </div>
                    <div>
                        <p class="hint">{ "…or draw your own." }</p>
                        <DigitPad {on_digit} {on_clear} />
                    </div>
                    <div class="prediction">
                        { match &snapshot {
                            Some(s) => html! { <ProbabilityBars
                                probabilities={s.digit.probabilities.clone()}
                                label={s.digit.test.map(|(_, label)| label)} /> },
                            None => html! {},
                        } }
                    </div>
                </div>
                <div class="feature-maps">
                    { for snapshot.iter().flat_map(|s| s.digit.layers.clone()).map(|maps| html! {
                        <LayerMapsView key={maps.index} maps={maps.clone()} />
                    }) }
                </div>
            </div>
            <div class="panel">
                <h3>{ "Which digits it confuses" }</h3>
                <ConfusionMatrix counts={state.evaluation.as_ref().map(|e| e.confusion.clone()).unwrap_or_default()} />
            </div>
        </section>
    }
}
