//! Training on the shipped MNIST digits: the loader's checks, learning, determinism and
//! bad settings reported as errors rather than panics.
//!
//! Tests that train many steps use a small network on the real digits, so that they take
//! seconds in a debug build too; the default network's learning is checked by the 97 %
//! accuracy test, which trains for up to 20 s and only makes sense optimised:
//! `cargo test --release --test nn_training -- --ignored`.

mod common;

#[cfg(not(target_arch = "wasm32"))]
use std::time::{Duration, Instant};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use convlab::common::geometry::Padding;
use convlab::nn::data::{DataError, DatasetKind, Mnist, CLASSES, DIGITS};
use convlab::nn::train::{TestPass, EVAL_BATCH};
use convlab::nn::{LayerSpec, NetworkSpec, NnError, Optimizer, Shape, TrainConfig, Trainer};

fn mnist() -> Mnist {
    common::dataset(DatasetKind::Digits)
}

fn files() -> (Vec<u8>, Vec<u8>) {
    let dir = common::root().join("www/mnist");
    let read = |name: &str| common::read(&dir.join(name));
    (read("digits.png"), read("labels.idx1"))
}

#[test]
fn shipped_digits_load_with_the_documented_split() {
    let data = mnist();
    assert_eq!((data.train().len(), data.test().len()), (8000, 2000));
    // Per-class counts printed by scripts/make_mnist.py when it made the files.
    let count = |labels: &[u8]| {
        let mut c = [0usize; CLASSES];
        labels.iter().for_each(|&l| c[l as usize] += 1);
        c
    };
    assert_eq!(
        count(data.train().labels()),
        [799, 888, 794, 810, 783, 710, 809, 867, 753, 787]
    );
    assert_eq!(
        count(data.test().labels()),
        [202, 239, 197, 222, 197, 153, 205, 203, 191, 191]
    );
    // Real handwriting: mostly background, some full ink, a stroke in the middle.
    let digit = data.train().image(0);
    assert_eq!(digit.dim(), (28, 28));
    let ink = digit.iter().filter(|&&p| p > 128).count();
    assert!((40..400).contains(&ink), "{ink} inked pixels");
    assert!(digit.row(0).iter().all(|&p| p == 0));
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let (png, labels) = files();
    let err = Mnist::from_bytes(&png[..png.len() / 2], &labels).expect_err("truncated");
    assert!(matches!(err, DataError::NotPng(_)), "{err:?}");
    let err = Mnist::from_bytes(b"hello", &labels).expect_err("not a PNG");
    assert!(
        err.to_string()
            .starts_with("the digits file is not a readable PNG"),
        "{err}"
    );

    let mut small = Vec::new();
    image::GrayImage::new(280, 280)
        .write_to(
            &mut std::io::Cursor::new(&mut small),
            image::ImageFormat::Png,
        )
        .expect("encodes");
    let err = Mnist::from_bytes(&small, &labels).expect_err("wrong size");
    assert_eq!(
        err,
        DataError::SpriteSize {
            width: 280,
            height: 280
        }
    );
    assert!(err.to_string().contains("expected 2800×2800"), "{err}");

    let mut rgb = Vec::new();
    image::RgbImage::new(2800, 2800)
        .write_to(&mut std::io::Cursor::new(&mut rgb), image::ImageFormat::Png)
        .expect("encodes");
    let err = Mnist::from_bytes(&rgb, &labels).expect_err("colour");
    assert!(matches!(err, DataError::NotGrayscale { .. }), "{err:?}");

    let mut bad_label = labels.clone();
    bad_label[8 + 123] = 12;
    assert_eq!(
        Mnist::from_bytes(&png, &bad_label),
        Err(DataError::LabelRange {
            index: 123,
            label: 12
        })
    );
    assert!(matches!(
        Mnist::from_bytes(&png, &labels[..labels.len() - 1]),
        Err(DataError::LabelsHeader(_))
    ));
    #[cfg(not(target_arch = "wasm32"))]
    assert!(matches!(
        Mnist::load(std::path::Path::new("/nonexistent"), DatasetKind::Digits),
        Err(DataError::Io { .. })
    ));
    assert_eq!(labels.len(), 8 + DIGITS);
}

