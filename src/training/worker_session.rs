//! The training worker's logic, with no web code: it owns the [`Trainer`], answers
//! [`Request`]s and trains in chunks of a few tens of milliseconds ([`WorkerSession::work`]), so
//! the worker's event loop gets a turn between chunks and a Pause is never stuck behind
//! minutes of training. Time comes from a clock passed in (milliseconds), so tests can
//! drive it.
//!
//! While it runs, the session sends at most one [`Progress`] and one [`Snapshot`] every
//! [`REPORT_EVERY_MS`], and evaluates on the test digits every [`EVALUATE_EVERY_MS`] of
//! running time, every [`EVALUATE_EARLY_EVERY_MS`] in a run's first [`EARLY_MS`], when the
//! score climbs fastest (less often for a network so large that scoring 2,000 digits takes
//! long: evaluations get at most a [`EVALUATE_SHARE`] of the time), a chunk's time at a time
//! so that Pause still answers at once.

use ndarray::ArrayView3;

use super::protocol::{
    CellImage, CellImages, ChunkPoint, Dataset, DigitChoice, DigitView, Evaluated, Filters,
    LayerMaps, Progress, Reply, Request, RunId, Snapshot, StripDigit, MAX_CELL_IMAGES,
};
use crate::common::format::{grouped, number};
use crate::nn::data::{Mnist, CLASSES, PIXELS, SIDE};
use crate::nn::onnx::{self, Provenance};
use crate::nn::train::{TestPass, EVAL_BATCH};
use crate::nn::{argmax, LayerSpec, NnError, Shape, TrainConfig, Trainer};

/// Milliseconds of training per chunk: long enough that the pause between chunks (a
/// timer turn, which browsers clamp to 4 ms) costs little, short enough that Pause answers
/// within a frame or two.
pub const CHUNK_MS: f64 = 60.0;
/// At most one progress report and one snapshot per this many milliseconds.
pub const REPORT_EVERY_MS: f64 = 250.0;
/// Evaluate on the test digits after this many milliseconds of running.
pub const EVALUATE_EVERY_MS: f64 = 2500.0;
/// In a run's first [`EARLY_MS`] of running, evaluate this often: the test curve then shows
/// the steep start, and when the default run first scores 97 % (2–4 s in) it is seen
/// within half a second. Scoring costs about 15 % of those seconds.
pub const EVALUATE_EARLY_EVERY_MS: f64 = 500.0;
/// How long the early, more frequent evaluations last.
pub const EARLY_MS: f64 = 5_000.0;
/// The largest share of running time evaluations may take.
pub const EVALUATE_SHARE: f64 = 0.25;
/// Window of the samples-per-second figure.
const RATE_WINDOW_MS: f64 = 3000.0;
/// Test digits of each class offered to pick from.
const STRIP_PER_CLASS: usize = 2;
/// The most batches one Step request may ask for.
pub const MAX_STEP_BATCHES: usize = 1000;

/// A clock in milliseconds (the worker's `performance.now()`, or a test's).
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// The worker's state: a trainer and what it is doing.
pub struct WorkerSession {
    trainer: Trainer,
    /// The run the page asked for last; every run-scoped reply carries it.
    run: RunId,
    running: bool,
    /// Batches left of a Step.
    stepping: usize,
    digit: DigitChoice,
    /// The class the saliency map explains (`None`: the answer).
    explain: Option<usize>,
    evaluation: Option<TestPass>,
    /// Running time since the last evaluation started, and since the run started.
    since_evaluation_ms: f64,
    run_ms: f64,
    /// Time spent on the evaluation in progress, and on the last complete one.
    evaluating_ms: f64,
    last_evaluation_ms: f64,
    last_report_ms: f64,
    points: Vec<ChunkPoint>,
    /// (time, samples) at chunk ends within the rate window.
    rate: Vec<(f64, u64)>,
    busy_ms: f64,
    snapshot_ms: f64,
    /// Training samples at the last complete evaluation.
    evaluated_at: Option<u64>,
    /// Training samples the run's first weights had seen (an opened model's).
    samples_before: u64,
}

