//! The network's answer for one digit: ten bars of class probability, the predicted digit
//! in the accent colour and the true one (for a test digit) outlined, with the answer in
//! words above, e.g. `Prediction 7 (98.1 %)`.

use plotters::prelude::*;
use yew::prelude::*;

use crate::app::canvas::use_painted_canvas;
use crate::nn::data::DatasetKind;

use crate::app::chart::{chart_area, font, ACCENT, FAINT, INK, MUTED};

const CSS_WIDTH: u32 = 320;
const CSS_HEIGHT: u32 = 170;

#[derive(Properties, PartialEq)]
pub struct ProbabilityBarsProps {
    /// Ten probabilities, digits 0 to 9.
    pub probabilities: Vec<f32>,
    /// The true digit, when known (a test digit).
    pub label: Option<u8>,
    /// Whose class names the answer says.
    pub kind: DatasetKind,
}

/// The most likely digit and its probability, if the probabilities are usable.
fn prediction(probabilities: &[f32]) -> Option<(usize, f32)> {
    if probabilities.len() != 10 || probabilities.iter().any(|p| !p.is_finite()) {
        return None;
    }
    probabilities
        .iter()
        .copied()
        .enumerate()
        .fold(None, |best: Option<(usize, f32)>, (i, p)| match best {
            Some((_, q)) if q >= p => best,
            _ => Some((i, p)),
        })
}

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    probabilities: &[f32],
    label: Option<u8>,
) -> Option<()> {
    let (root, ratio) = chart_area(canvas, CSS_WIDTH, CSS_HEIGHT)?;
    let px = |v: f64| (v * ratio).round() as i32;
    root.fill(&WHITE).ok()?;
    let predicted = prediction(probabilities).map(|(i, _)| i);
    let mut chart = ChartBuilder::on(&root)
        .margin(px(6.0))
        .x_label_area_size(px(22.0))
        .y_label_area_size(px(36.0))
        .build_cartesian_2d((0u32..9u32).into_segmented(), 0.0..100.0f64)
        .ok()?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_labels(3)
        .y_label_formatter(&|v| format!("{v:.0} %"))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(d) => d.to_string(),
            _ => String::new(),
        })
        .label_style(font(12.0, ratio).color(&MUTED))
        .light_line_style(RGBColor(238, 236, 243))
        .draw()
        .ok()?;
    if predicted.is_none() {
        return root.present().ok();
    }
    chart
        .draw_series(probabilities.iter().enumerate().map(|(digit, &p)| {
            let color = if Some(digit) == predicted {
                ACCENT
            } else {
                FAINT
            };
            let d = digit as u32;
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(d), 0.0),
                    (SegmentValue::Exact(d + 1), f64::from(p) * 100.0),
                ],
                color.filled(),
            );
            bar.set_margin(0, 0, px(3.0) as u32, px(3.0) as u32);
            bar
        }))
        .ok()?;
    if let Some(label) = label {
        let d = u32::from(label);
        let mut outline = Rectangle::new(
            [
                (SegmentValue::Exact(d), 0.0),
                (SegmentValue::Exact(d + 1), 100.0),
            ],
            INK.stroke_width((1.5 * ratio).round().max(1.0) as u32),
        );
        outline.set_margin(0, 0, px(1.0) as u32, px(1.0) as u32);
        chart.draw_series(std::iter::once(outline)).ok()?;
    }
    root.present().ok()
}

#[function_component(ProbabilityBars)]
pub fn probability_bars(props: &ProbabilityBarsProps) -> Html {
    // A failed draw leaves the previous bars.
    let canvas = use_painted_canvas(
        (props.probabilities.clone(), props.label),
        |canvas, (probabilities, label)| {
            draw(canvas, probabilities, *label);
        },
    );
    let answer = match prediction(&props.probabilities) {
        Some((class, p)) => {
            let name = |c: usize| props.kind.class_name(c);
            let mut text = format!("Prediction {} ({:.1} %)", name(class), f64::from(p) * 100.0);
            match props.label.map(usize::from) {
                Some(label) if label == class => text.push_str(" · right"),
                Some(label) => text.push_str(&format!(" · wrong: it is a {}", name(label))),
                None => {}
            }
            text
        }
        None => "No prediction yet".to_string(),
    };
    let summary = if prediction(&props.probabilities).is_some() {
        props
            .probabilities
            .iter()
            .enumerate()
            .map(|(d, p)| {
                format!(
                    "{}: {:.1} %",
                    props.kind.class_name(d),
                    f64::from(*p) * 100.0
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        String::new()
    };
    html! {
        <div class="probability-bars">
            <p class="answer">{ answer }</p>
            <canvas ref={canvas} role="img"
                aria-label={format!("Class probabilities{}{summary}", if summary.is_empty() { "" } else { ": " })}
                style={format!("width: {CSS_WIDTH}px; height: {CSS_HEIGHT}px")}></canvas>
            <p class="hint">{ match props.kind {
                DatasetKind::Digits => "Bars: how sure the network is of each digit (softmax of \
                    the logits). The outlined bar is the true digit.".to_string(),
                kind => format!("Bars: how sure the network is of each class (softmax of the \
                    logits): {}. The outlined bar is the true class.",
                    (0..10).map(|c| format!("{c} {}", kind.class_name(c)))
                        .collect::<Vec<_>>().join(", ")),
            } }</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    async fn the_answer_is_written_and_bad_input_says_so() {
        let root = crate::app::test_dom::attach("div");
        let mut probabilities = vec![0.01f32; 10];
        probabilities[7] = 0.91;
        let mut handle = yew::Renderer::<ProbabilityBars>::with_root_and_props(
            root.clone(),
            ProbabilityBarsProps {
                probabilities: probabilities.clone(),
                label: Some(1),
                kind: DatasetKind::Digits,
            },
        )
        .render();
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let text = root.text_content().unwrap_or_default();
        assert!(
            text.contains("Prediction 7 (91.0 %) · wrong: it is a 1"),
            "{text}"
        );
        handle.update(ProbabilityBarsProps {
            probabilities,
            label: Some(9),
            kind: DatasetKind::Fashion,
        });
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let text = root.text_content().unwrap_or_default();
        assert!(
            text.contains("Prediction Sneaker (91.0 %) · wrong: it is a Ankle boot"),
            "{text}"
        );
        handle.update(ProbabilityBarsProps {
            probabilities: vec![f32::NAN; 10],
            label: None,
            kind: DatasetKind::Digits,
        });
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let text = root.text_content().unwrap_or_default();
        assert!(
            text.contains("No prediction yet") && !text.contains("NaN"),
            "{text}"
        );
    }
}
