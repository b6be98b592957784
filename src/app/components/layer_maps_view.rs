//! One layer's output for the chosen digit: every channel as a tile, its shape, its value
//! range and, where the size changes, the formula that gives the new size.

use std::rc::Rc;

use yew::prelude::*;

use crate::app::canvas::{use_painted_canvas, ByPointer};
use crate::app::paint::{draw_tiles, scale_for};
use crate::common::format::number;
use crate::nn::Shape;
use crate::training::protocol::Snapshot;

/// Tiles per row.
const COLUMNS: usize = 8;
/// Width of a tile on screen in CSS pixels, whatever its size in values.
const TILE_CSS: f64 = 56.0;

#[derive(Properties, PartialEq)]
pub struct LayerMapsViewProps {
    /// The snapshot whose digit's layers are shown (shared, not copied).
    pub snapshot: Rc<Snapshot>,
    /// Which of its layers, by position in `snapshot.digit.layers`.
    pub layer: usize,
}

#[function_component(LayerMapsView)]
pub fn layer_maps_view(props: &LayerMapsViewProps) -> Html {
    let maps = props.snapshot.digit.layers.get(props.layer);
    let shape = maps.map_or(Shape::new(0, 0, 0), |m| m.shape);
    // A flat layer (dense) is one row of values.
    let (count, height, width) = if shape.is_flat() {
        (1, 1, shape.channels)
    } else {
        (shape.channels, shape.height, shape.width)
    };
    let scale = maps.and_then(|m| scale_for(&m.values));
    let layer = props.layer;
    let canvas = use_painted_canvas(
        (ByPointer(Rc::clone(&props.snapshot)), scale),
        move |canvas, (snapshot, scale)| {
            if let (Some(maps), Some(scale)) = (snapshot.0.digit.layers.get(layer), scale) {
                // A failed draw leaves the last picture, which is still a true one.
                let _ = draw_tiles(canvas, &maps.values, (count, height, width), COLUMNS, scale);
            }
        },
    );
    let Some(maps) = maps else {
        return Html::default();
    };
    let columns = COLUMNS.min(count);
    let zoom = if shape.is_flat() {
        (TILE_CSS * 8.0 / width as f64).max(8.0)
    } else {
        TILE_CSS / width as f64
    };
    let css_width = ((columns * (width + 1) - 1) as f64 * zoom).round();
    let range = scale.map(|s| format!("values {} to {}", number(s.low), number(s.high)));
    let title = format!("{} · {}", maps.index + 1, maps.name);
    html! {
        <figure class="layer-maps">
            <figcaption>
                <strong>{ title.clone() }</strong>
                <span class="shape">{ format!(" {}×{}×{}", shape.channels, shape.height, shape.width) }</span>
                { for maps.formula.iter().map(|f| html! { <span class="formula">{ f.clone() }</span> }) }
            </figcaption>
            <canvas ref={canvas} class="maps"
                style={format!("width: {css_width}px")}
                role="img"
                aria-label={format!("Feature maps after layer {title}: {} maps of {}×{}{}",
                    count, height, width,
                    range.as_ref().map(|r| format!(", {r}")).unwrap_or_default())}>
            </canvas>
            { for range.map(|r| html! { <span class="range">{ r }</span> }) }
            { (shape.is_flat() && shape.channels == 10).then(|| html! {
                <span class="range">{ "The 10 logits, classes 0 to 9 from left to right: softmax \
                    turns them into the class probabilities." }</span>
            }) }
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::protocol::{DigitView, Filters, LayerMaps};
    use std::time::Duration;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::HtmlCanvasElement;

    #[wasm_bindgen_test]
    async fn two_maps_are_drawn_as_tiles_with_a_gap_and_a_diverging_scale() {
        let root = crate::app::test_dom::attach("div");
        // Two 2×3 maps: the first all −1, the second 0 … 5.
        let mut values = vec![-1.0; 6];
        values.extend((0..6).map(|v| v as f32));
        let props = LayerMapsViewProps {
            snapshot: Rc::new(Snapshot {
                run: 1,
                samples: 0,
                filters: Filters {
                    count: 0,
                    size: 3,
                    weights: Vec::new(),
                    bias: Vec::new(),
                    frozen_first: false,
                },
                digit: DigitView {
                    test: None,
                    input: Vec::new(),
                    layers: vec![LayerMaps {
                        index: 0,
                        name: "convolution".into(),
                        shape: Shape::new(2, 2, 3),
                        formula: Some("⌊(3 + 2·1 − 3) / 1⌋ + 1 = 3".into()),
                        values,
                    }],
                    probabilities: Vec::new(),
                    explained: 0,
                    saliency: Vec::new(),
                },
            }),
            layer: 0,
        };
        yew::Renderer::<LayerMapsView>::with_root_and_props(root.clone(), props).render();
        yew::platform::time::sleep(Duration::from_millis(20)).await;
        let canvas: HtmlCanvasElement = crate::app::test_dom::find(&root, "canvas");
        // Two tiles of 3 wide with a 1-pixel gap.
        assert_eq!((canvas.width(), canvas.height()), (7, 2));
        let context = crate::app::canvas::context_2d(&canvas).expect("a 2d context");
        let pixel = |x: f64, y: f64| {
            context
                .get_image_data(x, y, 1.0, 1.0)
                .expect("pixels")
                .data()
                .0
        };
        // −1 of a ±5 scale is light blue; 0 is (within a 256-colour table step) white; 5 is the deepest red; the gap is white.
        let blue = pixel(0.0, 0.0);
        assert!(blue[2] > blue[0], "negative is blue: {blue:?}");
        assert_eq!(pixel(3.0, 0.0), vec![255, 255, 255, 255], "the gap");
        let white = pixel(4.0, 0.0);
        assert!(
            white.iter().take(3).all(|&c| c > 230),
            "zero is near white: {white:?}"
        );
        let red = pixel(6.0, 1.0);
        assert!(red[0] > 100 && red[2] < 60, "5 is red: {red:?}");
        let text = root.text_content().unwrap_or_default();
        assert!(text.contains("1 · convolution"), "{text}");
        assert!(text.contains("2×2×3"), "{text}");
        assert!(text.contains("⌊(3 + 2·1 − 3) / 1⌋ + 1 = 3"), "{text}");
        assert!(text.contains("values −5 to 5"), "{text}");
    }
}
