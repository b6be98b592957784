//! The explorer's layer (convolution + bias, ReLU, 2×2 max pooling, float32) at the sizes
//! the issues name, on a real photograph fitted to each size: one grayscale filter (the
//! classic page), and RGB with 4 and 8 filters. Run: `cargo bench --bench pipeline`.

use std::hint::black_box;

use convlab_core::common::activation::Activation;
use convlab_core::common::geometry::{Padding, Window};
use convlab_core::common::pool::max_pool_forward;
use convlab_core::explorer::conv::conv2d;
use convlab_core::explorer::filters::{layer_filters, starting_filters};
use convlab_core::explorer::kernel::{Kernel, OUTLINE};
use convlab_core::explorer::layer::{fit_channels, run_layer, Channels, LayerSettings};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array3, Axis};

fn pipeline(c: &mut Criterion) {
    // The page has the browser decode JPEG; the math only needs the photo's pixels.
    let photo = image::load_from_memory(include_bytes!("../../www/samples/coffee.jpg"))
        .expect("the sample decodes")
        .into_rgb8();
    let (pw, ph) = (photo.width() as usize, photo.height() as usize);
    let photo = Array3::from_shape_fn((3, ph, pw), |(c, i, j)| {
        f32::from(photo.get_pixel(j as u32, i as u32)[c]) / 255.0
    });
    // Up to 1024 the photo is upscaled by repetition: the math only cares about the size.
    let large = Array3::from_shape_fn((3, 1024, 1024), |(c, i, j)| photo[[c, i % ph, j % pw]]);
    let gray = large.mean_axis(Axis(0)).expect("three channels");
    let mut group = c.benchmark_group("layer");
    for (channels, filters, size) in [
        (Channels::Grayscale, 1, 300),
        (Channels::Grayscale, 1, 512),
        (Channels::Grayscale, 1, 1024),
        (Channels::Rgb, 4, 512),
        (Channels::Rgb, 8, 300),
    ] {
        let input = match channels {
            Channels::Grayscale => fit_channels(gray.view().insert_axis(Axis(0)), size),
            Channels::Rgb => fit_channels(large.view(), size),
        };
        let drafts = starting_filters(3);
        let layer = layer_filters(&drafts[..filters], channels);
        let name = format!("{}x{size}x{size}, {filters} filter(s)", channels.count());
        group.bench_function(name, |b| {
            b.iter(|| run_layer(black_box(input.view()), &layer, LayerSettings::default()))
        });
    }
    group.finish();

    let kernel = Kernel::parse(&OUTLINE.cell_texts()).expect("outline parses");
    // Each step alone at 1024², so a regression shows where it is.
    let input = gray;
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
