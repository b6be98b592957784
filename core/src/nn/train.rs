//! Training on the shipped MNIST digits, in chunks: the browser's worker calls
//! [`Trainer::train_batches`] with a few batches at a time (so it can answer messages in
//! between), and [`Trainer::evaluate`] on the 2,000 test digits now and then; the native
//! `examples/train.rs` runs exactly the same calls.

use serde::Serialize;

use super::data::{Mnist, Subset, CLASSES, PIXELS, SIDE, TRAIN};
use super::error::NnError;
use super::layers::argmax;
use super::network::{Activations, BatchLoss, Network};
use super::optim::OptimizerState;
use super::rng::Rng;
use super::spec::{LayerSpec, Optimizer, Shape, TrainConfig};

/// Test digits per forward pass during evaluation.
pub const EVAL_BATCH: usize = 40;

/// A batch-mean cross-entropy above this many nats counts as divergence, like a NaN or
/// infinite one: on average the right digit got a probability below e^−1000, which no
/// network that is learning comes near (an untrained one scores ln 10 ≈ 2.3), while blown-up
/// weights reach it at once, often long before the arithmetic overflows.
pub const DIVERGED_LOSS: f32 = 1000.0;

/// What a chunk of training did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ChunkReport {
    /// Batches trained in this chunk.
    pub batches: usize,
    /// Training samples seen since the start.
    pub samples: u64,
    /// Mean training loss over the chunk's samples.
    pub train_loss: f32,
    /// Fraction of the chunk's samples classified right (before each step's update).
    pub train_accuracy: f32,
}

/// Loss, accuracy and confusion matrix on the test digits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    pub loss: f32,
    /// Fraction in 0–1.
    pub accuracy: f32,
    pub correct: usize,
    pub total: usize,
    /// `confusion[true][predicted]`: how many test digits of each class were read as each
    /// class (the largest logit; ties go to the smaller digit). An array, so that scoring
    /// allocates nothing.
    pub confusion: [[u32; CLASSES]; CLASSES],
}

/// A pass over the test digits that can be done a few batches at a time
/// ([`Trainer::evaluate_part`]), so a worker stays responsive while it evaluates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestPass {
    next: usize,
    loss_sum: f64,
    correct: usize,
    confusion: [[u32; CLASSES]; CLASSES],
}

impl TestPass {
    /// Test digits scored so far.
    pub fn scored(&self) -> usize {
        self.next
    }
}

/// A filter set by hand whose weights training must not change.
#[derive(Clone, Debug, PartialEq)]
struct Frozen {
    /// Parameter index and the value it keeps.
    values: Vec<(usize, f32)>,
}

/// Bytes held by a trainer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Memory {
    pub parameters: usize,
    /// Parameters, gradients and every activation buffer.
    pub network_bytes: usize,
    pub optimizer_bytes: usize,
    /// The digits (one byte per pixel).
    pub data_bytes: usize,
}

/// A network, its optimizer and the data, with the state of the pass over the data.
#[derive(Clone, Debug)]
pub struct Trainer {
    config: TrainConfig,
    network: Network,
    optimizer: OptimizerState,
    data: Mnist,
    rng: Rng,
    order: Vec<u32>,
    cursor: usize,
    labels: Vec<u8>,
    samples: u64,
    diverged: Option<NnError>,
    frozen: Option<Frozen>,
    /// Every test image's class probabilities (`test × CLASSES`), written by the pass in
    /// progress; swapped with `answers` when it completes, so neither is allocated again.
    answering: Vec<f32>,
    /// The same, from the last complete pass, once there has been one (`answered`).
    answers: Vec<f32>,
    answered: bool,
}

fn check_batch(batch: usize) -> Result<(), NnError> {
    if batch == 0 || batch > TRAIN {
        return Err(NnError::Hyperparameter(format!(
            "the batch size must be between 1 and {TRAIN} (the training digits), not {batch}"
        )));
    }
    Ok(())
}

/// Writes digits (by index into `set`) into a CNHW input buffer with one channel, as
/// floats in 0–1.
fn fill(input: &mut [f32], set: Subset, indices: impl Iterator<Item = usize>) {
    for (dst, i) in input.chunks_exact_mut(PIXELS).zip(indices) {
        for (d, &p) in dst.iter_mut().zip(set.pixels(i)) {
            *d = f32::from(p) * (1.0 / 255.0);
        }
    }
}

