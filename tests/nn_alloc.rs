//! After warm-up, training steps and evaluations allocate nothing: a counting global
//! allocator watches this thread while the trainer works. (One test in this file, so no
//! other test's allocations interfere.)

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use convlab::common::geometry::Padding;
use convlab::nn::data::DatasetKind;
use convlab::nn::{LayerSpec, Optimizer, TrainConfig, Trainer};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(work: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    WATCHING.with(|w| w.set(true));
    work();
    WATCHING.with(|w| w.set(false));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[test]
fn training_steps_and_evaluations_do_not_allocate_after_warm_up() {
    let counted = allocations_during(|| drop(std::hint::black_box(vec![1u8; 10])));
    assert_eq!(counted, 1, "the counter sees allocations");
    let data = common::dataset(DatasetKind::Digits);
    for (i, optimizer) in [
        Optimizer::DEFAULT_SGD,
        Optimizer::Sgd {
            learning_rate: 0.01,
            momentum: 0.9,
        },
        Optimizer::adam(0.001),
    ]
    .into_iter()
    .enumerate()
    {
        let config = TrainConfig {
            optimizer,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(config, data.clone()).expect("config");
        // Warm-up: the first step and evaluation size the buffers.
        trainer.train_batches(1).expect("trains");
        trainer.evaluate().expect("evaluates");
        let n = allocations_during(|| {
            trainer.train_batches(3).expect("trains");
            if i == 0 {
                trainer.evaluate().expect("evaluates");
                trainer.train_batches(2).expect("trains");
            }
        });
        assert_eq!(n, 0, "{optimizer:?}: {n} allocations after warm-up");
    }

    // Batches of 2,000 on a small network: 4 per pass over the training digits, so the
    // end-of-pass reshuffle runs too.
    let mut small = TrainConfig {
        batch_size: 2000,
        ..TrainConfig::default()
    };
    small.network.layers = vec![
        LayerSpec::MaxPool {
            size: 4,
            stride: 4,
            padding: Padding::Valid,
        },
        LayerSpec::Flatten,
        LayerSpec::Dense { units: 10 },
    ];
    let mut trainer = Trainer::new(small, data).expect("config");
    trainer.train_batches(1).expect("trains");
    let n = allocations_during(|| {
        trainer.train_batches(9).expect("trains");
    });
    assert_eq!(n, 0, "{n} allocations across passes over the data");
}
