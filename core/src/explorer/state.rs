//! The explorer's one place for state, and how every [`ExplorerAction`] changes it.
//!
//! Each change to the image, the filters or the settings goes through
//! [`ExplorerState::apply`], which recomputes the layer; whenever an input is refused, the
//! last good state stays and a [`Notice`] (or the marked field's own message) says why. No
//! web code: the front end implements Yew's `Reducible` on top.

use std::rc::Rc;

use ndarray::{Array3, ArrayView2, Axis};

use super::colormap::{ColorRange, Colormap, Scale, ScaleSharing, ValueRange};
use super::filters::{layer_filters, starting_filters, FilterDraft, MAX_FILTERS};
use super::kernel::{KernelError, Preset, DEFAULT_SIZE, KERNEL_SIZES};
use super::layer::{
    run_layer, ActivationChoice, Channels, Filter, LayerOutput, LayerSettings, PoolingChoice,
};
use super::pipeline::{Stage, DEFAULT_WORKING_SIZE, STRIDES, WORKING_SIZES};
use super::samples::{Sample, DEFAULT as DEFAULT_SAMPLE};
use super::source::SourceImage;
use super::stepping::{StepPlan, Stepping, STEP_SPEEDS};
use crate::common::geometry::Padding;

/// What the page tells the user about the last thing they did.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// Work under way (decoding a large photo).
    Busy(String),
    /// Something was refused; the previous state stays.
    Error(String),
}

/// Where a kernel cell is: filter and channel from 0, row and column from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellAt {
    pub filter: usize,
    pub channel: usize,
    pub row: usize,
    pub col: usize,
}

#[derive(Clone, Debug)]
pub enum ExplorerAction {
    EditCell {
        at: CellAt,
        text: String,
    },
    /// A preset into each of one filter's kernels.
    ApplyPreset {
        filter: usize,
        preset: &'static Preset,
    },
    /// One filter's red kernel, as typed, to its green and blue kernels.
    CopyToAllChannels {
        filter: usize,
    },
    /// One filter's bias field, as typed.
    EditBias {
        filter: usize,
        text: String,
    },
    /// Kernels of another size: the cells typed so far keep the centre.
    SetKernelSize(usize),
    SetChannels(Channels),
    SetFilterCount(usize),
    SetPadding(Padding),
    SetStride(usize),
    SetWorkingSize(usize),
    SetActivation(ActivationChoice),
    SetPooling(PoolingChoice),
    SetColormap(Colormap),
    SetColorRange(ColorRange),
    SetScaleSharing(ScaleSharing),
    Busy(String),
    /// A picture chosen by the user: a bundled sample (named, so a link can name it too),
    /// or their own file.
    ImageLoaded {
        source: Rc<SourceImage>,
        sample: Option<&'static Sample>,
    },
    LoadFailed {
        name: String,
        reason: String,
    },
    /// The camera is starting: its frames may replace the picture from now on.
    CameraStarted,
    /// A frame of the live camera; ignored once a file or a sample was chosen after the
    /// camera started (a frame already on its way must not replace the choice).
    CameraFrame(Rc<SourceImage>),
    /// The camera could not start, or stopped by itself: why, in a sentence.
    CameraFailed(String),
    /// Step through the sliding window (`true`), or show every stage at once.
    SetStepping(bool),
    /// To step `shown` (from 1) of the step-through.
    StepTo(usize),
    /// Steps forward (positive) or back; playing stops at the last step.
    StepBy(isize),
    SetPlaying(bool),
    /// Steps per second while playing.
    SetStepSpeed(u32),
    /// Everything a lesson link sets, at once (opening a link, or Back and Forward).
    /// `picture` is the link's sample, decoded, when it is not the one shown (the page
    /// fetches it first); without it the picture shown stays.
    OpenLesson {
        setup: Rc<ExplorerSetup>,
        picture: Option<Rc<SourceImage>>,
    },
}

/// Everything the explorer shows. Large values sit behind `Rc`, so a clone is cheap.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplorerState {
    pub source: Rc<SourceImage>,
    /// The bundled sample `source` is, or `None` for the user's own picture or camera.
    pub sample: Option<&'static Sample>,
    /// The source's channels fitted to the working size: the layer's input, `(C, H, W)`.
    pub input: Rc<Array3<f32>>,
    /// Every filter as typed (all [`MAX_FILTERS`]; the first `filter_count` are in use),
    /// so that fewer filters and then more again brings back what was typed.
    pub drafts: Vec<FilterDraft>,
    pub filter_count: usize,
    pub channels: Channels,
    pub settings: LayerSettings,
    pub working_size: usize,
    pub colormap: Colormap,
    pub color_range: ColorRange,
    pub scale_sharing: ScaleSharing,
    /// The filters `output` was computed with: the last valid layer.
    pub filters: Rc<Vec<Filter>>,
    pub output: Rc<LayerOutput>,
    /// When each map was last computed, so the page repaints only what changed.
    pub versions: Versions,
    pub notice: Option<Notice>,
    /// Where the step-through is; `None` shows every stage complete.
    pub stepping: Option<Stepping>,
    /// Whether camera frames may replace the picture: since the camera started, and until
    /// a file or a sample is chosen.
    pub camera_live: bool,
}

/// Version numbers of the input and of each filter's maps: a map whose version (and colour
/// scale) is what was painted last needs no repainting. Every recomputation takes a new
/// number from one counter, so a number is never reused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Versions {
    latest: u64,
    pub input: u64,
    pub filters: Vec<u64>,
}

impl Versions {
    /// After a recomputation of `filters` (every one, or one), and of the input if it changed.
    fn bump(&self, input_changed: bool, filters: Recomputed) -> Versions {
        let latest = self.latest + 1;
        let mut next = Versions {
            latest,
            input: if input_changed { latest } else { self.input },
            filters: self.filters.clone(),
        };
        match filters {
            Recomputed::All(count) => next.filters = vec![latest; count],
            Recomputed::One(k) => {
                if let Some(version) = next.filters.get_mut(k) {
                    *version = latest;
                }
            }
        }
        next
    }
}

