//! "Under the pointer": the arithmetic of one output, spelled out — the input patch, the
//! kernel, their products and sum, then ReLU and the pooling cell.

use yew::prelude::*;

use crate::common::format::number;
use crate::explorer::probe::Probe;

#[derive(Properties, PartialEq)]
pub struct ProbePanelProps {
    pub probe: Probe,
}

fn grid(title: &str, cells: [[String; 3]; 3], class: &'static str) -> Html {
    html! {
        <figure class={classes!("mini-grid", class)}>
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
        .map(|r| r.map(|v| v.map_or("0 (pad)".into(), |x| number(f64::from(x)))));
    let weights = probe.weights.map(|r| r.map(|w| number(f64::from(w))));
    let products: [[String; 3]; 3] = std::array::from_fn(|r| {
        std::array::from_fn(|c| {
            let x = probe.patch[r][c].unwrap_or(0.0);
            number(f64::from(x) * f64::from(probe.weights[r][c]))
        })
    });
    let conv = number(f64::from(probe.conv_value));
    html! {
        <section class="panel probe" aria-labelledby="probe-heading">
            <h2 id="probe-heading">
                { format!("Under the pointer: output row {}, column {}", row + 1, col + 1) }
            </h2>
            <p class="hint">{ "Point at any picture (or touch it) to see the numbers behind that pixel." }</p>
            <div class="probe-row">
                { grid("Input patch", patch, "patch") }
                <span class="op" aria-hidden="true">{ "×" }</span>
                { grid("Kernel", weights, "weights") }
                <span class="op" aria-hidden="true">{ "=" }</span>
                { grid("Products", products, "products") }
            </div>
            <p class="probe-result">
                { format!("Convolution = sum of the products = {conv}") }
            </p>
            <p class="probe-result">
                { format!("ReLU = max(0, {conv}) = {}", number(f64::from(probe.relu_value))) }
            </p>
            <p class="probe-result">
                { match probe.pool {
                    Some(((r, c), value)) => format!(
                        "Max pooling, cell row {}, column {} = the largest ReLU value of its 2×2 window = {}",
                        r + 1, c + 1, number(f64::from(value))
                    ),
                    None => "Max pooling: VALID padding drops this last odd row or column.".into(),
                } }
            </p>
        </section>
    }
}