/// Checks a configuration by building a trainer for it; the error is the page's message.
fn trainer(config: TrainConfig, data: Mnist) -> Result<Trainer, String> {
    Trainer::new(config, data).map_err(|e| format!("The network cannot be built: {e}."))
}

/// A trainer for `config` that starts from `parameters` (an opened model's weights).
fn trainer_from(config: TrainConfig, data: Mnist, parameters: &[f32]) -> Result<Trainer, String> {
    let mut trainer = trainer(config, data)?;
    let network = trainer.network_mut();
    if parameters.len() != network.parameter_count() {
        return Err(format!(
            "The model was not opened: it holds {} weights, the network needs {}.",
            grouped(parameters.len() as u64),
            grouped(network.parameter_count() as u64)
        ));
    }
    if parameters.iter().any(|p| !p.is_finite()) {
        return Err("The model was not opened: its weights are not all numbers.".into());
    }
    network.parameters_mut().copy_from_slice(parameters);
    Ok(trainer)
}

impl WorkerSession {
    /// A session with the digits loaded and the network of `config` built (paused), and
    /// its first replies: the dataset, a progress report, a snapshot, and a first test
    /// pass queued so the curves start from the untrained network's score.
    pub fn new(
        run: RunId,
        config: TrainConfig,
        data: Mnist,
    ) -> Result<(WorkerSession, Vec<Reply>), String> {
        let strip = strip(&data);
        let trainer = trainer(config, data)?;
        let mut session = WorkerSession {
            trainer,
            run,
            running: false,
            stepping: 0,
            digit: DigitChoice::Test(strip.first().map_or(0, |d| d.index)),
            explain: None,
            evaluation: Some(TestPass::default()),
            since_evaluation_ms: 0.0,
            run_ms: 0.0,
            evaluating_ms: 0.0,
            last_evaluation_ms: 0.0,
            last_report_ms: f64::NEG_INFINITY,
            points: Vec::new(),
            rate: Vec::new(),
            busy_ms: 0.0,
            snapshot_ms: 0.0,
            evaluated_at: None,
            samples_before: 0,
        };
        let data = session.trainer.data();
        let mut replies = vec![Reply::Ready(Dataset {
            train: data.train().len(),
            test: data.test().len(),
            strip,
        })];
        replies.push(Reply::Progress(session.progress()));
        replies.extend(session.snapshot(&|| 0.0));
        Ok((session, replies))
    }

    /// Counts the time the worker spent sending a chunk's replies (encoding them above
    /// all), `snapshots_ms` of it on snapshots, in the share of time snapshots cost.
    pub fn record_sending(&mut self, total_ms: f64, snapshots_ms: f64) {
        if self.running {
            self.busy_ms += total_ms;
            self.snapshot_ms += snapshots_ms;
        }
    }

