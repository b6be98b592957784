//! The whole lesson in the page's address: every explorer and training setting as a query
//! field (`?v=1&sample=cat&size=300&f1=outline&…`), so a teacher can send the page exactly
//! as it stands, and Back and Forward walk through what was changed.
//!
//! A link is input from strangers. Each field that is unknown, malformed, out of range or
//! too long is ignored on its own, with a notice naming it, and the rest of the link still
//! applies. A picture the user loaded never goes into a link: the link says so, and opens
//! with the first sample. No web code: `cargo test` runs it natively.

mod address;
mod kernels;
mod text;

use std::fmt;

pub use address::{AddressBar, Write};

use crate::common::geometry::Padding;
use crate::common::text::{self as shown_text, shown};
use crate::explorer::colormap::{ColorRange, Colormap, ScaleSharing};
use crate::explorer::filters::{FilterDraft, MAX_FILTERS};
use crate::explorer::kernel::KERNEL_SIZES;
use crate::explorer::layer::{ActivationChoice, Channels, PoolingChoice};
use crate::explorer::pipeline::{STRIDES, WORKING_SIZES};
use crate::explorer::samples::{Sample, DEFAULT, SAMPLES};
use crate::explorer::state::ExplorerSetup;
use crate::explorer::stepping::{Stepping, STEP_SPEEDS};
use crate::nn::data::DatasetKind;
use crate::training::state::{
    parse_learning_rate, parse_seed, ActivationKind, NetworkPooling, OptimizerKind,
    TrainingSettings, BATCH_SIZES, BLOCK_CHOICES, FILTER_CHOICES, HIDDEN_CHOICES,
    MAX_LEARNING_RATE, NETWORK_KERNEL_SIZES, TRAIN_EXAMPLE_CHOICES,
};
use kernels::{read_grid, write_bias, write_grid};
use text::either;

/// The link format this page writes; a link without `v` is read as this one.
pub const VERSION: u32 = 1;
/// Fields read from one link at most; a real lesson has fewer than 100.
pub const MAX_FIELDS: usize = 300;
/// The longest value read: a 7 × 7 kernel of long numbers fits many times over.
pub const MAX_VALUE_CHARS: usize = 4096;
/// The most steps a step-through can have (two maps of 1024 × 1024, stride 1).
const MAX_STEP: usize = 2 * 1024 * 1024;

/// Everything a link sets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lesson {
    pub explorer: ExplorerSetup,
    pub training: TrainingSettings,
    /// Larger type for a projector (`presenter`).
    pub presenter: bool,
}

/// Why one field of a link was not used.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkNotice {
    /// The field's name as the link wrote it (shortened, made visible).
    pub field: String,
    pub problem: String,
}

impl fmt::Display for LinkNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field.as_str() {
            "" => write!(f, "(a field with no name): {}", self.problem),
            field => write!(f, "{field}: {}", self.problem),
        }
    }
}

/// A sample's name in a link: `Astronaut` is `astronaut`.
fn sample_slug(sample: &Sample) -> String {
    sample.name.to_lowercase()
}

/// In a link, a picture of the user's own (or the camera) instead of a sample.
const OWN_PICTURE: &str = "own";

const CHANNELS: [(&str, Channels); 2] = [("gray", Channels::Grayscale), ("rgb", Channels::Rgb)];
const PADDINGS: [(&str, Padding); 2] = [("same", Padding::Same), ("valid", Padding::Valid)];
const ACTIVATIONS: [(&str, ActivationChoice); 5] = [
    ("relu", ActivationChoice::Relu),
    ("leaky-relu", ActivationChoice::LeakyRelu),
    ("tanh", ActivationChoice::Tanh),
    ("sigmoid", ActivationChoice::Sigmoid),
    ("none", ActivationChoice::None),
];
const POOLINGS: [(&str, PoolingChoice); 2] = [
    ("max", PoolingChoice::Max),
    ("average", PoolingChoice::Average),
];
const COLORMAPS: [(&str, Colormap); 2] = [("magma", Colormap::Magma), ("gray", Colormap::Gray)];
const RANGES: [(&str, ColorRange); 2] =
    [("clipped", ColorRange::Clipped), ("full", ColorRange::Full)];
const SCALES: [(&str, ScaleSharing); 2] =
    [("stage", ScaleSharing::Stage), ("map", ScaleSharing::Map)];