impl Trainer {
    /// Checks the configuration, builds the network with weights drawn from the seed and
    /// shuffles the training digits with the same seed.
    pub fn new(config: TrainConfig, data: Mnist) -> Result<Trainer, NnError> {
        let batch = config.batch_size;
        check_batch(batch)?;
        let digit = Shape::new(1, SIDE, SIDE);
        if config.network.input != digit {
            return Err(NnError::Network(format!(
                "the input must be {digit} for MNIST digits, not {}",
                config.network.input
            )));
        }
        let network = Network::new(&config.network, config.seed)?;
        let out = network.output_shape();
        if out != Shape::flat(CLASSES) {
            return Err(NnError::Network(format!(
                "the last layer must give {CLASSES} values, one per digit, not {out}: end with \
                 a dense layer of {CLASSES} units"
            )));
        }
        let optimizer = OptimizerState::new(config.optimizer, network.parameter_count())?;
        let mut rng = Rng::new(config.seed ^ 0xD1B5_4A32_D192_ED03);
        let decay = config.weight_decay;
        if !(decay.is_finite() && (0.0..1.0).contains(&decay)) {
            return Err(NnError::Hyperparameter(format!(
                "the weight decay must be in [0, 1), not {decay}"
            )));
        }
        if config.train_examples < batch || config.train_examples > TRAIN {
            return Err(NnError::Hyperparameter(format!(
                "the training examples must be between the batch size ({batch}) and {TRAIN}, \
                 not {}",
                config.train_examples
            )));
        }
        let test_values = data.test().len() * CLASSES;
        let mut order: Vec<u32> = (0..config.train_examples as u32).collect();
        rng.shuffle(&mut order);
        Ok(Trainer {
            labels: Vec::with_capacity(batch.max(EVAL_BATCH)),
            config,
            network,
            optimizer,
            data,
            rng,
            order,
            cursor: 0,
            samples: 0,
            diverged: None,
            frozen: None,
            answering: vec![0.0; test_values],
            answers: vec![0.0; test_values],
            answered: false,
        })
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The network, e.g. to look at one digit's activations. Running it changes the
    /// stored activations, not the training.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.network
    }

    pub fn data(&self) -> &Mnist {
        &self.data
    }

    /// Why training stopped for good, if it diverged.
    pub fn diverged(&self) -> Option<&NnError> {
        self.diverged.as_ref()
    }

    /// True when a planted filter is frozen.
    pub fn is_frozen(&self) -> bool {
        self.frozen.is_some()
    }

