//! The page's training state, in one place: what the worker last reported and the user's
//! settings, changed only through [`TrainingState::apply`] with a [`TrainingAction`]. No
//! web code, so it is tested natively; the components only draw it.

use std::rc::Rc;

use super::history::History;
use super::model_file;
use super::protocol::{
    CellImages, Dataset, DigitChoice, Evaluated, Progress, Reply, Request, RunId, Snapshot,
};
use crate::common::format::grouped;
use crate::common::geometry::Padding;
use crate::nn::data::{DatasetKind, CLASSES, SIDE, TRAIN};
use crate::nn::spec::Init;
use crate::nn::{LayerSpec, NetworkSpec, Optimizer, Shape, TrainConfig};

/// Points kept per curve: enough for a smooth line, bounded for an hour-long run.
pub const HISTORY_POINTS: usize = 400;
/// Learning rates above this are refused outright (well past divergence for every choice).
pub const MAX_LEARNING_RATE: f32 = 100.0;
/// The batch sizes offered.
pub const BATCH_SIZES: [usize; 7] = [1, 8, 16, 32, 64, 128, 256];
/// Filters offered for the first, second and third convolution.
pub const FILTER_CHOICES: [[usize; 4]; 3] = [[2, 4, 8, 16], [4, 8, 16, 32], [8, 16, 32, 64]];
/// Convolution blocks (convolution → activation → pooling) offered.
pub const BLOCK_CHOICES: [usize; 3] = [1, 2, 3];
/// The network's kernel sizes offered.
pub const NETWORK_KERNEL_SIZES: [usize; 2] = [3, 5];
/// Units of the dense hidden layer before the last one offered (0: none).
pub const HIDDEN_CHOICES: [usize; 4] = [0, 32, 64, 128];
/// Dropout rates offered before the last dense layer.
pub const DROPOUT_CHOICES: [f32; 3] = [0.0, 0.25, 0.5];
/// L2 weight decays offered.
pub const WEIGHT_DECAY_CHOICES: [f32; 3] = [0.0, 1e-4, 1e-3];
/// How many training images may be used.
pub const TRAIN_EXAMPLE_CHOICES: [usize; 4] = [500, 1_000, 2_000, 8_000];
/// Batches one press of Step trains.
pub const STEP_BATCHES: usize = 10;

/// The optimizers offered, each with the learning rate it starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 3] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Adam,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "SGD",
            OptimizerKind::Momentum => "SGD with momentum 0.9",
            OptimizerKind::Adam => "Adam",
        }
    }

    /// A learning rate that trains the default network well with this optimizer.
    pub fn usual_learning_rate(self) -> f32 {
        match self {
            OptimizerKind::Sgd => 0.15,
            OptimizerKind::Momentum => 0.01,
            OptimizerKind::Adam => 0.001,
        }
    }

    pub fn with_learning_rate(self, learning_rate: f32) -> Optimizer {
        match self {
            OptimizerKind::Sgd => Optimizer::Sgd {
                learning_rate,
                momentum: 0.0,
            },
            OptimizerKind::Momentum => Optimizer::Sgd {
                learning_rate,
                momentum: 0.9,
            },
            OptimizerKind::Adam => Optimizer::adam(learning_rate),
        }
    }
}

/// The activations offered after each convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivationKind {
    Relu,
    LeakyRelu,
    Tanh,
    Sigmoid,
}

impl ActivationKind {
    pub const ALL: [ActivationKind; 4] = [
        ActivationKind::Relu,
        ActivationKind::LeakyRelu,
        ActivationKind::Tanh,
        ActivationKind::Sigmoid,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActivationKind::Relu => "ReLU",
            ActivationKind::LeakyRelu => "Leaky ReLU (0.1)",
            ActivationKind::Tanh => "tanh",
            ActivationKind::Sigmoid => "sigmoid",
        }
    }

    pub(crate) fn layer(self) -> LayerSpec {
        match self {
            ActivationKind::Relu => LayerSpec::Relu,
            ActivationKind::LeakyRelu => LayerSpec::LeakyRelu { slope: 0.1 },
            ActivationKind::Tanh => LayerSpec::Tanh,
            ActivationKind::Sigmoid => LayerSpec::Sigmoid,
        }
    }
}

/// The pooling after each convolution of the network.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NetworkPooling {
    #[default]
    Max,
    Average,
}

impl NetworkPooling {
    pub const ALL: [NetworkPooling; 2] = [NetworkPooling::Max, NetworkPooling::Average];

    pub fn name(self) -> &'static str {
        match self {
            NetworkPooling::Max => "max",
            NetworkPooling::Average => "average",
        }
    }
}

/// What the user chose. The learning rate, optimizer and batch size change the run in
/// progress; the network's shape, the training images and the seed start a new one.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingSettings {
    /// What the network learns; another dataset is loaded by a new worker.
    pub dataset: DatasetKind,
    pub learning_rate: f32,
    pub optimizer: OptimizerKind,
    pub batch_size: usize,
    /// Convolution blocks, 1–3: convolution → activation → 2 × 2 pooling each.
    pub blocks: usize,
    /// Filters in the first, second and third convolution (those of the blocks in use).
    pub filters: [usize; 3],
    pub kernel_size: usize,
    pub padding: Padding,
    pub pooling: NetworkPooling,
    pub activation: ActivationKind,
    /// Units of a dense hidden layer (with the activation) before the last; 0 for none.
    pub hidden: usize,
    /// Inverted dropout before the last dense layer, in training only; 0 for none.
    pub dropout: f32,
    /// L2 weight decay; 0 for none.
    pub weight_decay: f32,
    pub train_examples: usize,
    pub seed: u64,
}

