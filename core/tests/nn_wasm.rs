//! The engine compiled to WebAssembly, run in headless Chromium by wasm-bindgen-test-runner,
//! in each build the page can load: `simd128`, and with the `relaxed-simd` feature (the
//! worker the page picks where relaxed SIMD validates). Checked: the build trains with its
//! own matrix backend, and that backend's products match float64. Two measurements, not
//! timed assertions, report the matrix products' speed and the training speed on the real
//! digits:
//!
//! ```text
//! cargo test -p convlab-core --release --target wasm32-unknown-unknown [--features relaxed-simd] \
//!     --test nn_wasm -- --include-ignored --nocapture
//! ```
//! Natively this file is empty.

#![cfg(target_arch = "wasm32")]

use convlab_core::nn::data::Mnist;
use convlab_core::nn::gemm::{gemm_with, Backend, Mat};
use convlab_core::nn::rng::Rng;
use convlab_core::nn::{TrainConfig, Trainer};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The backend this build trains with: relaxed SIMD in the `relaxed-simd` build.
#[cfg(feature = "relaxed-simd")]
const BUILD: Backend = Backend::RelaxedSimd;
#[cfg(not(feature = "relaxed-simd"))]
const BUILD: Backend = Backend::Simd128;

#[wasm_bindgen_test]
fn the_build_backend_matches_float64() {
    assert_eq!(Backend::best(), BUILD);
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
            gemm_with(BUILD, x, y, &mut c, false);
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
#[ignore = "a measurement of 10 s: run optimised, with --release -- --include-ignored"]
fn training_speed_report() {
    let data = Mnist::from_bytes(
        include_bytes!("../../www/mnist/digits.png"),
        include_bytes!("../../www/mnist/labels.idx1"),
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
        "wasm {:?}: {:.0} training samples/s ({} batches of 32 in {:.2} s); test accuracy {:.4}, \
         evaluation of 2,000 digits {:.0} ms",
        BUILD,
        (batches * 32) as f64 / seconds,
        batches,
        seconds,
        test.accuracy,
        eval_ms
    );
    assert!(test.accuracy > 0.9, "{test:?}");
}

#[wasm_bindgen_test]
#[ignore = "a measurement: run optimised, with --release -- --include-ignored"]
fn matrix_speed_report() {
    let values = |n: usize| {
        (0..n)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect::<Vec<_>>()
    };
    // conv 2 of a batch of 32: forward (16 × 72) · (72 × 6272), weight gradient
    // (16 × 6272) · (6272 × 72)ᵀ, input gradient (72 × 16) · (16 × 6272).
    let (f, k, n) = (16, 72, 32 * 14 * 14);
    let (w, cols, dy) = (values(f * k), values(k * n), values(f * n));
    let mut out = vec![0.0; f * n];
    let mut dw = vec![0.0; f * k];
    let mut dcols = vec![0.0; k * n];
    for backend in Backend::available() {
        let time = |run: &mut dyn FnMut()| {
            run();
            let start = js_sys::Date::now();
            let mut reps = 0;
            while js_sys::Date::now() - start < 1000.0 {
                run();
                reps += 1;
            }
            let seconds = (js_sys::Date::now() - start) / 1000.0;
            2.0 * (f * k * n) as f64 * f64::from(reps) / seconds / 1e9
        };
        let nn = time(&mut || {
            gemm_with(
                backend,
                Mat::row_major(&w, f, k),
                Mat::row_major(&cols, k, n),
                &mut out,
                false,
            )
        });
        let nt = time(&mut || {
            gemm_with(
                backend,
                Mat::row_major(&dy, f, n),
                Mat::row_major(&cols, k, n).t(),
                &mut dw,
                false,
            )
        });
        let tn = time(&mut || {
            gemm_with(
                backend,
                Mat::row_major(&w, f, k).t(),
                Mat::row_major(&dy, f, n),
                &mut dcols,
                false,
            )
        });
        console_log!(
            "{backend:?}: GFLOP/s forward (NN) {nn:.1}, weight gradient (NT) {nt:.1}, \
             input gradient (TN) {tn:.1}"
        );
    }
}
