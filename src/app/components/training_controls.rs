//! Train / Pause / Step / Reset and the hyperparameters. Typed values are checked here
//! and refused in words; the learning rate, optimizer and batch size change the run in
//! progress, the network's shape and the seed start a new one.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::labeled_select::{options, LabeledSelect};
use crate::common::format::{grouped, number};
use crate::common::geometry::Padding;
use crate::nn::data::DatasetKind;
use crate::training::state::{
    parse_learning_rate, parse_seed, ActivationKind, NetworkPooling, OptimizerKind,
    TrainingSettings, BATCH_SIZES, BLOCK_CHOICES, DROPOUT_CHOICES, FILTER_CHOICES, HIDDEN_CHOICES,
    NETWORK_KERNEL_SIZES, STEP_BATCHES, TRAIN_EXAMPLE_CHOICES, WEIGHT_DECAY_CHOICES,
};

#[derive(Properties, PartialEq)]
pub struct TrainingControlsProps {
    pub settings: TrainingSettings,
    /// The digits are loaded and the network is built.
    pub ready: bool,
    pub running: bool,
    pub on_train: Callback<()>,
    pub on_pause: Callback<()>,
    pub on_step: Callback<()>,
    pub on_reset: Callback<()>,
    /// Settings that passed the checks.
    pub on_settings: Callback<TrainingSettings>,
    /// Why something typed was refused.
    pub on_refused: Callback<String>,
}

/// A text box with a visible label that names it; it reports its text on Enter or when it
/// loses focus. It shows `value` whenever that changes: the DOM value is set by the effect
/// below, not by a `value` attribute, which Yew would re-apply at every render and so wipe
/// what someone is typing while training reports arrive four times a second.
#[derive(Properties, PartialEq)]
struct TypedFieldProps {
    label: AttrValue,
    id: AttrValue,
    value: AttrValue,
    inputmode: AttrValue,
    on_commit: Callback<String>,
}

#[function_component(TypedField)]
fn typed_field(props: &TypedFieldProps) -> Html {
    let input = use_node_ref();
    let commit = {
        let on_commit = props.on_commit.clone();
        let input = input.clone();
        move || {
            if let Some(element) = input.cast::<HtmlInputElement>() {
                on_commit.emit(element.value());
            }
        }
    };
    let onchange = {
        let commit = commit.clone();
        Callback::from(move |_: Event| commit())
    };
    {
        // A new value (a setting committed, or opened by Back and Forward) shows at once,
        // even in the focused box; other renders leave what is being typed alone.
        let input = input.clone();
        use_effect_with(props.value.clone(), move |value| {
            if let Some(element) = input.cast::<HtmlInputElement>() {
                if element.value() != value.as_str() {
                    element.set_value(value);
                }
            }
        });
    }
    // A refused or tidied value shows again once the box loses the focus.
    let onblur = {
        let (input, value) = (input.clone(), props.value.clone());
        Callback::from(move |_: FocusEvent| {
            if let Some(element) = input.cast::<HtmlInputElement>() {
                if element.value() != value.as_str() {
                    element.set_value(&value);
                }
            }
        })
    };
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <input ref={input} id={props.id.clone()} type="text"
                inputmode={props.inputmode.clone()} autocomplete="off" spellcheck="false"
                {onchange} {onblur} />
        </div>
    }
}

/// How the selects name their choices: `none` for 0, else units, a percentage, or
/// scientific notation.
fn hidden_name(units: usize) -> String {
    match units {
        0 => "none".into(),
        units => units.to_string(),
    }
}

fn dropout_name(rate: f32) -> String {
    if rate == 0.0 {
        "none".into()
    } else {
        format!("{} %", rate * 100.0)
    }
}

fn decay_name(decay: f32) -> String {
    if decay == 0.0 {
        "none".into()
    } else {
        format!("{decay:e}")
    }
}