impl Default for TrainingSettings {
    /// The reference run: the engine's default network, plain SGD at 0.15, batch 32, seed 1.
    fn default() -> Self {
        TrainingSettings {
            dataset: DatasetKind::Digits,
            learning_rate: 0.15,
            optimizer: OptimizerKind::Sgd,
            batch_size: 32,
            blocks: 2,
            filters: [8, 16, 32],
            kernel_size: 3,
            padding: Padding::Same,
            pooling: NetworkPooling::Max,
            activation: ActivationKind::Relu,
            hidden: 0,
            dropout: 0.0,
            weight_decay: 0.0,
            train_examples: TRAIN,
            seed: 1,
        }
    }
}

impl TrainingSettings {
    pub fn optimizer(&self) -> Optimizer {
        self.optimizer.with_learning_rate(self.learning_rate)
    }

    /// `blocks` × (conv `kernel_size`² with `padding` → activation → 2 × 2 pooling, stride
    /// 2, VALID) → flatten → [dense `hidden` → activation] → dense 10, with He weights for
    /// the ReLUs and Xavier for tanh and sigmoid. The default is the engine's reference
    /// network.
    pub fn network(&self) -> NetworkSpec {
        let init = match self.activation {
            ActivationKind::Relu | ActivationKind::LeakyRelu => Init::He,
            ActivationKind::Tanh | ActivationKind::Sigmoid => Init::Xavier,
        };
        let activation = self.activation.layer();
        let (size, stride, padding) = (2, 2, Padding::Valid);
        let pool = match self.pooling {
            NetworkPooling::Max => LayerSpec::MaxPool {
                size,
                stride,
                padding,
            },
            NetworkPooling::Average => LayerSpec::AvgPool {
                size,
                stride,
                padding,
            },
        };
        let mut layers: Vec<LayerSpec> = self
            .filters
            .iter()
            .take(self.blocks)
            .flat_map(|&filters| {
                [
                    LayerSpec::Conv2d {
                        filters,
                        kernel_size: self.kernel_size,
                        stride: 1,
                        padding: self.padding,
                    },
                    activation,
                    pool,
                ]
            })
            .collect();
        layers.push(LayerSpec::Flatten);
        if self.hidden > 0 {
            layers.push(LayerSpec::Dense { units: self.hidden });
            layers.push(activation);
        }
        if self.dropout > 0.0 {
            layers.push(LayerSpec::Dropout { rate: self.dropout });
        }
        layers.push(LayerSpec::Dense { units: CLASSES });
        NetworkSpec {
            input: Shape::new(1, SIDE, SIDE),
            layers,
            init,
        }
    }

    /// Why this network cannot be built, in words (a window larger than what reaches it),
    /// or nothing.
    pub fn network_problem(&self) -> Option<String> {
        let error = self.network().summary().err()?;
        Some(format!(
            "This network cannot be built: {error}. {} blocks of {} {k} × {k} convolutions \
             and 2 × 2 pooling leave nothing of a 28 × 28 image: choose SAME padding, a smaller \
             kernel or fewer blocks.",
            self.blocks,
            self.padding,
            k = self.kernel_size
        ))
    }

    pub fn config(&self) -> TrainConfig {
        TrainConfig {
            network: self.network(),
            optimizer: self.optimizer(),
            batch_size: self.batch_size,
            seed: self.seed,
            weight_decay: self.weight_decay,
            train_examples: self.train_examples,
        }
    }

    /// True when going from `self` to `next` needs a new network (not just new
    /// hyperparameters for the run in progress).
    pub fn needs_new_network(&self, next: &TrainingSettings) -> bool {
        self.network() != next.network()
            || self.train_examples != next.train_examples
            || self.weight_decay != next.weight_decay
    }
}

/// A learning rate as typed: a positive number up to [`MAX_LEARNING_RATE`], or why not.
pub fn parse_learning_rate(text: &str) -> Result<f32, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Type a learning rate, for example 0.15.".into());
    }
    let value: f64 = text
        .parse()
        .map_err(|_| format!("The learning rate “{text}” is not a number."))?;
    if !value.is_finite() || value > f64::from(MAX_LEARNING_RATE) {
        return Err(format!(
            "The learning rate “{text}” is too large: use at most {MAX_LEARNING_RATE}."
        ));
    }
    if value <= 0.0 || (value as f32) <= 0.0 {
        return Err(format!("The learning rate must be above 0, not “{text}”."));
    }
    Ok(value as f32)
}

/// A seed as typed: a whole number from 0 to 2⁶⁴ − 1, or why not.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let text = text.trim();
    text.parse()
        .map_err(|_| format!("The seed must be a whole number from 0 up, not “{text}”."))
}

/// Where the worker is.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Started, nothing heard yet.
    Starting,
    /// Downloading the digits.
    Loading { loaded: u64, total: Option<u64> },
    /// Digits in, network built.
    Ready,
    /// The digits could not be loaded.
    LoadFailed(String),
    /// The worker died; a restart is offered.
    WorkerLost(String),
}

