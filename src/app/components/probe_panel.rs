//! "Under the pointer": the arithmetic of one output, spelled out — the input patch, the
//! kernel, their products and sum plus the bias, then the activation and the pooling cell.

use yew::prelude::*;

use crate::common::format::number;
use crate::explorer::layer::{ActivationChoice, PoolingChoice, LEAKY_SLOPE};
use crate::explorer::probe::Probe;

#[derive(Properties, PartialEq)]
pub struct ProbePanelProps {
    pub probe: Probe,
    pub activation: ActivationChoice,
    pub pooling: PoolingChoice,
}

/// The activation's line: its formula with today's numbers.
fn activation_line(activation: ActivationChoice, conv: &str, value: Option<f32>) -> String {
    let value = value.map_or_else(String::new, |v| number(f64::from(v)));
    match activation {
        ActivationChoice::Relu => format!("ReLU = max(0, {conv}) = {value}"),
        ActivationChoice::LeakyRelu => format!(
            "Leaky ReLU = {conv} if it is above 0, else {} × {conv} = {value}",
            number(f64::from(LEAKY_SLOPE))
        ),
        ActivationChoice::Tanh => format!("Tanh = tanh({conv}) = {value}"),
        ActivationChoice::Sigmoid => format!("Sigmoid = 1 / (1 + e^−({conv})) = {value}"),
        ActivationChoice::None => "No activation: pooling takes the convolution as it is.".into(),
    }
}

fn grid(title: &str, cells: Vec<Vec<String>>, class: &'static str) -> Html {
    let size = cells.len();
    html! {
        <figure class={classes!("mini-grid", class, (size > 3).then_some("large"))}
            style={format!("--size: {size}")}>
            <figcaption>{ title.to_string() }</figcaption>
            <div class="cells">
                { for cells.iter().flatten().map(|text| html! { <span>{ text.clone() }</span> }) }
            </div>
        </figure>
    }
}

#[function_component(ProbePanel)]
pub fn probe_panel(props: &ProbePanelProps) -> Html {
    let probe = &props.probe;
    let (row, col) = probe.conv;
    let patch = probe
        .patch
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| v.map_or("0 (pad)".into(), |x| number(f64::from(x))))
                .collect()
        })
        .collect();
    let weights = probe
        .weights
        .iter()
        .map(|r| r.iter().map(|&w| number(f64::from(w))).collect())
        .collect();
    let products = probe
        .patch
        .iter()
        .zip(&probe.weights)
        .map(|(xs, ws)| {
            xs.iter()
                .zip(ws)
                .map(|(x, &w)| number(f64::from(x.unwrap_or(0.0)) * f64::from(w)))
                .collect()
        })
        .collect();
    let conv = number(f64::from(probe.conv_value));
    let convolution = if probe.bias == 0.0 {
        format!("Convolution = sum of the products = {conv}")
    } else {
        format!(
            "Convolution = sum of the products + bias = {} + {} = {conv}",
            number(probe.sum_of_products()),
            number(f64::from(probe.bias))
        )
    };
    let spoken = format!(
        "Output row {}, column {}: convolution {conv}{}{}.",
        row + 1,
        col + 1,
        probe
            .activation_value
            .map(|v| format!(", {} {}", props.activation.name(), number(f64::from(v))))
            .unwrap_or_default(),
        probe
            .pool
            .map(|cell| format!(", pooled {}", number(f64::from(cell.value))))
            .unwrap_or_default(),
    );
    let pooled = match props.activation {
        ActivationChoice::None => "convolution".to_string(),
        other => other.name().to_string(),
    };
    html! {
        <section class="panel probe" aria-labelledby="probe-heading">
            <h2 id="probe-heading">
                { format!("Under the pointer: output row {}, column {}", row + 1, col + 1) }
            </h2>
            <p id="probe-hint" class="hint">{ "Point at any picture (or touch it), or focus one and use the arrow \
                keys, to see the numbers behind that pixel." }</p>
            <p class="visually-hidden" aria-live="polite">{ spoken }</p>
            <div class="probe-row">
                { grid("Input patch", patch, "patch") }
                <span class="op" aria-hidden="true">{ "×" }</span>
                { grid("Kernel", weights, "weights") }
                <span class="op" aria-hidden="true">{ "=" }</span>
                { grid("Products", products, "products") }
            </div>
            <p class="probe-result">{ convolution }</p>
            <p class="probe-result">
                { activation_line(props.activation, &conv, probe.activation_value) }
            </p>
            <p class="probe-result">
                { match (probe.pool, props.pooling) {
                    (Some(cell), PoolingChoice::Max) => format!(
                        "Max pooling, cell row {}, column {} = the largest {pooled} value of its 2×2 window = {}",
                        cell.at.0 + 1, cell.at.1 + 1, number(f64::from(cell.value))
                    ),
                    (Some(cell), PoolingChoice::Average) => format!(
                        "Average pooling, cell row {}, column {} = the mean of the {} {pooled} value{} of its 2×2 window inside the map = {}",
                        cell.at.0 + 1, cell.at.1 + 1, cell.count,
                        if cell.count == 1 { "" } else { "s" },
                        number(f64::from(cell.value))
                    ),
                    (None, _) => "Pooling: VALID padding drops this last odd row or column.".into(),
                } }
            </p>
        </section>
    }
}
