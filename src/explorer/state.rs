//! The explorer's one place for state, and how every [`ExplorerAction`] changes it.
//!
//! Each change to the image, kernel or settings goes through [`ExplorerState::apply`], which
//! recomputes the pipeline; whenever an input is refused, the last good state stays and a
//! [`Notice`] says why. No web code: the front end implements Yew's `Reducible` on top.

use std::rc::Rc;

use ndarray::Array2;

use super::colormap::{ColorRange, Colormap, Scale, ValueRange};
use super::kernel::{
    parse_cell, resized, CellTexts, Kernel, KernelError, Preset, KERNEL_SIZES, OUTLINE,
};
use super::layer::{ActivationChoice, LayerSettings, PoolingChoice};
use super::pipeline::{self, Stage, Stages, DEFAULT_WORKING_SIZE, STRIDES, WORKING_SIZES};
use super::source::SourceImage;
use crate::common::geometry::Padding;
use crate::common::resize::fit;

/// What the page tells the user about the last thing they did.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// Work under way (decoding a large photo).
    Busy(String),
    /// Something was refused; the previous state stays.
    Error(String),
}

#[derive(Clone, Debug)]
pub enum ExplorerAction {
    EditCell {
        row: usize,
        col: usize,
        text: String,
    },
    ApplyPreset(&'static Preset),
    SetPadding(Padding),
    SetStride(usize),
    SetWorkingSize(usize),
    /// The bias field, as typed.
    EditBias(String),
    /// A kernel of another size: the cells typed so far keep the centre.
    SetKernelSize(usize),
    SetActivation(ActivationChoice),
    SetPooling(PoolingChoice),
    SetColormap(Colormap),
    SetColorRange(ColorRange),
    Busy(String),
    ImageLoaded(Rc<SourceImage>),
    LoadFailed {
        name: String,
        reason: String,
    },
}

/// Everything the explorer shows. Large values sit behind `Rc`, so a clone is cheap.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplorerState {
    pub source: Rc<SourceImage>,
    /// The source fitted to the working size: the pipeline's input.
    pub input: Rc<Array2<f32>>,
    /// The kernel cells exactly as typed, valid or not.
    pub cells: CellTexts,
    /// The last kernel whose cells all parsed: the one in use.
    pub kernel: Kernel,
    /// Why the typed cells are not the kernel in use, if they are not.
    pub kernel_error: Option<KernelError>,
    /// The bias field exactly as typed.
    pub bias_text: String,
    /// The last bias that parsed: the one in use.
    pub bias: f32,
    /// Why the typed bias is not the one in use, if it is not.
    pub bias_error: Option<String>,
    pub settings: LayerSettings,
    pub working_size: usize,
    pub colormap: Colormap,
    pub color_range: ColorRange,
    pub stages: Rc<Stages>,
    pub notice: Option<Notice>,
}

impl ExplorerState {
    /// The explorer with `source` loaded and every control at its default.
    pub fn new(source: SourceImage) -> Result<ExplorerState, String> {
        let cells = OUTLINE.cell_texts();
        let kernel = Kernel::parse(&cells).map_err(|e| e.to_string())?;
        let settings = LayerSettings::default();
        let input = fit(source.gray.view(), DEFAULT_WORKING_SIZE);
        let stages =
            pipeline::run(input.view(), &kernel, 0.0, settings).map_err(|e| e.to_string())?;
        Ok(ExplorerState {
            source: Rc::new(source),
            input: Rc::new(input),
            cells,
            kernel,
            kernel_error: None,
            bias_text: "0".into(),
            bias: 0.0,
            bias_error: None,
            settings,
            working_size: DEFAULT_WORKING_SIZE,
            colormap: Colormap::default(),
            color_range: ColorRange::default(),
            stages: Rc::new(stages),
            notice: None,
        })
    }

    /// The values of one stage.
    pub fn values(&self, stage: Stage) -> &Array2<f32> {
        match stage {
            Stage::Input => &self.input,
            Stage::Convolution => &self.stages.convolution,
            Stage::Activation => self.stages.activated(),
            Stage::Pooling => &self.stages.pooling,
        }
    }

