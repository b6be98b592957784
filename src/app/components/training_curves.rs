//! Loss or accuracy against samples seen, drawn with plotters: the training curve raw
//! (faint) and smoothed (bold), and the test curve with a marker at each evaluation. The
//! history is bounded, so a redraw costs the same after an hour as after a minute.

use std::rc::Rc;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use yew::prelude::*;

use crate::app::canvas::use_painted_canvas;

use crate::app::chart::{chart_area, font, short_count, ACCENT, CONTRAST, FAINT, INK, MUTED};
use crate::training::history::{History, Point};

const CSS_WIDTH: u32 = 460;
const CSS_HEIGHT: u32 = 250;

/// Which curves a chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Loss,
    Accuracy,
}

impl Metric {
    fn title(self) -> &'static str {
        match self {
            Metric::Loss => "Loss curves",
            Metric::Accuracy => "Accuracy curves",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct TrainingCurvesProps {
    pub history: Rc<History>,
    pub metric: Metric,
}

/// (samples, value) pairs in the chart's units (accuracy in %).
fn series(points: &[Point], scale: f64) -> Vec<(f64, f64)> {
    points
        .iter()
        .map(|p| (p.samples as f64, f64::from(p.value) * scale))
        .collect()
}

fn draw(canvas: &web_sys::HtmlCanvasElement, history: &History, metric: Metric) -> Option<()> {
    let (root, ratio) = chart_area(canvas, CSS_WIDTH, CSS_HEIGHT)?;
    let px = |v: f64| (v * ratio).round() as i32;
    let stroke = |w: f64| (w * ratio).round().max(1.0) as u32;
    root.fill(&WHITE).ok()?;
    let (curves, y_label, scale) = match metric {
        Metric::Loss => (
            vec![
                (
                    "training (raw)",
                    series(history.train_loss(), 1.0),
                    FAINT,
                    1.0,
                ),
                (
                    "training (smoothed)",
                    series(history.train_loss_smoothed(), 1.0),
                    ACCENT,
                    2.5,
                ),
                ("test", series(history.test_loss(), 1.0), CONTRAST, 2.0),
            ],
            "loss (cross-entropy)",
            1.0,
        ),
        Metric::Accuracy => (
            vec![
                (
                    "training (smoothed)",
                    series(history.train_accuracy(), 100.0),
                    ACCENT,
                    2.5,
                ),
                (
                    "test",
                    series(history.test_accuracy(), 100.0),
                    CONTRAST,
                    2.0,
                ),
            ],
            "accuracy (%)",
            100.0,
        ),
    };
    let x_max = curves
        .iter()
        .flat_map(|(_, points, _, _)| points.iter().map(|p| p.0))
        .fold(1000.0f64, f64::max);
    let y_max = match metric {
        // The raw curve's spikes may leave the chart; the smoothed and test curves fit.
        Metric::Loss => {
            curves[1..]
                .iter()
                .flat_map(|(_, points, _, _)| points.iter().map(|p| p.1))
                .fold(0.5f64, f64::max)
                * 1.1
        }
        Metric::Accuracy => scale,
    };
    let mut chart = ChartBuilder::on(&root)
        .margin(px(8.0))
        .margin_right(px(16.0))
        .caption(metric.title(), font(15.0, ratio).color(&INK))
        .x_label_area_size(px(38.0))
        .y_label_area_size(px(46.0))
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .ok()?;
    chart
        .configure_mesh()
        .x_desc("samples seen")
        .y_desc(y_label)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| short_count(*v))
        .label_style(font(12.0, ratio).color(&MUTED))
        .axis_desc_style(font(12.0, ratio).color(&MUTED))
        .light_line_style(RGBColor(238, 236, 243))
        .bold_line_style(RGBColor(222, 218, 230))
        .draw()
        .ok()?;
    let empty = curves.iter().all(|(_, points, _, _)| points.is_empty());
    if empty {
        let style = font(14.0, ratio).color(&MUTED);
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            "Press Train to start",
            (w as i32 / 2 - px(60.0), h as i32 / 2),
            style,
        ))
        .ok()?;
        return root.present().ok();
    }
    for (label, points, color, width) in &curves {
        let style = color.stroke_width(stroke(*width));
        chart
            .draw_series(LineSeries::new(points.iter().copied(), style))
            .ok()?;
        if *label == "test" {
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| Circle::new(p, px(2.5), color.filled())),
                )
                .ok()?;
        }
    }
    // The key, drawn here rather than by plotters' series labels, which measure their text
    // through the page's layout (see `measured_canvas`).
    let label_font = font(12.0, ratio).color(&INK);
    let widths = curves
        .iter()
        .map(|(label, ..)| {
            root.estimate_text_size(label, &label_font)
                .map(|(w, _)| w as i32)
        })
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    let (pad, sample, row) = (px(6.0), px(18.0), px(16.0));
    let width = widths.iter().copied().max().unwrap_or(0) + sample + 3 * pad;
    let height = row * curves.len() as i32 + pad;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let left = xs.end - width - pad;
    let top = match metric {
        Metric::Loss => ys.start + pad,
        Metric::Accuracy => ys.end - height - pad,
    };
    let corners = [(left, top), (left + width, top + height)];
    let text = label_font.pos(Pos::new(HPos::Left, VPos::Center));
    root.draw(&Rectangle::new(corners, WHITE.mix(0.85).filled()))
        .ok()?;
    root.draw(&Rectangle::new(corners, RGBColor(222, 218, 230)))
        .ok()?;
    for (i, (label, _, color, line)) in curves.iter().enumerate() {
        let y = top + pad + row * i as i32 + row / 2 - pad / 2;
        let x = left + pad;
        let style = color.stroke_width(stroke(*line));
        root.draw(&PathElement::new(vec![(x, y), (x + sample, y)], style))
            .ok()?;
        root.draw(&Text::new(*label, (x + sample + pad, y), text.clone()))
            .ok()?;
    }
    root.present().ok()
}

