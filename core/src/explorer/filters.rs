//! The layer's filters as the student types them. Each filter has one kernel for the
//! grayscale input and one for each of red, green and blue, and a bias; each is kept both
//! as typed and as the last value that parsed, so a half-typed cell never loses the
//! picture, and switching Channels or Filters never loses what was typed.

use std::array;

use ndarray::{Array2, Axis};

use super::kernel::{parse_cell, resized, CellTexts, Kernel, KernelError, Preset, PRESETS};
use super::layer::{Channels, Filter};

/// The most filters the explorer offers.
pub const MAX_FILTERS: usize = 8;

/// What each filter starts as, so that adding a filter shows something at once: edges in
/// every direction, then the blurs and sharpeners.
const STARTING_PRESETS: [&str; MAX_FILTERS] = [
    "Outline",
    "Sobel x",
    "Sobel y",
    "Gaussian blur",
    "Sharpen",
    "Emboss",
    "Laplacian",
    "Identity",
];

/// One kernel as typed, the last kernel that parsed from it, and why the typed cells are
/// not that kernel (a bad cell, or weights too large together).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    texts: CellTexts,
    kernel: Kernel,
    error: Option<KernelError>,
}

impl Grid {
    fn from_preset(preset: &Preset, size: usize) -> Grid {
        let texts = preset.cells_at(size);
        let kernel = Kernel::parse(&texts).expect("every preset parses at every size (tested)");
        Grid {
            texts,
            kernel,
            error: None,
        }
    }

    /// The cells exactly as typed.
    pub fn texts(&self) -> &CellTexts {
        &self.texts
    }

    /// The kernel in use.
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    pub fn error(&self) -> Option<&KernelError> {
        self.error.as_ref()
    }

    /// The grid at another size: the texts keep their centre, and so does the kernel in
    /// use (zeros around, or its middle), so a bad cell does not block the change.
    fn resized(&self, size: usize) -> Grid {
        let texts = resized(&self.texts, size, "0".to_string());
        match Kernel::parse(&texts) {
            Ok(kernel) => Grid {
                texts,
                kernel,
                error: None,
            },
            Err(error) => {
                let rows: Vec<Vec<f32>> = self
                    .kernel
                    .weights()
                    .rows()
                    .into_iter()
                    .map(|row| row.to_vec())
                    .collect();
                let weights = resized(&rows, size, 0.0).concat();
                let weights =
                    Array2::from_shape_vec((size, size), weights).expect("a square of cells");
                Grid {
                    texts,
                    // Zeros around, or the middle, of weights that fit: these fit too.
                    kernel: Kernel::from_weights(weights).unwrap_or_else(|_| self.kernel.clone()),
                    error: Some(error),
                }
            }
        }
    }
}

/// A bias as typed, the last bias that parsed, and why the typed text is not that bias.
#[derive(Clone, Debug, PartialEq)]
pub struct Bias {
    text: String,
    value: f32,
    error: Option<String>,
}

impl Bias {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn value(&self) -> f32 {
        self.value
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// One filter as typed: a kernel per channel and a bias.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterDraft {
    gray: Grid,
    colour: [Grid; 3],
    /// Until a colour kernel is edited, switching to RGB gives each channel the grayscale
    /// kernel, so what was typed in grayscale carries over.
    colour_follows_gray: bool,
    bias: Bias,
}

/// Why an edit of a filter as a whole was refused.
pub type Refusal = String;

impl FilterDraft {
    /// Filter `index` (from 0) as it starts, at kernel size `size`.
    pub fn starting(index: usize, size: usize) -> FilterDraft {
        let name = STARTING_PRESETS[index % MAX_FILTERS];
        let preset = PRESETS
            .iter()
            .find(|p| p.name == name)
            .expect("the starting presets are presets");
        let grid = Grid::from_preset(preset, size);
        FilterDraft {
            colour: array::from_fn(|_| grid.clone()),
            gray: grid,
            colour_follows_gray: true,
            bias: Bias {
                text: "0".into(),
                value: 0.0,
                error: None,
            },
        }
    }

    /// The kernels in use for `channels`: one for grayscale, three for RGB.
    pub fn grids(&self, channels: Channels) -> &[Grid] {
        match channels {
            Channels::Grayscale => std::slice::from_ref(&self.gray),
            Channels::Rgb => &self.colour,
        }
    }

    pub fn bias(&self) -> &Bias {
        &self.bias
    }

    /// The kernel size.
    pub fn size(&self) -> usize {
        self.gray.texts.len()
    }

    /// The filter the layer uses: `(C, f, f)` weights and the bias.
    pub fn filter(&self, channels: Channels) -> Filter {
        let views: Vec<_> = self
            .grids(channels)
            .iter()
            .map(|g| g.kernel.weights().view())
            .collect();
        Filter {
            weights: ndarray::stack(Axis(0), &views).expect("the kernels share one size"),
            bias: self.bias.value,
        }
    }

    /// Whether the filter's outputs stay within float32 for inputs in [0, 1]: the sum of
    /// every weight's size over all channels, plus the bias's, is at most `f32::MAX`.
    pub fn fits(&self, channels: Channels) -> bool {
        let weights: f64 = self
            .grids(channels)
            .iter()
            .map(|g| {
                g.kernel
                    .weights()
                    .iter()
                    .map(|w| f64::from(w.abs()))
                    .sum::<f64>()
            })
            .sum();
        weights + f64::from(self.bias.value.abs()) <= f64::from(f32::MAX)
    }

