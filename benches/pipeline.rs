//! The explorer's pipeline (convolution + ReLU + 2×2 max pooling, float32) at the sizes the
//! issue names, on a real photograph fitted to each size. Run: `cargo bench --bench pipeline`.

use std::hint::black_box;

use convlab::explorer::kernel::{Kernel, OUTLINE};
use convlab::explorer::pipeline::{run, Settings};
use convlab::explorer::resize::fit;
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
            b.iter(|| run(black_box(input.view()), &kernel, Settings::default()))
        });
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
