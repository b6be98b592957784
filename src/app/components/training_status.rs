//! Where training is, in words and bars: loading the digits, then `Test accuracy 97.3 %`,
//! `2,950 samples/s`, `Samples seen 123,456`, `Epoch 4` and the epoch's progress. A live
//! region tells screen readers the score at each evaluation.

use yew::prelude::*;

use crate::common::format::grouped;
use crate::nn::data::DatasetKind;
use crate::training::state::Phase;

#[derive(Properties, PartialEq)]
pub struct TrainingStatusProps {
    pub phase: Phase,
    /// The dataset being loaded or trained on.
    pub dataset: DatasetKind,
    /// From [`crate::training::state::TrainingState::status`].
    pub parts: Vec<String>,
    /// How far through the epoch, 0–1.
    pub epoch_fraction: f32,
    pub running: bool,
    /// What a screen reader hears: changes at each evaluation and each start or stop,
    /// not four times a second like the visible numbers.
    pub announcement: String,
}

fn bar(label: &str, fraction: Option<f64>) -> Html {
    let value = fraction.map(|f| format!("{:.3}", f.clamp(0.0, 1.0)));
    html! {
        <label class="bar">
            <span>{ label.to_string() }</span>
            <progress aria-label={label.to_string()} max="1" value={value}></progress>
        </label>
    }
}

#[function_component(TrainingStatus)]
pub fn training_status(props: &TrainingStatusProps) -> Html {
    let body = match &props.phase {
        Phase::Starting => html! {
            <p class="status" role="status">{ "Starting the training worker…" }</p>
        },
        Phase::Loading { loaded, total } => {
            let what = match props.dataset {
                DatasetKind::Digits => "10,000 MNIST digits".to_string(),
                other => format!("10,000 {} {}", other.name(), other.noun().1),
            };
            let text = match total {
                Some(total) => format!(
                    "Loading {what}: {} of {} kB",
                    grouped(loaded / 1000),
                    grouped(total / 1000)
                ),
                None => format!("Loading {what}: {} kB", grouped(loaded / 1000)),
            };
            let fraction = total.filter(|&t| t > 0).map(|t| *loaded as f64 / t as f64);
            html! {
                <>
                    <p class="status" role="status">{ text }</p>
                    { bar(&format!("Loading the {}", props.dataset.noun().1), fraction) }
                </>
            }
        }
        Phase::Ready => html! {
            <>
                <p class="status">
                    { for props.parts.iter().enumerate().map(|(i, part)| html! {
                        <>
                            { (i > 0).then(|| html! { <span class="sep" aria-hidden="true">{ " · " }</span> }) }
                            <span class="part">{ part.clone() }</span>
                        </>
                    }) }
                    { props.running.then(|| html! { <span class="running">{ " · training" }</span> }) }
                </p>
                { bar("Epoch progress", Some(f64::from(props.epoch_fraction))) }
                <p class="visually-hidden" role="status" aria-live="polite">
                    { props.announcement.clone() }
                </p>
            </>
        },
        Phase::LoadFailed(message) => html! {
            <p class="notice error" role="alert">
                { format!("Training is unavailable: {message}") }
            </p>
        },
        Phase::WorkerLost(_) => html! {},
    };
    html! { <div class="training-status">{ body }</div> }
}