/// Everything the user chose in the explorer, apart from the picture's pixels: what a
/// lesson link carries (`crate::lesson` reads and writes it).
#[derive(Clone, Debug, PartialEq)]
pub struct ExplorerSetup {
    /// The bundled sample shown, or `None` for the user's own picture or camera.
    pub sample: Option<&'static Sample>,
    pub working_size: usize,
    pub channels: Channels,
    pub filter_count: usize,
    /// Every filter as typed, all [`MAX_FILTERS`] of them.
    pub drafts: Vec<FilterDraft>,
    pub settings: LayerSettings,
    pub colormap: Colormap,
    pub color_range: ColorRange,
    pub scale_sharing: ScaleSharing,
    pub stepping: Option<Stepping>,
}

impl Default for ExplorerSetup {
    /// The page as it first opens: the first sample, one grayscale outline filter.
    fn default() -> ExplorerSetup {
        ExplorerSetup {
            sample: Some(DEFAULT_SAMPLE),
            working_size: DEFAULT_WORKING_SIZE,
            channels: Channels::default(),
            filter_count: 1,
            drafts: starting_filters(DEFAULT_SIZE),
            settings: LayerSettings::default(),
            colormap: Colormap::default(),
            color_range: ColorRange::default(),
            scale_sharing: ScaleSharing::default(),
            stepping: None,
        }
    }
}

/// Which filters' maps a recomputation made anew.
enum Recomputed {
    All(usize),
    One(usize),
}

impl ExplorerState {
    /// The explorer with `source` (the user's own picture) loaded and every control at its
    /// default.
    pub fn new(source: SourceImage) -> Result<ExplorerState, String> {
        let setup = ExplorerSetup {
            sample: None,
            ..ExplorerSetup::default()
        };
        ExplorerState::open(Rc::new(source), &setup)
    }

    /// The explorer showing `source` as `setup` says (the sample named there is not
    /// decoded: `source` is the picture). A step-through opens paused, within the layer's
    /// steps. The setup's filters must fit float32 (see [`FilterDraft::fits`]).
    pub fn open(source: Rc<SourceImage>, setup: &ExplorerSetup) -> Result<ExplorerState, String> {
        let ExplorerSetup {
            sample,
            working_size,
            channels,
            filter_count,
            ref drafts,
            settings,
            colormap,
            color_range,
            scale_sharing,
            stepping,
        } = *setup;
        let filter_count = filter_count.clamp(1, drafts.len().min(MAX_FILTERS));
        let filters = layer_filters(&drafts[..filter_count], channels);
        let input = source.fitted(channels, working_size);
        let output = run_layer(input.view(), &filters, settings).map_err(|e| e.to_string())?;
        let state = ExplorerState {
            source,
            sample,
            input: Rc::new(input),
            drafts: drafts.clone(),
            filter_count,
            channels,
            settings,
            working_size,
            colormap,
            color_range,
            scale_sharing,
            versions: Versions::default().bump(true, Recomputed::All(filters.len())),
            filters: Rc::new(filters),
            output: Rc::new(output),
            notice: None,
            stepping: stepping.map(|s| Stepping {
                playing: false,
                ..s
            }),
            camera_live: false,
        };
        Ok(state.with_steps_changed(|_, _| ()))
    }

    /// What the user chose, without the picture's pixels: what a lesson link carries.
    pub fn setup(&self) -> ExplorerSetup {
        ExplorerSetup {
            sample: self.sample,
            working_size: self.working_size,
            channels: self.channels,
            filter_count: self.filter_count,
            drafts: self.drafts.clone(),
            settings: self.settings,
            colormap: self.colormap,
            color_range: self.color_range,
            scale_sharing: self.scale_sharing,
            stepping: self.stepping,
        }
    }

    /// The state a lesson opens to. Its sample (`picture`) replaces the picture; a lesson
    /// made with someone's own picture keeps the picture shown now. Nothing changes if the
    /// layer cannot run, and a step past the last one opens at the last, with a notice.
    fn open_lesson(
        &self,
        setup: &ExplorerSetup,
        picture: Option<Rc<SourceImage>>,
    ) -> ExplorerState {
        let (source, sample) = match (setup.sample, picture) {
            (Some(sample), Some(picture)) => (picture, Some(sample)),
            _ => (Rc::clone(&self.source), self.sample),
        };
        let setup = ExplorerSetup {
            sample,
            ..setup.clone()
        };
        match ExplorerState::open(source, &setup) {
            Ok(mut opened) => {
                opened.versions = self
                    .versions
                    .bump(true, Recomputed::All(opened.filters.len()));
                opened.camera_live = self.camera_live && setup.sample == self.sample;
                let asked = setup.stepping.map(|s| s.shown);
                let shown = opened.stepping.map(|s| s.shown);
                if let (Some(asked), Some(shown)) = (asked, shown) {
                    if asked > shown {
                        opened.notice = Some(Notice::Error(format!(
                            "The link's step {asked} is past this layer's last step,                              {shown}: the last step is shown."
                        )));
                    }
                }
                opened
            }
            Err(error) => self.with_notice(Notice::Error(format!(
                "The link's layer cannot run: {error}. The previous layer stays."
            ))),
        }
    }

    /// The filters in the layer, as typed.
    pub fn filter_drafts(&self) -> &[FilterDraft] {
        &self.drafts[..self.filter_count]
    }

    pub fn kernel_size(&self) -> usize {
        self.drafts[0].size()
    }

    /// Whether the layer is today's classic one: one grayscale filter (its cells are
    /// named "Kernel row 1 column 1", and its files are 2-D).
    pub fn is_single_gray(&self) -> bool {
        self.filter_count == 1 && self.channels == Channels::Grayscale
    }

