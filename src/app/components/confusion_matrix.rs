//! The confusion matrix of the test digits as a table: a row per true digit, a column per
//! answer, the right answers shaded in the accent colour and the mistakes in red by their
//! share of the row, so the digits the network mixes up stand out. Each count is a button
//! that shows the test images behind it.

use yew::prelude::*;

use crate::common::format::grouped;
use crate::nn::data::DatasetKind;

#[derive(Properties, PartialEq)]
pub struct ConfusionMatrixProps {
    /// `counts[true · 10 + predicted]`; empty before the first evaluation.
    pub counts: Vec<u32>,
    /// Whose class names the headers say.
    pub kind: DatasetKind,
    /// The cell (true class, answer) whose images are shown.
    #[prop_or_default]
    pub selected: Option<(usize, usize)>,
    /// A cell was pressed: show its images (`None`: pressed again, hide them).
    #[prop_or_default]
    pub on_select: Callback<Option<(usize, usize)>>,
}

/// The cell's background and text colours for a share of its row. The text is black or
/// white, whichever contrasts more with the background (at least 4.58 : 1 either way, above
/// WCAG AA's 4.5 : 1).
fn shade(share: f64, right: bool) -> String {
    let share = share.clamp(0.0, 1.0);
    let (r, g, b) = if right {
        (106.0, 44.0, 145.0)
    } else {
        (179.0, 38.0, 30.0)
    };
    // Mistakes are rarer: make a 10 % share already clearly red.
    let alpha = if right { share } else { (share * 4.0).min(1.0) };
    // The colour seen: the shade over the panel's white.
    let seen = |c: f64| c * alpha + 255.0 * (1.0 - alpha);
    let ink = if luminance(seen(r), seen(g), seen(b)) > 0.179 {
        "#000"
    } else {
        "#fff"
    };
    format!("background: rgba({r}, {g}, {b}, {alpha:.3}); color: {ink}")
}

/// WCAG's relative luminance of an sRGB colour (channels 0–255).
fn luminance(r: f64, g: f64, b: f64) -> f64 {
    let linear = |c: f64| {
        let c = c / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

#[function_component(ConfusionMatrix)]
pub fn confusion_matrix(props: &ConfusionMatrixProps) -> Html {
    if props.counts.len() != 100 {
        return html! { <p class="hint">{ "No evaluation yet." }</p> };
    }
    let total: u32 = props.counts.iter().sum();
    let kind = props.kind;
    let (_, plural) = kind.noun();
    // Digits name themselves; other classes are numbered, named in full along the rows.
    let row_name = |c: usize| match kind {
        DatasetKind::Digits => c.to_string(),
        _ => format!("{c} {}", kind.class_name(c)),
    };
    let rows = props.counts.chunks(10).enumerate().map(|(truth, row)| {
        let row_total = f64::from(row.iter().sum::<u32>().max(1));
        html! {
            <tr>
                <th scope="row"><span class="spelled">{ "true " }</span>{ row_name(truth) }</th>
                { for row.iter().enumerate().map(|(predicted, &n)| {
                    let cell = (truth, predicted);
                    let pressed = props.selected == Some(cell);
                    let onclick = props.on_select.reform(move |_: MouseEvent| {
                        (!pressed).then_some(cell)
                    });
                    html! {
                        <td style={shade(f64::from(n) / row_total, predicted == truth)}>
                            <button class="cell" aria-pressed={pressed.to_string()} {onclick}
                                aria-label={format!("{n} of the {} test {plural} that are {} \
                                    read as {}", row_total as u32, kind.class_name(truth),
                                    kind.class_name(predicted))}>
                                { n }
                            </button>
                        </td>
                    }
                }) }
            </tr>
        }
    });
    html! {
        // On a phone the matrix scrolls inside this box, not the page; the box takes the
        // keyboard focus so it can be scrolled without a pointer.
        <div class="confusion-scroll" tabindex="0" role="group"
            aria-label="Confusion matrix, scrollable">
        <table class="confusion">
            <caption>{ format!("Confusion matrix of the {} test {plural}: rows are the true \
                classes, columns what the network answered", grouped(u64::from(total))) }</caption>
            <thead>
                <tr>
                    <td class="corner"></td>
                    { for (0..10).map(|d| html! {
                        <th scope="col" title={kind.class_name(d)}>
                            <span class="spelled">{ "read as " }</span>{ d }
                        </th>
                    }) }
                </tr>
            </thead>
            <tbody>{ for rows }</tbody>
        </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    async fn every_count_has_its_cell_under_its_headers() {
        let root = crate::app::test_dom::attach("div");
        let counts: Vec<u32> = (0..100).collect();
        yew::Renderer::<ConfusionMatrix>::with_root_and_props(
            root.clone(),
            ConfusionMatrixProps {
                counts,
                kind: DatasetKind::Digits,
                selected: Some((3, 7)),
                on_select: Callback::noop(),
            },
        )
        .render();
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let cells = root.query_selector_all("tbody td").expect("cells");
        assert_eq!(cells.length(), 100);
        let text = |i: u32| {
            cells
                .get(i)
                .and_then(|c| c.text_content())
                .unwrap_or_default()
        };
        assert_eq!(text(0), "0");
        assert_eq!(text(37), "37", "row 3 (true 3), column 7 (read as 7)");
        let pressed = root
            .query_selector("button[aria-pressed=true]")
            .ok()
            .flatten()
            .and_then(|b| b.get_attribute("aria-label"));
        assert_eq!(
            pressed.as_deref(),
            Some("37 of the 345 test digits that are 3 read as 7")
        );
        let caption = root.text_content().unwrap_or_default();
        assert!(caption.contains("of the 4,950 test digits"), "{caption}");
        assert!(caption.contains("true 9") && caption.contains("read as 9"));
    }
}
