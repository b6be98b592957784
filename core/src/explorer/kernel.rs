//! The user's kernel (3 × 3, 5 × 5 or 7 × 7): parsing what a student types into each cell,
//! and the presets.

use std::fmt;

use ndarray::Array2;

/// The kernel sizes the explorer offers.
pub const KERNEL_SIZES: [usize; 3] = [3, 5, 7];
/// The size the explorer starts with, and that presets are written for.
pub const DEFAULT_SIZE: usize = 3;

/// The text of the cells, row by row (a square), exactly as typed.
pub type CellTexts = Vec<Vec<String>>;

/// `cells` at another size, keeping the centre: a larger kernel gets `fill` all around, a
/// smaller one keeps its middle cells. What was typed is never rewritten.
pub fn resized<T: Clone>(cells: &[Vec<T>], size: usize, fill: T) -> Vec<Vec<T>> {
    // Both sides are odd, so the centres line up `shift` cells apart.
    let shift = (size as isize - cells.len() as isize) / 2;
    let old = |i: usize| {
        usize::try_from(i as isize - shift)
            .ok()
            .filter(|&i| i < cells.len())
    };
    (0..size)
        .map(|r| {
            (0..size)
                .map(|c| match (old(r), old(c)) {
                    (Some(r), Some(c)) => cells[r][c].clone(),
                    _ => fill.clone(),
                })
                .collect()
        })
        .collect()
}

/// Why one cell's text is not a usable weight.
#[derive(Clone, Debug, PartialEq)]
pub enum CellError {
    Empty,
    NotANumber(String),
    /// Parses, but is infinite in float32 (e.g. `1e400`, `1e39`) or a division by zero.
    TooLarge(String),
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CellError::Empty => write!(f, "is empty; type a number such as 0"),
            CellError::NotANumber(text) => {
                write!(f, "“{text}” is not a number (try -1, 0.5, 1/9 or 2e-3)")
            }
            CellError::TooLarge(text) => write!(
                f,
                "“{text}” is too large: weights must stay within ±3.4e38 (float32)"
            ),
        }
    }
}

/// Parses a cell: a decimal or scientific number (`-1`, `0.25`, `.5`, `2e-3`), or a fraction
/// `a/b` as textbooks print kernels (`1/9`). Accepts the typographic minus `−` and a
/// decimal comma (`0,5`), and ignores surrounding spaces.
pub fn parse_cell(text: &str) -> Result<f32, CellError> {
    let cleaned: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '−' | '–' => '-',
            ',' => '.',
            other => other,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Err(CellError::Empty);
    }
    let value = match cleaned.split_once('/') {
        Some((num, den)) => number(num, text)? / number(den, text)?,
        None => number(&cleaned, text)?,
    };
    // Within f32's range, so it converts to a finite weight.
    if value.is_finite() && value.abs() <= f64::from(f32::MAX) {
        Ok(value as f32)
    } else {
        Err(CellError::TooLarge(text.trim().to_string()))
    }
}

fn number(part: &str, original: &str) -> Result<f64, CellError> {
    // Rust's parser also takes "inf" and "NaN": those are not numbers a kernel can hold.
    let plain = part
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    match part.parse::<f64>() {
        Ok(v) if plain => Ok(v),
        _ => Err(CellError::NotANumber(original.trim().to_string())),
    }
}

/// A kernel whose every cell parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Kernel {
    weights: Array2<f32>,
}

/// Why a whole kernel cannot be used.
#[derive(Clone, Debug, PartialEq)]
pub enum KernelError {
    /// A cell did not parse: row and column from 1.
    Cell {
        row: usize,
        col: usize,
        error: CellError,
    },
    /// Every weight is finite, but together they could reach ±∞ in float32.
    Overflow,
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::Cell { row, col, error } => write!(f, "Row {row}, column {col} {error}"),
            KernelError::Overflow => write!(
                f,
                "These weights are too large together: the sum of their sizes passes 3.4e38, \
                 so the convolution would overflow float32"
            ),
        }
    }
}