#[function_component(TrainingControls)]
pub fn training_controls(props: &TrainingControlsProps) -> Html {
    let settings = &props.settings;
    let change = |update: fn(&mut TrainingSettings, &str) -> Result<(), String>| {
        let settings = settings.clone();
        let on_settings = props.on_settings.clone();
        let on_refused = props.on_refused.clone();
        Callback::from(move |text: String| {
            let mut next = settings.clone();
            match update(&mut next, &text).and_then(|()| match next.network_problem() {
                Some(problem) => Err(problem),
                None => Ok(()),
            }) {
                Ok(()) if next != settings => on_settings.emit(next),
                Ok(()) => {}
                Err(message) => on_refused.emit(message),
            }
        })
    };
    let click = |callback: &Callback<()>| {
        let callback = callback.clone();
        Callback::from(move |_: MouseEvent| callback.emit(()))
    };
    // One button that reads Train or Pause, so keyboard focus stays on it.
    let (label, on_press) = if props.running {
        ("Pause", click(&props.on_pause))
    } else {
        ("Train", click(&props.on_train))
    };
    let train_or_pause = html! {
        <button class="button primary" disabled={!props.ready} onclick={on_press}>
            { label }
        </button>
    };
    html! {
        <div class="training-controls">
            <div class="buttons" role="group" aria-label="Training run">
                { train_or_pause }
                <button class="button" disabled={!props.ready || props.running}
                    title={format!("Train {STEP_BATCHES} batches, then score the test digits")}
                    onclick={click(&props.on_step)}>{ "Step" }</button>
                <button class="button" disabled={!props.ready}
                    title="New weights from the seed: the same seed gives the same run"
                    onclick={click(&props.on_reset)}>{ "Reset" }</button>
            </div>
            <div class="fields">
                <LabeledSelect label="Dataset"
                    options={options(DatasetKind::ALL, |d| d.name().to_string())}
                    selected={settings.dataset.name()}
                    on_change={change(|s, text| {
                        s.dataset = DatasetKind::ALL.into_iter().find(|d| d.name() == text)
                            .ok_or_else(|| format!("Unknown dataset “{text}”."))?;
                        Ok(())
                    })} />
                <TypedField label="Learning rate" id="learning-rate" inputmode="decimal"
                    value={number(f64::from(settings.learning_rate))}
                    on_commit={change(|s, text| {
                        s.learning_rate = parse_learning_rate(text)?;
                        Ok(())
                    })} />
                <LabeledSelect label="Optimizer"
                    options={options(OptimizerKind::ALL, |o| o.name().to_string())}
                    selected={settings.optimizer.name()}
                    on_change={change(|s, text| {
                        let kind = OptimizerKind::ALL.into_iter().find(|o| o.name() == text)
                            .ok_or_else(|| format!("Unknown optimizer “{text}”."))?;
                        if kind != s.optimizer {
                            s.optimizer = kind;
                            s.learning_rate = kind.usual_learning_rate();
                        }
                        Ok(())
                    })} />
                <LabeledSelect label="Batch size" options={options(BATCH_SIZES, |b| b.to_string())}
                    selected={settings.batch_size.to_string()}
                    on_change={change(|s, text| {
                        s.batch_size = text.parse().map_err(|_| format!("Unknown batch size “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Conv blocks" options={options(BLOCK_CHOICES, |b| b.to_string())}
                    selected={settings.blocks.to_string()}
                    on_change={change(|s, text| {
                        s.blocks = text.parse().map_err(|_| format!("Unknown block count “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Filters in conv 1"
                    options={options(FILTER_CHOICES[0], |f| f.to_string())}
                    selected={settings.filters[0].to_string()}
                    on_change={change(|s, text| {
                        s.filters[0] = text.parse().map_err(|_| format!("Unknown filter count “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Filters in conv 2"
                    options={options(FILTER_CHOICES[1], |f| f.to_string())}
                    selected={settings.filters[1].to_string()} disabled={settings.blocks < 2}
                    on_change={change(|s, text| {
                        s.filters[1] = text.parse().map_err(|_| format!("Unknown filter count “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Filters in conv 3"
                    options={options(FILTER_CHOICES[2], |f| f.to_string())}
                    selected={settings.filters[2].to_string()} disabled={settings.blocks < 3}
                    on_change={change(|s, text| {
                        s.filters[2] = text.parse().map_err(|_| format!("Unknown filter count “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Network kernel size"
                    options={options(NETWORK_KERNEL_SIZES, |k| format!("{k} × {k}"))}
                    selected={format!("{k} × {k}", k = settings.kernel_size)}
                    on_change={change(|s, text| {
                        s.kernel_size = NETWORK_KERNEL_SIZES.into_iter()
                            .find(|k| format!("{k} × {k}") == text)
                            .ok_or_else(|| format!("Unknown kernel size “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Network padding"
                    options={options(Padding::ALL, |p| p.name().to_string())}
                    selected={settings.padding.name()}
                    on_change={change(|s, text| {
                        s.padding = Padding::from_name(text)
                            .ok_or_else(|| format!("Unknown padding “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Network pooling"
                    options={options(NetworkPooling::ALL, |p| p.name().to_string())}
                    selected={settings.pooling.name()}
                    on_change={change(|s, text| {
                        s.pooling = NetworkPooling::ALL.into_iter().find(|p| p.name() == text)
                            .ok_or_else(|| format!("Unknown pooling “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Network activation"
                    options={options(ActivationKind::ALL, |a| a.name().to_string())}
                    selected={settings.activation.name()}
                    on_change={change(|s, text| {
                        s.activation = ActivationKind::ALL.into_iter().find(|a| a.name() == text)
                            .ok_or_else(|| format!("Unknown activation “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Dense hidden units"
                    options={options(HIDDEN_CHOICES, hidden_name)}
                    selected={hidden_name(settings.hidden)}
                    on_change={change(|s, text| {
                        s.hidden = HIDDEN_CHOICES.into_iter().find(|&h| hidden_name(h) == text)
                            .ok_or_else(|| format!("Unknown hidden units “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Dropout"
                    options={options(DROPOUT_CHOICES, dropout_name)}
                    selected={dropout_name(settings.dropout)}
                    on_change={change(|s, text| {
                        s.dropout = DROPOUT_CHOICES.into_iter().find(|&d| dropout_name(d) == text)
                            .ok_or_else(|| format!("Unknown dropout “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Weight decay"
                    options={options(WEIGHT_DECAY_CHOICES, decay_name)}
                    selected={decay_name(settings.weight_decay)}
                    on_change={change(|s, text| {
                        s.weight_decay = WEIGHT_DECAY_CHOICES.into_iter().find(|&w| decay_name(w) == text)
                            .ok_or_else(|| format!("Unknown weight decay “{text}”."))?;
                        Ok(())
                    })} />
                <LabeledSelect label="Training examples"
                    options={options(TRAIN_EXAMPLE_CHOICES, |n| grouped(n as u64))}
                    selected={grouped(settings.train_examples as u64)}
                    on_change={change(|s, text| {
                        s.train_examples = text.replace(',', "").parse()
                            .map_err(|_| format!("Unknown number of examples “{text}”."))?;
                        Ok(())
                    })} />
                <TypedField label="Seed" id="seed" inputmode="numeric"
                    value={settings.seed.to_string()}
                    on_commit={change(|s, text| {
                        s.seed = parse_seed(text)?;
                        Ok(())
                    })} />
            </div>
            <p class="hint">
                { "The learning rate, optimizer and batch size change the run in progress. \
                   Changing the dataset, the network, the training examples or the seed starts a \
                   new network; Reset with the same seed repeats a run exactly. Each conv block is \
                   a convolution (stride 1), the activation and 2×2 pooling (stride 2, VALID); \
                   then flatten, the dense hidden layer if any, and dense 10 → softmax, trained \
                   with cross-entropy. \"The network\" below shows every layer." }
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    async fn a_typed_learning_rate_is_checked_and_only_a_good_one_is_sent() {
        let root = crate::app::test_dom::attach("div");
        let accepted = Rc::new(RefCell::new(Vec::new()));
        let refused = Rc::new(RefCell::new(Vec::new()));
        let props = TrainingControlsProps {
            settings: TrainingSettings::default(),
            ready: true,
            running: false,
            on_train: Callback::noop(),
            on_pause: Callback::noop(),
            on_step: Callback::noop(),
            on_reset: Callback::noop(),
            on_settings: {
                let accepted = Rc::clone(&accepted);
                Callback::from(move |s: TrainingSettings| accepted.borrow_mut().push(s))
            },
            on_refused: {
                let refused = Rc::clone(&refused);
                Callback::from(move |m: String| refused.borrow_mut().push(m))
            },
        };
        yew::Renderer::<TrainingControls>::with_root_and_props(root.clone(), props).render();
        // The box gets its value from an effect after the first render: wait for it.
        let mut rate: Option<HtmlInputElement> = None;
        for _ in 0..100 {
            yew::platform::time::sleep(Duration::from_millis(10)).await;
            let found: HtmlInputElement = crate::app::test_dom::find(&root, "#learning-rate");
            if found.value() == "0.15" {
                rate = Some(found);
                break;
            }
        }
        let rate = rate.expect("the learning rate box shows 0.15 within a second");
        let commit = |text: &str| {
            rate.set_value(text);
            rate.dispatch_event(&Event::new("change").expect("event"))
                .expect("dispatched");
        };
        commit("abc");
        commit("1e400");
        assert!(accepted.borrow().is_empty());
        assert_eq!(refused.borrow().len(), 2);
        assert!(refused.borrow()[0].contains("is not a number"));
        commit("0.01");
        assert_eq!(accepted.borrow().len(), 1);
        assert_eq!(accepted.borrow()[0].learning_rate, 0.01);
        // The buttons carry the names screen readers and tests rely on.
        let names: Vec<String> = (0..3)
            .filter_map(|i| root.query_selector_all("button").ok()?.get(i))
            .filter_map(|b| b.text_content())
            .collect();
        assert_eq!(names, ["Train", "Step", "Reset"]);
    }
}