    /// How one stage is coloured: the convolution (signed) with the diverging map centred
    /// on 0, the others with the chosen sequential map, each stretched over its own values
    /// as the chosen colour range says.
    /// `range` is the stage's `ValueRange` (callers compute it once per change).
    pub fn scale(&self, stage: Stage, range: ValueRange) -> Scale {
        let colormap = if self.settings.is_signed(stage) {
            Colormap::Diverging
        } else {
            self.colormap
        };
        Scale::fit(colormap, self.values(stage).view(), range, self.color_range)
    }

    /// The state after `action`.
    pub fn apply(&self, action: ExplorerAction) -> ExplorerState {
        match action {
            ExplorerAction::EditCell { row, col, text } => {
                let mut cells = self.cells.clone();
                match cells.get_mut(row).and_then(|r| r.get_mut(col)) {
                    Some(cell) => *cell = text,
                    None => return self.clone(),
                }
                self.with_cells(cells)
            }
            ExplorerAction::ApplyPreset(preset) => {
                self.with_cells(preset.cells_at(self.cells.len()))
            }
            ExplorerAction::SetKernelSize(size) if !KERNEL_SIZES.contains(&size) => self
                .with_notice(Notice::Error(format!(
                    "Kernel size {size} is not offered: choose 3, 5 or 7."
                ))),
            ExplorerAction::SetKernelSize(size) => {
                let next = self.with_cells(resized(&self.cells, size));
                if next.kernel.size() == size {
                    next
                } else {
                    // The resized cells could not be used (a bad cell, or VALID padding on
                    // an image smaller than the kernel): the size stays as it was.
                    ExplorerState {
                        cells: self.cells.clone(),
                        kernel_error: self.kernel_error.clone(),
                        notice: next.notice.or_else(|| {
                            Some(Notice::Error(format!(
                                "The kernel stays {0}×{0}: fix the marked cell first.",
                                self.cells.len()
                            )))
                        }),
                        ..self.clone()
                    }
                }
            }
            ExplorerAction::SetPadding(padding) => self.recompute(Candidate {
                settings: LayerSettings {
                    padding,
                    ..self.settings
                },
                ..self.candidate()
            }),
            ExplorerAction::SetStride(stride) if !STRIDES.contains(&stride) => self.with_notice(
                Notice::Error(format!("Stride {stride} is not offered: choose 1, 2 or 3.")),
            ),
            ExplorerAction::SetWorkingSize(size) if !WORKING_SIZES.contains(&size) => self
                .with_notice(Notice::Error(format!(
                    "Working size {size} is not offered: choose 128, 300, 512 or 1024."
                ))),
            ExplorerAction::SetStride(stride) => self.recompute(Candidate {
                settings: LayerSettings {
                    stride,
                    ..self.settings
                },
                ..self.candidate()
            }),
            ExplorerAction::SetWorkingSize(working_size) => self.recompute(Candidate {
                working_size,
                ..self.candidate()
            }),
            ExplorerAction::EditBias(text) => match parse_cell(&text) {
                Ok(bias) if bias_fits(&self.kernel, bias) => {
                    let next = self.recompute(Candidate {
                        bias,
                        ..self.candidate()
                    });
                    ExplorerState {
                        bias_text: text,
                        bias_error: None,
                        ..next
                    }
                }
                Ok(_) => ExplorerState {
                    bias_text: text,
                    bias_error: Some(
                        "The bias is too large with these weights: the convolution would \
                         overflow float32"
                            .into(),
                    ),
                    ..self.clone()
                },
                Err(error) => ExplorerState {
                    bias_text: text,
                    bias_error: Some(format!("The bias {error}")),
                    ..self.clone()
                },
            },
            ExplorerAction::SetActivation(activation) => self.recompute(Candidate {
                settings: LayerSettings {
                    activation,
                    ..self.settings
                },
                ..self.candidate()
            }),
            ExplorerAction::SetPooling(pooling) => self.recompute(Candidate {
                settings: LayerSettings {
                    pooling,
                    ..self.settings
                },
                ..self.candidate()
            }),
            ExplorerAction::SetColormap(colormap) => ExplorerState {
                colormap,
                ..self.clone()
            },
            ExplorerAction::SetColorRange(color_range) => ExplorerState {
                color_range,
                ..self.clone()
            },
            ExplorerAction::Busy(what) => self.with_notice(Notice::Busy(what)),
            ExplorerAction::ImageLoaded(source) => self.recompute(Candidate {
                source,
                ..self.candidate()
            }),
            ExplorerAction::LoadFailed { name, reason } => self.with_notice(Notice::Error(
                format!("Could not load “{name}”: {reason} The previous image stays."),
            )),
        }
    }

