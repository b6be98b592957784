//! The network live training builds, layer by layer: each output's shape, how a sliding
//! window got its size ((n + 2p − f)/s + 1), and each layer's parameters, with the total.

use yew::prelude::*;

use crate::common::format::grouped;
use crate::nn::network::LayerSummary;
use crate::nn::NetworkSpec;

#[derive(Properties, PartialEq)]
pub struct NetworkTableProps {
    pub network: NetworkSpec,
}

#[function_component(NetworkTable)]
pub fn network_table(props: &NetworkTableProps) -> Html {
    let summary = match props.network.summary() {
        Ok(summary) => summary,
        Err(error) => {
            return html! { <p class="notice error">{ format!("This network cannot be built: {error}.") }</p> }
        }
    };
    let total: usize = summary.iter().map(|l| l.parameters).sum();
    let input = props.network.input;
    let row = |(i, layer): (usize, &LayerSummary)| {
        let shape = layer.output;
        html! {
            <tr>
                <th scope="row">{ format!("{} · {}", i + 1, layer.name) }</th>
                <td class="shape">{ format!("{} × {} × {}", shape.channels, shape.height, shape.width) }</td>
                <td class="formula">{ layer.formula.clone().unwrap_or_default() }</td>
                <td class="count">{ grouped(layer.parameters as u64) }</td>
            </tr>
        }
    };
    html! {
        <div class="network-scroll" tabindex="0" role="group" aria-label="The network, scrollable">
            <table class="network-table">
                <caption>{ format!("{} layers, {} parameters (weights and biases) in all",
                    summary.len(), grouped(total as u64)) }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Layer" }</th>
                        <th scope="col">{ "Output (channels × height × width)" }</th>
                        <th scope="col">{ "Size: (n + 2p − f) / s + 1" }</th>
                        <th scope="col">{ "Parameters" }</th>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <th scope="row">{ "input" }</th>
                        <td class="shape">{ format!("{} × {} × {}", input.channels, input.height, input.width) }</td>
                        <td class="formula"></td>
                        <td class="count">{ "0" }</td>
                    </tr>
                    { for summary.iter().enumerate().map(row) }
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row" colspan="3">{ "Total" }</th>
                        <td class="count">{ grouped(total as u64) }</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
