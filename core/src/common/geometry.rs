//! Output sizes and zero padding, exactly as TensorFlow's `tf.nn.conv2d` and
//! `tf.nn.max_pool2d` define them.
//!
//! For a window of size `f` moved with stride `s` over `n` input cells:
//! - `VALID`: no padding, `out = floor((n − f) / s) + 1` (zero when `f > n`).
//! - `SAME`: `out = ceil(n / s)`; the total padding `max((out − 1)·s + f − n, 0)` is
//!   split with the smaller half before the data and the larger half after it.
//!
//! Both are instances of the textbook formula `(n + p_before + p_after − f) / s + 1`
//! (rounded down), which [`Axis::formula`] spells out with the current numbers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a window treats the border: TensorFlow's two padding modes, serialised under
/// TensorFlow's names (`"SAME"`, `"VALID"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Padding {
    /// Pad with zeros so that `out = ceil(n / s)`.
    #[default]
    Same,
    /// No padding: the window only visits positions where it fits entirely.
    Valid,
}

impl Padding {
    pub const ALL: [Padding; 2] = [Padding::Same, Padding::Valid];

    /// The name TensorFlow uses (`SAME` / `VALID`), which the page shows too.
    pub fn name(self) -> &'static str {
        match self {
            Padding::Same => "SAME",
            Padding::Valid => "VALID",
        }
    }

    /// The inverse of [`Padding::name`].
    pub fn from_name(name: &str) -> Option<Padding> {
        Padding::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Padding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One spatial axis of a sliding-window operation: its input length, window, stride,
/// padding and the resulting output length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Axis {
    pub input: usize,
    pub window: usize,
    pub stride: usize,
    pub pad_before: usize,
    pub pad_after: usize,
    pub output: usize,
    pub padding: Padding,
}

impl Axis {
    /// Computes the output length and padding of one axis. `window` and `stride` must be
    /// at least 1; an output length of 0 means the window does not fit (VALID only).
    pub fn new(input: usize, window: usize, stride: usize, padding: Padding) -> Axis {
        assert!(
            window >= 1 && stride >= 1,
            "window and stride must be at least 1"
        );
        let (output, pad_total) = match padding {
            Padding::Valid => {
                let output = if window > input {
                    0
                } else {
                    (input - window) / stride + 1
                };
                (output, 0)
            }
            Padding::Same => {
                let output = input.div_ceil(stride);
                let needed = output.saturating_sub(1) * stride + window;
                (output, needed.saturating_sub(input))
            }
        };
        Axis {
            input,
            window,
            stride,
            pad_before: pad_total / 2,
            pad_after: pad_total - pad_total / 2,
            output,
            padding,
        }
    }

    /// The padding as the single `p` of `(n + 2p − f) / s + 1` when it is symmetric,
    /// or `None` when SAME puts one more zero after the data than before it.
    pub fn symmetric_pad(&self) -> Option<usize> {
        (self.pad_before == self.pad_after).then_some(self.pad_before)
    }

    /// The textbook formula with this axis' numbers, e.g.
    /// `(300 + 2·1 − 3) / 1 + 1 = 300` or, for asymmetric SAME padding,
    /// `(301 + 0 + 1 − 2) / 2 + 1 = 151`; SAME also shows its rule `ceil(n / s)`.
    pub fn formula(&self) -> String {
        let Axis {
            input: n,
            window: f,
            stride: s,
            output,
            ..
        } = *self;
        let padded = match self.symmetric_pad() {
            Some(p) => format!("({n} + 2·{p} − {f})"),
            None => format!("({n} + {} + {} − {f})", self.pad_before, self.pad_after),
        };
        let textbook = if output == 0 {
            format!("{padded} / {s} + 1 < 1 → no output")
        } else {
            format!("⌊{padded} / {s}⌋ + 1 = {output}")
        };
        match self.padding {
            Padding::Same => format!("{textbook}; SAME: ⌈{n} / {s}⌉ = {output}"),
            Padding::Valid => textbook,
        }
    }
}

/// A sliding window's geometry on both axes: one [`Axis`] for rows, one for columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub rows: Axis,
    pub cols: Axis,
}

impl Window {
    /// A `window.0 × window.1` window moved with `stride` over an `input.0 × input.1` map.
    pub fn new(
        input: (usize, usize),
        window: (usize, usize),
        stride: usize,
        padding: Padding,
    ) -> Window {
        Window {
            rows: Axis::new(input.0, window.0, stride, padding),
            cols: Axis::new(input.1, window.1, stride, padding),
        }
    }

    /// Output shape `(height, width)`.
    pub fn output_shape(&self) -> (usize, usize) {
        (self.rows.output, self.cols.output)
    }

    /// Output cells per map.
    pub fn outputs(&self) -> usize {
        self.rows.output * self.cols.output
    }

    /// True when the window does not fit (VALID on a map smaller than the window).
    pub fn is_empty(&self) -> bool {
        self.outputs() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_matches_floor_formula() {
        let a = Axis::new(7, 3, 2, Padding::Valid);
        assert_eq!((a.output, a.pad_before, a.pad_after), (3, 0, 0));
        assert_eq!(Axis::new(2, 3, 1, Padding::Valid).output, 0);
        assert_eq!(Axis::new(3, 3, 1, Padding::Valid).output, 1);
    }

    #[test]
    fn same_puts_the_extra_zero_after() {
        // TensorFlow: n = 7, f = 2, s = 2 → out 4, pad total 1: 0 before, 1 after.
        let a = Axis::new(7, 2, 2, Padding::Same);
        assert_eq!((a.output, a.pad_before, a.pad_after), (4, 0, 1));
        // n = 6, f = 3, s = 2 → out 3, pad total 1.
        let b = Axis::new(6, 3, 2, Padding::Same);
        assert_eq!((b.output, b.pad_before, b.pad_after), (3, 0, 1));
        // n = 5, f = 3, s = 1 → pad 1 each side.
        let c = Axis::new(5, 3, 1, Padding::Same);
        assert_eq!((c.output, c.pad_before, c.pad_after), (5, 1, 1));
    }

    #[test]
    fn formula_shows_the_numbers() {
        assert_eq!(
            Axis::new(300, 3, 1, Padding::Same).formula(),
            "⌊(300 + 2·1 − 3) / 1⌋ + 1 = 300; SAME: ⌈300 / 1⌉ = 300"
        );
        assert_eq!(
            Axis::new(301, 2, 2, Padding::Valid).formula(),
            "⌊(301 + 2·0 − 2) / 2⌋ + 1 = 150"
        );
        assert_eq!(
            Axis::new(301, 2, 2, Padding::Same).formula(),
            "⌊(301 + 0 + 1 − 2) / 2⌋ + 1 = 151; SAME: ⌈301 / 2⌉ = 151"
        );
        assert_eq!(
            Axis::new(2, 3, 1, Padding::Valid).formula(),
            "(2 + 2·0 − 3) / 1 + 1 < 1 → no output"
        );
    }

    #[test]
    fn names_round_trip() {
        for p in Padding::ALL {
            assert_eq!(Padding::from_name(p.name()), Some(p));
        }
        assert_eq!(Padding::from_name("same"), None);
    }
}