    fn candidate(&self) -> Candidate {
        Candidate {
            source: Rc::clone(&self.source),
            working_size: self.working_size,
            kernel: self.kernel.clone(),
            bias: self.bias,
            settings: self.settings,
        }
    }

    /// Runs the pipeline on a candidate; on success it becomes current, otherwise only the
    /// notice changes.
    fn recompute(&self, next: Candidate) -> ExplorerState {
        let same_input =
            Rc::ptr_eq(&next.source, &self.source) && next.working_size == self.working_size;
        let input = if same_input {
            Rc::clone(&self.input)
        } else {
            Rc::new(fit(next.source.gray.view(), next.working_size))
        };
        match pipeline::run(input.view(), &next.kernel, next.bias, next.settings) {
            Ok(stages) => ExplorerState {
                source: next.source,
                input,
                kernel: next.kernel,
                bias: next.bias,
                settings: next.settings,
                working_size: next.working_size,
                stages: Rc::new(stages),
                notice: None,
                ..self.clone()
            },
            Err(too_small) => self.with_notice(Notice::Error(format!(
                "{too_small}. The previous result stays."
            ))),
        }
    }

    fn with_notice(&self, notice: Notice) -> ExplorerState {
        ExplorerState {
            notice: Some(notice),
            ..self.clone()
        }
    }

    /// New cells are kept as typed; the kernel in use changes only if they all parse.
    fn with_cells(&self, cells: CellTexts) -> ExplorerState {
        match Kernel::parse(&cells) {
            Ok(kernel) if !bias_fits(&kernel, self.bias) => ExplorerState {
                cells,
                kernel_error: Some(KernelError::Overflow),
                ..self.clone()
            },
            Ok(kernel) => {
                let next = self.recompute(Candidate {
                    kernel,
                    ..self.candidate()
                });
                ExplorerState {
                    cells,
                    kernel_error: None,
                    ..next
                }
            }
            Err(error) => ExplorerState {
                cells,
                kernel_error: Some(error),
                ..self.clone()
            },
        }
    }
}

/// Whether `kernel`'s outputs plus `bias` stay within float32 for inputs in [0, 1].
fn bias_fits(kernel: &Kernel, bias: f32) -> bool {
    let bound: f64 = kernel
        .weights()
        .iter()
        .map(|w| f64::from(w.abs()))
        .sum::<f64>()
        + f64::from(bias.abs());
    bound <= f64::from(f32::MAX)
}

/// What a recomputation would make current.
struct Candidate {
    source: Rc<SourceImage>,
    working_size: usize,
    kernel: Kernel,
    bias: f32,
    settings: LayerSettings,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explorer::kernel::PRESETS;

    fn state(h: usize, w: usize) -> ExplorerState {
        let gray = Array2::from_shape_fn((h, w), |(i, j)| ((i * 7 + j * 3) % 10) as f32 / 10.0);
        ExplorerState::new(SourceImage {
            name: "test".into(),
            gray,
        })
        .expect("a valid start")
    }

    fn edit(state: &ExplorerState, row: usize, col: usize, text: &str) -> ExplorerState {
        state.apply(ExplorerAction::EditCell {
            row,
            col,
            text: text.into(),
        })
    }

    #[test]
    fn a_bad_cell_keeps_the_last_valid_kernel() {
        let start = state(20, 30);
        for bad in ["abc", "1e400", ""] {
            let next = edit(&start, 1, 1, bad);
            assert_eq!(next.cells[1][1], bad);
            assert!(next.kernel_error.is_some(), "{bad:?}");
            assert_eq!(next.kernel, start.kernel);
            assert!(Rc::ptr_eq(&next.stages, &start.stages));
        }
        let fixed = edit(&edit(&start, 1, 1, "abc"), 1, 1, "9");
        assert_eq!(fixed.kernel_error, None);
        assert_eq!(fixed.kernel.weights()[[1, 1]], 9.0);
        assert_ne!(fixed.stages, start.stages);
    }