/// Which digit the feature maps show.
#[derive(Clone, Debug, PartialEq)]
pub enum Chosen {
    /// A test digit, by index.
    Test(usize),
    Drawn,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrainingState {
    pub phase: Phase,
    pub settings: TrainingSettings,
    /// The last progress report (its points are already in the history).
    pub progress: Progress,
    pub history: Rc<History>,
    pub evaluation: Option<Rc<Evaluated>>,
    pub snapshot: Option<Rc<Snapshot>>,
    pub dataset: Option<Rc<Dataset>>,
    pub chosen: Chosen,
    /// The class the saliency map explains (`None`: the answer).
    pub explain: Option<usize>,
    /// The run the page started last (see [`RunId`]).
    pub run: RunId,
    /// Why training stopped, if it diverged (cleared by Reset).
    pub diverged: Option<String>,
    /// A message about the last thing that could not be done.
    pub notice: Option<String>,
    /// The confusion-matrix cell (true class, answer) whose test images are shown.
    pub cell: Option<(usize, usize)>,
    /// Its images at the last evaluation (refreshed at each evaluation while it is open).
    pub cell_images: Option<Rc<CellImages>>,
    /// Where the run's first weights came from, when not from the seed: an opened model.
    pub origin: Option<String>,
    /// An opened model's weights and the samples they had seen, waiting for the worker
    /// that loads its dataset.
    pub pending_open: Option<Rc<(Vec<f32>, u64)>>,
}

impl Default for TrainingState {
    fn default() -> Self {
        TrainingState {
            phase: Phase::Starting,
            settings: TrainingSettings::default(),
            progress: Progress::default(),
            history: Rc::new(History::new(HISTORY_POINTS)),
            evaluation: None,
            snapshot: None,
            dataset: None,
            chosen: Chosen::Test(0),
            explain: None,
            run: 0,
            diverged: None,
            notice: None,
            cell: None,
            cell_images: None,
            origin: None,
            pending_open: None,
        }
    }
}

/// Everything that can happen to live training: what the user did and what the worker
/// said. [`TrainingState::apply`] decides what it means, once.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainingAction {
    /// A worker is running and takes requests; `base_url` is the page's folder.
    WorkerStarted {
        base_url: String,
    },
    /// The worker said something.
    Reply(Reply),
    /// The worker died or stopped answering.
    WorkerLost(String),
    /// Restart was pressed: a new worker replaces the lost one.
    Restart,
    Train,
    Pause,
    /// Train [`STEP_BATCHES`] batches, then score them.
    Step,
    /// Fresh weights from the seed: the curves start over.
    Reset,
    /// New settings were typed or chosen (already checked by the controls).
    ChangeSettings(TrainingSettings),
    /// Show the feature maps of test digit `index`.
    ChooseTest(usize),
    /// Show the feature maps of a drawn digit (28 × 28 values, MNIST-centred).
    ShowDrawn(Vec<f32>),
    /// The drawing was cleared: back to the first test digit.
    ClearDrawing,
    /// Explain this class's score in the saliency map (`None`: the answer's).
    Explain(Option<usize>),
    /// Put the explorer's kernel (row-major) in as the first filter.
    PlantKernel {
        weights: Vec<f32>,
        frozen: bool,
    },
    /// Show the test images of a confusion-matrix cell (true class, answer); `None`
    /// closes them.
    ShowCell(Option<(usize, usize)>),
    /// Save the trained network as an ONNX file.
    DownloadModel,
    /// A model file was read: train on from it (with its network and dataset), or say why
    /// not and keep the run.
    OpenModel {
        file_name: String,
        bytes: Rc<Vec<u8>>,
    },
    /// Something the user typed or did cannot be used: say why, change nothing else.
    Notice(String),
    DismissNotice,
}

/// A side effect an action calls for, carried out by the page's worker hook
/// (`app::training_worker::use_training_worker`): the reducer decides, the hook only obeys.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Post this request to the worker.
    Send(Request),
    /// Stop the worker (if any) and start a new one, which then reports
    /// [`TrainingAction::WorkerStarted`].
    StartWorker,
    /// Offer these bytes as a file to download.
    Save { file_name: String, bytes: Vec<u8> },
}

impl TrainingState {
    pub fn ready(&self) -> bool {
        self.phase == Phase::Ready
    }

    pub fn running(&self) -> bool {
        self.ready() && self.progress.running
    }

