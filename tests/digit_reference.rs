//! The drawn-digit centring against an independent reference: the fixtures in
//! tests/fixtures/digit/ were made by numpy and Pillow (tests/reference/make_digit_fixtures.py)
//! from antialiased drawings: an off-centre "1", a "7", a small "0" in a corner, a wide dash,
//! and a "4" smaller than 20 pixels on a wide, short image (enlarged, not reduced).

mod common;

use convlab::training::digit::center_digit;
use ndarray::Ix2;

#[test]
fn drawn_digits_are_centred_like_mnist() {
    let dir = common::root().join("tests/fixtures/digit");
    for case in ["one", "seven", "zero", "dash", "four"] {
        let pad = common::read_npy(&dir.join(format!("{case}_pad.npy")))
            .into_dimensionality::<Ix2>()
            .expect("a 2-D drawing");
        let expected = common::read_npy(&dir.join(format!("{case}_digit.npy")));
        let got = center_digit(pad.view()).expect("the drawing has ink");
        let got = ndarray::ArrayD::from_shape_vec(vec![28, 28], got).expect("28 × 28");
        common::assert_close(case, got.view(), &expected, 1e-5);
    }
}
