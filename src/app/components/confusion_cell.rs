//! The test images behind one confusion-matrix cell, the network's surest answers first,
//! each with its top probabilities; pressing one follows it through the network (feature
//! maps, probabilities and why-this-answer above).

use std::rc::Rc;

use yew::prelude::*;

use super::digit_strip::draw_digit;
use crate::app::canvas::use_painted_canvas;
use crate::common::format::grouped;
use crate::nn::argmax;
use crate::nn::data::{DatasetKind, SIDE};
use crate::training::protocol::{CellImage, CellImages};

#[derive(Properties, PartialEq)]
pub struct ConfusionCellProps {
    pub images: Rc<CellImages>,
    pub kind: DatasetKind,
    /// Follow this test image through the network.
    pub on_choose: Callback<usize>,
    pub on_close: Callback<()>,
}

/// `Shirt 61 %, T-shirt/top 30 %`: the two likeliest classes.
fn top_two(kind: DatasetKind, probabilities: &[f32]) -> String {
    let first = argmax(probabilities.iter().copied());
    let second = argmax(probabilities.iter().enumerate().map(|(c, &p)| {
        if c == first {
            f32::NEG_INFINITY
        } else {
            p
        }
    }));
    let percent = |c: usize| {
        format!(
            "{} {:.0} %",
            kind.class_name(c),
            probabilities.get(c).map_or(0.0, |&p| f64::from(p) * 100.0)
        )
    };
    format!("{}, {}", percent(first), percent(second))
}

#[derive(Properties, PartialEq)]
struct CellImageProps {
    image: CellImage,
    kind: DatasetKind,
    on_choose: Callback<usize>,
}

#[function_component(CellImageButton)]
fn cell_image_button(props: &CellImageProps) -> Html {
    let image = props.image.image.clone();
    let canvas = use_painted_canvas(image.index, move |canvas, _| draw_digit(canvas, &image));
    let index = props.image.image.index;
    let onclick = props.on_choose.reform(move |_: MouseEvent| {
        // The image's way through the network is drawn above: take the reader there.
        if let Some(follow) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".panel.follow").ok().flatten())
        {
            follow.scroll_into_view();
        }
        index
    });
    let (singular, _) = props.kind.noun();
    let odds = top_two(props.kind, &props.image.probabilities);
    html! {
        <li>
            <button class="cell-image" {onclick}
                aria-label={format!("Follow test {singular} {} ({odds})", index + 1)}>
                <canvas ref={canvas} width={SIDE.to_string()} height={SIDE.to_string()}></canvas>
                <span class="odds" aria-hidden="true">{ odds }</span>
            </button>
        </li>
    }
}

#[function_component(ConfusionCell)]
pub fn confusion_cell(props: &ConfusionCellProps) -> Html {
    let cell = &props.images;
    let kind = props.kind;
    let (singular, plural) = kind.noun();
    let what = if cell.truth == cell.predicted {
        format!("read right as {}", kind.class_name(cell.truth))
    } else {
        format!(
            "that are {} but were read as {}",
            kind.class_name(cell.truth),
            kind.class_name(cell.predicted)
        )
    };
    let shown = if cell.count > cell.images.len() {
        format!(
            " The {} the network was surest of are shown.",
            cell.images.len()
        )
    } else {
        String::new()
    };
    let heading = format!(
        "{} test {} {what}, after {} samples.{shown}",
        grouped(cell.count as u64),
        if cell.count == 1 { singular } else { plural },
        grouped(cell.samples)
    );
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="confusion-cell" aria-live="polite">
            <p>
                { heading }{ " " }
                <button class="link" onclick={on_close}>{ "Close these images" }</button>
            </p>
            <ul class="cell-images">
                { for cell.images.iter().map(|image| html! {
                    <CellImageButton key={image.image.index} image={image.clone()} {kind}
                        on_choose={props.on_choose.clone()} />
                }) }
            </ul>
            <p class="hint">{ format!("Press a {singular} to follow it through the network \
                above: its feature maps, its probabilities and why it got its answer.") }</p>
        </div>
    }
}