#[test]
fn a_few_hundred_steps_drive_the_loss_down() {
    let mut trainer = Trainer::new(common::small_config(1), mnist()).expect("config");
    let before = trainer.evaluate().expect("evaluates");
    assert!(
        (before.loss - 10f32.ln()).abs() < 1.0,
        "an untrained net is near chance: {before:?}"
    );
    let first = trainer.train_batches(25).expect("trains");
    trainer.train_batches(250).expect("trains");
    let last = trainer.train_batches(25).expect("trains");
    assert_eq!(last.samples, 300 * 16);
    assert!(
        first.train_loss > 1.2 && last.train_loss < 0.6,
        "{first:?} → {last:?}"
    );
    let after = trainer.evaluate().expect("evaluates");
    assert!(after.loss < 0.6 && after.accuracy > 0.8, "{after:?}");
}

#[test]
fn the_default_network_learns_in_a_few_steps() {
    let mut trainer = Trainer::new(TrainConfig::default(), mnist()).expect("default config");
    let first = trainer.train_batches(5).expect("trains");
    trainer.train_batches(15).expect("trains");
    let last = trainer.train_batches(5).expect("trains");
    assert!(
        last.train_loss < 0.75 * first.train_loss,
        "{first:?} → {last:?}"
    );
}

#[test]
fn adam_and_momentum_learn_too() {
    for optimizer in [
        Optimizer::adam(0.002),
        Optimizer::Sgd {
            learning_rate: 0.02,
            momentum: 0.9,
        },
    ] {
        let config = TrainConfig {
            optimizer,
            ..common::small_config(1)
        };
        let mut trainer = Trainer::new(config, mnist()).expect("config");
        trainer.train_batches(200).expect("trains");
        let after = trainer.evaluate().expect("evaluates");
        assert!(after.accuracy > 0.75, "{optimizer:?}: {after:?}");
    }
}

#[test]
fn the_same_seed_gives_the_same_weights() {
    let data = mnist();
    let run = |seed: u64| {
        let config = TrainConfig {
            seed,
            optimizer: Optimizer::adam(0.001),
            ..common::small_config(1)
        };
        let mut trainer = Trainer::new(config, data.clone()).expect("config");
        trainer.train_batches(40).expect("trains");
        trainer.evaluate().expect("evaluates");
        trainer.train_batches(40).expect("trains");
        trainer.network().parameters().to_vec()
    };
    let a = run(7);
    assert!(a.iter().all(|w| w.is_finite()));
    assert!(a == run(7), "same seed, same weights, bit for bit");
    assert!(a != run(8), "another seed, other weights");
}

