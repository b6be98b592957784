//! Training on the shipped MNIST digits, in chunks: the browser's worker calls
//! [`Trainer::train_batches`] with a few batches at a time (so it can answer messages in
//! between), and [`Trainer::evaluate`] on the 2,000 test digits now and then; the native
//! `examples/train.rs` runs exactly the same calls.

use serde::Serialize;

use super::data::{Mnist, Subset, CLASSES, PIXELS, SIDE, TRAIN};
use super::error::NnError;
use super::network::{BatchLoss, Network};
use super::optim::OptimizerState;
use super::rng::Rng;
use super::spec::{Shape, TrainConfig};

/// Test digits per forward pass during evaluation.
pub const EVAL_BATCH: usize = 100;

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

/// Loss and accuracy on the test digits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    pub loss: f32,
    /// Fraction in 0–1.
    pub accuracy: f32,
    pub correct: usize,
    pub total: usize,
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
        if batch == 0 || batch > TRAIN {
            return Err(NnError::Hyperparameter(format!(
                "the batch size must be between 1 and {TRAIN} (the training digits), not {batch}"
            )));
        }
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
        let mut order: Vec<u32> = (0..TRAIN as u32).collect();
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
            self.network.run_forward();
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
            let (params, grads) = self.network.parameters_and_gradients();
            self.optimizer.step(params, grads);
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

    /// Mean loss and accuracy on the 2,000 test digits (no training).
    pub fn evaluate(&mut self) -> Result<Evaluation, NnError> {
        let test = self.data.test();
        let (mut loss_sum, mut correct, mut start) = (0.0f64, 0usize, 0usize);
        while start < test.len() {
            let n = EVAL_BATCH.min(test.len() - start);
            let input = self.network.input_buffer(n)?;
            fill(input, test, start..start + n);
            self.labels.clear();
            self.labels
                .extend_from_slice(&test.labels()[start..start + n]);
            self.network.run_forward();
            let result = self.network.loss(&self.labels, false)?;
            loss_sum += f64::from(result.loss) * n as f64;
            correct += result.correct;
            start += n;
        }
        let total = test.len();
        Ok(Evaluation {
            loss: (loss_sum / total as f64) as f32,
            accuracy: (correct as f64 / total as f64) as f32,
            correct,
            total,
        })
    }
}
