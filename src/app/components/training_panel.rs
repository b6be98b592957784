//! ConvLab's second half: a CNN learning MNIST in a Web Worker, drawn live. This component
//! owns the page's training state (one reducer, [`TrainingState`]) and the worker; what
//! it shows is drawn by the components it renders.

use std::rc::Rc;

use yew::prelude::*;

use super::confusion_cell::ConfusionCell;
use super::confusion_matrix::ConfusionMatrix;
use super::digit_pad::DigitPad;
use super::digit_strip::DigitStrip;
use super::filter_grid::FilterGrid;
use super::layer_maps_view::LayerMapsView;
use super::model_file::ModelFile;
use super::network_table::NetworkTable;
use super::probability_bars::ProbabilityBars;
use super::saliency_view::SaliencyView;
use super::training_controls::TrainingControls;
use super::training_curves::{Metric, TrainingCurves};
use super::training_status::TrainingStatus;
use crate::app::lesson_link::Opened;
use crate::app::training_worker::use_training_worker;
use crate::common::format::{grouped, number};
use crate::nn::data::DatasetKind;
use crate::training::state::{Chosen, Phase, TrainingAction, TrainingSettings, TrainingState};

/// One sentence when the curves show overfitting: what it is, and what to try.
fn overfitting_sentence(state: &TrainingState) -> String {
    let Some(seen) = state.history.overfitting() else {
        return String::new();
    };
    format!(
        "Overfitting: {:.1} % right on the training {} but {:.1} % on the test ones, and the \
         test loss has climbed from its best, {}, to {}. The network is memorising its training \
         {} rather than learning what tells the classes apart. Try dropout, weight decay, more \
         training examples or a smaller network, or stop at the best test score.",
        f64::from(seen.train_accuracy) * 100.0,
        state.settings.dataset.noun().1,
        f64::from(seen.test_accuracy) * 100.0,
        number(f64::from(seen.best_test_loss)),
        number(f64::from(seen.test_loss)),
        state.settings.dataset.noun().1,
    )
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

#[derive(Properties, PartialEq)]
pub struct TrainingPanelProps {
    /// The settings the page's address opened (on load, and at each Back or Forward).
    pub lesson: Opened<TrainingSettings>,
    /// Told the settings whenever they change, for the address.
    pub on_settings: Callback<TrainingSettings>,
}

#[function_component(TrainingPanel)]
pub fn training_panel(props: &TrainingPanelProps) -> Html {
    let (state, dispatch) = use_training_worker(&props.lesson.value);
    {
        // Each later opening of the address (Back, Forward) is applied once.
        let (dispatch, opened) = (dispatch.clone(), use_mut_ref(|| props.lesson.id));
        let current = state.settings.clone();
        use_effect_with(props.lesson.clone(), move |lesson| {
            if *opened.borrow() != lesson.id {
                *opened.borrow_mut() = lesson.id;
                if *lesson.value != current {
                    dispatch.emit(TrainingAction::ChangeSettings((*lesson.value).clone()));
                }
            }
        });
    }
    {
        let on_settings = props.on_settings.clone();
        use_effect_with(state.settings.clone(), move |settings| {
            on_settings.emit(settings.clone())
        });
    }
    let action = |action: TrainingAction| dispatch.reform(move |()| action.clone());
    let on_settings = dispatch.reform(TrainingAction::ChangeSettings);
    let on_refused = dispatch.reform(TrainingAction::Notice);
    let on_choose = dispatch.reform(TrainingAction::ChooseTest);
    let on_digit = dispatch.reform(TrainingAction::ShowDrawn);
    let on_clear = action(TrainingAction::ClearDrawing);
    let on_explain = dispatch.reform(TrainingAction::Explain);
    let on_plant =
        dispatch.reform(|(weights, frozen)| TrainingAction::PlantKernel { weights, frozen });
    let on_download = action(TrainingAction::DownloadModel);
    let on_open =
        dispatch.reform(|(file_name, bytes)| TrainingAction::OpenModel { file_name, bytes });
    let on_restart = dispatch.reform(|_: MouseEvent| TrainingAction::Restart);
    let dismiss = dispatch.reform(|_: MouseEvent| TrainingAction::DismissNotice);

    let lost = match &state.phase {
        Phase::WorkerLost(message) => Some(message.clone()),
        _ => None,
    };
    let chosen_test = match state.chosen {
        Chosen::Test(index) => Some(index),
        Chosen::Drawn => None,
    };
    let snapshot = state.snapshot.clone();
    let kind = state.settings.dataset;
    let (singular, plural) = kind.noun();
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
                <p class="tagline">{ match kind {
                    DatasetKind::Digits => "A small CNN learns to read handwritten digits (8,000 \
                        real MNIST digits; 2,000 more test it) in a Web Worker, so this page stays \
                        smooth.".to_string(),
                    other => format!("A small CNN learns to tell ten kinds of clothing apart \
                        (8,000 {} images; 2,000 more test it) in a Web Worker, so this page stays \
                        smooth.", other.name()),
                } }</p>
            </header>
            <div class="training-top">
                <div class="panel training-side">
                    <TrainingControls settings={state.settings.clone()} ready={state.ready()}
                        running={state.running()}
                        on_train={action(TrainingAction::Train)}
                        on_pause={action(TrainingAction::Pause)}
                        on_step={action(TrainingAction::Step)}
                        on_reset={action(TrainingAction::Reset)}
                        {on_settings} {on_refused} />
                    <TrainingStatus phase={state.phase.clone()} dataset={kind} parts={state.status()}
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
                    <p class="overfitting" aria-live="polite">{ overfitting_sentence(&state) }</p>
                </div>
                <div class="panel filters-panel">
                    <h3>{ "What the first layer learns" }</h3>
                    { match &snapshot {
                        Some(s) => html! { <FilterGrid snapshot={Rc::clone(s)} {on_plant}
                            ready={state.ready()} /> },
                        None => html! { <p class="hint">{ "The filters appear once the network is built." }</p> },
                    } }
                </div>
            </div>
            <div class="panel network">
                <h3>{ "The network" }</h3>
                <NetworkTable network={state.settings.network()} />
            </div>
            <ModelFile ready={state.ready()} origin={state.origin.clone()} {on_download} {on_open}
                on_refused={dispatch.reform(TrainingAction::Notice)} />
            <div class="panel follow">
                <h3>{ format!("Follow one {singular} through the network") }</h3>
                <div class="follow-inputs">
                    <div>
                        <p class="hint">{ format!("Pick a test {singular}…") }</p>
                        { for state.dataset.clone().map(|dataset| html! {
                            <DigitStrip {dataset} {kind} chosen={chosen_test} on_choose={on_choose.clone()} />
                        }) }
                    </div>
                    <div>
                        <p class="hint">{ "…or draw your own." }</p>
                        <DigitPad {on_digit} {on_clear} {kind} />
                    </div>
                    // The answer and why, one under the other.
                    <div class="prediction">
                        { match &snapshot {
                            Some(s) => html! { <>
                                <ProbabilityBars probabilities={s.digit.probabilities.clone()}
                                    label={s.digit.test.map(|(_, label)| label)} {kind} />
                                <SaliencyView snapshot={Rc::clone(s)} {kind}
                                    explain={state.explain} on_explain={on_explain.clone()} />
                            </> },
                            None => Html::default(),
                        } }
                    </div>
                </div>
                <div class="feature-maps">
                    { for snapshot.iter().flat_map(|s| s.digit.layers.iter().enumerate().map(
                        move |(layer, maps)| html! {
                            <LayerMapsView key={maps.index} snapshot={Rc::clone(s)} {layer} />
                        })) }
                </div>
            </div>
            <div class="panel">
                <h3>{ format!("Which {plural} it confuses") }</h3>
                <ConfusionMatrix {kind} counts={state.evaluation.as_ref().map(|e| e.confusion.clone()).unwrap_or_default()}
                    selected={state.cell} on_select={dispatch.reform(TrainingAction::ShowCell)} />
                { match &state.cell_images {
                    Some(images) => html! { <ConfusionCell images={Rc::clone(images)} {kind}
                        on_choose={on_choose.clone()}
                        on_close={dispatch.reform(|()| TrainingAction::ShowCell(None))} /> },
                    None => Html::default(),
                } }
            </div>
        </section>
    }
}