    /// The state after `action`, and the commands it calls for, in order.
    pub fn apply(&self, action: TrainingAction) -> (TrainingState, Vec<Command>) {
        let mut next = self.clone();
        let send = |request| vec![Command::Send(request)];
        let commands = match action {
            TrainingAction::WorkerStarted { base_url } => {
                // A new worker (the first, or one after a restart) starts a new run.
                next = TrainingState {
                    settings: self.settings.clone(),
                    run: self.run + 1,
                    pending_open: self.pending_open.clone(),
                    origin: self.pending_open.as_ref().and(self.origin.clone()),
                    ..TrainingState::default()
                };
                send(Request::Load {
                    base_url,
                    run: next.run,
                    config: next.settings.config(),
                    dataset: next.settings.dataset,
                })
            }
            TrainingAction::Reply(reply) => next.receive(reply),
            TrainingAction::WorkerLost(message) => {
                next.phase = Phase::WorkerLost(message);
                next.progress.running = false;
                Vec::new()
            }
            TrainingAction::Restart => {
                next.phase = Phase::Starting;
                vec![Command::StartWorker]
            }
            TrainingAction::Train if self.ready() => send(Request::Start),
            TrainingAction::Pause if self.ready() => send(Request::Pause),
            TrainingAction::Step if self.ready() => send(Request::Step {
                batches: STEP_BATCHES,
            }),
            TrainingAction::Train | TrainingAction::Pause | TrainingAction::Step => Vec::new(),
            TrainingAction::Reset => {
                next.origin = None;
                next.start_over()
            }
            TrainingAction::ShowCell(cell) => {
                next.cell = cell;
                next.cell_images = None;
                match cell {
                    Some((truth, predicted)) if self.ready() => {
                        send(Request::ShowCell { truth, predicted })
                    }
                    _ => Vec::new(),
                }
            }
            TrainingAction::DownloadModel if self.ready() => send(Request::Export {
                dataset: self.settings.dataset,
            }),
            TrainingAction::DownloadModel => Vec::new(),
            TrainingAction::OpenModel { file_name, bytes } => {
                match model_file::open(&self.settings, &file_name, &bytes) {
                    Err(message) => {
                        next.notice = Some(message);
                        Vec::new()
                    }
                    Ok(opened) => next.open(opened),
                }
            }
            TrainingAction::ChangeSettings(settings)
                if settings.dataset != self.settings.dataset =>
            {
                // The worker holds one dataset: a new worker loads the other one.
                next.settings = settings;
                next.notice = None;
                next.origin = None;
                next.phase = Phase::Starting;
                next.progress.running = false;
                vec![Command::StartWorker]
            }
            TrainingAction::ChangeSettings(settings) if settings.network_problem().is_some() => {
                next.notice = settings.network_problem();
                Vec::new()
            }
            TrainingAction::ChangeSettings(settings) => {
                let new_run = self.settings.needs_new_network(&settings)
                    || self.settings.seed != settings.seed;
                next.settings = settings;
                next.notice = None;
                if new_run {
                    next.origin = None;
                    next.start_over()
                } else {
                    send(Request::Tune {
                        optimizer: next.settings.optimizer(),
                        batch_size: next.settings.batch_size,
                    })
                }
            }
            TrainingAction::Explain(class) => {
                next.explain = class;
                send(Request::Explain(class))
            }
            TrainingAction::ChooseTest(index) => {
                next.chosen = Chosen::Test(index);
                send(Request::ShowDigit(DigitChoice::Test(index)))
            }
            TrainingAction::ShowDrawn(pixels) => {
                next.chosen = Chosen::Drawn;
                send(Request::ShowDigit(DigitChoice::Drawn(pixels)))
            }
            TrainingAction::ClearDrawing => {
                match self.dataset.as_ref().and_then(|d| d.strip.first()) {
                    Some(first) => {
                        next.chosen = Chosen::Test(first.index);
                        send(Request::ShowDigit(DigitChoice::Test(first.index)))
                    }
                    None => Vec::new(),
                }
            }
            TrainingAction::PlantKernel { weights, frozen } => {
                send(Request::PlantKernel { weights, frozen })
            }
            TrainingAction::Notice(message) => {
                next.notice = Some(message);
                Vec::new()
            }
            TrainingAction::DismissNotice => {
                next.notice = None;
                Vec::new()
            }
        };
        (next, commands)
    }

    /// Starts a new run: empty curves, no score, and a Reset for the worker.
    fn start_over(&mut self) -> Vec<Command> {
        self.new_run();
        vec![Command::Send(Request::Reset {
            run: self.run,
            config: self.settings.config(),
        })]
    }

    fn new_run(&mut self) {
        self.run += 1;
        self.history = Rc::new(History::new(HISTORY_POINTS));
        self.evaluation = None;
        self.cell_images = None;
        self.diverged = None;
        self.progress = Progress {
            run: self.run,
            ..Progress::default()
        };
    }

    /// Trains on from an opened model: with its settings, from its weights, as a new run.
    /// A model of the other dataset waits for a new worker to load that dataset.
    fn open(&mut self, opened: model_file::OpenedModel) -> Vec<Command> {
        let other_dataset = opened.settings.dataset != self.settings.dataset;
        self.settings = opened.settings;
        self.notice = None;
        self.origin = Some(opened.origin);
        if other_dataset {
            self.pending_open = Some(Rc::new((opened.parameters, opened.samples)));
            self.phase = Phase::Starting;
            self.progress.running = false;
            return vec![Command::StartWorker];
        }
        self.new_run();
        vec![Command::Send(Request::Open {
            run: self.run,
            config: self.settings.config(),
            parameters: opened.parameters,
            samples: opened.samples,
        })]
    }

    /// Whether a reply belongs to the current run (older runs' replies may still be in
    /// flight after a Reset).
    fn current(&self, run: RunId) -> bool {
        run == self.run
    }