#[function_component(TrainingCurves)]
pub fn training_curves(props: &TrainingCurvesProps) -> Html {
    let (history, metric) = (props.history.clone(), props.metric);
    // A failed draw leaves the last curves, which were true when drawn.
    let canvas = use_painted_canvas((history.revision(), metric), move |canvas, _| {
        draw(canvas, &history, metric);
    });
    html! {
        <canvas ref={canvas} class="curves-chart" role="img" aria-label={props.metric.title()}
            style={format!("width: 100%; max-width: {CSS_WIDTH}px; aspect-ratio: {CSS_WIDTH} / {CSS_HEIGHT}")}>
        </canvas>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::HtmlCanvasElement;

    fn ink(canvas: &HtmlCanvasElement) -> (usize, Vec<u8>) {
        let context = crate::app::canvas::context_2d(canvas).expect("a 2d context");
        let data = context
            .get_image_data(0.0, 0.0, canvas.width().into(), canvas.height().into())
            .expect("pixels")
            .data()
            .0;
        let accent = data
            .chunks_exact(4)
            .filter(|p| p[0] == ACCENT.0 && p[1] == ACCENT.1 && p[2] == ACCENT.2)
            .count();
        (accent, data)
    }

    #[wasm_bindgen_test]
    async fn the_curves_are_drawn_and_redrawn_as_points_arrive() {
        let root = crate::app::test_dom::attach("div");
        let mut history = History::new(100);
        history.push_train(32, 2.3, 0.1);
        history.push_train(64, 1.9, 0.3);
        let props = TrainingCurvesProps {
            history: Rc::new(history.clone()),
            metric: Metric::Loss,
        };
        let mut handle =
            yew::Renderer::<TrainingCurves>::with_root_and_props(root.clone(), props).render();
        yew::platform::time::sleep(Duration::from_millis(30)).await;
        let canvas: HtmlCanvasElement =
            crate::app::test_dom::find(&root, "canvas[aria-label='Loss curves']");
        let (first, before) = ink(&canvas);
        assert!(first > 0, "the smoothed loss is drawn in the accent colour");
        for i in 3..50u64 {
            history.push_train(i * 32, 2.3 / i as f32, 0.5);
        }
        history.push_test(1600, 0.4, 0.9);
        handle.update(TrainingCurvesProps {
            history: Rc::new(history),
            metric: Metric::Loss,
        });
        yew::platform::time::sleep(Duration::from_millis(30)).await;
        let (second, after) = ink(&canvas);
        assert!(
            second > first,
            "a longer curve: {first} → {second} accent pixels"
        );
        assert_ne!(before, after);
        // The test curve is there too.
        let orange = after
            .chunks_exact(4)
            .filter(|p| p[0] == CONTRAST.0 && p[1] == CONTRAST.1 && p[2] == CONTRAST.2)
            .count();
        assert!(orange > 0);
    }
}