    fn grids_mut(&mut self, channels: Channels) -> &mut [Grid] {
        match channels {
            Channels::Grayscale => std::slice::from_mut(&mut self.gray),
            Channels::Rgb => {
                self.colour_follows_gray = false;
                &mut self.colour
            }
        }
    }

    /// Types `text` into one cell. The kernel in use changes only if every cell of that
    /// kernel parses and the filter stays within float32.
    pub fn edit_cell(
        &mut self,
        channels: Channels,
        channel: usize,
        (row, col): (usize, usize),
        text: String,
    ) {
        let Some(mut grid) = self.grids(channels).get(channel).cloned() else {
            return;
        };
        match grid.texts.get_mut(row).and_then(|r| r.get_mut(col)) {
            Some(cell) => *cell = text,
            None => return,
        }
        self.set_grid(channels, channel, grid);
    }

    /// Puts whole `texts` into one kernel if they parse and the filter stays within
    /// float32; otherwise nothing changes, and the error says why.
    pub fn set_cells(
        &mut self,
        channels: Channels,
        channel: usize,
        texts: CellTexts,
    ) -> Result<(), KernelError> {
        let mut trial = self.clone();
        let Some(mut grid) = trial.grids(channels).get(channel).cloned() else {
            return Ok(());
        };
        grid.texts = texts;
        trial.set_grid(channels, channel, grid);
        match trial.grids(channels)[channel].error.clone() {
            Some(error) => Err(error),
            None => {
                *self = trial;
                Ok(())
            }
        }
    }

    /// Puts a preset into each of the filter's kernels.
    pub fn apply_preset(&mut self, channels: Channels, preset: &Preset) {
        let size = self.size();
        for channel in 0..channels.count() {
            let mut grid = self.grids(channels)[channel].clone();
            grid.texts = preset.cells_at(size);
            self.set_grid(channels, channel, grid);
        }
    }

    /// Copies the red kernel, as typed, to green and blue.
    pub fn copy_red_to_all(&mut self) -> Result<(), Refusal> {
        let mut copied = self.clone();
        copied.colour = array::from_fn(|_| self.colour[0].clone());
        if !copied.fits(Channels::Rgb) {
            return Err(
                "Three copies of this kernel would be too large together: the \
                        convolution would overflow float32"
                    .into(),
            );
        }
        copied.colour_follows_gray = false;
        *self = copied;
        Ok(())
    }

    fn set_grid(&mut self, channels: Channels, channel: usize, mut grid: Grid) {
        match Kernel::parse(&grid.texts) {
            Ok(kernel) => {
                let mut trial = self.clone();
                trial.grids_mut(channels)[channel].kernel = kernel.clone();
                if trial.fits(channels) {
                    grid.kernel = kernel;
                    grid.error = None;
                } else {
                    grid.error = Some(KernelError::Overflow);
                }
            }
            Err(error) => grid.error = Some(error),
        }
        self.grids_mut(channels)[channel] = grid;
    }

    /// Types `text` into the bias field; the bias in use changes only if it parses and
    /// the filter stays within float32.
    pub fn edit_bias(&mut self, channels: Channels, text: String) {
        match parse_cell(&text) {
            Ok(value) => {
                let previous = self.bias.value;
                self.bias.value = value;
                if self.fits(channels) {
                    self.bias.error = None;
                } else {
                    self.bias.value = previous;
                    self.bias.error = Some(
                        "is too large with these weights: the convolution would overflow \
                         float32"
                            .into(),
                    );
                }
            }
            Err(error) => self.bias.error = Some(error.to_string()),
        }
        self.bias.text = text;
    }

    /// Every kernel at another size, keeping the centres.
    pub fn resize(&mut self, size: usize) {
        self.gray = self.gray.resized(size);
        self.colour = array::from_fn(|c| self.colour[c].resized(size));
    }

    /// Called when the input becomes RGB: unedited colour kernels take the grayscale one.
    pub fn enter_rgb(&mut self) {
        if self.colour_follows_gray {
            self.colour = array::from_fn(|_| self.gray.clone());
        }
    }

    /// The first reason, in reading order, why a typed kernel of this filter is not in use,
    /// with the channel it concerns.
    pub fn kernel_error(&self, channels: Channels) -> Option<(usize, &KernelError)> {
        self.grids(channels)
            .iter()
            .enumerate()
            .find_map(|(c, g)| g.error.as_ref().map(|e| (c, e)))
    }
}

/// The filters every explorer starts with, all `MAX_FILTERS` of them (only the first
/// `Filters` are in the layer), at kernel size `size`.
pub fn starting_filters(size: usize) -> Vec<FilterDraft> {
    (0..MAX_FILTERS)
        .map(|i| FilterDraft::starting(i, size))
        .collect()
}

/// The layer's filters in use, in the order of `drafts`.
pub fn layer_filters(drafts: &[FilterDraft], channels: Channels) -> Vec<Filter> {
    drafts.iter().map(|d| d.filter(channels)).collect()
}