    /// The name a kernel's cells start with: `Kernel` for one grayscale filter, otherwise
    /// `Filter 2` or `Filter 2 red`.
    pub fn kernel_name(&self, filter: usize, channel: usize) -> String {
        if self.is_single_gray() {
            return "Kernel".into();
        }
        match self.channels.channel_names().get(channel) {
            Some(name) if !name.is_empty() => format!("Filter {} {name}", filter + 1),
            _ => format!("Filter {}", filter + 1),
        }
    }

    /// The name of a filter's bias field: `Bias` with one filter, else `Filter 2 bias`.
    pub fn bias_name(&self, filter: usize) -> String {
        if self.filter_count == 1 {
            "Bias".into()
        } else {
            format!("Filter {} bias", filter + 1)
        }
    }

    /// Why the typed kernels are not all in use: the first marked kernel, in reading order.
    pub fn kernel_error(&self) -> Option<String> {
        self.filter_drafts()
            .iter()
            .enumerate()
            .find_map(|(k, draft)| {
                let (channel, error) = draft.kernel_error(self.channels)?;
                let name = self.kernel_name(k, channel);
                Some(match (name.as_str(), error) {
                    ("Kernel", error) => error.to_string(),
                    (_, KernelError::Cell { row, col, error }) => {
                        format!("{name}, row {row}, column {col} {error}")
                    }
                    (_, KernelError::Overflow) => format!(
                        "{name}: these weights are too large together: the convolution would \
                         overflow float32"
                    ),
                })
            })
    }

    /// Why the typed biases are not all in use: the first marked bias.
    pub fn bias_error(&self) -> Option<String> {
        self.filter_drafts()
            .iter()
            .enumerate()
            .find_map(|(k, draft)| {
                let error = draft.bias().error()?;
                Some(if self.filter_count == 1 {
                    format!("The bias {error}")
                } else {
                    format!("Filter {}'s bias {error}", k + 1)
                })
            })
    }

    /// The values of one stage, `(maps, H, W)`: the input's channels, or one map per filter.
    pub fn values(&self, stage: Stage) -> &Array3<f32> {
        match stage {
            Stage::Input => &self.input,
            Stage::Convolution => &self.output.convolution,
            Stage::Activation => self
                .output
                .activation
                .as_ref()
                .unwrap_or(&self.output.convolution),
            Stage::Pooling => &self.output.pooling,
        }
    }