    /// True while there is work for [`WorkerSession::work`]: training, a Step or an evaluation.
    pub fn is_busy(&self) -> bool {
        self.running || self.stepping > 0 || self.evaluation.is_some()
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Carries out one request and returns the replies to send.
    pub fn handle(&mut self, request: Request, clock: Clock) -> Vec<Reply> {
        match request {
            Request::Load { .. } => vec![Reply::Refused {
                message: "The digits are already loaded.".into(),
            }],
            Request::Reset { run, config } => {
                let built = trainer(config, self.trainer.data().clone());
                self.start_run(run, built, 0, clock)
            }
            Request::Open {
                run,
                config,
                parameters,
                samples,
            } => {
                let built = trainer_from(config, self.trainer.data().clone(), &parameters);
                self.start_run(run, built, samples, clock)
            }
            Request::Export { dataset } => {
                let provenance = Provenance {
                    dataset,
                    samples: self.samples_before + self.trainer.samples(),
                };
                vec![Reply::Model {
                    run: self.run,
                    bytes: onnx::export(self.trainer.network(), provenance),
                }]
            }
            Request::Tune {
                optimizer,
                batch_size,
            } => {
                let tuned = self
                    .trainer
                    .set_optimizer(optimizer)
                    .and_then(|()| self.trainer.set_batch_size(batch_size));
                let mut replies = Vec::new();
                if let Err(e) = tuned {
                    replies.push(Reply::Refused {
                        message: format!("Not changed: {e}."),
                    });
                }
                replies.push(Reply::Progress(self.progress()));
                replies
            }
            Request::Start => {
                if let Some(refused) = self.refuse_if_diverged() {
                    return vec![refused];
                }
                self.running = true;
                self.rate.clear();
                self.rate.push((clock(), self.trainer.samples()));
                vec![Reply::Progress(self.progress())]
            }
            Request::Pause => {
                self.running = false;
                self.stepping = 0;
                self.rate.clear();
                let mut replies = vec![Reply::Progress(self.progress())];
                replies.extend(self.snapshot(clock));
                replies
            }
            Request::Step { batches } => {
                if let Some(refused) = self.refuse_if_diverged() {
                    return vec![refused];
                }
                self.running = false;
                self.stepping = batches.clamp(1, MAX_STEP_BATCHES);
                Vec::new()
            }
            Request::Explain(Some(class)) if class >= CLASSES => vec![Reply::Refused {
                message: format!("There is no class {class} to explain: the classes are 0 to 9."),
            }],
            Request::Explain(class) => {
                self.explain = class;
                self.snapshot(clock).into_iter().collect()
            }
            Request::ShowCell { truth, predicted } => match self.cell(truth, predicted) {
                Ok(cell) => vec![Reply::Cell(cell)],
                Err(message) => vec![Reply::Refused { message }],
            },
            Request::ShowDigit(choice) => {
                if let Err(message) = self.check_digit(&choice) {
                    return vec![Reply::Refused { message }];
                }
                self.digit = choice;
                self.snapshot(clock).into_iter().collect()
            }
            Request::PlantKernel { weights, frozen } => {
                match self.trainer.plant_filter(0, &weights, frozen) {
                    Ok(()) => self.snapshot(clock).into_iter().collect(),
                    Err(e) => vec![Reply::Refused {
                        message: format!("The kernel was not planted: {e}."),
                    }],
                }
            }
        }
    }

    /// Makes `built` the run `run`, paused and about to be scored, its weights having seen
    /// `samples_before` training samples; or keeps the run in progress and says why not.
    fn start_run(
        &mut self,
        run: RunId,
        built: Result<Trainer, String>,
        samples_before: u64,
        clock: Clock,
    ) -> Vec<Reply> {
        match built {
            Ok(trainer) => {
                self.trainer = trainer;
                self.run = run;
                self.samples_before = samples_before;
                self.running = false;
                self.stepping = 0;
                self.points.clear();
                self.rate.clear();
                self.evaluation = Some(TestPass::default());
                self.since_evaluation_ms = 0.0;
                self.run_ms = 0.0;
                self.evaluating_ms = 0.0;
                self.evaluated_at = None;
                let mut replies = vec![Reply::Progress(self.progress())];
                replies.extend(self.snapshot(clock));
                replies
            }
            Err(message) => vec![Reply::Refused { message }],
        }
    }

    fn refuse_if_diverged(&self) -> Option<Reply> {
        self.trainer.diverged().map(|e| Reply::Refused {
            message: format!(
                "{}. Press Reset to start again.",
                capitalized(&e.to_string())
            ),
        })
    }

    /// The test images of true class `truth` answered `predicted` at the last evaluation,
    /// the surest answers first.
    fn cell(&self, truth: usize, predicted: usize) -> Result<CellImages, String> {
        if truth >= CLASSES || predicted >= CLASSES {
            return Err(format!(
                "There is no confusion-matrix cell ({truth}, {predicted}): the classes are 0 to 9."
            ));
        }
        let (Some(samples), Some(answers)) = (self.evaluated_at, self.trainer.test_answers())
        else {
            return Err("The test images have not been scored yet.".into());
        };
        let test = self.trainer.data().test();
        let mut found: Vec<(usize, f32)> = answers
            .rows()
            .into_iter()
            .enumerate()
            .filter(|&(i, ref row)| {
                usize::from(test.label(i)) == truth && argmax(row.iter().copied()) == predicted
            })
            .map(|(i, row)| (i, row[predicted]))
            .collect();
        let count = found.len();
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let images = found
            .into_iter()
            .take(MAX_CELL_IMAGES)
            .map(|(index, _)| CellImage {
                image: StripDigit {
                    index,
                    label: test.label(index),
                    pixels: test.pixels(index).to_vec(),
                },
                probabilities: answers.row(index).to_vec(),
            })
            .collect();
        Ok(CellImages {
            run: self.run,
            samples,
            truth,
            predicted,
            count,
            images,
        })
    }

    fn check_digit(&self, choice: &DigitChoice) -> Result<(), String> {
        match choice {
            DigitChoice::Test(index) => {
                let count = self.trainer.data().test().len();
                if *index >= count {
                    return Err(format!("There are {count} test digits, not {}.", index + 1));
                }
            }
            DigitChoice::Drawn(pixels) => {
                if pixels.len() != PIXELS || pixels.iter().any(|p| !p.is_finite()) {
                    return Err(format!(
                        "A drawn digit must be {PIXELS} finite values, not {}.",
                        pixels.len()
                    ));
                }
            }
        }
        Ok(())
    }

    /// One chunk of work (about [`CHUNK_MS`]): a part of a pending evaluation, or training
    /// batches; then the reports that are due.
    pub fn work(&mut self, clock: Clock) -> Vec<Reply> {
        let start = clock();
        let was_stepping = self.stepping > 0;
        let mut replies = Vec::new();
        if let Some(pass) = self.evaluation.take() {
            replies.extend(self.evaluate_until(pass, start + CHUNK_MS, clock));
        } else if self.running || self.stepping > 0 {
            if let Err(diverged) = self.train_until(start + CHUNK_MS, clock) {
                self.running = false;
                self.stepping = 0;
                self.rate.clear();
                replies.push(Reply::Diverged {
                    run: self.run,
                    message: divergence_advice(&diverged, self.trainer.config()),
                });
                replies.push(Reply::Progress(self.progress()));
                return replies;
            }
        }
        let now = clock();
        if self.running {
            self.busy_ms += now - start;
            self.since_evaluation_ms += now - start;
            self.run_ms += now - start;
            self.rate.push((now, self.trainer.samples()));
            let cut = self
                .rate
                .partition_point(|&(t, _)| t < now - RATE_WINDOW_MS);
            self.rate.drain(..cut.saturating_sub(1));
            let every = if self.run_ms < EARLY_MS {
                EVALUATE_EARLY_EVERY_MS
            } else {
                EVALUATE_EVERY_MS
            };
            let every = every.max(self.last_evaluation_ms / EVALUATE_SHARE);
            if self.since_evaluation_ms >= every && self.evaluation.is_none() {
                self.since_evaluation_ms = 0.0;
                self.evaluation = Some(TestPass::default());
            }
            if now - self.last_report_ms >= REPORT_EVERY_MS {
                self.last_report_ms = now;
                replies.push(Reply::Progress(self.progress()));
                replies.extend(self.snapshot(clock));
            }
        } else if was_stepping && self.stepping == 0 {
            // A Step just ended: show where it got to, and score it.
            replies.push(Reply::Progress(self.progress()));
            replies.extend(self.snapshot(clock));
            self.evaluation = Some(TestPass::default());
        }
        replies
    }

    /// Scores test digits a batch at a time for `pass` until `deadline` (at least one
    /// batch); the evaluation once the pass is complete.
    fn evaluate_until(&mut self, mut pass: TestPass, deadline: f64, clock: Clock) -> Option<Reply> {
        let start = clock();
        let outcome = loop {
            match self.trainer.evaluate_part(&mut pass, EVAL_BATCH) {
                Ok(None) if clock() < deadline => {}
                outcome => break outcome,
            }
        };
        self.evaluating_ms += clock() - start;
        match outcome {
            Ok(Some(evaluation)) => {
                let took = std::mem::take(&mut self.evaluating_ms);
                // Only a pass made while training runs paces the next ones: the untrained
                // network's, made as the page opens, runs on an engine still cold (the
                // browser compiles wasm in tiers) and would space the first ones out.
                if self.running {
                    self.last_evaluation_ms = took;
                }
                self.evaluated_at = Some(self.trainer.samples());
                Some(Reply::Evaluated(Evaluated {
                    run: self.run,
                    samples: self.trainer.samples(),
                    loss: evaluation.loss,
                    accuracy: evaluation.accuracy,
                    total: evaluation.total,
                    confusion: evaluation.confusion.iter().flatten().copied().collect(),
                }))
            }
            Ok(None) => {
                self.evaluation = Some(pass);
                None
            }
            Err(e) => Some(Reply::Refused {
                message: format!("The test digits could not be scored: {e}."),
            }),
        }
    }

    /// Trains a batch at a time until `deadline` (at least one batch).
    fn train_until(&mut self, deadline: f64, clock: Clock) -> Result<(), NnError> {
        loop {
            let chunk = self.trainer.train_batches(1)?;
            self.points.push(ChunkPoint {
                samples: chunk.samples,
                loss: chunk.train_loss,
                accuracy: chunk.train_accuracy,
            });
            if self.stepping > 0 {
                self.stepping -= 1;
                if self.stepping == 0 {
                    return Ok(());
                }
            }
            if clock() >= deadline {
                return Ok(());
            }
        }
    }

    fn progress(&mut self) -> Progress {
        let samples = self.trainer.samples();
        let per_epoch = self.trainer.config().train_examples as u64;
        let samples_per_second = match (self.rate.first(), self.rate.last()) {
            (Some(&(t0, s0)), Some(&(t1, s1))) if self.running && t1 > t0 => {
                ((s1 - s0) as f64 * 1000.0 / (t1 - t0)) as f32
            }
            _ => 0.0,
        };
        let config = self.trainer.config();
        Progress {
            run: self.run,
            running: self.running,
            samples,
            epoch: samples / per_epoch + 1,
            epoch_fraction: (samples % per_epoch) as f32 / per_epoch as f32,
            samples_per_second,
            points: merge_points(std::mem::take(&mut self.points)),
            snapshot_share: if self.busy_ms > 0.0 {
                (self.snapshot_ms / self.busy_ms) as f32
            } else {
                0.0
            },
            optimizer: config.optimizer,
            batch_size: config.batch_size,
        }
    }

    /// The filters and the chosen digit's activations, unless the weights are no longer
    /// numbers (after divergence the page keeps its last good pictures).
    fn snapshot(&mut self, clock: Clock) -> Option<Reply> {
        let start = clock();
        if self.trainer.diverged().is_some() {
            return None;
        }
        let filters = self.filters()?;
        let digit = self.digit_view()?;
        self.snapshot_ms += clock() - start;
        Some(Reply::Snapshot(Snapshot {
            run: self.run,
            samples: self.trainer.samples(),
            filters,
            digit,
        }))
    }

    fn filters(&self) -> Option<Filters> {
        let network = self.trainer.network();
        let index = network
            .spec()
            .layers
            .iter()
            .position(|l| matches!(l, LayerSpec::Conv2d { .. }))?;
        let weights = network.weights(index)?;
        let shape = weights.weights.shape().to_vec();
        let (count, size) = (shape[0], shape[2]);
        // One input channel: each filter is a size × size kernel.
        Some(Filters {
            count,
            size,
            weights: weights.weights.iter().copied().collect(),
            bias: weights.bias.to_vec(),
            frozen_first: self.trainer.is_frozen(),
        })
    }

    fn digit_view(&mut self) -> Option<DigitView> {
        let (input, test) = match &self.digit {
            DigitChoice::Test(index) => {
                let test = self.trainer.data().test();
                let input: Vec<f32> = test
                    .pixels(*index)
                    .iter()
                    .map(|&p| f32::from(p) / 255.0)
                    .collect();
                (input, Some((*index, test.label(*index))))
            }
            DigitChoice::Drawn(pixels) => (pixels.clone(), None),
        };
        let image = ArrayView3::from_shape((1, SIDE, SIDE), &input).ok()?;
        let explain = self.explain;
        let network = self.trainer.network_mut();
        let probabilities = network.predict(image).ok()?.to_vec();
        let specs = network.spec().layers.clone();
        let inputs: Vec<Shape> = std::iter::once(network.input_shape())
            .chain(network.output_shapes())
            .collect();
        let layers = specs
            .iter()
            .enumerate()
            .filter(|(_, spec)| !matches!(spec, LayerSpec::Flatten | LayerSpec::Dropout { .. }))
            .filter_map(|(index, spec)| {
                let maps = network.activation(index)?;
                let (_, c, h, w) = maps.dim();
                Some(LayerMaps {
                    index,
                    name: spec.name().to_string(),
                    shape: Shape::new(c, h, w),
                    formula: spec.formula(inputs[index]),
                    values: maps.iter().copied().collect(),
                })
            })
            .collect();
        if probabilities.len() != CLASSES {
            return None;
        }
        // After the layers are read: the saliency's own pass overwrites the activations.
        let explained = explain.unwrap_or_else(|| argmax(probabilities.iter().copied()));
        let saliency = network
            .saliency(image, explained)
            .ok()?
            .iter()
            .copied()
            .collect();
        Some(DigitView {
            test,
            input,
            layers,
            probabilities,
            explained,
            saliency,
        })
    }
}

/// Merges a report's chunk points into one (mean loss and accuracy, last sample count).
fn merge_points(points: Vec<ChunkPoint>) -> Vec<ChunkPoint> {
    let Some(last) = points.last() else {
        return points;
    };
    let n = points.len() as f32;
    vec![ChunkPoint {
        samples: last.samples,
        loss: points.iter().map(|p| p.loss).sum::<f32>() / n,
        accuracy: points.iter().map(|p| p.accuracy).sum::<f32>() / n,
    }]
}

/// Two test digits of every class, in class order.
fn strip(data: &Mnist) -> Vec<StripDigit> {
    let test = data.test();
    let mut strip = Vec::with_capacity(CLASSES * STRIP_PER_CLASS);
    for class in 0..CLASSES as u8 {
        let found = (0..test.len()).filter(|&i| test.label(i) == class);
        strip.extend(found.take(STRIP_PER_CLASS).map(|index| StripDigit {
            index,
            label: class,
            pixels: test.pixels(index).to_vec(),
        }));
    }
    strip
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What the page says when training diverges: what happened, and what to try.
fn divergence_advice(error: &NnError, config: &TrainConfig) -> String {
    let lr = config.optimizer.learning_rate();
    let samples = match error {
        NnError::Diverged { samples, .. } => *samples,
        _ => 0,
    };
    format!(
        "Training diverged after {} samples: the loss stopped being a usable number, so \
         training paused. The learning rate {} is too large for this network; lower it \
         (try {}) and press Reset.",
        grouped(samples),
        number(f64::from(lr)),
        number(f64::from(lr / 10.0)),
    )
}
