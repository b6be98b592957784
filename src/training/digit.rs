//! A digit drawn on the page, prepared the way the MNIST digits were (LeCun et al.): the
//! ink's bounding box scaled by area averaging so its longer side is 20 pixels (aspect
//! kept; a drawing smaller than that is not enlarged), then placed in a 28 × 28 field so
//! that its centre of mass sits at the field's centre.

use ndarray::{s, Array2, ArrayView2};

use crate::explorer::resize::fit;
use crate::nn::data::{PIXELS, SIDE};

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
    let digit = fit(crop.view(), BOX);
    let (h, w) = digit.dim();
    let mass: f64 = digit.iter().map(|&v| f64::from(v)).sum();
    if mass <= 0.0 {
        return None;
    }
    // Centre of mass in pixel-centre coordinates; the field's centre is 14.0.
    let (mut cy, mut cx) = (0.0f64, 0.0f64);
    for ((y, x), &v) in digit.indexed_iter() {
        cy += f64::from(v) * (y as f64 + 0.5);
        cx += f64::from(v) * (x as f64 + 0.5);
    }
    let centre = SIDE as f64 / 2.0;
    let offset = |com: f64, len: usize| {
        let shift = (centre - com / mass + 0.5).floor();
        shift.clamp(0.0, (SIDE - len) as f64) as usize
    };
    let (dy, dx) = (offset(cy, h), offset(cx, w));
    let mut field = Array2::<f32>::zeros((SIDE, SIDE));
    field.slice_mut(s![dy..dy + h, dx..dx + w]).assign(&digit);
    let values: Vec<f32> = field.iter().copied().collect();
    (values.len() == PIXELS).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn centre_of_mass(values: &[f32]) -> (f64, f64) {
        let mass: f64 = values.iter().map(|&v| f64::from(v)).sum();
        let (mut cy, mut cx) = (0.0, 0.0);
        for (i, &v) in values.iter().enumerate() {
            cy += f64::from(v) * ((i / SIDE) as f64 + 0.5);
            cx += f64::from(v) * ((i % SIDE) as f64 + 0.5);
        }
        (cy / mass, cx / mass)
    }

    #[test]
    fn no_ink_or_bad_values_give_nothing() {
        assert_eq!(center_digit(Array2::zeros((280, 280)).view()), None);
        assert_eq!(
            center_digit(Array2::from_elem((10, 10), 0.04).view()),
            None,
            "specks under the threshold"
        );
        let mut nan = Array2::zeros((5, 5));
        nan[[2, 2]] = f32::NAN;
        assert_eq!(center_digit(nan.view()), None);
    }

    #[test]
    fn a_stroke_in_a_corner_lands_in_the_middle_twenty_pixels_tall() {
        // A vertical bar 200 tall and 20 wide near the top-left of a 280 pad.
        let mut pad = Array2::<f32>::zeros((280, 280));
        pad.slice_mut(s![10..210, 5..25]).fill(1.0);
        let digit = center_digit(pad.view()).expect("ink");
        assert_eq!(digit.len(), 784);
        let (cy, cx) = centre_of_mass(&digit);
        assert!(
            (cy - 14.0).abs() <= 0.5 && (cx - 14.0).abs() <= 0.5,
            "{cy} {cx}"
        );
        let inked_rows = (0..SIDE)
            .filter(|r| digit[r * SIDE..(r + 1) * SIDE].iter().any(|&v| v > 0.0))
            .count();
        assert_eq!(inked_rows, 20, "the longer side is 20 pixels");
        // Area averaging keeps the mean: 200 × 20 pixels of ink become 20 × 2 of ink.
        let total: f32 = digit.iter().sum();
        assert!((total - 40.0).abs() < 1e-3, "{total}");
    }
}