    /// One map of a stage: a channel of the input, or one filter's map.
    pub fn map(&self, stage: Stage, index: usize) -> ArrayView2<'_, f32> {
        self.values(stage).index_axis(Axis(0), index)
    }

    /// How maps of `stage` are coloured: the convolution (signed) with the diverging map
    /// centred on 0, the others with the chosen sequential map, stretched over `values`
    /// (a whole stage, or one map) whose range is `range`, as the chosen colour range says.
    pub fn scale(&self, stage: Stage, values: &[f32], range: ValueRange) -> Scale {
        let colormap = if self.settings.is_signed(stage) {
            Colormap::Diverging
        } else {
            self.colormap
        };
        Scale::fit(colormap, values, range, self.color_range)
    }

    /// The state after `action`.
    pub fn apply(&self, action: ExplorerAction) -> ExplorerState {
        let mut next = self.clone();
        match action {
            ExplorerAction::EditCell { at, text } => {
                if let Some(draft) = next.drafts.get_mut(at.filter) {
                    draft.edit_cell(self.channels, at.channel, (at.row, at.col), text);
                }
            }
            ExplorerAction::ApplyPreset { filter, preset } => {
                if let Some(draft) = next.drafts.get_mut(filter) {
                    draft.apply_preset(self.channels, preset);
                }
            }
            ExplorerAction::CopyToAllChannels { filter } => {
                if let Some(Err(refused)) = next.drafts.get_mut(filter).map(|d| d.copy_red_to_all())
                {
                    return self.with_notice(Notice::Error(format!("{refused}.")));
                }
            }
            ExplorerAction::EditBias { filter, text } => {
                if let Some(draft) = next.drafts.get_mut(filter) {
                    draft.edit_bias(self.channels, text);
                }
            }
            ExplorerAction::SetKernelSize(size) if !KERNEL_SIZES.contains(&size) => {
                return self.with_notice(Notice::Error(format!(
                    "Kernel size {size} is not offered: choose 3, 5 or 7."
                )))
            }
            ExplorerAction::SetKernelSize(size) => {
                next.drafts.iter_mut().for_each(|d| d.resize(size));
            }
            ExplorerAction::SetChannels(channels) => {
                if channels == Channels::Rgb && self.channels != Channels::Rgb {
                    next.drafts.iter_mut().for_each(FilterDraft::enter_rgb);
                }
                next.channels = channels;
            }
            ExplorerAction::SetFilterCount(count) if !(1..=MAX_FILTERS).contains(&count) => {
                return self.with_notice(Notice::Error(format!(
                    "{count} filters are not offered: choose 1 to {MAX_FILTERS}."
                )))
            }
            ExplorerAction::SetFilterCount(count) => next.filter_count = count,
            ExplorerAction::SetPadding(padding) => next.settings.padding = padding,
            ExplorerAction::SetStride(stride) if !STRIDES.contains(&stride) => {
                return self.with_notice(Notice::Error(format!(
                    "Stride {stride} is not offered: choose 1, 2 or 3."
                )))
            }
            ExplorerAction::SetStride(stride) => next.settings.stride = stride,
            ExplorerAction::SetWorkingSize(size) if !WORKING_SIZES.contains(&size) => {
                let offered: Vec<String> = WORKING_SIZES.iter().map(|s| s.to_string()).collect();
                return self.with_notice(Notice::Error(format!(
                    "Working size {size} is not offered: choose one of {}.",
                    offered.join(", ")
                )));
            }
            ExplorerAction::SetWorkingSize(size) => next.working_size = size,
            ExplorerAction::SetActivation(activation) => next.settings.activation = activation,
            ExplorerAction::SetPooling(pooling) => next.settings.pooling = pooling,
            ExplorerAction::SetColormap(colormap) => next.colormap = colormap,
            ExplorerAction::SetColorRange(color_range) => next.color_range = color_range,
            ExplorerAction::SetScaleSharing(sharing) => next.scale_sharing = sharing,
            ExplorerAction::Busy(what) => return self.with_notice(Notice::Busy(what)),
            ExplorerAction::ImageLoaded { source, sample } => {
                next.source = source;
                next.sample = sample;
                next.camera_live = false;
            }
            ExplorerAction::CameraStarted => {
                next.camera_live = true;
                return next;
            }
            ExplorerAction::CameraFrame(_) if !self.camera_live => return self.clone(),
            ExplorerAction::CameraFrame(frame) => {
                next.source = frame;
                next.sample = None;
            }
            ExplorerAction::LoadFailed { name, reason } => {
                return self.with_notice(Notice::Error(format!(
                    "Could not load “{name}”: {reason} The previous image stays."
                )))
            }
            ExplorerAction::CameraFailed(reason) => {
                let mut next = self.with_notice(Notice::Error(reason));
                next.camera_live = false;
                return next;
            }
            ExplorerAction::SetStepping(on) => {
                next.stepping = on.then(Stepping::default);
                return next;
            }
            ExplorerAction::StepTo(shown) => return self.stepped(|s, _| s.shown = shown),
            ExplorerAction::StepBy(by) => {
                return self.stepped(|s, total| {
                    s.shown = s.shown.saturating_add_signed(by);
                    s.playing &= s.shown < total;
                })
            }
            ExplorerAction::SetPlaying(playing) => {
                return self.stepped(|s, total| {
                    // Play at the last step starts again from the first.
                    if playing && s.shown >= total {
                        s.shown = 1;
                    }
                    s.playing = playing;
                });
            }
            ExplorerAction::SetStepSpeed(speed) if !STEP_SPEEDS.contains(&speed) => {
                return self.with_notice(Notice::Error(format!(
                    "{speed} steps per second is not offered."
                )))
            }
            ExplorerAction::SetStepSpeed(speed) => return self.stepped(|s, _| s.speed = speed),
            ExplorerAction::OpenLesson { setup, picture } => {
                return self.open_lesson(&setup, picture)
            }
        }
        // A smaller layer has fewer steps: the step-through stays within it.
        self.commit(next).with_steps_changed(|_, _| ())
    }

    /// The order of the step-through over this layer.
    pub fn step_plan(&self) -> StepPlan {
        StepPlan::of(&self.output)
    }

    /// How many cells of `stage`'s maps are computed so far: all of them, unless stepping.
    pub fn computed_cells(&self, stage: Stage) -> Option<usize> {
        let stepping = self.stepping?;
        Some(self.step_plan().computed(stage, stepping.shown))
    }

    /// The state with its step-through changed by `change` (given the number of steps),
    /// and kept within the steps; nothing changes when not stepping.
    fn stepped(&self, change: impl FnOnce(&mut Stepping, usize)) -> ExplorerState {
        self.clone().with_steps_changed(change)
    }

    /// This state with its step-through changed by `change` and kept within the layer's
    /// steps.
    fn with_steps_changed(mut self, change: impl FnOnce(&mut Stepping, usize)) -> ExplorerState {
        let total = self.step_plan().total().max(1);
        if let Some(stepping) = self.stepping.as_mut() {
            change(stepping, total);
            stepping.shown = stepping.shown.clamp(1, total);
        }
        self
    }

    /// Recomputes the layer for `next` when anything it depends on changed; if the layer
    /// cannot run, everything stays as it was and a notice says why.
    fn commit(&self, mut next: ExplorerState) -> ExplorerState {
        if let Some(k) = next
            .filter_drafts()
            .iter()
            .position(|d| !d.fits(next.channels))
        {
            return self.with_notice(Notice::Error(format!(
                "Filter {}'s weights would be too large together over {} channels: the \
                 convolution would overflow float32. The previous layer stays.",
                k + 1,
                next.channels.count()
            )));
        }
        let same_input = Rc::ptr_eq(&next.source, &self.source)
            && next.working_size == self.working_size
            && next.channels == self.channels;
        let input = if same_input {
            Rc::clone(&self.input)
        } else {
            Rc::new(next.source.fitted(next.channels, next.working_size))
        };
        let filters = layer_filters(next.filter_drafts(), next.channels);
        let same_layer = same_input && next.settings == self.settings;
        if same_layer && filters == *self.filters {
            // Nothing the layer computes from changed: a half-typed cell, a colour choice.
            return next;
        }
        // One filter's weights or bias changed (an edit): only its maps are recomputed.
        let changed: Vec<usize> = (0..filters.len())
            .filter(|&k| self.filters.get(k) != Some(&filters[k]))
            .collect();
        if let ([k], true, true) = (
            changed.as_slice(),
            same_layer,
            filters.len() == self.filters.len()
                && filters[0].weights.dim() == self.filters[0].weights.dim(),
        ) {
            let mut output = (*self.output).clone();
            output.update_filter(*k, &filters[*k], next.settings);
            next.filters = Rc::new(filters);
            next.output = Rc::new(output);
            next.versions = self.versions.bump(false, Recomputed::One(*k));
            next.notice = None;
            return next;
        }
        match run_layer(input.view(), &filters, next.settings) {
            Ok(output) => {
                next.versions = self
                    .versions
                    .bump(!same_input, Recomputed::All(filters.len()));
                next.input = input;
                next.filters = Rc::new(filters);
                next.output = Rc::new(output);
                next.notice = None;
                next
            }
            Err(error) => self.with_notice(Notice::Error(format!(
                "{error}. The previous result stays."
            ))),
        }
    }

    fn with_notice(&self, notice: Notice) -> ExplorerState {
        ExplorerState {
            notice: Some(notice),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explorer::kernel::PRESETS;

    fn state(h: usize, w: usize) -> ExplorerState {
        ExplorerState::new(SourceImage::pattern(h, w, |i, j| {
            ((i * 7 + j * 3) % 10 * 25) as u8
        }))
        .expect("a valid start")
    }

    fn colourful(h: usize, w: usize) -> Rc<SourceImage> {
        Rc::new(SourceImage {
            name: "colour".into(),
            pixels: image::RgbaImage::from_fn(w as u32, h as u32, |x, y| {
                image::Rgba([(x * 20) as u8, (y * 30) as u8, ((x + y) * 9) as u8, 255])
            }),
        })
    }

    fn edit(
        state: &ExplorerState,
        filter: usize,
        channel: usize,
        row: usize,
        col: usize,
        text: &str,
    ) -> ExplorerState {
        state.apply(ExplorerAction::EditCell {
            at: CellAt {
                filter,
                channel,
                row,
                col,
            },
            text: text.into(),
        })
    }

    fn texts(state: &ExplorerState, filter: usize, channel: usize) -> &Vec<Vec<String>> {
        state.drafts[filter].grids(state.channels)[channel].texts()
    }

    #[test]
    fn a_bad_cell_keeps_the_last_valid_kernel() {
        let start = state(20, 30);
        for bad in ["abc", "1e400", ""] {
            let next = edit(&start, 0, 0, 1, 1, bad);
            assert_eq!(texts(&next, 0, 0)[1][1], bad);
            assert!(next.kernel_error().is_some(), "{bad:?}");
            assert!(next
                .kernel_error()
                .is_some_and(|e| e.starts_with("Row 2, column 2")));
            assert_eq!(next.filters, start.filters);
            assert!(Rc::ptr_eq(&next.output, &start.output));
        }
        let fixed = edit(&edit(&start, 0, 0, 1, 1, "abc"), 0, 0, 1, 1, "9");
        assert_eq!(fixed.kernel_error(), None);
        assert_eq!(fixed.filters[0].weights[[0, 1, 1]], 9.0);
        assert_ne!(fixed.output, start.output);
    }

    #[test]
    fn valid_on_a_tiny_image_is_refused_and_nothing_changes() {
        let start = state(2, 40);
        let next = start.apply(ExplorerAction::SetPadding(Padding::Valid));
        assert_eq!(next.settings, start.settings);
        assert!(Rc::ptr_eq(&next.output, &start.output));
        assert!(matches!(next.notice, Some(Notice::Error(ref m)) if m.contains("VALID")));
    }

    #[test]
    fn a_new_image_keeps_the_controls() {
        let start = state(20, 30)
            .apply(ExplorerAction::ApplyPreset {
                filter: 0,
                preset: &PRESETS[5],
            })
            .apply(ExplorerAction::SetStride(2))
            .apply(ExplorerAction::SetPadding(Padding::Valid))
            .apply(ExplorerAction::SetWorkingSize(128));
        let loaded = start.apply(ExplorerAction::ImageLoaded {
            source: Rc::new(SourceImage::pattern(400, 200, |_, _| 128)),
            sample: None,
        });
        assert_eq!(*texts(&loaded, 0, 0), PRESETS[5].cell_texts());
        assert_eq!(loaded.settings, start.settings);
        assert_eq!(loaded.working_size, 128);
        assert_eq!(loaded.input.dim(), (1, 128, 64));
        assert_eq!(loaded.output.conv_window.output_shape(), (63, 31));
    }

    #[test]
    fn settings_that_are_not_offered_are_refused() {
        let start = state(20, 30);
        for next in [
            start.apply(ExplorerAction::SetStride(0)),
            start.apply(ExplorerAction::SetWorkingSize(0)),
            start.apply(ExplorerAction::SetFilterCount(0)),
            start.apply(ExplorerAction::SetFilterCount(9)),
            start.apply(ExplorerAction::SetKernelSize(4)),
        ] {
            assert_eq!(next.settings, start.settings);
            assert_eq!(next.working_size, start.working_size);
            assert_eq!(next.filter_count, 1);
            assert_eq!(next.kernel_size(), 3);
            assert!(matches!(next.notice, Some(Notice::Error(_))));
        }
    }

    #[test]
    fn bias_activation_and_pooling_change_the_layer_and_bad_biases_are_refused() {
        let start = state(20, 30);
        let bias = |s: &ExplorerState, text: &str| {
            s.apply(ExplorerAction::EditBias {
                filter: 0,
                text: text.into(),
            })
        };
        let biased = bias(&start, "−0,5");
        assert_eq!(biased.filters[0].bias, -0.5);
        assert_eq!(biased.bias_error(), None);
        let inside = |s: &ExplorerState| s.output.convolution[[0, 5, 5]];
        assert!((inside(&biased) - (inside(&start) - 0.5)).abs() < 1e-5);
        for bad in ["abc", "1e400", ""] {
            let next = bias(&biased, bad);
            assert_eq!(next.drafts[0].bias().text(), bad);
            assert!(
                next.bias_error().is_some_and(|e| e.starts_with("The bias")),
                "{bad:?}"
            );
            assert_eq!(next.filters[0].bias, -0.5);
            assert!(Rc::ptr_eq(&next.output, &biased.output));
        }
        let tanh = biased
            .apply(ExplorerAction::SetActivation(ActivationChoice::Tanh))
            .apply(ExplorerAction::SetPooling(PoolingChoice::Average));
        let conv = tanh.output.convolution[[0, 0, 0]];
        let activated = tanh.output.activation.as_ref().expect("tanh")[[0, 0, 0]];
        assert_eq!(activated, conv.tanh());
        assert!(tanh.settings.is_signed(Stage::Pooling));
        assert!(!start.settings.is_signed(Stage::Pooling));
    }

    #[test]
    fn the_kernel_size_grows_around_the_cells_typed_even_a_bad_one() {
        let start = edit(&state(20, 30), 0, 0, 0, 0, "2");
        let five = start.apply(ExplorerAction::SetKernelSize(5));
        assert_eq!((texts(&five, 0, 0).len(), five.kernel_size()), (5, 5));
        assert_eq!(
            (
                texts(&five, 0, 0)[1][1].as_str(),
                texts(&five, 0, 0)[0][0].as_str()
            ),
            ("2", "0")
        );
        assert_eq!(
            five.output.convolution.dim(),
            (1, 20, 30),
            "SAME keeps the size"
        );
        let back = five.apply(ExplorerAction::SetKernelSize(3));
        assert_eq!(texts(&back, 0, 0), texts(&start, 0, 0));
        assert_eq!(back.output.convolution, start.output.convolution);
        // A half-typed cell does not block the size: the kernel in use grows with zeros.
        let bad = edit(&start, 0, 0, 1, 1, "abc").apply(ExplorerAction::SetKernelSize(7));
        assert_eq!(bad.kernel_size(), 7);
        assert_eq!(texts(&bad, 0, 0)[3][3], "abc");
        assert!(bad.kernel_error().is_some());
        assert_eq!(bad.filters[0].weights[[0, 3, 3]], 8.0);
        assert_eq!(bad.filters[0].weights[[0, 0, 0]], 0.0);
        // VALID with a 7 × 7 kernel on a 5-pixel-high image is refused in words.
        let tiny = state(5, 40).apply(ExplorerAction::SetPadding(Padding::Valid));
        let seven = tiny.apply(ExplorerAction::SetKernelSize(7));
        assert_eq!(seven.kernel_size(), 3);
        assert!(matches!(seven.notice, Some(Notice::Error(ref m)) if m.contains("VALID")));
    }

    #[test]
    fn filters_and_channels_make_a_volume_and_keep_what_was_typed() {
        let gray = edit(&state(20, 30), 0, 0, 0, 0, "5")
            .apply(ExplorerAction::ImageLoaded {
                source: colourful(20, 30),
                sample: None,
            })
            .apply(ExplorerAction::SetFilterCount(3));
        assert_eq!(gray.output.convolution.dim(), (3, 20, 30));
        assert_eq!(gray.output.pooling.dim(), (3, 10, 15));
        // New filters start as Sobel x and Sobel y, so they show something at once.
        assert_eq!(*texts(&gray, 1, 0), PRESETS[5].cell_texts());
        assert_eq!(gray.kernel_name(1, 0), "Filter 2");
        assert_eq!(gray.bias_name(2), "Filter 3 bias");
        // To RGB: each filter's kernel goes to every channel, and the input has depth 3.
        let rgb = gray.apply(ExplorerAction::SetChannels(Channels::Rgb));
        assert_eq!(rgb.input.dim(), (3, 20, 30));
        assert_eq!(rgb.filters[0].weights.dim(), (3, 3, 3));
        assert_eq!(texts(&rgb, 0, 2)[0][0], "5");
        assert_eq!(rgb.kernel_name(1, 2), "Filter 2 blue");
        // Edit green, go back to grayscale and return: both kernels are as typed.
        let edited = edit(&rgb, 0, 1, 2, 2, "-7");
        assert_eq!(edited.filters[0].weights[[1, 2, 2]], -7.0);
        let round_trip = edited
            .apply(ExplorerAction::SetChannels(Channels::Grayscale))
            .apply(ExplorerAction::SetFilterCount(1));
        assert_eq!(texts(&round_trip, 0, 0)[2][2], "-1");
        assert_eq!(round_trip.kernel_name(0, 0), "Kernel");
        let again = round_trip
            .apply(ExplorerAction::SetFilterCount(3))
            .apply(ExplorerAction::SetChannels(Channels::Rgb));
        assert_eq!(texts(&again, 0, 1)[2][2], "-7");
        assert_eq!(again.output, edited.output);
        // Copy to all channels copies red.
        let copied = again.apply(ExplorerAction::CopyToAllChannels { filter: 0 });
        assert_eq!(texts(&copied, 0, 1)[2][2], "-1");
        // The volume's convolution is the sum over channels: with the outline on every
        // channel, it is the outline of R + G + B.
        let sum = |s: &ExplorerState| s.input.sum_axis(Axis(0));
        let channel_sum = sum(&copied);
        let (i, j) = (5, 7);
        let expected: f32 = (0..3)
            .flat_map(|di| (0..3).map(move |dj| (di, dj)))
            .map(|(di, dj)| {
                let w = if (di, dj) == (1, 1) { 8.0 } else { -1.0 };
                let w = if (di, dj) == (0, 0) { 5.0 } else { w };
                w * channel_sum[[i + di - 1, j + dj - 1]]
            })
            .sum();
        assert!((copied.output.convolution[[0, i, j]] - expected).abs() < 1e-4);
        // Messages name the filter and channel.
        let bad = edit(&copied, 2, 1, 0, 2, "x");
        assert_eq!(
            bad.kernel_error().as_deref(),
            Some("Filter 3 green, row 1, column 3 “x” is not a number (try -1, 0.5, 1/9 or 2e-3)")
        );
        let bad_bias = copied.apply(ExplorerAction::EditBias {
            filter: 1,
            text: "1e400".into(),
        });
        assert!(bad_bias
            .bias_error()
            .is_some_and(|e| e.starts_with("Filter 2's bias “1e400” is too large")));
    }

    #[test]
    fn an_edit_of_one_filter_recomputes_it_alone_and_matches_the_whole_layer() {
        let start = state(20, 30)
            .apply(ExplorerAction::ImageLoaded {
                source: colourful(20, 30),
                sample: None,
            })
            .apply(ExplorerAction::SetChannels(Channels::Rgb))
            .apply(ExplorerAction::SetFilterCount(4));
        let edited = edit(&start, 2, 1, 0, 2, "-3").apply(ExplorerAction::EditBias {
            filter: 3,
            text: "0.75".into(),
        });
        let whole = run_layer(edited.input.view(), &edited.filters, edited.settings)
            .expect("the layer runs");
        assert_eq!(*edited.output, whole);
        // Only filters 3 and 4 have new maps to paint; the input and filters 1 and 2 keep theirs.
        assert_eq!(edited.versions.input, start.versions.input);
        assert_eq!(edited.versions.filters[..2], start.versions.filters[..2]);
        for k in [2, 3] {
            assert!(edited.versions.filters[k] > start.versions.filters[k]);
        }
        assert_ne!(edited.versions.filters[2], edited.versions.filters[3]);
        assert_eq!(
            edited.output.convolution.index_axis(Axis(0), 0),
            start.output.convolution.index_axis(Axis(0), 0)
        );
    }

    #[test]
    fn no_combination_of_sizes_panics_or_draws_nan() {
        // Every kernel size, stride and padding on tiny and odd images: either a layer of
        // finite numbers of the right shape, or a refusal in words with the last layer kept.
        for (h, w) in [(1, 1), (2, 3), (5, 4), (7, 7), (9, 2)] {
            let start =
                ExplorerState::new(SourceImage::pattern(h, w, |i, j| (i * 40 + j * 25) as u8))
                    .expect("SAME with 3 × 3 always runs")
                    .apply(ExplorerAction::SetFilterCount(2));
            for padding in Padding::ALL {
                for stride in STRIDES {
                    for size in KERNEL_SIZES {
                        let mut state = start.clone();
                        for action in [
                            ExplorerAction::SetPadding(padding),
                            ExplorerAction::SetStride(stride),
                            ExplorerAction::SetKernelSize(size),
                        ] {
                            let what = format!("{h}×{w} {padding} s{stride} f{size}: {action:?}");
                            let next = state.apply(action);
                            let finite = |a: &Array3<f32>| a.iter().all(|v| v.is_finite());
                            assert!(finite(&next.output.convolution), "{what}");
                            assert!(finite(&next.output.pooling), "{what}");
                            let window = crate::common::geometry::Window::new(
                                (h, w),
                                (next.kernel_size(), next.kernel_size()),
                                next.settings.stride,
                                next.settings.padding,
                            );
                            assert_eq!(
                                next.output.conv_window.output_shape(),
                                window.output_shape(),
                                "{what}"
                            );
                            let applied = (
                                next.settings.padding,
                                next.settings.stride,
                                next.kernel_size(),
                            ) != (
                                state.settings.padding,
                                state.settings.stride,
                                state.kernel_size(),
                            );
                            let refused = matches!(next.notice, Some(Notice::Error(ref m)) if m.contains("VALID"));
                            assert!(
                                applied
                                    || refused
                                    || next.settings == state.settings
                                        && next.kernel_size() == state.kernel_size(),
                                "{what}"
                            );
                            if refused {
                                assert_eq!(
                                    next.output, state.output,
                                    "{what}: the last layer stays"
                                );
                            }
                            state = next;
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn weights_that_would_overflow_over_rgb_are_refused() {
        let big = edit(&state(10, 10), 0, 0, 0, 0, "2e38").apply(ExplorerAction::ImageLoaded {
            source: colourful(10, 10),
            sample: None,
        });
        assert_eq!(big.filters[0].weights[[0, 0, 0]], 2e38);
        let rgb = big.apply(ExplorerAction::SetChannels(Channels::Rgb));
        assert_eq!(rgb.channels, Channels::Grayscale);
        assert!(matches!(rgb.notice, Some(Notice::Error(ref m)) if m.contains("overflow")));
        // A bias that would overflow with these weights is refused in its field.
        let bias = big.apply(ExplorerAction::EditBias {
            filter: 0,
            text: "2e38".into(),
        });
        assert!(bias.bias_error().is_some_and(|e| e.contains("overflow")));
        assert!(bias.output.convolution.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn a_failed_load_keeps_the_image() {
        let start = state(20, 30);
        let next = start.apply(ExplorerAction::LoadFailed {
            name: "x.gif".into(),
            reason: "It is animated.".into(),
        });
        assert!(Rc::ptr_eq(&next.source, &start.source));
        assert_eq!(
            next.notice,
            Some(Notice::Error(
                "Could not load “x.gif”: It is animated. The previous image stays.".into()
            ))
        );
    }

    #[test]
    fn a_step_through_walks_every_cell_and_stops_playing_at_the_last() {
        // 20 × 20 at working size 16 (SAME, stride 1): 16 × 16 convolution, 8 × 8 pooling.
        let start = state(20, 20).apply(ExplorerAction::SetWorkingSize(16));
        assert_eq!(start.computed_cells(Stage::Convolution), None);
        let stepping = start.apply(ExplorerAction::SetStepping(true));
        assert_eq!(stepping.step_plan().total(), 16 * 16 + 8 * 8);
        assert_eq!(stepping.computed_cells(Stage::Convolution), Some(1));
        assert_eq!(stepping.computed_cells(Stage::Pooling), Some(0));
        // Back from the first step stays there; a jump past the end stops at the last.
        let first = stepping.apply(ExplorerAction::StepBy(-1));
        assert_eq!(first.stepping.map(|s| s.shown), Some(1));
        let end = stepping.apply(ExplorerAction::StepTo(10_000));
        assert_eq!(end.stepping.map(|s| s.shown), Some(320));
        assert_eq!(end.computed_cells(Stage::Activation), Some(256));
        assert_eq!(end.computed_cells(Stage::Pooling), Some(64));

        let playing = stepping
            .apply(ExplorerAction::StepTo(318))
            .apply(ExplorerAction::SetPlaying(true));
        let once = playing.apply(ExplorerAction::StepBy(1));
        assert_eq!(
            once.stepping.map(|s| (s.shown, s.playing)),
            Some((319, true))
        );
        let last = once.apply(ExplorerAction::StepBy(1));
        assert_eq!(
            last.stepping.map(|s| (s.shown, s.playing)),
            Some((320, false))
        );
        // Play at the last step starts again from the first.
        let again = last.apply(ExplorerAction::SetPlaying(true));
        assert_eq!(
            again.stepping.map(|s| (s.shown, s.playing)),
            Some((1, true))
        );
        // The layer is the same as without stepping: stepping only reveals it.
        assert_eq!(end.output, start.output);
    }

    #[test]
    fn a_smaller_layer_keeps_the_step_through_within_its_steps() {
        let end = state(40, 40)
            .apply(ExplorerAction::SetWorkingSize(32))
            .apply(ExplorerAction::SetStepping(true))
            .apply(ExplorerAction::StepTo(usize::MAX));
        assert_eq!(end.stepping.map(|s| s.shown), Some(32 * 32 + 16 * 16));
        let smaller = end.apply(ExplorerAction::SetWorkingSize(16));
        assert_eq!(smaller.stepping.map(|s| s.shown), Some(16 * 16 + 8 * 8));
        // A speed not offered is refused in words; stepping off shows every cell again.
        let refused = smaller.apply(ExplorerAction::SetStepSpeed(7));
        assert!(matches!(refused.notice, Some(Notice::Error(_))));
        assert_eq!(refused.stepping, smaller.stepping);
        let off = smaller.apply(ExplorerAction::SetStepping(false));
        assert_eq!(off.computed_cells(Stage::Pooling), None);
    }

    #[test]
    fn a_camera_frame_on_its_way_never_replaces_a_chosen_picture() {
        let frame = || Rc::new(SourceImage::pattern(12, 12, |i, j| (i * j) as u8));
        let start = state(20, 20);
        // Frames count only once the camera has started.
        let ignored = start.apply(ExplorerAction::CameraFrame(frame()));
        assert!(Rc::ptr_eq(&ignored.source, &start.source));
        let live = start
            .apply(ExplorerAction::CameraStarted)
            .apply(ExplorerAction::CameraFrame(frame()));
        assert_eq!(live.source.shape(), (12, 12));
        // A sample chosen while the camera runs; the next frame arrives after it.
        let chosen = colourful(10, 30);
        let after = live
            .apply(ExplorerAction::ImageLoaded {
                source: Rc::clone(&chosen),
                sample: None,
            })
            .apply(ExplorerAction::CameraFrame(frame()));
        assert!(Rc::ptr_eq(&after.source, &chosen));
        assert!(!after.camera_live);
    }

    #[test]
    fn a_lesson_opens_its_sample_and_settings_and_repaints_everything() {
        use crate::explorer::samples::SAMPLES;
        let start = state(20, 20).apply(ExplorerAction::SetStepping(true));
        let setup = ExplorerSetup {
            sample: Some(&SAMPLES[1]),
            working_size: 16,
            filter_count: 2,
            settings: LayerSettings {
                stride: 2,
                ..LayerSettings::default()
            },
            stepping: Some(Stepping {
                shown: 10,
                playing: true,
                speed: 30,
            }),
            ..ExplorerSetup::default()
        };
        let picture = Rc::new(SAMPLES[1].decode_from_repository());
        let opened = start.apply(ExplorerAction::OpenLesson {
            setup: Rc::new(setup.clone()),
            picture: Some(Rc::clone(&picture)),
        });
        assert_eq!(opened.sample, Some(&SAMPLES[1]));
        assert!(Rc::ptr_eq(&opened.source, &picture));
        assert_eq!(opened.source.name, SAMPLES[1].file);
        assert_eq!((opened.working_size, opened.filter_count), (16, 2));
        assert_eq!(opened.settings.stride, 2);
        assert_eq!(opened.notice, None);
        // Opened paused, at its step.
        assert_eq!(
            opened.stepping,
            Some(Stepping {
                shown: 10,
                playing: false,
                speed: 30
            })
        );
        assert_eq!(opened.setup().stepping, opened.stepping);
        // Every map gets a version never painted before.
        let newest = start.versions.latest;
        assert!(opened.versions.input > newest);
        assert!(opened.versions.filters.iter().all(|&v| v > newest));
        // The same sample again (the page fetches nothing) keeps the picture.
        let again = opened.apply(ExplorerAction::OpenLesson {
            setup: Rc::new(setup),
            picture: None,
        });
        assert!(Rc::ptr_eq(&again.source, &opened.source));
    }

    #[test]
    fn a_lesson_made_with_an_own_picture_keeps_the_picture_shown() {
        let start = state(20, 30);
        let setup = ExplorerSetup {
            sample: None,
            working_size: 28,
            ..ExplorerSetup::default()
        };
        let opened = start.apply(ExplorerAction::OpenLesson {
            setup: Rc::new(setup),
            picture: None,
        });
        assert!(Rc::ptr_eq(&opened.source, &start.source));
        assert_eq!(opened.sample, None);
        assert_eq!(opened.working_size, 28);
    }

    #[test]
    fn a_step_past_the_end_opens_at_the_last_step_and_says_so() {
        let start = state(20, 20);
        let setup = ExplorerSetup {
            sample: None,
            working_size: 16,
            stepping: Some(Stepping {
                shown: 1_000_000,
                ..Stepping::default()
            }),
            ..ExplorerSetup::default()
        };
        let opened = start.apply(ExplorerAction::OpenLesson {
            setup: Rc::new(setup),
            picture: None,
        });
        let total = opened.step_plan().total();
        assert_eq!(total, 16 * 16 + 8 * 8);
        assert_eq!(opened.stepping.map(|s| s.shown), Some(total));
        assert!(
            matches!(opened.notice, Some(Notice::Error(ref m)) if m.contains("past this layer's last step"))
        );
    }
}