    fn receive(&mut self, reply: Reply) -> Vec<Command> {
        match reply {
            Reply::Loading { loaded, total } => {
                if !self.ready() {
                    self.phase = Phase::Loading { loaded, total };
                }
            }
            Reply::Ready(dataset) => {
                self.phase = Phase::Ready;
                if let Some(first) = dataset.strip.first() {
                    self.chosen = Chosen::Test(first.index);
                }
                self.dataset = Some(Rc::new(dataset));
                if let Some(pending) = self.pending_open.take() {
                    let (parameters, samples) = pending.as_ref().clone();
                    self.new_run();
                    return vec![Command::Send(Request::Open {
                        run: self.run,
                        config: self.settings.config(),
                        parameters,
                        samples,
                    })];
                }
            }
            Reply::Model { bytes, .. } => {
                return vec![Command::Save {
                    file_name: model_file::file_name(self.settings.dataset),
                    bytes,
                }]
            }
            Reply::Progress(progress) if self.current(progress.run) => {
                if !progress.points.is_empty() {
                    let history = Rc::make_mut(&mut self.history);
                    for point in &progress.points {
                        history.push_train(point.samples, point.loss, point.accuracy);
                    }
                }
                self.progress = progress;
            }
            Reply::Evaluated(evaluated) if self.current(evaluated.run) => {
                Rc::make_mut(&mut self.history).push_test(
                    evaluated.samples,
                    evaluated.loss,
                    evaluated.accuracy,
                );
                self.evaluation = Some(Rc::new(evaluated));
                // An open cell shows the images of the newest evaluation.
                if let Some((truth, predicted)) = self.cell {
                    return vec![Command::Send(Request::ShowCell { truth, predicted })];
                }
            }
            Reply::Cell(images) if self.current(images.run) => {
                if self.cell == Some((images.truth, images.predicted)) {
                    self.cell_images = Some(Rc::new(images));
                }
            }
            Reply::Snapshot(snapshot) if self.current(snapshot.run) => {
                self.snapshot = Some(Rc::new(snapshot))
            }
            Reply::Diverged { run, message } if self.current(run) => {
                self.progress.running = false;
                self.diverged = Some(message);
            }
            Reply::Refused { message } => self.notice = Some(message),
            Reply::LoadFailed { message } => self.phase = Phase::LoadFailed(message),
            // An older run's report, sent before the worker read the Reset.
            Reply::Progress(_)
            | Reply::Evaluated(_)
            | Reply::Snapshot(_)
            | Reply::Cell(_)
            | Reply::Diverged { .. } => {}
        }
        Vec::new()
    }

    /// What a screen reader hears (it changes at evaluations, starts and stops), e.g.
    /// `Training. Test accuracy 97.3 % after 123,456 samples.`
    pub fn announcement(&self) -> String {
        let what = if let Some(message) = &self.diverged {
            message.as_str()
        } else if self.running() {
            "Training."
        } else {
            "Paused."
        };
        match &self.evaluation {
            Some(e) => format!(
                "{what} Test accuracy {:.1} % after {} samples.",
                f64::from(e.accuracy) * 100.0,
                grouped(e.samples)
            ),
            None => what.to_string(),
        }
    }