    #[test]
    fn valid_on_a_tiny_image_is_refused_and_nothing_changes() {
        let start = state(2, 40);
        let next = start.apply(ExplorerAction::SetPadding(Padding::Valid));
        assert_eq!(next.settings, start.settings);
        assert!(Rc::ptr_eq(&next.stages, &start.stages));
        assert!(matches!(next.notice, Some(Notice::Error(ref m)) if m.contains("VALID")));
    }

    #[test]
    fn a_new_image_keeps_the_controls() {
        let start = state(20, 30)
            .apply(ExplorerAction::ApplyPreset(&PRESETS[5]))
            .apply(ExplorerAction::SetStride(2))
            .apply(ExplorerAction::SetPadding(Padding::Valid))
            .apply(ExplorerAction::SetWorkingSize(128));
        let loaded = start.apply(ExplorerAction::ImageLoaded(Rc::new(SourceImage {
            name: "big".into(),
            gray: Array2::from_elem((400, 200), 0.5),
        })));
        assert_eq!(loaded.cells, PRESETS[5].cell_texts());
        assert_eq!(loaded.settings, start.settings);
        assert_eq!(loaded.working_size, 128);
        assert_eq!(loaded.input.dim(), (128, 64));
        assert_eq!(loaded.stages.conv_window.output_shape(), (63, 31));
    }

    #[test]
    fn settings_that_are_not_offered_are_refused() {
        let start = state(20, 30);
        for next in [
            start.apply(ExplorerAction::SetStride(0)),
            start.apply(ExplorerAction::SetWorkingSize(0)),
        ] {
            assert_eq!(next.settings, start.settings);
            assert_eq!(next.working_size, start.working_size);
            assert!(matches!(next.notice, Some(Notice::Error(_))));
        }
    }

    #[test]
    fn bias_activation_and_pooling_change_the_layer_and_bad_biases_are_refused() {
        let start = state(20, 30);
        let biased = start.apply(ExplorerAction::EditBias("−0,5".into()));
        assert_eq!((biased.bias, biased.bias_error.as_deref()), (-0.5, None));
        let inside = |s: &ExplorerState| s.stages.convolution[[5, 5]];
        assert_eq!(inside(&biased), inside(&start) - 0.5);
        for bad in ["abc", "1e400", ""] {
            let next = biased.apply(ExplorerAction::EditBias(bad.into()));
            assert_eq!(next.bias_text, bad);
            assert!(next.bias_error.is_some(), "{bad:?}");
            assert_eq!(next.bias, -0.5);
            assert!(Rc::ptr_eq(&next.stages, &biased.stages));
        }
        let tanh = biased
            .apply(ExplorerAction::SetActivation(ActivationChoice::Tanh))
            .apply(ExplorerAction::SetPooling(PoolingChoice::Average));
        let conv = tanh.stages.convolution[[0, 0]];
        let activated = tanh.stages.activation.as_ref().expect("tanh")[[0, 0]];
        assert_eq!(activated, conv.tanh());
        assert!(tanh.settings.is_signed(Stage::Pooling));
        assert!(!start.settings.is_signed(Stage::Pooling));
    }

    #[test]
    fn the_kernel_size_grows_around_the_cells_typed() {
        let start = edit(&state(20, 30), 0, 0, "2");
        let five = start.apply(ExplorerAction::SetKernelSize(5));
        assert_eq!((five.cells.len(), five.kernel.size()), (5, 5));
        assert_eq!(
            (five.cells[1][1].as_str(), five.cells[0][0].as_str()),
            ("2", "0")
        );
        assert_eq!(
            five.stages.convolution.dim(),
            (20, 30),
            "SAME keeps the size"
        );
        let back = five.apply(ExplorerAction::SetKernelSize(3));
        assert_eq!(back.cells, start.cells);
        assert_eq!(back.stages.convolution, start.stages.convolution);
        let refused = five.apply(ExplorerAction::SetKernelSize(4));
        assert!(matches!(refused.notice, Some(Notice::Error(_))));
        assert_eq!(refused.cells.len(), 5);
        // VALID with a 7 × 7 kernel on a 5-pixel-high image is refused in words.
        let tiny = state(5, 40).apply(ExplorerAction::SetPadding(Padding::Valid));
        let seven = tiny.apply(ExplorerAction::SetKernelSize(7));
        assert_eq!(seven.kernel.size(), 3);
        assert_eq!(seven.cells.len(), 3);
        assert!(matches!(seven.notice, Some(Notice::Error(ref m)) if m.contains("VALID")));
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
}
