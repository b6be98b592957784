//! Trains a CNN on a shipped dataset (the MNIST digits, or Fashion-MNIST) and prints one JSON object per line: first the
//! configuration and the memory the model takes, then one line per evaluation on the 2,000
//! test digits.
//!
//! ```text
//! cargo run --release --example train -- --seed 1 --seconds 60
//! ```
//!
//! Flags (all optional): `--seed N` (1), `--seconds S` (60), `--eval-every S` (1),
//! `--batch N` (32), `--optimizer sgd|adam` (sgd), `--lr X` (0.15 for SGD, 0.001 for Adam),
//! `--momentum X` (0), `--network FILE` (a JSON network spec; the default network
//! otherwise), `--dataset digits|fashion` (digits), `--stop-at ACCURACY` (stop once the test accuracy
//! reaches it). Single-threaded: there is no threads flag.
//!
//! Fields of an evaluation line: `seconds` (wall clock since the start, evaluations
//! included), `samples` (training samples seen), `samples_per_sec` (samples divided by the
//! time spent training, evaluations excluded), `gflops` (the same rate in the header's
//! `flops_per_sample`: compare it with `scripts/matmul_peak.py` run in the same hour),
//! `train_loss` (mean over the samples since the previous line), `test_loss`,
//! `test_accuracy` (0–1).
//!
//! It calls the library's `Trainer::train_batches` and `Trainer::evaluate`, as the
//! browser's worker does.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use convlab_core::nn::data::{DatasetKind, Mnist};
use convlab_core::nn::gemm::Backend;
use convlab_core::nn::train::Memory;
use convlab_core::nn::{Network, NetworkSpec, NnError, Optimizer, TrainConfig, Trainer};
use serde::Serialize;
use serde_json::json;

/// Batches per call to `train_batches`: a few milliseconds of work, as in the browser.
const CHUNK: usize = 8;

#[derive(Serialize)]
struct Header<'a> {
    config: &'a TrainConfig,
    memory: Memory,
    /// The matrix-product kernels in use.
    gemm: String,
    /// Floating-point operations of the matrix products in one training sample's forward
    /// and backward pass (see [`matmul_flops_per_sample`]).
    flops_per_sample: u64,
}

/// The multiply-adds (counted as two operations) of every convolution and dense layer for
/// one sample: the forward product, the weight gradient, and the input gradient except for
/// the first such layer (nothing needs the gradient of the data). This is how FLOP counters
/// count a training step, and what compares to a matrix-product peak: the passes around the
/// products (im2col, pooling, activations) do work too, but add no FLOPs here.
fn matmul_flops_per_sample(network: &Network) -> u64 {
    let shapes = network.output_shapes();
    let mut flops = 0;
    let mut first = true;
    for (index, shape) in shapes.iter().enumerate() {
        if let Some((weights, _)) = network.parameter_ranges(index) {
            let product = 2 * weights.len() as u64 * shape.plane() as u64;
            flops += product * if first { 2 } else { 3 };
            first = false;
        }
    }
    flops
}

/// `x` rounded to `digits` decimals, for readable output.
fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

struct Options {
    config: TrainConfig,
    seconds: f64,
    eval_every: f64,
    dataset: DatasetKind,
    stop_at: Option<f32>,
}