    /// The status line's parts, e.g. `Test accuracy 97.3 %`, `2,950 samples/s`,
    /// `Samples seen 123,456`, `Epoch 4` (the accuracy from the first evaluation on, the
    /// speed while running).
    pub fn status(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(evaluation) = &self.evaluation {
            parts.push(format!(
                "Test accuracy {:.1} %",
                f64::from(evaluation.accuracy) * 100.0
            ));
        }
        if self.running() {
            parts.push(format!(
                "{} samples/s",
                grouped(self.progress.samples_per_second.round() as u64)
            ));
        }
        parts.push(format!("Samples seen {}", grouped(self.progress.samples)));
        parts.push(format!("Epoch {}", self.progress.epoch.max(1)));
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::protocol::ChunkPoint;

    /// The state after an action, when the commands do not matter to the test.
    trait After {
        fn after(&self, action: TrainingAction) -> TrainingState;
    }

    impl After for TrainingState {
        fn after(&self, action: TrainingAction) -> TrainingState {
            self.apply(action).0
        }
    }

    #[test]
    fn learning_rates_typed_wrong_are_refused_in_words() {
        assert_eq!(parse_learning_rate(" 0.05 "), Ok(0.05));
        assert_eq!(parse_learning_rate("1e-3"), Ok(0.001));
        for (text, words) in [
            ("", "Type a learning rate"),
            ("abc", "“abc” is not a number"),
            ("1e400", "too large"),
            ("inf", "too large"),
            ("NaN", "too large"),
            ("101", "at most 100"),
            ("0", "above 0"),
            ("-0.1", "above 0"),
            ("1e-60", "above 0"),
        ] {
            let err = parse_learning_rate(text).expect_err(text);
            assert!(err.contains(words), "{text}: {err}");
        }
        assert_eq!(parse_seed("42"), Ok(42));
        assert!(parse_seed("-1").is_err() && parse_seed("1.5").is_err() && parse_seed("").is_err());
    }

    #[test]
    fn the_architecture_choices_build_their_network_or_say_why_not() {
        let deep = TrainingSettings {
            blocks: 3,
            kernel_size: 5,
            pooling: NetworkPooling::Average,
            hidden: 64,
            ..TrainingSettings::default()
        };
        let summary = deep
            .network()
            .summary()
            .expect("SAME keeps 28 → 14 → 7 → 3");
        let shapes: Vec<String> = summary
            .iter()
            .map(|l| format!("{} {}", l.name, l.output))
            .collect();
        assert_eq!(
            shapes,
            [
                "convolution 8×28×28",
                "ReLU 8×28×28",
                "average pooling 8×14×14",
                "convolution 16×14×14",
                "ReLU 16×14×14",
                "average pooling 16×7×7",
                "convolution 32×7×7",
                "ReLU 32×7×7",
                "average pooling 32×3×3",
                "flatten 288×1×1",
                "dense 64×1×1",
                "ReLU 64×1×1",
                "dense 10×1×1",
            ]
        );
        assert_eq!(deep.network_problem(), None);
        let valid = TrainingSettings {
            padding: Padding::Valid,
            ..deep
        };
        let problem = valid
            .network_problem()
            .expect("28 → 24 → 12 → 8 → 4 → nothing");
        assert!(problem.contains("3 blocks of VALID 5 × 5"), "{problem}");
        let (state, commands) =
            TrainingState::default().apply(TrainingAction::ChangeSettings(valid));
        assert_eq!(commands, []);
        assert_eq!(
            state.settings,
            TrainingSettings::default(),
            "refused, nothing changes"
        );
        assert_eq!(state.notice, Some(problem));
    }

    #[test]
    fn the_default_settings_are_the_engines_reference_run() {
        assert_eq!(TrainingSettings::default().config(), TrainConfig::default());
        let tanh = TrainingSettings {
            activation: ActivationKind::Tanh,
            filters: [4, 8, 32],
            ..TrainingSettings::default()
        };
        let spec = tanh.network();
        assert_eq!(spec.init, Init::Xavier);
        assert_eq!(spec.layers[1], LayerSpec::Tanh);
        assert!(TrainingSettings::default().needs_new_network(&tanh));
        let faster = TrainingSettings {
            learning_rate: 0.1,
            batch_size: 64,
            optimizer: OptimizerKind::Adam,
            ..TrainingSettings::default()
        };
        assert!(!TrainingSettings::default().needs_new_network(&faster));
    }

    fn progress_of(run: RunId, samples: u64, points: &[(u64, f32)]) -> Reply {
        match progress(samples, true, points) {
            Reply::Progress(p) => Reply::Progress(Progress { run, ..p }),
            other => other,
        }
    }

    fn progress(samples: u64, running: bool, points: &[(u64, f32)]) -> Reply {
        Reply::Progress(Progress {
            running,
            samples,
            epoch: samples / 8000 + 1,
            samples_per_second: 2950.4,
            points: points
                .iter()
                .map(|&(samples, loss)| ChunkPoint {
                    samples,
                    loss,
                    accuracy: 0.5,
                })
                .collect(),
            ..Progress::default()
        })
    }

    fn evaluated(samples: u64, accuracy: f32) -> Reply {
        Reply::Evaluated(Evaluated {
            run: 0,
            samples,
            loss: 0.1,
            accuracy,
            total: 2000,
            confusion: vec![0; 100],
        })
    }

    #[test]
    fn the_status_reads_like_the_issue_says() {
        let mut state =
            TrainingState::default().after(TrainingAction::Reply(Reply::Ready(Dataset {
                train: 8000,
                test: 2000,
                strip: Vec::new(),
            })));
        assert_eq!(state.status(), ["Samples seen 0", "Epoch 1"]);
        state = state.after(TrainingAction::Reply(progress(
            123_456,
            true,
            &[(123_456, 0.2)],
        )));
        state = state.after(TrainingAction::Reply(evaluated(123_456, 0.9734)));
        assert_eq!(
            state.status(),
            [
                "Test accuracy 97.3 %",
                "2,950 samples/s",
                "Samples seen 123,456",
                "Epoch 16"
            ]
        );
        state = state.after(TrainingAction::Reply(progress(123_456, false, &[])));
        assert_eq!(
            state.status()[1],
            "Samples seen 123,456",
            "no speed when paused"
        );
    }

    #[test]
    fn replies_fill_the_history_and_a_reset_empties_it() {
        let mut state = TrainingState::default();
        state = state.after(TrainingAction::Reply(progress(
            64,
            true,
            &[(32, 2.0), (64, 1.5)],
        )));
        state = state.after(TrainingAction::Reply(evaluated(64, 0.4)));
        assert_eq!(state.history.train_loss().len(), 2);
        assert_eq!(state.history.test_accuracy().len(), 1);
        let (reset, commands) = state.apply(TrainingAction::Reset);
        state = reset;
        assert!(state.history.train_loss().is_empty() && state.evaluation.is_none());
        assert_eq!(
            commands,
            [Command::Send(Request::Reset {
                run: 1,
                config: TrainingSettings::default().config()
            })]
        );
        // Reports of the old run still in flight are dropped; the new run's are kept.
        state = state.after(TrainingAction::Reply(progress_of(0, 640, &[(640, 1.0)])));
        assert!(state.history.train_loss().is_empty());
        state = state.after(TrainingAction::Reply(progress_of(1, 32, &[(32, 2.0)])));
        assert_eq!(state.history.train_loss().len(), 1);
    }

    #[test]
    fn divergence_refusals_and_a_lost_worker_keep_the_last_pictures() {
        let mut state = TrainingState::default();
        state = state.after(TrainingAction::Reply(progress(64, true, &[(64, 1.0)])));
        let snapshot = Rc::new(Snapshot {
            run: 0,
            samples: 64,
            filters: crate::training::protocol::Filters {
                count: 0,
                size: 3,
                weights: Vec::new(),
                bias: Vec::new(),
                frozen_first: false,
            },
            digit: crate::training::protocol::DigitView {
                test: None,
                input: Vec::new(),
                layers: Vec::new(),
                probabilities: Vec::new(),
                explained: 0,
                saliency: Vec::new(),
            },
        });
        state = state.after(TrainingAction::Reply(Reply::Snapshot((*snapshot).clone())));
        state = state.after(TrainingAction::Reply(Reply::Diverged {
            run: 0,
            message: "Training diverged".into(),
        }));
        assert!(!state.progress.running && state.diverged.is_some());
        assert_eq!(state.snapshot.as_deref(), Some(&*snapshot));
        state = state.after(TrainingAction::Reply(Reply::Refused {
            message: "Not changed".into(),
        }));
        assert_eq!(state.notice.as_deref(), Some("Not changed"));
        state = state.after(TrainingAction::WorkerLost("boom".into()));
        assert_eq!(state.phase, Phase::WorkerLost("boom".into()));
        assert_eq!(state.snapshot.as_deref(), Some(&*snapshot));
        let (restarting, commands) = state.apply(TrainingAction::Restart);
        assert_eq!(commands, [Command::StartWorker]);
        assert_eq!(restarting.phase, Phase::Starting);
        let (restarted, commands) = restarting.apply(TrainingAction::WorkerStarted {
            base_url: "./".into(),
        });
        assert_eq!(restarted.settings, state.settings);
        assert!(restarted.snapshot.is_none() && restarted.history.train_loss().is_empty());
        assert_eq!(
            commands,
            [Command::Send(Request::Load {
                base_url: "./".into(),
                run: state.run + 1,
                config: state.settings.config(),
                dataset: DatasetKind::Digits,
            })]
        );
    }

    /// A state whose worker has loaded the digits.
    fn ready() -> TrainingState {
        let (state, _) = TrainingState::default().apply(TrainingAction::WorkerStarted {
            base_url: "./".into(),
        });
        state.after(TrainingAction::Reply(Reply::Ready(Dataset {
            train: 8000,
            test: 2000,
            strip: Vec::new(),
        })))
    }

    fn model(settings: &TrainingSettings, dataset: DatasetKind) -> (Rc<Vec<u8>>, Vec<f32>) {
        let network = crate::nn::Network::new(&settings.network(), 3).expect("builds");
        let provenance = crate::nn::onnx::Provenance {
            dataset,
            samples: 640,
        };
        let bytes = crate::nn::onnx::export(&network, provenance);
        (Rc::new(bytes), network.parameters().to_vec())
    }

    #[test]
    fn an_open_cell_is_asked_for_again_at_every_evaluation() {
        let state = ready();
        let (state, commands) = state.apply(TrainingAction::ShowCell(Some((3, 5))));
        assert_eq!(
            commands,
            [Command::Send(Request::ShowCell {
                truth: 3,
                predicted: 5
            })]
        );
        let images = |run, truth| CellImages {
            run,
            samples: 640,
            truth,
            predicted: 5,
            count: 0,
            images: Vec::new(),
        };
        let state = state.after(TrainingAction::Reply(Reply::Cell(images(state.run, 3))));
        assert_eq!(state.cell_images.as_deref(), Some(&images(state.run, 3)));
        // A late answer for another cell, or another run, is not shown.
        let other = state.after(TrainingAction::Reply(Reply::Cell(images(state.run, 4))));
        assert_eq!(other.cell_images, state.cell_images);
        let evaluated = Reply::Evaluated(Evaluated {
            run: state.run,
            samples: 960,
            loss: 0.5,
            accuracy: 0.9,
            total: 2000,
            confusion: vec![20; 100],
        });
        let (evaluated_state, commands) = state.apply(TrainingAction::Reply(evaluated.clone()));
        assert_eq!(
            commands,
            [Command::Send(Request::ShowCell {
                truth: 3,
                predicted: 5
            })]
        );
        // Closed, the cell is not asked for any more.
        let closed = evaluated_state.after(TrainingAction::ShowCell(None));
        assert!(closed.cell.is_none() && closed.cell_images.is_none());
        assert!(closed.apply(TrainingAction::Reply(evaluated)).1.is_empty());
    }

    #[test]
    fn a_downloaded_model_is_saved_under_its_datasets_name() {
        let (_, commands) = TrainingState::default().apply(TrainingAction::DownloadModel);
        assert!(
            commands.is_empty(),
            "nothing to save before the worker is ready"
        );
        let state = ready();
        let (state, commands) = state.apply(TrainingAction::DownloadModel);
        assert_eq!(
            commands,
            [Command::Send(Request::Export {
                dataset: DatasetKind::Digits
            })]
        );
        let (_, commands) = state.apply(TrainingAction::Reply(Reply::Model {
            run: state.run,
            bytes: vec![1, 2, 3],
        }));
        assert_eq!(
            commands,
            [Command::Save {
                file_name: "convlab-mnist.onnx".into(),
                bytes: vec![1, 2, 3]
            }]
        );
    }

    #[test]
    fn an_opened_model_starts_a_run_from_its_weights_with_its_network() {
        let state = ready();
        let wide = TrainingSettings {
            blocks: 1,
            filters: [16, 16, 32],
            hidden: 32,
            ..TrainingSettings::default()
        };
        let (bytes, parameters) = model(&wide, DatasetKind::Digits);
        let (opened, commands) = state.apply(TrainingAction::OpenModel {
            file_name: "wide.onnx".into(),
            bytes,
        });
        assert_eq!(opened.settings, wide);
        assert_eq!(opened.run, state.run + 1);
        assert_eq!(
            opened.origin.as_deref(),
            Some("wide.onnx (MNIST digits, 640 samples)")
        );
        assert_eq!(
            commands,
            [Command::Send(Request::Open {
                run: opened.run,
                config: wide.config(),
                parameters,
                samples: 640,
            })]
        );
        // A Reset draws fresh weights from the seed: the model is no longer the origin.
        assert_eq!(opened.after(TrainingAction::Reset).origin, None);
    }

    #[test]
    fn a_model_of_the_other_dataset_waits_for_a_worker_that_loads_it() {
        let state = ready();
        let (bytes, parameters) = model(&TrainingSettings::default(), DatasetKind::Fashion);
        let (opening, commands) = state.apply(TrainingAction::OpenModel {
            file_name: "f.onnx".into(),
            bytes,
        });
        assert_eq!(commands, [Command::StartWorker]);
        assert_eq!(opening.settings.dataset, DatasetKind::Fashion);
        let (started, commands) = opening.apply(TrainingAction::WorkerStarted {
            base_url: "./".into(),
        });
        assert!(matches!(
            &commands[..],
            [Command::Send(Request::Load {
                dataset: DatasetKind::Fashion,
                ..
            })]
        ));
        let (loaded, commands) = started.apply(TrainingAction::Reply(Reply::Ready(Dataset {
            train: 8000,
            test: 2000,
            strip: Vec::new(),
        })));
        assert_eq!(
            commands,
            [Command::Send(Request::Open {
                run: loaded.run,
                config: opening.settings.config(),
                parameters,
                samples: 640,
            })]
        );
        assert!(loaded.pending_open.is_none());
        assert_eq!(
            loaded.origin.as_deref(),
            Some("f.onnx (Fashion-MNIST, 640 samples)")
        );
    }

    #[test]
    fn a_file_that_is_not_a_model_changes_nothing_but_the_notice() {
        let state = ready();
        let (after, commands) = state.apply(TrainingAction::OpenModel {
            file_name: "cat.png".into(),
            bytes: Rc::new(b"\x89PNG not a model".to_vec()),
        });
        assert!(commands.is_empty());
        assert_eq!(
            TrainingState {
                notice: None,
                ..after.clone()
            },
            state
        );
        let notice = after.notice.expect("a notice");
        assert!(notice.starts_with("“cat.png” was not opened.") && notice.ends_with("goes on."));
    }

    #[test]
    fn another_dataset_is_loaded_by_a_new_worker_with_the_same_network() {
        let (state, _) = TrainingState::default().apply(TrainingAction::WorkerStarted {
            base_url: "./".into(),
        });
        let state = state.after(TrainingAction::Reply(Reply::Ready(Dataset {
            train: 8000,
            test: 2000,
            strip: Vec::new(),
        })));
        let fashion = TrainingSettings {
            dataset: DatasetKind::Fashion,
            ..state.settings.clone()
        };
        let (switching, commands) = state.apply(TrainingAction::ChangeSettings(fashion.clone()));
        assert_eq!(commands, [Command::StartWorker]);
        assert_eq!(switching.phase, Phase::Starting);
        let (loading, commands) = switching.apply(TrainingAction::WorkerStarted {
            base_url: "./".into(),
        });
        assert_eq!(loading.settings, fashion);
        assert!(loading.dataset.is_none(), "no strip of the old dataset");
        assert_eq!(
            commands,
            [Command::Send(Request::Load {
                base_url: "./".into(),
                run: switching.run + 1,
                config: fashion.config(),
                dataset: DatasetKind::Fashion,
            })]
        );
    }

    /// Train → request → curves, with no browser: each user action gives exactly the
    /// requests the worker needs, and the worker's replies become curve points.
    #[test]
    fn train_click_to_curves_is_decided_by_the_reducer() {
        let commands_of = |state: &TrainingState, action| state.apply(action).1;
        let sent = |request| vec![Command::Send(request)];
        let (mut state, commands) = TrainingState::default().apply(TrainingAction::WorkerStarted {
            base_url: "https://school.example/convlab/".into(),
        });
        assert_eq!(
            commands,
            sent(Request::Load {
                base_url: "https://school.example/convlab/".into(),
                run: 1,
                config: TrainConfig::default(),
                dataset: DatasetKind::Digits,
            })
        );
        assert_eq!(
            commands_of(&state, TrainingAction::Train),
            [],
            "not loaded yet"
        );
        state = state.after(TrainingAction::Reply(Reply::Ready(Dataset {
            train: 8000,
            test: 2000,
            strip: Vec::new(),
        })));
        assert_eq!(
            commands_of(&state, TrainingAction::Train),
            sent(Request::Start)
        );
        assert_eq!(
            commands_of(&state, TrainingAction::Step),
            sent(Request::Step {
                batches: STEP_BATCHES
            })
        );
        state = state.after(TrainingAction::Reply(progress_of(
            1,
            64,
            &[(32, 2.3), (64, 2.1)],
        )));
        state = state.after(TrainingAction::Reply(Reply::Evaluated(Evaluated {
            run: 1,
            samples: 64,
            loss: 2.0,
            accuracy: 0.3,
            total: 2000,
            confusion: vec![0; 100],
        })));
        assert!(state.running());
        assert_eq!(state.history.train_loss().len(), 2);
        assert_eq!(state.history.test_accuracy().len(), 1);

        // A new learning rate tunes the run in progress: the curves go on.
        let faster = TrainingSettings {
            learning_rate: 0.1,
            ..state.settings.clone()
        };
        let (tuned, commands) = state.apply(TrainingAction::ChangeSettings(faster.clone()));
        assert_eq!(
            commands,
            sent(Request::Tune {
                optimizer: faster.optimizer(),
                batch_size: 32
            })
        );
        assert_eq!((tuned.run, tuned.history.train_loss().len()), (1, 2));

        // Another network starts a new run, decided here and nowhere else.
        let wider = TrainingSettings {
            filters: [4, 8, 32],
            ..faster
        };
        let (widened, commands) = tuned.apply(TrainingAction::ChangeSettings(wider.clone()));
        assert_eq!(
            commands,
            sent(Request::Reset {
                run: 2,
                config: wider.config()
            })
        );
        assert!(widened.history.train_loss().is_empty() && widened.evaluation.is_none());
        assert_eq!(
            commands_of(&widened, TrainingAction::ChooseTest(7)),
            sent(Request::ShowDigit(DigitChoice::Test(7)))
        );
    }
}