    /// Training samples seen so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    pub fn memory(&self) -> Memory {
        Memory {
            parameters: self.network.parameter_count(),
            network_bytes: self.network.memory_bytes(),
            optimizer_bytes: self.optimizer.memory_bytes(),
            data_bytes: self.data.all().len() * (PIXELS + 1),
        }
    }

    /// Trains on `batches` batches (one optimizer step each). The digits are visited in a
    /// shuffled order that is reshuffled after each pass (a last partial batch is skipped).
    /// A loss that is not a finite number, or above [`DIVERGED_LOSS`], stops training for
    /// good with [`NnError::Diverged`].
    pub fn train_batches(&mut self, batches: usize) -> Result<ChunkReport, NnError> {
        if let Some(error) = &self.diverged {
            return Err(error.clone());
        }
        let batch = self.config.batch_size;
        let (mut loss_sum, mut correct) = (0.0f64, 0usize);
        for _ in 0..batches {
            if self.cursor + batch > self.order.len() {
                self.rng.shuffle(&mut self.order);
                self.cursor = 0;
            }
            let indices = &self.order[self.cursor..self.cursor + batch];
            self.cursor += batch;
            let train = self.data.train();
            let input = self.network.input_buffer(batch)?;
            fill(input, train, indices.iter().map(|&i| i as usize));
            self.labels.clear();
            self.labels
                .extend(indices.iter().map(|&i| train.label(i as usize)));
            self.network.set_training(true);
            self.network.run_forward(Activations::Needed);
            self.network.set_training(false);
            let BatchLoss {
                loss,
                correct: right,
            } = self.network.loss(&self.labels, true)?;
            if loss.is_nan() || loss > DIVERGED_LOSS {
                let error = NnError::Diverged {
                    samples: self.samples,
                    loss,
                };
                self.diverged = Some(error.clone());
                return Err(error);
            }
            self.network.add_weight_decay(self.config.weight_decay);
            let (params, grads) = self.network.parameters_and_gradients();
            self.optimizer.step(params, grads);
            if let Some(frozen) = &self.frozen {
                for &(i, value) in &frozen.values {
                    params[i] = value;
                }
            }
            self.samples += batch as u64;
            loss_sum += f64::from(loss) * batch as f64;
            correct += right;
        }
        let seen = (batches * batch).max(1) as f64;
        Ok(ChunkReport {
            batches,
            samples: self.samples,
            train_loss: (loss_sum / seen) as f32,
            train_accuracy: (correct as f64 / seen) as f32,
        })
    }

    /// Mean loss, accuracy and confusion matrix on the 2,000 test digits (no training).
    pub fn evaluate(&mut self) -> Result<Evaluation, NnError> {
        let mut pass = TestPass::default();
        loop {
            if let Some(evaluation) = self.evaluate_part(&mut pass, usize::MAX)? {
                return Ok(evaluation);
            }
        }
    }

    /// Scores up to `digits` more test digits (at least one batch) for `pass`; returns the
    /// evaluation once every test digit is scored. Training in between would mix two
    /// networks' scores: finish a pass before the next step.
    pub fn evaluate_part(
        &mut self,
        pass: &mut TestPass,
        digits: usize,
    ) -> Result<Option<Evaluation>, NnError> {
        let test = self.data.test();
        let end = pass.next.saturating_add(digits.max(1)).min(test.len());
        while pass.next < end {
            let start = pass.next;
            let n = EVAL_BATCH.min(test.len() - start);
            let input = self.network.input_buffer(n)?;
            fill(input, test, start..start + n);
            self.labels.clear();
            self.labels
                .extend_from_slice(&test.labels()[start..start + n]);
            self.network.run_forward(Activations::Needed);
            let result = self.network.loss(&self.labels, false)?;
            let answers = self.answering[start * CLASSES..].chunks_exact_mut(CLASSES);
            for ((row, &label), answer) in self
                .network
                .probabilities()
                .rows()
                .into_iter()
                .zip(&self.labels)
                .zip(answers)
            {
                pass.confusion[usize::from(label)][argmax(row.iter().copied())] += 1;
                for (a, &p) in answer.iter_mut().zip(row) {
                    *a = p;
                }
            }
            pass.loss_sum += f64::from(result.loss) * n as f64;
            pass.correct += result.correct;
            pass.next += n;
        }
        if pass.next < test.len() {
            return Ok(None);
        }
        std::mem::swap(&mut self.answering, &mut self.answers);
        self.answered = true;
        let total = test.len();
        Ok(Some(Evaluation {
            loss: (pass.loss_sum / total as f64) as f32,
            accuracy: (pass.correct as f64 / total as f64) as f32,
            correct: pass.correct,
            total,
            confusion: pass.confusion,
        }))
    }

    /// Every test image's class probabilities from the last complete pass over the test
    /// images (`test images × classes`), or `None` before the first.
    pub fn test_answers(&self) -> Option<ndarray::ArrayView2<'_, f32>> {
        let answers = &self.answers;
        let view = ndarray::ArrayView2::from_shape((answers.len() / CLASSES, CLASSES), answers);
        view.ok().filter(|_| self.answered)
    }

    /// Changes the learning rate of the running optimizer, keeping its momentum or moments.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<(), NnError> {
        self.optimizer.set_learning_rate(learning_rate)?;
        self.config.optimizer = self.optimizer.config();
        Ok(())
    }

    /// Switches to another optimizer (or other settings of it) from the next step on,
    /// with fresh state; a change of the learning rate alone keeps the state.
    pub fn set_optimizer(&mut self, optimizer: Optimizer) -> Result<(), NnError> {
        let mut same_but_rate = self.optimizer.config();
        if same_but_rate.learning_rate() != optimizer.learning_rate() {
            let mut probe = self.optimizer.clone();
            probe.set_learning_rate(optimizer.learning_rate())?;
            same_but_rate = probe.config();
        }
        if same_but_rate == optimizer {
            return self.set_learning_rate(optimizer.learning_rate());
        }
        self.optimizer = OptimizerState::new(optimizer, self.network.parameter_count())?;
        self.config.optimizer = optimizer;
        Ok(())
    }

    /// Trains with `batch_size` digits per step from the next step on.
    pub fn set_batch_size(&mut self, batch_size: usize) -> Result<(), NnError> {
        check_batch(batch_size)?;
        self.config.batch_size = batch_size;
        Ok(())
    }

    /// Sets filter `filter` of the first convolution to `kernel` (row-major
    /// `kernel × kernel` values, for a one-channel input) with bias 0. A `frozen` filter
    /// keeps these values while the rest of the network trains; planting again replaces
    /// an earlier frozen filter.
    pub fn plant_filter(
        &mut self,
        filter: usize,
        kernel: &[f32],
        frozen: bool,
    ) -> Result<(), NnError> {
        if let Some(bad) = kernel.iter().find(|v| !v.is_finite()) {
            return Err(NnError::Input(format!(
                "a planted filter needs finite numbers, not {bad}"
            )));
        }
        let Some(index) = self
            .network
            .spec()
            .layers
            .iter()
            .position(|l| matches!(l, LayerSpec::Conv2d { .. }))
        else {
            return Err(NnError::Network("the network has no convolution".into()));
        };
        let (weights, bias) = self
            .network
            .parameter_ranges(index)
            .ok_or_else(|| NnError::Network("the convolution has no weights".into()))?;
        let per_filter = weights.len() / bias.len();
        if filter >= bias.len() || kernel.len() != per_filter {
            return Err(NnError::Input(format!(
                "the first convolution has {} filters of {per_filter} weights; cannot plant \
                 {} weights as filter {}",
                bias.len(),
                kernel.len(),
                filter + 1
            )));
        }
        let start = weights.start + filter * per_filter;
        let params = self.network.parameters_mut();
        params[start..start + per_filter].copy_from_slice(kernel);
        params[bias.start + filter] = 0.0;
        self.frozen = frozen.then(|| Frozen {
            values: (start..start + per_filter)
                .map(|i| (i, params[i]))
                .chain([(bias.start + filter, 0.0)])
                .collect(),
        });
        Ok(())
    }
}