impl Kernel {
    /// Parses every cell; reports the first bad cell, row by row.
    pub fn parse(cells: &CellTexts) -> Result<Kernel, KernelError> {
        let size = cells.len();
        let mut weights = Array2::<f32>::zeros((size, size));
        for (r, row) in cells.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                weights[[r, c]] = parse_cell(text).map_err(|error| KernelError::Cell {
                    row: r + 1,
                    col: c + 1,
                    error,
                })?;
            }
        }
        Kernel::from_weights(weights)
    }

    /// Accepts weights whose convolution cannot overflow: inputs lie in [0, 1], so every
    /// output (and every partial sum) is bounded by the sum of the weights' sizes.
    pub fn from_weights(weights: Array2<f32>) -> Result<Kernel, KernelError> {
        let bound: f64 = weights.iter().map(|w| f64::from(w.abs())).sum();
        if bound.is_finite() && bound <= f64::from(f32::MAX) {
            Ok(Kernel { weights })
        } else {
            Err(KernelError::Overflow)
        }
    }

    /// The kernel's side: 3, 5 or 7.
    pub fn size(&self) -> usize {
        self.weights.nrows()
    }

    pub fn weights(&self) -> &Array2<f32> {
        &self.weights
    }

    /// The sum of the weights: 1 keeps brightness, 0 keeps only change (edges).
    pub fn sum(&self) -> f64 {
        self.weights.iter().map(|&w| f64::from(w)).sum()
    }
}

/// A named kernel, with its 3 × 3 cells written as a textbook prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    pub cells: [[&'static str; DEFAULT_SIZE]; DEFAULT_SIZE],
}

impl Preset {
    /// The 3 × 3 cells.
    pub fn cell_texts(&self) -> CellTexts {
        self.cells_at(DEFAULT_SIZE)
    }

    /// The cells at `size`: outline, identity and the two blurs have a natural larger
    /// form (−1 around f² − 1; 1 in the middle; 1/f² everywhere; binomial weights); the
    /// others keep their 3 × 3 weights in the middle with zeros around.
    pub fn cells_at(&self, size: usize) -> CellTexts {
        let base: CellTexts = self
            .cells
            .iter()
            .map(|row| row.iter().map(|c| c.to_string()).collect())
            .collect();
        if size == DEFAULT_SIZE {
            return base;
        }
        let centre = size / 2;
        let every = |f: &dyn Fn(usize, usize) -> String| -> CellTexts {
            (0..size)
                .map(|r| (0..size).map(|c| f(r, c)).collect())
                .collect()
        };
        match self.name {
            "Outline" => every(&|r, c| {
                if (r, c) == (centre, centre) {
                    (size * size - 1).to_string()
                } else {
                    "-1".into()
                }
            }),
            "Identity" => every(&|r, c| if (r, c) == (centre, centre) { "1" } else { "0" }.into()),
            "Box blur" => every(&|_, _| format!("1/{}", size * size)),
            "Gaussian blur" => {
                let row = binomial(size - 1);
                let total: u64 = row.iter().sum::<u64>().pow(2);
                every(&|r, c| format!("{}/{total}", row[r] * row[c]))
            }
            _ => resized(&base, size, "0".to_string()),
        }
    }
}

/// Row `n` of Pascal's triangle: the 1-D binomial weights of a Gaussian-like blur.
fn binomial(n: usize) -> Vec<u64> {
    let mut row = vec![1u64];
    for _ in 0..n {
        let mut next = vec![1u64; row.len() + 1];
        for i in 1..row.len() {
            next[i] = row[i - 1] + row[i];
        }
        row = next;
    }
    row
}

/// The outline detector, −1 around 8: the explorer's default.
pub const OUTLINE: Preset = Preset {
    name: "Outline",
    cells: [["-1", "-1", "-1"], ["-1", "8", "-1"], ["-1", "-1", "-1"]],
};

pub const PRESETS: [Preset; 9] = [
    OUTLINE,
    Preset {
        name: "Identity",
        cells: [["0", "0", "0"], ["0", "1", "0"], ["0", "0", "0"]],
    },
    Preset {
        name: "Box blur",
        cells: [
            ["1/9", "1/9", "1/9"],
            ["1/9", "1/9", "1/9"],
            ["1/9", "1/9", "1/9"],
        ],
    },
    Preset {
        name: "Gaussian blur",
        cells: [
            ["1/16", "2/16", "1/16"],
            ["2/16", "4/16", "2/16"],
            ["1/16", "2/16", "1/16"],
        ],
    },
    Preset {
        name: "Sharpen",
        cells: [["0", "-1", "0"], ["-1", "5", "-1"], ["0", "-1", "0"]],
    },
    Preset {
        name: "Sobel x",
        cells: [["-1", "0", "1"], ["-2", "0", "2"], ["-1", "0", "1"]],
    },
    Preset {
        name: "Sobel y",
        cells: [["-1", "-2", "-1"], ["0", "0", "0"], ["1", "2", "1"]],
    },
    Preset {
        name: "Emboss",
        cells: [["-2", "-1", "0"], ["-1", "1", "1"], ["0", "1", "2"]],
    },
    Preset {
        name: "Laplacian",
        cells: [["0", "1", "0"], ["1", "-4", "1"], ["0", "1", "0"]],
    },
];

