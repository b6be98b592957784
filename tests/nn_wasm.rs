//! The engine compiled to WebAssembly with `simd128`, run in node by wasm-bindgen-test-runner:
//! the SIMD matrix kernels against float64, and a report of the training speed on the real
//! digits (a measurement, not a timed assertion).
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-nn cargo test --release --target wasm32-unknown-unknown \
//!     --test nn_wasm -- --nocapture
//! ```
//! Natively this file is empty.

#![cfg(target_arch = "wasm32")]

use convlab::nn::data::Mnist;
use convlab::nn::gemm::{gemm_with, Backend, Mat};
use convlab::nn::rng::Rng;
use convlab::nn::{TrainConfig, Trainer};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

#[wasm_bindgen_test]
fn simd128_is_the_backend_and_matches_float64() {
    assert_eq!(Backend::best(), Backend::Simd128);
    let mut rng = Rng::new(5);
    for &(m, n, k) in &[
        (1, 1, 1),
        (4, 16, 9),
        (10, 33, 784),
        (16, 1030, 72),
        (9, 37, 1100),
        (5, 3, 2),
    ] {
        let a: Vec<f32> = (0..m * k).map(|_| rng.normal() as f32).collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.normal() as f32).collect();
        let layouts = [
            (Mat::row_major(&a, m, k), Mat::row_major(&b, k, n)),
            (Mat::row_major(&a, k, m).t(), Mat::row_major(&b, k, n)),
            (Mat::row_major(&a, m, k), Mat::row_major(&b, n, k).t()),
        ];
        for (x, y) in layouts {
            let mut c = vec![0.0; m * n];
            gemm_with(Backend::Simd128, x, y, &mut c, false);
            for i in 0..m {
                for j in 0..n {
                    let want: f64 = (0..k)
                        .map(|p| {
                            f64::from(x.data[i * x.row_stride + p * x.col_stride])
                                * f64::from(y.data[p * y.row_stride + j * y.col_stride])
                        })
                        .sum();
                    let got = f64::from(c[i * n + j]);
                    let tol = 1e-5 * (k as f64).sqrt() * (1.0 + want.abs());
                    assert!(
                        (got - want).abs() <= tol,
                        "{m}×{n}×{k} [{i},{j}]: {got} vs {want}"
                    );
                }
            }
        }
    }
}

#[wasm_bindgen_test]
fn training_speed_report() {
    let data = Mnist::from_bytes(
        include_bytes!("../www/mnist/digits.png"),
        include_bytes!("../www/mnist/labels.idx1"),
    )
    .expect("the shipped digits load");
    let mut trainer = Trainer::new(TrainConfig::default(), data).expect("default config");
    trainer.train_batches(2).expect("warm-up");
    let start = js_sys::Date::now();
    let mut batches = 0;
    while js_sys::Date::now() - start < 10_000.0 {
        trainer.train_batches(8).expect("trains");
        batches += 8;
    }
    let seconds = (js_sys::Date::now() - start) / 1000.0;
    let t = js_sys::Date::now();
    let test = trainer.evaluate().expect("evaluates");
    let eval_ms = js_sys::Date::now() - t;
    console_log!(
        "wasm simd128: {:.0} training samples/s ({} batches of 32 in {:.2} s); test accuracy {:.4}, \
         evaluation of 2,000 digits {:.0} ms",
        (batches * 32) as f64 / seconds,
        batches,
        seconds,
        test.accuracy,
        eval_ms
    );
    assert!(test.accuracy > 0.9, "{test:?}");
}
