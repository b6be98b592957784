//! Why this answer: the saliency map of the followed image, the gradient of one class's
//! score (its logit) with respect to each input pixel, from the network's own backward
//! pass, drawn blue–white–red beside the image. The answer's class by default; any other
//! on request ("what would make it a 3?").

use std::rc::Rc;

use ndarray::ArrayView2;
use yew::prelude::*;

use super::labeled_select::LabeledSelect;
use crate::app::canvas::{put_rgba, use_painted_canvas};
use crate::explorer::colormap::{ColorRange, Colormap, Scale, ValueRange};
use crate::nn::data::{DatasetKind, CLASSES, SIDE};
use crate::training::protocol::Snapshot;

#[derive(Properties, PartialEq)]
pub struct SaliencyViewProps {
    pub snapshot: Rc<Snapshot>,
    pub kind: DatasetKind,
    /// The class asked for, or `None` for the answer.
    pub explain: Option<usize>,
    pub on_explain: Callback<Option<usize>>,
}

/// The select's value for the answer.
const ANSWER: &str = "the answer";

#[function_component(SaliencyView)]
pub fn saliency_view(props: &SaliencyViewProps) -> Html {
    let digit = &props.snapshot.digit;
    let values = digit.saliency.clone();
    let canvas = use_painted_canvas(values, |canvas, values| {
        let (Some(range), Ok(map)) = (
            ValueRange::of(values),
            ArrayView2::from_shape((SIDE, SIDE), values.as_slice()),
        ) else {
            return;
        };
        let scale = Scale::fit(Colormap::Diverging, values, range, ColorRange::Clipped);
        // A failed draw leaves the previous map.
        let _ = put_rgba(canvas, &scale.colorize(map), SIDE as u32, SIDE as u32);
    });
    let kind = props.kind;
    let name = |c: usize| kind.class_name(c);
    let explained = name(digit.explained);
    let options: Vec<(AttrValue, AttrValue)> = std::iter::once((ANSWER.into(), ANSWER.into()))
        .chain((0..CLASSES).map(|c| (c.to_string().into(), name(c).into())))
        .collect();
    let selected = props.explain.map_or(ANSWER.to_string(), |c| c.to_string());
    let on_change = props
        .on_explain
        .reform(|value: String| value.parse::<usize>().ok());
    html! {
        <div class="saliency">
            <h4>{ "Why this answer" }</h4>
            <LabeledSelect label="Explain the score of" {options} {selected} {on_change} />
            <canvas ref={canvas} width={SIDE.to_string()} height={SIDE.to_string()} role="img"
                aria-label={format!("Saliency map for {explained}: red pixels raise its score, \
                    blue ones lower it")}></canvas>
            <p class="hint">{ format!("For {explained}: red where more ink would raise its \
                score, blue where it would lower it (the gradient of its logit with respect to \
                each pixel, from the network's backward pass).") }</p>
        </div>
    }
}