const OPTIMIZERS: [(&str, OptimizerKind); 3] = [
    ("sgd", OptimizerKind::Sgd),
    ("momentum", OptimizerKind::Momentum),
    ("adam", OptimizerKind::Adam),
];
const DROPOUTS: [(&str, f32); 3] = [("0", 0.0), ("0.25", 0.25), ("0.5", 0.5)];
const DECAYS: [(&str, f32); 3] = [("0", 0.0), ("0.0001", 1e-4), ("0.001", 1e-3)];
const NET_POOLINGS: [(&str, NetworkPooling); 2] = [
    ("max", NetworkPooling::Max),
    ("average", NetworkPooling::Average),
];
const NET_ACTIVATIONS: [(&str, ActivationKind); 4] = [
    ("relu", ActivationKind::Relu),
    ("leaky-relu", ActivationKind::LeakyRelu),
    ("tanh", ActivationKind::Tanh),
    ("sigmoid", ActivationKind::Sigmoid),
];
const DATASETS: [(&str, DatasetKind); 2] = [
    ("mnist", DatasetKind::Digits),
    ("fashion", DatasetKind::Fashion),
];
/// The colour kernels' fields of filter 1 are `f1r`, `f1g` and `f1b`.
const CHANNEL_LETTERS: [&str; 3] = ["r", "g", "b"];

