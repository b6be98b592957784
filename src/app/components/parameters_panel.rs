//! Why convolution is cheap: this layer's weights and biases next to what a fully connected
//! layer between the same input and output would need (parameter sharing), in numbers.

use yew::prelude::*;

use crate::common::format::grouped;
use crate::explorer::layer::parameter_counts;

#[derive(Properties, PartialEq)]
pub struct ParametersPanelProps {
    /// The input volume: channels, height, width.
    pub input: (usize, usize, usize),
    pub kernel_size: usize,
    pub filters: usize,
    /// The convolution's output height and width.
    pub output: (usize, usize),
}

#[function_component(ParametersPanel)]
pub fn parameters_panel(props: &ParametersPanelProps) -> Html {
    let (c, h, w) = props.input;
    let (f, k) = (props.kernel_size, props.filters);
    let (oh, ow) = props.output;
    let (conv, dense) = parameter_counts(props.input, f, k, props.output);
    let ratio = dense as f64 / conv.max(1) as f64;
    let ratio = if ratio >= 1e6 {
        format!("{:.1} million", ratio / 1e6)
    } else {
        grouped(ratio.round() as u64)
    };
    html! {
        <section class="panel parameters" aria-labelledby="parameters-heading">
            <h2 id="parameters-heading">{ "Parameters" }</h2>
            <p>
                { format!("This layer: f·f·C·K weights + K biases = {f}·{f}·{c}·{k} + {k} = ") }
                <strong>{ grouped(conv) }</strong>
                { " parameters, whatever the image's size." }
            </p>
            <p>
                { format!("A fully connected layer from the same {h} × {w} × {c} input to the \
                    same {oh} × {ow} × {k} output would need ({h}·{w}·{c})·({oh}·{ow}·{k}) + \
                    {oh}·{ow}·{k} = ") }
                <strong>{ grouped(dense) }</strong>
                { format!(", {ratio} times as many.") }
            </p>
            <p class="hint">{ "Every position shares one filter's weights (parameter sharing): \
                that is what makes convolution cheap, and why it finds the same edge anywhere \
                in the picture." }</p>
        </section>
    }
}