#[test]
fn a_huge_learning_rate_is_reported_as_divergence() {
    let config = TrainConfig {
        optimizer: Optimizer::Sgd {
            learning_rate: 1e3,
            momentum: 0.0,
        },
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(config, mnist()).expect("a valid, if unwise, config");
    let err = trainer.train_batches(100).expect_err("diverges");
    let NnError::Diverged { samples, loss } = err.clone() else {
        panic!("{err:?}")
    };
    assert!(
        (loss.is_nan() || loss > convlab::nn::train::DIVERGED_LOSS) && samples < 100 * 32,
        "{err:?}"
    );
    assert!(err.to_string().contains("diverged"), "{err}");
    // It stays diverged instead of training on NaN weights.
    assert_eq!(trainer.train_batches(1), Err(err));
}

#[test]
fn a_test_pass_in_parts_equals_one_in_one_go_and_its_confusion_adds_up() {
    let mut trainer = Trainer::new(common::small_config(1), mnist()).expect("config");
    trainer.train_batches(150).expect("trains");
    let whole = trainer.evaluate().expect("evaluates");
    let mut pass = TestPass::default();
    let mut parts = 0;
    let part = 7 * EVAL_BATCH;
    let in_parts = loop {
        parts += 1;
        if let Some(done) = trainer.evaluate_part(&mut pass, part).expect("evaluates") {
            break done;
        }
        assert_eq!(pass.scored(), part * parts);
    };
    assert_eq!(
        parts,
        2_000usize.div_ceil(part),
        "2,000 digits, {part} at a time"
    );
    assert_eq!(in_parts, whole);
    // Rows are the true digits: they add up to the test set's class counts.
    let rows: Vec<u32> = whole.confusion.iter().map(|r| r.iter().sum()).collect();
    assert_eq!(rows, [202, 239, 197, 222, 197, 153, 205, 203, 191, 191]);
    let diagonal: u32 = (0..CLASSES).map(|i| whole.confusion[i][i]).sum();
    assert_eq!(diagonal as usize, whole.correct);
}

#[test]
fn the_learning_rate_changes_without_restarting_the_run() {
    let data = mnist();
    let config = TrainConfig {
        optimizer: Optimizer::Sgd {
            learning_rate: 0.1,
            momentum: 0.5,
        },
        ..common::small_config(1)
    };
    let mut a = Trainer::new(config.clone(), data.clone()).expect("config");
    a.train_batches(20).expect("trains");
    a.set_learning_rate(0.05).expect("valid");
    a.train_batches(20).expect("trains");
    assert_eq!(a.samples(), 40 * 16, "the count of samples goes on");
    assert_eq!(a.config().optimizer.learning_rate(), 0.05);
    // The same as a run that changed the rate at the same step, and unlike one that
    // never did: the weights and the velocity were kept.
    let mut b = Trainer::new(config.clone(), data.clone()).expect("config");
    b.train_batches(20).expect("trains");
    b.set_optimizer(Optimizer::Sgd {
        learning_rate: 0.05,
        momentum: 0.5,
    })
    .expect("valid");
    b.train_batches(20).expect("trains");
    assert!(a.network().parameters() == b.network().parameters());
    let mut c = Trainer::new(config, data).expect("config");
    c.train_batches(40).expect("trains");
    assert!(a.network().parameters() != c.network().parameters());
    assert!(matches!(
        a.set_learning_rate(f32::NAN),
        Err(NnError::Hyperparameter(_))
    ));
    assert!(matches!(
        a.set_batch_size(0),
        Err(NnError::Hyperparameter(_))
    ));
    a.set_batch_size(8).expect("valid");
    assert_eq!(a.train_batches(2).expect("trains").samples, 40 * 16 + 16);
}

#[test]
fn a_planted_frozen_filter_keeps_its_weights_while_the_rest_learns() {
    let outline = [-1.0, -1.0, -1.0, -1.0, 8.0, -1.0, -1.0, -1.0, -1.0];
    let mut trainer = Trainer::new(common::small_config(1), mnist()).expect("config");
    trainer.plant_filter(0, &outline, true).expect("fits");
    let before = trainer.network().parameters().to_vec();
    trainer.train_batches(30).expect("trains");
    let conv = trainer.network().weights(0).expect("conv weights");
    let planted: Vec<f32> = conv.weights.iter().take(9).copied().collect();
    assert_eq!(planted, outline);
    assert_eq!(conv.bias[0], 0.0);
    let other: Vec<f32> = conv.weights.iter().skip(9).take(9).copied().collect();
    assert!(other != before[9..18], "filter 2 trained");
    // Planted but trainable: it moves.
    trainer.plant_filter(0, &outline, false).expect("fits");
    trainer.train_batches(30).expect("trains");
    let conv = trainer.network().weights(0).expect("conv weights");
    assert!(conv.weights.iter().take(9).copied().collect::<Vec<_>>() != outline);
    // Wrong sizes and numbers are refused in words.
    let err = trainer
        .plant_filter(4, &outline, true)
        .expect_err("4 filters");
    assert!(err.to_string().contains("4 filters of 9 weights"), "{err}");
    assert!(trainer.plant_filter(0, &outline[..4], true).is_err());
    assert!(trainer.plant_filter(0, &[f32::NAN; 9], true).is_err());
}

fn config_with(network: NetworkSpec) -> TrainConfig {
    TrainConfig {
        network,
        ..TrainConfig::default()
    }
}

#[test]
fn impossible_settings_are_errors_not_panics() {
    let data = mnist();
    let build = |config: TrainConfig| {
        Trainer::new(config, data.clone())
            .map(|_| ())
            .expect_err("refused")
    };

    let err = build(TrainConfig {
        batch_size: 0,
        ..TrainConfig::default()
    });
    assert!(matches!(err, NnError::Hyperparameter(_)), "{err:?}");
    assert!(err.to_string().contains("batch size"), "{err}");

    // Three poolings leave 3×3; a 5×5 VALID convolution on it would give 0×0.
    let pool = LayerSpec::MaxPool {
        size: 2,
        stride: 2,
        padding: Padding::Valid,
    };
    let mut layers = vec![pool, pool, pool];
    layers.push(LayerSpec::Conv2d {
        filters: 4,
        kernel_size: 5,
        stride: 1,
        padding: Padding::Valid,
    });
    let err = build(config_with(NetworkSpec {
        input: Shape::new(1, 28, 28),
        layers,
        init: Default::default(),
    }));
    assert!(matches!(err, NnError::Layer { index: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("output would be 0×0"), "{err}");

    let mut no_flatten = NetworkSpec::default_mnist();
    no_flatten.layers.remove(6);
    let err = build(config_with(no_flatten));
    assert!(err.to_string().contains("add a flatten layer"), "{err}");

    let mut eleven = NetworkSpec::default_mnist();
    eleven.layers[7] = LayerSpec::Dense { units: 11 };
    assert!(matches!(build(config_with(eleven)), NnError::Network(_)));

    for bad_layer in [
        LayerSpec::Conv2d {
            filters: 0,
            kernel_size: 3,
            stride: 1,
            padding: Padding::Same,
        },
        LayerSpec::Conv2d {
            filters: 4,
            kernel_size: 0,
            stride: 1,
            padding: Padding::Same,
        },
        LayerSpec::Conv2d {
            filters: 4,
            kernel_size: 3,
            stride: 0,
            padding: Padding::Same,
        },
        LayerSpec::Conv2d {
            filters: usize::MAX,
            kernel_size: usize::MAX,
            stride: usize::MAX,
            padding: Padding::Same,
        },
        LayerSpec::MaxPool {
            size: 0,
            stride: 2,
            padding: Padding::Valid,
        },
        LayerSpec::AvgPool {
            size: 29,
            stride: 1,
            padding: Padding::Valid,
        },
        LayerSpec::LeakyRelu { slope: f32::NAN },
        LayerSpec::Dense { units: 0 },
    ] {
        let mut spec = NetworkSpec::default_mnist();
        spec.layers.insert(0, bad_layer);
        if matches!(bad_layer, LayerSpec::Dense { .. }) {
            spec.layers.insert(0, LayerSpec::Flatten);
        }
        let err = build(config_with(spec));
        assert!(
            matches!(err, NnError::Layer { .. }),
            "{bad_layer:?}: {err:?}"
        );
    }

    let mut empty = NetworkSpec::default_mnist();
    empty.layers.clear();
    assert!(matches!(build(config_with(empty)), NnError::Network(_)));
    let mut tiny = NetworkSpec::default_mnist();
    tiny.input = Shape::new(1, 0, 28);
    assert!(matches!(build(config_with(tiny)), NnError::Network(_)));

    let err = build(TrainConfig {
        optimizer: Optimizer::Sgd {
            learning_rate: -0.1,
            momentum: 0.0,
        },
        ..TrainConfig::default()
    });
    assert!(matches!(err, NnError::Hyperparameter(_)), "{err:?}");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
#[ignore = "trains for up to 20 s: run optimised, with --release"]
fn the_default_network_reaches_97_percent_within_20_seconds() {
    let mut trainer = Trainer::new(TrainConfig::default(), mnist()).expect("default config");
    let start = Instant::now();
    let mut best = 0.0f32;
    while start.elapsed() < Duration::from_secs(20) {
        trainer.train_batches(250).expect("trains");
        best = best.max(trainer.evaluate().expect("evaluates").accuracy);
        if best >= 0.97 {
            break;
        }
    }
    println!(
        "{best} after {:.1} s, {} samples",
        start.elapsed().as_secs_f64(),
        trainer.samples()
    );
    assert!(best >= 0.97, "{best} after 20 s");
}

#[test]
fn a_small_training_set_is_learnt_by_heart_and_one_smaller_than_a_batch_is_refused() {
    let too_few = Trainer::new(
        TrainConfig {
            train_examples: 8,
            ..common::small_config(1)
        },
        mnist(),
    );
    assert!(too_few.is_err_and(|e| e.to_string().contains("training examples")));
    // One batch of 16 images, seen again and again: the network learns them by heart.
    let mut trainer = Trainer::new(
        TrainConfig {
            train_examples: 16,
            ..common::small_config(1)
        },
        mnist(),
    )
    .expect("a trainer");
    let first = trainer.train_batches(1).expect("trains");
    let last = trainer.train_batches(300).expect("trains");
    assert!(first.train_loss > 1.0, "{first:?}");
    let again = trainer.train_batches(1).expect("trains");
    assert!(
        last.train_loss < 0.1 && again.train_accuracy == 1.0,
        "{last:?} {again:?}"
    );
}

#[test]
fn weight_decay_pulls_each_weight_toward_zero_by_its_own_size() {
    // Plain SGD, one step on the same batch: with decay d, each parameter moves by an extra
    // −learning_rate · d · w (PyTorch's `weight_decay`, an L2 penalty of d/2 · |w|²).
    let step = |weight_decay| {
        let config = TrainConfig {
            weight_decay,
            ..common::small_config(3)
        };
        let mut trainer = Trainer::new(config, mnist()).expect("a trainer");
        let before = trainer.network().parameters().to_vec();
        trainer.train_batches(1).expect("trains");
        (before, trainer.network().parameters().to_vec())
    };
    let (start, plain) = step(0.0);
    let (same_start, decayed) = step(0.01);
    assert_eq!(start, same_start);
    let learning_rate = 0.1;
    for ((&w, &p), &d) in start.iter().zip(&plain).zip(&decayed) {
        let expected = -learning_rate * 0.01 * w;
        assert!(
            ((d - p) - expected).abs() <= 1e-6 + 1e-4 * expected.abs(),
            "{w}: {p} vs {d}"
        );
    }
    let refused = Trainer::new(
        TrainConfig {
            weight_decay: f32::NAN,
            ..common::small_config(3)
        },
        mnist(),
    );
    assert!(refused.is_err_and(|e| e.to_string().contains("weight decay")));
}

#[test]
fn a_run_with_dropout_repeats_exactly_from_its_seed() {
    let with_dropout = |seed, rate| {
        let mut config = common::small_config(seed);
        let last = config.network.layers.len() - 1;
        config
            .network
            .layers
            .insert(last, LayerSpec::Dropout { rate });
        let mut trainer = Trainer::new(config, mnist()).expect("a trainer");
        trainer.train_batches(20).expect("trains");
        trainer.network().parameters().to_vec()
    };
    assert_eq!(
        with_dropout(5, 0.5),
        with_dropout(5, 0.5),
        "the same seed, the same run"
    );
    assert_ne!(with_dropout(5, 0.5), with_dropout(6, 0.5));
    assert_ne!(
        with_dropout(5, 0.5),
        with_dropout(5, 0.0),
        "dropout changes training"
    );
}
