//! The explorer's pipeline (convolution + ReLU + 2×2 max pooling, float32) at the sizes the
//! issue names, on a real photograph fitted to each size. Run: `cargo bench --bench pipeline`.

use std::hint::black_box;

use convlab::common::activation::Activation;
use convlab::common::geometry::{Padding, Window};
use convlab::common::pool::max_pool_forward;
use convlab::common::resize::fit;
use convlab::explorer::conv::conv2d;
use convlab::explorer::kernel::{Kernel, OUTLINE};
use convlab::explorer::layer::LayerSettings;
use convlab::explorer::pipeline::run;
use convlab::explorer::source::decode_grayscale;
use criterion::{criterion_group, criterion_main, Criterion};

fn pipeline(c: &mut Criterion) {
    let photo = decode_grayscale(include_bytes!("../www/samples/coffee.jpg"))
        .expect("the bundled sample decodes");
    // Up to 1024 the photo is upscaled by repetition: the math only cares about the size.
    let large = ndarray::Array2::from_shape_fn((1024, 1024), |(i, j)| {
        photo[[i % photo.nrows(), j % photo.ncols()]]
    });
    let kernel = Kernel::parse(&OUTLINE.cell_texts()).expect("outline parses");
    let mut group = c.benchmark_group("conv+relu+pool");
    for size in [300, 512, 1024] {
        let input = fit(large.view(), size);
        group.bench_function(format!("{size}x{size}"), |b| {
            b.iter(|| {
                run(
                    black_box(input.view()),
                    &kernel,
                    0.0,
                    LayerSettings::default(),
                )
            })
        });
    }
    group.finish();

    // Each step alone at 1024², so a regression shows where it is.
    let input = fit(large.view(), 1024);
    let mut steps = c.benchmark_group("step-1024x1024");
    steps.bench_function("conv2d", |b| {
        b.iter(|| {
            conv2d(
                black_box(input.view()),
                kernel.weights().view(),
                1,
                Padding::Same,
            )
        })
    });
    let conv = conv2d(input.view(), kernel.weights().view(), 1, Padding::Same);
    let conv = conv.as_slice().expect("contiguous");
    let mut relu = vec![0.0; conv.len()];
    steps.bench_function("relu", |b| {
        b.iter(|| Activation::Relu.forward(black_box(conv), &mut relu))
    });
    let window = Window::new((1024, 1024), (2, 2), 2, Padding::Same);
    let (mut pooled, mut argmax) = (vec![0.0; window.outputs()], vec![0; window.outputs()]);
    steps.bench_function("max_pool", |b| {
        b.iter(|| max_pool_forward(black_box(&relu), 1, &window, &mut pooled, &mut argmax))
    });
    steps.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
