//! A digit drawn on the page, prepared the way the MNIST digits were (LeCun et al.): the
//! ink's bounding box scaled by area averaging so its longer side is 20 pixels (aspect
//! kept; small drawings are enlarged, large ones reduced), then placed in a 28 × 28 field
//! so that its centre of mass sits at the field's centre. A network trained on MNIST only
//! reads digits of that size and position, wherever and however large they were drawn.

use ndarray::{s, Array2, ArrayView2};

use crate::common::resize::fit;
use crate::nn::data::SIDE;

/// Ink above this (0–1) counts for the bounding box; lighter specks are antialiasing.
pub const INK_THRESHOLD: f32 = 0.05;
/// The longer side of the scaled digit, as in MNIST.
pub const BOX: usize = 20;

/// `ink` (rows × columns, 0 = background … 1 = full ink) as 28 × 28 MNIST-style values,
/// row by row; `None` when there is no ink or a value is not a number.
pub fn center_digit(ink: ArrayView2<f32>) -> Option<Vec<f32>> {
    if ink.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let inked = |v: &f32| *v > INK_THRESHOLD;
    let rows: Vec<usize> = (0..ink.nrows())
        .filter(|&r| ink.row(r).iter().any(inked))
        .collect();
    let cols: Vec<usize> = (0..ink.ncols())
        .filter(|&c| ink.column(c).iter().any(inked))
        .collect();
    let (&top, &bottom) = (rows.first()?, rows.last()?);
    let (&left, &right) = (cols.first()?, cols.last()?);
    let crop = ink
        .slice(s![top..=bottom, left..=right])
        .mapv(|v| v.clamp(0.0, 1.0));
    let digit = fit(enlarged(crop, BOX).view(), BOX);
    let (h, w) = digit.dim();
    let mass: f64 = digit.iter().map(|&v| f64::from(v)).sum();
    // Centre of mass in pixel-centre coordinates; the field's centre is 14.0.
    let (mut cy, mut cx) = (0.0f64, 0.0f64);
    for ((y, x), &v) in digit.indexed_iter() {
        cy += f64::from(v) * (y as f64 + 0.5);
        cx += f64::from(v) * (x as f64 + 0.5);
    }
    let centre = SIDE as f64 / 2.0;
    let offset = |moment: f64, len: usize| {
        let shift = (centre - moment / mass + 0.5).floor();
        shift.clamp(0.0, (SIDE - len) as f64) as usize
    };
    let (dy, dx) = (offset(cy, h), offset(cx, w));
    let mut field = Array2::<f32>::zeros((SIDE, SIDE));
    field.slice_mut(s![dy..dy + h, dx..dx + w]).assign(&digit);
    Some(field.into_iter().collect())
}