/// The preset whose cells (at their size) read exactly `cells`, if any.
pub fn matching_preset(cells: &CellTexts) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.cells_at(cells.len()) == *cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_students_type() {
        assert_eq!(parse_cell("-1"), Ok(-1.0));
        assert_eq!(parse_cell("−1"), Ok(-1.0));
        assert_eq!(parse_cell(" 8 "), Ok(8.0));
        assert_eq!(parse_cell("0,5"), Ok(0.5));
        assert_eq!(parse_cell(".25"), Ok(0.25));
        assert_eq!(parse_cell("2e-3"), Ok(0.002));
        assert_eq!(parse_cell("1/9"), Ok(1.0 / 9.0));
        assert_eq!(parse_cell("−2 / 16"), Ok(-0.125));
        assert_eq!(parse_cell("1e30"), Ok(1e30));
    }

    #[test]
    fn rejects_what_is_not_a_finite_float32() {
        assert_eq!(parse_cell(""), Err(CellError::Empty));
        assert_eq!(parse_cell("   "), Err(CellError::Empty));
        assert_eq!(parse_cell("abc"), Err(CellError::NotANumber("abc".into())));
        assert_eq!(parse_cell("inf"), Err(CellError::NotANumber("inf".into())));
        assert_eq!(parse_cell("NaN"), Err(CellError::NotANumber("NaN".into())));
        assert_eq!(parse_cell("1/"), Err(CellError::NotANumber("1/".into())));
        assert_eq!(
            parse_cell("1e400"),
            Err(CellError::TooLarge("1e400".into()))
        );
        assert_eq!(parse_cell("1e39"), Err(CellError::TooLarge("1e39".into())));
        assert_eq!(parse_cell("1/0"), Err(CellError::TooLarge("1/0".into())));
        assert_eq!(parse_cell("0/0"), Err(CellError::TooLarge("0/0".into())));
    }

    #[test]
    fn kernel_reports_the_first_bad_cell() {
        let mut cells = OUTLINE.cell_texts();
        cells[1][2] = "abc".into();
        let err = Kernel::parse(&cells).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Row 2, column 3 “abc” is not a number (try -1, 0.5, 1/9 or 2e-3)"
        );
    }

    #[test]
    fn kernel_that_could_overflow_is_refused() {
        let mut cells = OUTLINE.cell_texts();
        cells[0][0] = "3e38".into();
        cells[0][1] = "3e38".into();
        assert_eq!(Kernel::parse(&cells), Err(KernelError::Overflow));
        cells[0][1] = "0".into();
        assert!(Kernel::parse(&cells).is_ok());
    }

    #[test]
    fn a_new_size_keeps_the_centre_and_presets_grow() {
        let outline = OUTLINE.cell_texts();
        let grow = |cells: &CellTexts, size| resized(cells, size, "0".to_string());
        let five = grow(&outline, 5);
        assert_eq!(five[0], ["0", "0", "0", "0", "0"]);
        assert_eq!(five[2][1..4], ["-1", "8", "-1"]);
        assert_eq!(grow(&five, 3), outline, "shrinking keeps the middle");
        assert_eq!(grow(&grow(&five, 7), 5), five);
        let big = OUTLINE.cells_at(7);
        assert_eq!((big[3][3].as_str(), big[0][0].as_str()), ("48", "-1"));
        for size in KERNEL_SIZES {
            for preset in PRESETS {
                let kernel = Kernel::parse(&preset.cells_at(size)).expect(preset.name);
                assert_eq!(kernel.size(), size);
                let expected = match preset.name {
                    "Identity" | "Box blur" | "Gaussian blur" | "Sharpen" | "Emboss" => 1.0,
                    _ => 0.0,
                };
                assert!(
                    (kernel.sum() - expected).abs() < 1e-5,
                    "{} {size}",
                    preset.name
                );
                assert_eq!(matching_preset(&preset.cells_at(size)), Some(&preset));
            }
        }
        // The 5 × 5 Gaussian is the outer product of 1 4 6 4 1, over 256.
        assert_eq!(PRESETS[3].cells_at(5)[2][2], "36/256");
    }

    #[test]
    fn presets_parse_and_have_their_textbook_sums() {
        for preset in PRESETS {
            let kernel = Kernel::parse(&preset.cell_texts()).expect(preset.name);
            let expected = match preset.name {
                "Identity" | "Box blur" | "Gaussian blur" | "Sharpen" | "Emboss" => 1.0,
                _ => 0.0,
            };
            assert!((kernel.sum() - expected).abs() < 1e-6, "{}", preset.name);
        }
        assert_eq!(matching_preset(&OUTLINE.cell_texts()), Some(&OUTLINE));
    }
}