fn parse() -> Result<Options, String> {
    let mut config = TrainConfig::default();
    let (mut seconds, mut eval_every, mut stop_at) = (60.0, 1.0, None);
    let mut dataset = DatasetKind::Digits;
    let (mut optimizer, mut lr, mut momentum) = ("sgd".to_string(), None, 0.0);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |text: String| {
            text.parse::<f64>()
                .map_err(|_| format!("{flag}: {text:?} is not a number"))
        };
        let whole = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{flag}: {text:?} is not a whole number"))
        };
        match flag.as_str() {
            "--seed" => config.seed = whole(value()?)?,
            "--seconds" => seconds = number(value()?)?,
            "--eval-every" => eval_every = number(value()?)?,
            "--batch" => config.batch_size = whole(value()?)? as usize,
            "--optimizer" => optimizer = value()?,
            "--lr" => lr = Some(number(value()?)? as f32),
            "--momentum" => momentum = number(value()?)? as f32,
            "--stop-at" => stop_at = Some(number(value()?)? as f32),
            "--dataset" => {
                dataset = match value()?.as_str() {
                    "digits" => DatasetKind::Digits,
                    "fashion" => DatasetKind::Fashion,
                    other => return Err(format!("--dataset: {other:?} is not digits or fashion")),
                }
            }
            "--network" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                config.network = serde_json::from_str::<NetworkSpec>(&text)
                    .map_err(|e| format!("{path}: {e}"))?;
            }
            "--help" | "-h" => return Err("see the comment at the top of examples/train.rs".into()),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    config.optimizer = match optimizer.as_str() {
        "sgd" => Optimizer::Sgd {
            learning_rate: lr.unwrap_or(0.15),
            momentum,
        },
        "adam" => Optimizer::adam(lr.unwrap_or(0.001)),
        other => return Err(format!("--optimizer: {other:?} is not sgd or adam")),
    };
    if !(seconds >= 0.0 && seconds.is_finite() && eval_every > 0.0 && eval_every.is_finite()) {
        return Err("--seconds must be ≥ 0 and --eval-every > 0".into());
    }
    Ok(Options {
        config,
        seconds,
        eval_every,
        dataset,
        stop_at,
    })
}

fn run(options: Options) -> Result<(), String> {
    let www = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
    let data = Mnist::load(&www, options.dataset).map_err(|e| e.to_string())?;
    let mut trainer = Trainer::new(options.config.clone(), data).map_err(|e| e.to_string())?;
    // The memory after one step and one evaluation have sized every buffer, measured on a
    // copy so that the run itself starts fresh.
    let memory = {
        let mut probe = trainer.clone();
        probe.train_batches(1).map_err(|e| e.to_string())?;
        probe.evaluate().map_err(|e| e.to_string())?;
        probe.memory()
    };
    let header = Header {
        config: &options.config,
        memory,
        gemm: format!("{:?}", Backend::best()),
        flops_per_sample: matmul_flops_per_sample(trainer.network()),
    };
    println!(
        "{}",
        serde_json::to_string(&header).map_err(|e| e.to_string())?
    );

    let start = Instant::now();
    let mut training = Duration::ZERO;
    let (mut loss_sum, mut loss_samples) = (0.0f64, 0u64);
    let mut next_eval = options.eval_every;
    loop {
        let t = Instant::now();
        let chunk = trainer.train_batches(CHUNK);
        training += t.elapsed();
        let chunk = chunk.map_err(|e| {
            let diverged = matches!(e, NnError::Diverged { .. });
            println!("{}", json!({"error": e.to_string(), "diverged": diverged}));
            e.to_string()
        })?;
        let n = (chunk.batches * options.config.batch_size) as u64;
        loss_sum += f64::from(chunk.train_loss) * n as f64;
        loss_samples += n;
        let elapsed = start.elapsed().as_secs_f64();
        let done = elapsed >= options.seconds;
        if elapsed >= next_eval || done {
            let test = trainer.evaluate().map_err(|e| e.to_string())?;
            println!(
                "{}",
                json!({
                    "seconds": round(start.elapsed().as_secs_f64(), 3),
                    "samples": chunk.samples,
                    "samples_per_sec": (chunk.samples as f64 / training.as_secs_f64()) as u64,
                    "gflops": round(
                        (chunk.samples * header.flops_per_sample) as f64
                            / training.as_secs_f64()
                            / 1e9,
                        1
                    ),
                    "train_loss": round(loss_sum / loss_samples.max(1) as f64, 5),
                    "test_loss": round(f64::from(test.loss), 5),
                    "test_accuracy": test.correct as f64 / test.total as f64,
                })
            );
            (loss_sum, loss_samples) = (0.0, 0);
            while next_eval <= start.elapsed().as_secs_f64() {
                next_eval += options.eval_every;
            }
            if done || options.stop_at.is_some_and(|goal| test.accuracy >= goal) {
                return Ok(());
            }
        }
    }
}

fn main() -> ExitCode {
    match parse().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("train: {message}");
            ExitCode::FAILURE
        }
    }
}