/// `image` with each pixel repeated k × k times, the smallest k that makes its longer side
/// at least `side`. Area averaging sees an image as constant over each pixel, so this
/// changes nothing it computes, and lets [`fit`] (which only ever reduces) enlarge too.
fn enlarged(image: Array2<f32>, side: usize) -> Array2<f32> {
    let (h, w) = image.dim();
    let k = side.div_ceil(h.max(w));
    if k <= 1 {
        return image;
    }
    Array2::from_shape_fn((h * k, w * k), |(y, x)| image[[y / k, x / k]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::data::PIXELS;

    fn centre_of_mass(values: &[f32]) -> (f64, f64) {
        let mass: f64 = values.iter().map(|&v| f64::from(v)).sum();
        let (mut cy, mut cx) = (0.0, 0.0);
        for (i, &v) in values.iter().enumerate() {
            cy += f64::from(v) * ((i / SIDE) as f64 + 0.5);
            cx += f64::from(v) * ((i % SIDE) as f64 + 0.5);
        }
        (cy / mass, cx / mass)
    }

    /// The inked span of a 28 × 28 result: (first row, height, first column, width).
    fn extent(values: &[f32]) -> (usize, usize, usize, usize) {
        let inked = |i: usize| values[i] > 0.0;
        let rows: Vec<usize> = (0..SIDE)
            .filter(|&r| (0..SIDE).any(|c| inked(r * SIDE + c)))
            .collect();
        let cols: Vec<usize> = (0..SIDE)
            .filter(|&c| (0..SIDE).any(|r| inked(r * SIDE + c)))
            .collect();
        let span = |v: &[usize]| (v[0], v[v.len() - 1] + 1 - v[0]);
        let ((top, height), (left, width)) = (span(&rows), span(&cols));
        (top, height, left, width)
    }

    #[test]
    fn no_ink_or_bad_values_give_nothing() {
        assert_eq!(center_digit(Array2::zeros((280, 280)).view()), None);
        assert_eq!(center_digit(Array2::zeros((0, 0)).view()), None);
        assert_eq!(
            center_digit(Array2::from_elem((10, 10), 0.04).view()),
            None,
            "specks under the threshold"
        );
        for bad in [f32::NAN, f32::INFINITY] {
            let mut pad = Array2::zeros((5, 5));
            pad[[1, 1]] = 1.0;
            pad[[2, 2]] = bad;
            assert_eq!(center_digit(pad.view()), None, "{bad}");
        }
    }

    #[test]
    fn a_stroke_in_a_corner_lands_in_the_middle_twenty_pixels_tall() {
        // A vertical bar 200 tall and 20 wide near the top-left of a 280 pad.
        let mut pad = Array2::<f32>::zeros((280, 280));
        pad.slice_mut(s![10..210, 5..25]).fill(1.0);
        let digit = center_digit(pad.view()).expect("ink");
        assert_eq!(digit.len(), PIXELS);
        let (cy, cx) = centre_of_mass(&digit);
        assert!(
            (cy - 14.0).abs() <= 0.5 && (cx - 14.0).abs() <= 0.5,
            "{cy} {cx}"
        );
        let (_, rows, _, cols) = extent(&digit);
        assert_eq!((rows, cols), (20, 2), "the longer side is 20 pixels");
        // Area averaging keeps the mean: 200 × 20 pixels of ink become 20 × 2 of ink.
        let total: f32 = digit.iter().sum();
        assert!((total - 40.0).abs() < 1e-3, "{total}");
        assert!(digit.iter().all(|&v| (0.0..=1.0).contains(&v)));
    }

    #[test]
    fn a_small_drawing_is_enlarged_to_twenty() {
        // 5 wide and 4 tall in a 28 × 28 image: the width becomes 20, the height 16.
        let mut pad = Array2::<f32>::zeros((28, 28));
        pad.slice_mut(s![2..6, 3..8]).fill(0.5);
        let digit = center_digit(pad.view()).expect("ink");
        let (top, rows, left, cols) = extent(&digit);
        assert_eq!((rows, cols), (16, 20));
        assert_eq!((top, left), (6, 4), "centred: 14 − 8 and 14 − 10");
        assert!(
            digit.iter().all(|&v| v == 0.0 || v == 0.5),
            "uniform ink stays 0.5"
        );
    }

    #[test]
    fn a_lopsided_digit_is_shifted_only_as_far_as_the_field_allows() {
        // A full column on the right and one speck on the left: a 20 × 20 box whose centre
        // of mass is near its right edge. Centring it would push it out; it stops at the
        // left border instead.
        let mut pad = Array2::<f32>::zeros((100, 100));
        pad.slice_mut(s![0..100, 99]).fill(1.0);
        pad[[50, 0]] = 1.0;
        let digit = center_digit(pad.view()).expect("ink");
        let (top, rows, left, cols) = extent(&digit);
        assert_eq!((rows, cols), (20, 20));
        assert_eq!((top, left), (4, 0));
        let (cy, _) = centre_of_mass(&digit);
        assert!((cy - 14.0).abs() <= 0.5, "{cy}");
    }

    #[test]
    fn faint_margins_do_not_count_and_overbright_ink_is_clipped() {
        let mut pad = Array2::<f32>::from_elem((60, 60), 0.03);
        pad.slice_mut(s![10..50, 20..40]).fill(3.0);
        let digit = center_digit(pad.view()).expect("ink");
        let (_, rows, _, cols) = extent(&digit);
        assert_eq!(
            (rows, cols),
            (20, 10),
            "the box is the ink's, not the pad's"
        );
        assert_eq!(digit.iter().copied().fold(0.0, f32::max), 1.0);
    }
}
