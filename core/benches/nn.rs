//! The CNN engine on the reference network (1×28×28 → conv 8 3×3 SAME → ReLU → max-pool 2 →
//! conv 16 3×3 SAME → ReLU → max-pool 2 → flatten → dense 10, SGD lr 0.15, batch 32) and
//! real MNIST digits: one training step, the forward pass of one image, and each layer
//! alone (forward + backward at batch 32, on the shape it sees in the network), so a
//! regression shows where it is. Also the two matrix-product kernels on the convolutions'
//! shapes, for every backend this machine has.
//!
//! Run: `cargo bench --bench nn` (quicker: `-- --warm-up-time 1 --measurement-time 3`).
//! Training samples per second = 32 / (time of `train_step/batch32`).

use std::hint::black_box;

use convlab_core::nn::data::Mnist;
use convlab_core::nn::gemm::{gemm_with, Backend, Mat};
use convlab_core::nn::{LayerSpec, Network, NetworkSpec, TrainConfig, Trainer};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array4, Axis};

fn digits() -> Mnist {
    Mnist::from_bytes(
        include_bytes!("../../www/mnist/digits.png"),
        include_bytes!("../../www/mnist/labels.idx1"),
    )
    .expect("the shipped digits load")
}

fn batch_of_digits(data: &Mnist, n: usize) -> Array4<f32> {
    Array4::from_shape_fn((n, 1, 28, 28), |(b, _, y, x)| {
        f32::from(data.train().image(b)[[y, x]]) / 255.0
    })
}

fn whole_network(c: &mut Criterion) {
    let data = digits();
    let mut trainer = Trainer::new(TrainConfig::default(), data.clone()).expect("default config");
    trainer.train_batches(1).expect("warm-up");
    c.bench_function("train_step/batch32", |b| {
        b.iter(|| trainer.train_batches(1).expect("trains"))
    });

    let mut net = Network::new(&NetworkSpec::default_mnist(), 1).expect("default network");
    let image = batch_of_digits(&data, 1).index_axis_move(Axis(0), 0);
    c.bench_function("forward/one_image", |b| {
        b.iter(|| net.predict(black_box(image.view())).expect("runs")[0])
    });

    let mut trainer = Trainer::new(TrainConfig::default(), data).expect("default config");
    c.bench_function("evaluate/2000_test_digits", |b| {
        b.iter(|| trainer.evaluate().expect("evaluates"))
    });
}

fn each_layer(c: &mut Criterion) {
    let data = digits();
    let spec = NetworkSpec::default_mnist();
    let full = Network::new(&spec, 1).expect("default network");
    let shapes = full.output_shapes();
    let mut group = c.benchmark_group("layer_forward_backward/batch32");
    let mut input_shape = spec.input;
    for (i, layer) in spec.layers.iter().enumerate() {
        let single = NetworkSpec {
            input: input_shape,
            layers: vec![*layer],
            init: spec.init,
        };
        let mut net = Network::new(&single, 1).expect("a layer");
        let input = if i == 0 {
            batch_of_digits(&data, 32)
        } else {
            Array4::from_shape_fn(
                (
                    32,
                    input_shape.channels,
                    input_shape.height,
                    input_shape.width,
                ),
                |(b, c, y, x)| (((b * 7 + c * 5 + y * 3 + x) % 11) as f32 - 5.0) / 5.0,
            )
        };
        let out = shapes[i];
        let d_out = Array4::from_elem((32, out.channels, out.height, out.width), 0.01f32);
        let name = match layer {
            LayerSpec::Conv2d { filters, .. } => format!("{i}_conv{filters}"),
            other => format!("{i}_{}", other.name().replace(' ', "_")),
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                net.forward(black_box(input.view())).expect("forward");
                net.backward(d_out.view()).expect("backward")[[0, 0, 0, 0]]
            })
        });
        input_shape = out;
    }
    group.finish();
}

fn matrix_products(c: &mut Criterion) {
    let values = |n: usize| {
        (0..n)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect::<Vec<_>>()
    };
    // conv 2 forward: (16 × 72) · (72 × 6272); its weight gradient: (16 × 6272) · (6272 × 72)ᵀ.
    let (f, k, n) = (16, 72, 32 * 14 * 14);
    let (w, cols, dy) = (values(f * k), values(k * n), values(f * n));
    let mut out = vec![0.0; f * n];
    let mut dw = vec![0.0; f * k];
    let mut group = c.benchmark_group("gemm");
    for backend in Backend::available() {
        group.bench_function(format!("nn_16x72x6272/{backend:?}"), |b| {
            b.iter(|| {
                let (a, bm) = (Mat::row_major(&w, f, k), Mat::row_major(&cols, k, n));
                gemm_with(backend, a, bm, &mut out, false)
            })
        });
        group.bench_function(format!("nt_16x6272x72/{backend:?}"), |b| {
            b.iter(|| {
                let (a, bm) = (Mat::row_major(&dy, f, n), Mat::row_major(&cols, k, n).t());
                gemm_with(backend, a, bm, &mut dw, false)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, whole_network, each_layer, matrix_products);
criterion_main!(benches);
