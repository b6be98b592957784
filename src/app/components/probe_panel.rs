//! "Under the pointer": the arithmetic of one output of one filter, spelled out — for each
//! channel the input patch, the kernel, their products and sum; the sums plus the bias;
//! then the activation and the pooling cell.

use yew::prelude::*;

use crate::common::format::number;
use crate::explorer::layer::{ActivationChoice, Channels, PoolingChoice, LEAKY_SLOPE};
use crate::explorer::probe::Probe;

#[derive(Properties, PartialEq)]
pub struct ProbePanelProps {
    pub probe: Probe,
    pub activation: ActivationChoice,
    pub pooling: PoolingChoice,
    pub channels: Channels,
    /// How many filters the layer has (the heading names the filter when there are more).
    pub filters: usize,
    /// In a step-through: the numbers of the current step, large enough for the back row.
    #[prop_or_default]
    pub stepping: bool,
    /// The step is the pooling's (the heading names the pooling cell).
    #[prop_or_default]
    pub pooling_step: bool,
    /// Whether screen readers hear each new probe (not while steps play quickly).
    #[prop_or(true)]
    pub announce: bool,
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

/// `red` → `Red`.
fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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
    let sums = probe.channel_sums();
    let names = props.channels.channel_names();
    // One row per channel: its patch × its kernel = the products, and their sum.
    let channel_row = |c: usize| {
        let patch = probe.patches[c]
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| v.map_or("0 (pad)".into(), |x| number(f64::from(x))))
                    .collect()
            })
            .collect();
        let weights = probe.weights[c]
            .iter()
            .map(|r| r.iter().map(|&w| number(f64::from(w))).collect())
            .collect();
        let products = probe.patches[c]
            .iter()
            .zip(&probe.weights[c])
            .map(|(xs, ws)| {
                xs.iter()
                    .zip(ws)
                    .map(|(x, &w)| number(f64::from(x.unwrap_or(0.0)) * f64::from(w)))
                    .collect()
            })
            .collect();
        let name = names[c];
        let title = |what: &str| {
            if name.is_empty() {
                what.to_string()
            } else {
                format!("{} {}", capitalised(name), what.to_lowercase())
            }
        };
        html! {
            <div class={classes!("probe-channel", (!name.is_empty()).then_some(name))}>
                <div class="probe-row">
                    { grid(&title("Input patch"), patch, "patch") }
                    <span class="op" aria-hidden="true">{ "×" }</span>
                    { grid(&title("Kernel"), weights, "weights") }
                    <span class="op" aria-hidden="true">{ "=" }</span>
                    { grid(&title("Products"), products, "products") }
                </div>
                if !name.is_empty() {
                    <p class="probe-result channel-sum">
                        { format!("{} sum = {}", capitalised(name), number(sums[c])) }
                    </p>
                }
            </div>
        }
    };
    let conv = number(f64::from(probe.conv_value));
    let convolution = if sums.len() > 1 {
        let terms: Vec<String> = names.iter().map(|n| format!("{n} sum")).collect();
        let values: Vec<String> = sums.iter().map(|&s| number(s)).collect();
        format!(
            "Convolution = {} + bias = {} + {} = {conv}",
            terms.join(" + "),
            values.join(" + "),
            number(f64::from(probe.bias))
        )
    } else if probe.bias == 0.0 {
        format!("Convolution = sum of the products = {conv}")
    } else {
        format!(
            "Convolution = sum of the products + bias = {} + {} = {conv}",
            number(probe.sum_of_products()),
            number(f64::from(probe.bias))
        )
    };
    let filter_name = if props.filters > 1 {
        format!("Filter {}, ", probe.filter + 1)
    } else {
        String::new()
    };
    let spoken = format!(
        "{}Output row {}, column {}: convolution {conv}{}{}.",
        filter_name.clone(),
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
        <section class={classes!("panel", "probe", props.stepping.then_some("stepping"))}
            aria-labelledby="probe-heading">
            <h2 id="probe-heading">
                { match (props.pooling_step, probe.pool) {
                    (true, Some(cell)) => format!("This step: {}{} pooling, cell row {}, column {}",
                        filter_name.to_lowercase(), props.pooling.name().to_lowercase(),
                        cell.at.0 + 1, cell.at.1 + 1),
                    _ => format!("{}: {}output row {}, column {}",
                        if props.stepping { "This step" } else { "Under the pointer" },
                        filter_name.to_lowercase(), row + 1, col + 1),
                } }
            </h2>
            <p id="probe-hint" class="hint">{ if props.stepping {
                "Click a map, or focus one and use the arrow keys, to jump to that pixel's step."
            } else {
                "Point at any picture (or touch it), or focus one and use the arrow keys, to see \
                 the numbers behind that pixel."
            } }</p>
            <p class="visually-hidden" aria-live={if props.announce { "polite" } else { "off" }}>
                { spoken }
            </p>
            { for (0..probe.patches.len()).map(channel_row) }
            <p class="probe-result">{ convolution }</p>
            <p class="probe-result">
                { activation_line(props.activation, &conv, probe.activation_value) }
            </p>
            if let Some(cell) = probe.pool {
                <div class="probe-row">
                    { grid(&format!("Pooling window ({pooled})"), cell.window.iter()
                        .map(|row| row.iter()
                            .map(|v| v.map_or("outside".into(), |x| number(f64::from(x))))
                            .collect())
                        .collect(), "pool-window") }
                </div>
            }
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