/// The name a choice goes by in a link.
fn slug<T: PartialEq>(table: &[(&'static str, T)], value: &T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| v == value)
        .map_or("", |(name, _)| name)
}

/// The link for `lesson`, without the `?`.
pub fn write(lesson: &Lesson) -> String {
    let setup = &lesson.explorer;
    let mut pairs: Vec<(&str, String)> = vec![
        ("v", VERSION.to_string()),
        (
            "sample",
            setup.sample.map_or(OWN_PICTURE.to_string(), sample_slug),
        ),
        ("size", setup.working_size.to_string()),
        ("channels", slug(&CHANNELS, &setup.channels).into()),
        ("filters", setup.filter_count.to_string()),
        ("kernel", setup.drafts[0].size().to_string()),
    ];
    let keys = filter_keys();
    for (k, draft) in setup.drafts.iter().take(setup.filter_count).enumerate() {
        match setup.channels {
            Channels::Grayscale => {
                pairs.push((&keys[k].gray, write_grid(&draft.grids(setup.channels)[0])))
            }
            Channels::Rgb => {
                for (c, grid) in draft.grids(setup.channels).iter().enumerate() {
                    pairs.push((&keys[k].colour[c], write_grid(grid)));
                }
            }
        }
        pairs.push((&keys[k].bias, write_bias(draft.bias())));
    }
    let settings = setup.settings;
    pairs.extend([
        ("padding", slug(&PADDINGS, &settings.padding).into()),
        ("stride", settings.stride.to_string()),
        (
            "activation",
            slug(&ACTIVATIONS, &settings.activation).into(),
        ),
        ("pooling", slug(&POOLINGS, &settings.pooling).into()),
        ("colormap", slug(&COLORMAPS, &setup.colormap).into()),
        ("range", slug(&RANGES, &setup.color_range).into()),
        ("scale", slug(&SCALES, &setup.scale_sharing).into()),
    ]);
    if let Some(stepping) = setup.stepping {
        pairs.push(("step", stepping.shown.to_string()));
        pairs.push(("speed", stepping.speed.to_string()));
    }
    let training = &lesson.training;
    pairs.extend([
        ("dataset", slug(&DATASETS, &training.dataset).into()),
        ("optimizer", slug(&OPTIMIZERS, &training.optimizer).into()),
        ("lr", format!("{:?}", training.learning_rate)),
        ("batch", training.batch_size.to_string()),
        ("blocks", training.blocks.to_string()),
        ("conv1", training.filters[0].to_string()),
        ("conv2", training.filters[1].to_string()),
        ("conv3", training.filters[2].to_string()),
        ("net-kernel", training.kernel_size.to_string()),
        ("net-padding", slug(&PADDINGS, &training.padding).into()),
        ("net-pooling", slug(&NET_POOLINGS, &training.pooling).into()),
        (
            "net-activation",
            slug(&NET_ACTIVATIONS, &training.activation).into(),
        ),
        ("hidden", training.hidden.to_string()),
        ("dropout", slug(&DROPOUTS, &training.dropout).into()),
        ("decay", slug(&DECAYS, &training.weight_decay).into()),
        ("examples", training.train_examples.to_string()),
        ("seed", training.seed.to_string()),
    ]);
    if lesson.presenter {
        pairs.push(("presenter", String::new()));
    }
    text::join(&pairs)
}

/// The fields of one filter: `f2` (its grayscale kernel), `f2r`, `f2g`, `f2b` and `b2`.
struct FilterKeys {
    gray: String,
    colour: [String; 3],
    bias: String,
}

fn filter_keys() -> Vec<FilterKeys> {
    (1..=MAX_FILTERS)
        .map(|n| FilterKeys {
            gray: format!("f{n}"),
            colour: CHANNEL_LETTERS.map(|letter| format!("f{n}{letter}")),
            bias: format!("b{n}"),
        })
        .collect()
}

/// The fields of a link, each looked up once; what is left at the end was not known.
struct Fields {
    fields: Vec<(String, String)>,
    notices: Vec<LinkNotice>,
}

impl Fields {
    fn of(query: &str) -> Fields {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut notices = Vec::new();
        let mut all =
            text::split(query).filter(|(key, value)| !(key.is_empty() && value.is_empty()));
        for (key, value) in all.by_ref().take(MAX_FIELDS) {
            let length = value.chars().count();
            if length > MAX_VALUE_CHARS {
                notices.push(notice(
                    &key,
                    format!(
                        "is {length} characters long; no setting needs more than \
                         {MAX_VALUE_CHARS}: ignored."
                    ),
                ));
            } else if fields.iter().any(|(k, _)| *k == key) {
                notices.push(notice(
                    &key,
                    "appears more than once: the first is used.".into(),
                ));
            } else {
                fields.push((key, value));
            }
        }
        let more = all.count();
        if more > 0 {
            notices.push(LinkNotice {
                field: "…".into(),
                problem: format!(
                    "and {more} more fields past the first {MAX_FIELDS} were ignored."
                ),
            });
        }
        Fields { fields, notices }
    }

    /// The value of `key`, taken out of the fields.
    fn take(&mut self, key: &str) -> Option<String> {
        let at = self.fields.iter().position(|(k, _)| k == key)?;
        Some(self.fields.remove(at).1)
    }

    fn refuse(&mut self, key: &str, problem: String) {
        self.notices.push(notice(key, problem));
    }

    /// One of `table`'s choices by name, or `default` (with a notice if `key` named
    /// something else).
    fn choice<T: Copy>(&mut self, key: &str, table: &[(&'static str, T)], default: T) -> T {
        let Some(value) = self.take(key) else {
            return default;
        };
        let name = value.trim().to_lowercase();
        match table.iter().find(|(n, _)| *n == name) {
            Some((_, choice)) => *choice,
            None => {
                let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
                self.refuse(
                    key,
                    format!(
                        "“{}” is not offered; use {}.",
                        shown(&value),
                        either(&names)
                    ),
                );
                default
            }
        }
    }

    /// A whole number among `offered`, or `default` (with a notice if `key` gave another).
    fn number<T>(&mut self, key: &str, offered: &[T], default: T) -> T
    where
        T: Copy + PartialEq + fmt::Display + std::str::FromStr,
    {
        match self.take(key) {
            Some(value) => self.offered(key, &value, offered, default),
            None => default,
        }
    }

    /// `value`, the text of `key`, if it is a whole number among `offered`; else `default`,
    /// with a notice.
    fn offered<T>(&mut self, key: &str, value: &str, offered: &[T], default: T) -> T
    where
        T: Copy + PartialEq + fmt::Display + std::str::FromStr,
    {
        match value.trim().parse::<T>() {
            Ok(n) if offered.contains(&n) => n,
            _ => {
                self.refuse(
                    key,
                    format!(
                        "“{}” is not offered; use {}.",
                        shown(value),
                        either(offered)
                    ),
                );
                default
            }
        }
    }
}

fn notice(key: &str, problem: String) -> LinkNotice {
    LinkNotice {
        field: shown(key),
        problem: shown_text::visible(&problem),
    }
}

/// The lesson a link sets, and a notice for each field it could not use; fields it does
/// not name keep their defaults.
pub fn read(query: &str) -> (Lesson, Vec<LinkNotice>) {
    let mut fields = Fields::of(query);
    if let Some(version) = fields.take("v") {
        if version.trim() != VERSION.to_string() {
            fields.refuse(
                "v",
                format!(
                    "“{}” is not a link version this page knows ({VERSION}): the fields it \
                     knows are used.",
                    shown(&version)
                ),
            );
        }
    }
    let explorer = read_explorer(&mut fields);
    let training = read_training(&mut fields);
    let presenter = match fields.take("presenter").as_deref().map(str::trim) {
        None | Some("0" | "off" | "false") => false,
        Some("" | "1" | "on" | "true") => true,
        Some(other) => {
            let problem = format!("“{}” is not offered; use 1 or 0.", shown(other));
            fields.refuse("presenter", problem);
            false
        }
    };
    let Fields {
        fields: unknown,
        mut notices,
    } = fields;
    notices.extend(
        unknown
            .into_iter()
            .map(|(key, _)| notice(&key, "is not a setting this page knows: ignored.".into())),
    );
    (
        Lesson {
            explorer,
            training,
            presenter,
        },
        notices,
    )
}

fn read_explorer(fields: &mut Fields) -> ExplorerSetup {
    let defaults = ExplorerSetup::default();
    let sample = match fields.take("sample") {
        None => defaults.sample,
        Some(name) if name.trim().eq_ignore_ascii_case(OWN_PICTURE) => None,
        Some(name) => {
            let wanted = name.trim().to_lowercase();
            match SAMPLES.iter().find(|s| sample_slug(s) == wanted) {
                Some(sample) => Some(sample),
                None => {
                    let names: Vec<String> = SAMPLES.iter().map(sample_slug).collect();
                    fields.refuse(
                        "sample",
                        format!(
                            "“{}” is not a sample; use {}: {} is shown.",
                            shown(&name),
                            either(&names),
                            DEFAULT.name
                        ),
                    );
                    defaults.sample
                }
            }
        }
    };
    let working_size = fields.number("size", &WORKING_SIZES, defaults.working_size);
    let channels = fields.choice("channels", &CHANNELS, defaults.channels);
    let counts: Vec<usize> = (1..=MAX_FILTERS).collect();
    let filter_count = fields.number("filters", &counts, defaults.filter_count);
    let size = fields.number("kernel", &KERNEL_SIZES, defaults.drafts[0].size());
    let drafts = filter_keys()
        .iter()
        .enumerate()
        .map(|(k, keys)| read_filter(fields, k, keys, size, channels))
        .collect();
    let mut settings = defaults.settings;
    settings.padding = fields.choice("padding", &PADDINGS, settings.padding);
    settings.stride = fields.number("stride", &STRIDES, settings.stride);
    settings.activation = fields.choice("activation", &ACTIVATIONS, settings.activation);
    settings.pooling = fields.choice("pooling", &POOLINGS, settings.pooling);
    let colormap = fields.choice("colormap", &COLORMAPS, defaults.colormap);
    let color_range = fields.choice("range", &RANGES, defaults.color_range);
    let scale_sharing = fields.choice("scale", &SCALES, defaults.scale_sharing);
    let stepping = read_stepping(fields);
    ExplorerSetup {
        sample,
        working_size,
        channels,
        filter_count,
        drafts,
        settings,
        colormap,
        color_range,
        scale_sharing,
        stepping,
    }
}

/// Filter `k` (from 0): its starting kernels at `size`, then the link's kernels and bias
/// where they parse and fit float32 together. A grayscale kernel also gives the colour
/// kernels the link does not name, as switching to RGB does.
fn read_filter(
    fields: &mut Fields,
    k: usize,
    keys: &FilterKeys,
    size: usize,
    channels: Channels,
) -> FilterDraft {
    let mut draft = FilterDraft::starting(k, size);
    let kernel = |fields: &mut Fields, draft: &mut FilterDraft, key: &str, grids, channel| {
        let Some(value) = fields.take(key) else {
            return;
        };
        let result = read_grid(&value, size).and_then(|cells| {
            draft
                .set_cells(grids, channel, cells)
                .map_err(|e| format!("{e}."))
        });
        if let Err(problem) = result {
            fields.refuse(key, problem);
        }
    };
    kernel(fields, &mut draft, &keys.gray, Channels::Grayscale, 0);
    draft.enter_rgb();
    for (c, key) in keys.colour.iter().enumerate() {
        kernel(fields, &mut draft, key, Channels::Rgb, c);
    }
    if !draft.fits(channels) {
        let key = match channels {
            Channels::Grayscale => keys.gray.clone(),
            Channels::Rgb => keys.colour.join(", "),
        };
        fields.refuse(
            &key,
            "these kernels are too large together over three channels: the convolution \
             would overflow float32. The filter starts as usual."
                .into(),
        );
        draft = FilterDraft::starting(k, size);
    }
    if let Some(text) = fields.take(&keys.bias) {
        if !shown_text::short_and_visible(&text) {
            fields.refuse(&keys.bias, format!("“{}” is not a number.", shown(&text)));
            return draft;
        }
        let before = draft.clone();
        draft.edit_bias(channels, text.clone());
        if let Some(error) = draft.bias().error() {
            fields.refuse(&keys.bias, format!("{error}."));
            draft = before;
        }
    }
    draft
}

fn read_stepping(fields: &mut Fields) -> Option<Stepping> {
    let speed = fields.take("speed");
    let step = fields.take("step")?;
    let shown_step = match step.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_STEP).contains(&n) => n,
        _ => {
            fields.refuse(
                "step",
                format!(
                    "“{}” is not a step; steps are numbered from 1: the step-through stays \
                     off.",
                    shown(&step)
                ),
            );
            return None;
        }
    };
    let mut stepping = Stepping {
        shown: shown_step,
        ..Stepping::default()
    };
    if let Some(speed) = speed {
        stepping.speed = fields.offered("speed", &speed, &STEP_SPEEDS, stepping.speed);
    }
    Some(stepping)
}

fn read_training(fields: &mut Fields) -> TrainingSettings {
    let defaults = TrainingSettings::default();
    let dataset = fields.choice("dataset", &DATASETS, defaults.dataset);
    let optimizer = fields.choice("optimizer", &OPTIMIZERS, defaults.optimizer);
    let learning_rate = match fields.take("lr") {
        None => optimizer.usual_learning_rate(),
        Some(text) => parse_learning_rate(&text).unwrap_or_else(|_| {
            fields.refuse(
                "lr",
                format!(
                    "“{}” is not a learning rate this page trains with: use a number above 0, \
                     at most {MAX_LEARNING_RATE}.",
                    shown(&text)
                ),
            );
            optimizer.usual_learning_rate()
        }),
    };
    let batch_size = fields.number("batch", &BATCH_SIZES, defaults.batch_size);
    let blocks = fields.number("blocks", &BLOCK_CHOICES, defaults.blocks);
    let filters = [
        fields.number("conv1", &FILTER_CHOICES[0], defaults.filters[0]),
        fields.number("conv2", &FILTER_CHOICES[1], defaults.filters[1]),
        fields.number("conv3", &FILTER_CHOICES[2], defaults.filters[2]),
    ];
    let kernel_size = fields.number("net-kernel", &NETWORK_KERNEL_SIZES, defaults.kernel_size);
    let padding = fields.choice("net-padding", &PADDINGS, defaults.padding);
    let pooling = fields.choice("net-pooling", &NET_POOLINGS, defaults.pooling);
    let activation = fields.choice("net-activation", &NET_ACTIVATIONS, defaults.activation);
    let hidden = fields.number("hidden", &HIDDEN_CHOICES, defaults.hidden);
    let dropout = fields.choice("dropout", &DROPOUTS, defaults.dropout);
    let weight_decay = fields.choice("decay", &DECAYS, defaults.weight_decay);
    let train_examples = fields.number("examples", &TRAIN_EXAMPLE_CHOICES, defaults.train_examples);
    let seed = match fields.take("seed") {
        None => defaults.seed,
        Some(text) => parse_seed(&text).unwrap_or_else(|_| {
            fields.refuse(
                "seed",
                format!(
                    "“{}” is not a seed: use a whole number from 0 to {}.",
                    shown(&text),
                    u64::MAX
                ),
            );
            defaults.seed
        }),
    };
    let settings = TrainingSettings {
        dataset,
        learning_rate,
        optimizer,
        batch_size,
        blocks,
        filters,
        kernel_size,
        padding,
        pooling,
        activation,
        hidden,
        dropout,
        weight_decay,
        train_examples,
        seed,
    };
    match settings.network_problem() {
        // Each field was offered, but together they leave nothing of the image.
        Some(problem) => {
            fields.refuse("blocks, net-kernel, net-padding", problem);
            TrainingSettings {
                blocks: defaults.blocks,
                kernel_size: defaults.kernel_size,
                padding: defaults.padding,
                ..settings
            }
        }
        None => settings,
    }
}

/// Whether two links set the same lesson but for where a step-through is, its speed, and
/// presenter mode: moving through steps is not an edit to go Back over.
pub fn same_but_place(a: &str, b: &str) -> bool {
    let edits = |query: &str| -> Vec<(String, String)> {
        text::split(query)
            .filter(|(key, _)| !matches!(key.as_str(), "step" | "speed" | "presenter"))
            .collect()
    };
    let stepping = |query: &str| text::split(query).any(|(key, _)| key == "step");
    edits(a) == edits(b) && stepping(a) == stepping(b)
}

#[cfg(test)]
mod tests;
