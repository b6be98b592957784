//! From the bytes of an image file to the explorer's input: one grayscale float32 map, or
//! the three colour channels.
//!
//! Decoding uses the `image` crate with limits against decompression bombs. The picture is
//! kept as its decoded 8-bit RGBA pixels (4 bytes a pixel: a 50-megapixel photo as floats
//! would take three times that). Both conversions composite any alpha over white on the
//! 8-bit values and scale to [0, 1] by dividing by 255, never rounded: RGB keeps the three
//! channels, grayscale is ITU-R BT.601 luma, `0.299 R + 0.587 G + 0.114 B` (the `image`
//! crate's own luma uses other weights). Colour profiles and gamma are ignored, as
//! TensorFlow's `rgb_to_grayscale` ignores them.

use std::fmt;
use std::io::Cursor;
use std::ops::Range;

use image::codecs::gif::GifDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::{
    AnimationDecoder, ColorType, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits,
    RgbaImage,
};
use ndarray::{Array2, Array3, Axis};

use super::layer::Channels;
use crate::common::resize::fit;

/// A picture the explorer works on: its name and full-resolution 8-bit RGBA pixels.
#[derive(Debug, PartialEq)]
pub struct SourceImage {
    pub name: String,
    pub pixels: RgbaImage,
}

impl SourceImage {
    /// Decodes an image file, or says in words why it cannot.
    pub fn decode(name: String, bytes: &[u8]) -> Result<SourceImage, LoadError> {
        Ok(SourceImage {
            name,
            pixels: decode(bytes)?.into_rgba8(),
        })
    }

    /// A gray test picture whose pixel `(i, j)` is `value(i, j)` in every channel.
    #[cfg(test)]
    pub fn pattern(h: usize, w: usize, value: impl Fn(usize, usize) -> u8) -> SourceImage {
        SourceImage {
            name: "pattern".into(),
            pixels: RgbaImage::from_fn(w as u32, h as u32, |x, y| {
                let v = value(y as usize, x as usize);
                image::Rgba([v, v, v, 255])
            }),
        }
    }

    /// `(height, width)` in pixels.
    pub fn shape(&self) -> (usize, usize) {
        (self.pixels.height() as usize, self.pixels.width() as usize)
    }

    /// The layer's input: the chosen channels, each fitted to `working_size` by area
    /// averaging, `(C, H, W)`. One full-resolution plane at a time is converted to floats.
    pub fn fitted(&self, channels: Channels, working_size: usize) -> Array3<f32> {
        let (h, w) = self.shape();
        let plane = |value: &dyn Fn(&image::Rgba<u8>) -> f32| {
            let values = self.pixels.pixels().map(value).collect();
            let full = Array2::from_shape_vec((h, w), values).expect("one value per pixel");
            fit(full.view(), working_size)
        };
        let planes: Vec<Array2<f32>> = match channels {
            Channels::Grayscale => vec![plane(&|p| {
                luma_f32(
                    over_white(p[0], p[3]),
                    over_white(p[1], p[3]),
                    over_white(p[2], p[3]),
                )
            })],
            Channels::Rgb => (0..3)
                .map(|c| plane(&|p: &image::Rgba<u8>| over_white(p[c], p[3]) / 255.0))
                .collect(),
        };
        let views: Vec<_> = planes.iter().map(|p| p.view()).collect();
        ndarray::stack(Axis(0), &views).expect("the planes share one shape")
    }
}

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Images with more pixels than this are refused before they are decoded.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The decoder may allocate at most this much (a 50-megapixel RGBA image and change).
const MAX_DECODER_ALLOC: u64 = 512 * 1024 * 1024;

/// Why a file could not become the explorer's input. Every variant reads as a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    Empty,
    FileTooLarge { bytes: u64 },
    NotAnImage,
    TooManyPixels { width: u32, height: u32 },
    Animated { format: &'static str },
    HighBitDepth { format: &'static str },
    Cmyk,
    OverMemoryLimit,
    Corrupt { detail: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Empty => write!(f, "The file is empty (0 bytes): there is no image in it."),
            LoadError::FileTooLarge { bytes } => write!(
                f,
                "The file is {:.0} MB; ConvLab reads image files of up to {} MB.",
                *bytes as f64 / 1e6,
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            LoadError::NotAnImage => write!(
                f,
                "This file is not an image ConvLab can read: use a PNG, JPEG, GIF, WebP or BMP file."
            ),
            LoadError::TooManyPixels { width, height } => write!(
                f,
                "The image is {width} × {height} pixels ({:.0} megapixels); ConvLab reads images \
                 of up to {} megapixels.",
                f64::from(*width) * f64::from(*height) / 1e6,
                MAX_PIXELS / 1_000_000
            ),
            LoadError::Animated { format } => write!(
                f,
                "This is an animated {format}; ConvLab works on still images: save one frame as \
                 a PNG or JPEG and load that."
            ),
            LoadError::HighBitDepth { format } => write!(
                f,
                "This {format} has 16 bits per channel; ConvLab reads 8-bit images: save it as an \
                 8-bit PNG or a JPEG."
            ),
            LoadError::Cmyk => write!(
                f,
                "This JPEG uses CMYK (print) colours; ConvLab reads RGB and grayscale images: \
                 save it as an RGB JPEG or PNG."
            ),
            LoadError::OverMemoryLimit => write!(
                f,
                "Decoding this image would need more than the {} MB of memory ConvLab allows \
                 for one image: save a smaller version of it.",
                MAX_DECODER_ALLOC / (1024 * 1024)
            ),
            LoadError::Corrupt { detail } => write!(
                f,
                "The image data is truncated or corrupt, so it cannot be decoded ({detail})."
            ),
        }
    }
}

impl std::error::Error for LoadError {}

fn corrupt(error: impl fmt::Display) -> LoadError {
    LoadError::Corrupt {
        detail: error.to_string(),
    }
}

/// A decoder's error: a limit it hit is not corruption.
fn decode_error(error: image::ImageError) -> LoadError {
    match error {
        image::ImageError::Limits(_) => LoadError::OverMemoryLimit,
        other => corrupt(other),
    }
}

/// Refuses a file by its size alone, before reading it.
pub fn check_file_size(bytes: u64) -> Result<(), LoadError> {
    match bytes {
        0 => Err(LoadError::Empty),
        b if b > MAX_FILE_BYTES => Err(LoadError::FileTooLarge { bytes: b }),
        _ => Ok(()),
    }
}

/// Decodes an image file into BT.601 grayscale in [0, 1], shape (height, width).
pub fn decode_grayscale(bytes: &[u8]) -> Result<Array2<f32>, LoadError> {
    decode(bytes).map(|image| to_grayscale(&image))
}

/// Decodes an image file into its red, green and blue channels, each `value / 255` in
/// [0, 1] after compositing any alpha over white: shape (3, height, width).
pub fn decode_rgb(bytes: &[u8]) -> Result<Array3<f32>, LoadError> {
    decode(bytes).map(|image| to_rgb(&image))
}

/// Checks an image file and decodes it, or says in words why not.
fn decode(bytes: &[u8]) -> Result<DynamicImage, LoadError> {
    check_file_size(bytes.len() as u64)?;
    let format = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(corrupt)?
        .format()
        .filter(|f| {
            matches!(
                f,
                ImageFormat::Png
                    | ImageFormat::Jpeg
                    | ImageFormat::Gif
                    | ImageFormat::WebP
                    | ImageFormat::Bmp
            )
        })
        .ok_or(LoadError::NotAnImage)?;
    // The header alone tells the size: refuse a decompression bomb before any decoder
    // sees it (in 32-bit wasm, some decoders fail on huge sizes before saying why).
    let (width, height) = match header_dimensions(bytes, format) {
        Some(dimensions) => dimensions,
        None => {
            let mut header = ImageReader::with_format(Cursor::new(bytes), format);
            header.no_limits();
            header.into_dimensions().map_err(decode_error)?
        }
    };
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(LoadError::TooManyPixels { width, height });
    }
    if width == 0 || height == 0 {
        return Err(corrupt("it has no pixels"));
    }
    refuse_animation(bytes, format)?;
    // The decoder would silently convert CMYK without its colour profile.
    if format == ImageFormat::Jpeg && jpeg_frame(bytes).is_some_and(|f| f.components == 4) {
        return Err(LoadError::Cmyk);
    }
    // The JPEG decoder draws a file cut off before its first scan's data as a grey picture,
    // without an error. (The PNG, GIF and WebP decoders refuse their versions of this file.)
    if format == ImageFormat::Jpeg && !jpeg_has_scan_data(bytes) {
        return Err(corrupt("the file ends before its image data"));
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let decoder = reader.into_decoder().map_err(decode_error)?;
    if !matches!(
        decoder.color_type(),
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8
    ) {
        return Err(LoadError::HighBitDepth {
            format: format_name(format),
        });
    }
    DynamicImage::from_decoder(decoder).map_err(decode_error)
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(65_535);
    limits.max_image_height = Some(65_535);
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    limits
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Gif => "GIF",
        ImageFormat::WebP => "WebP",
        _ => "BMP",
    }
}

/// Animated GIF, APNG and animated WebP are refused: which frame would a student mean?
fn refuse_animation(bytes: &[u8], format: ImageFormat) -> Result<(), LoadError> {
    let animated = match format {
        ImageFormat::Gif => {
            let decoder = GifDecoder::new(Cursor::new(bytes)).map_err(decode_error)?;
            decoder.into_frames().take(2).count() > 1
        }
        ImageFormat::Png => PngDecoder::new(Cursor::new(bytes))
            .map_err(decode_error)?
            .is_apng()
            .map_err(decode_error)?,
        ImageFormat::WebP => WebPDecoder::new(Cursor::new(bytes))
            .map_err(decode_error)?
            .has_animation(),
        _ => false,
    };
    if animated {
        Err(LoadError::Animated {
            format: format_name(format),
        })
    } else {
        Ok(())
    }
}

/// Width and height as the file's header states them, read without a decoder, for the
/// formats whose header is simple to read (WebP is left to its decoder).
fn header_dimensions(bytes: &[u8], format: ImageFormat) -> Option<(u32, u32)> {
    let be32 = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let le16 = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let le32 = |at: usize| Some(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    match format {
        // Signature (8), IHDR length and type (8), then width and height.
        ImageFormat::Png if bytes.get(12..16) == Some(b"IHDR") => Some((be32(16)?, be32(20)?)),
        // "GIF89a", then the logical screen's width and height.
        ImageFormat::Gif => Some((u32::from(le16(6)?), u32::from(le16(8)?))),
        // File header (14), then a BITMAPINFOHEADER's width and (signed) height.
        ImageFormat::Bmp if le32(14)? >= 40 => {
            Some((le32(18)?.unsigned_abs(), le32(22)?.unsigned_abs()))
        }
        ImageFormat::Jpeg => jpeg_frame(bytes).map(|frame| (frame.width, frame.height)),
        _ => None,
    }
}

/// What a JPEG's frame header declares.
struct JpegFrame {
    width: u32,
    height: u32,
    /// 4 for CMYK and YCCK.
    components: u8,
}

const START_OF_SCAN: u8 = 0xDA;

/// The marker segments of a JPEG up to its first scan, each as its marker and where it
/// starts and ends in `bytes`; the start-of-scan segment (only its header) comes last.
fn jpeg_segments(bytes: &[u8]) -> impl Iterator<Item = (u8, Range<usize>)> + '_ {
    let mut i = 2; // past the start-of-image marker
    let mut scan_reached = false;
    std::iter::from_fn(move || {
        while !scan_reached && i + 4 <= bytes.len() && bytes[i] == 0xFF {
            let marker = bytes[i + 1];
            if marker == 0xFF {
                i += 1; // fill byte
                continue;
            }
            let start = i;
            i += 2 + usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
            scan_reached = marker == START_OF_SCAN;
            return Some((marker, start..i));
        }
        None
    })
}

/// Finds a JPEG's frame header among the marker segments that precede its first scan.
fn jpeg_frame(bytes: &[u8]) -> Option<JpegFrame> {
    // Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC).
    let (_, segment) = jpeg_segments(bytes).find(|(marker, _)| {
        (0xC0..=0xCF).contains(marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
    })?;
    // FF Cn, length (2), precision (1), height (2), width (2), components (1).
    let frame = bytes.get(segment.start + 5..segment.start + 10)?;
    Some(JpegFrame {
        height: u32::from(u16::from_be_bytes([frame[0], frame[1]])),
        width: u32::from(u16::from_be_bytes([frame[2], frame[3]])),
        components: frame[4],
    })
}

/// Whether a JPEG's first scan holds any data: its header is followed by at least one byte
/// of entropy-coded data rather than by the file's end or another marker.
fn jpeg_has_scan_data(bytes: &[u8]) -> bool {
    let Some((_, scan)) = jpeg_segments(bytes).find(|(marker, _)| *marker == START_OF_SCAN) else {
        return false;
    };
    // In entropy-coded data a 0xFF byte is followed by 0x00; otherwise it starts a marker.
    match bytes.get(scan.end..) {
        Some([0xFF, 0x00, ..]) => true,
        Some([0xFF, ..]) | Some([]) | None => false,
        Some([_, ..]) => true,
    }
}

/// BT.601 luma of 8-bit values, alpha composited over white, divided by 255.
fn to_grayscale(image: &DynamicImage) -> Array2<f32> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let values: Vec<f32> = match image {
        DynamicImage::ImageLuma8(buf) => buf.pixels().map(|p| f32::from(p[0]) / 255.0).collect(),
        DynamicImage::ImageLumaA8(buf) => buf
            .pixels()
            .map(|p| over_white(p[0], p[1]) / 255.0)
            .collect(),
        DynamicImage::ImageRgb8(buf) => buf.pixels().map(|p| luma(p[0], p[1], p[2])).collect(),
        other => other
            .to_rgba8()
            .pixels()
            .map(|p| {
                luma_f32(
                    over_white(p[0], p[3]),
                    over_white(p[1], p[3]),
                    over_white(p[2], p[3]),
                )
            })
            .collect(),
    };
    Array2::from_shape_vec((h, w), values).expect("one value per pixel")
}

/// The three channels, alpha composited over white, each divided by 255: (3, h, w).
fn to_rgb(image: &DynamicImage) -> Array3<f32> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let rgba = image.to_rgba8();
    let mut channels = Array3::<f32>::zeros((3, h, w));
    for (i, p) in rgba.pixels().enumerate() {
        for c in 0..3 {
            channels[[c, i / w, i % w]] = over_white(p[c], p[3]) / 255.0;
        }
    }
    channels
}

fn over_white(value: u8, alpha: u8) -> f32 {
    let a = f32::from(alpha) / 255.0;
    f32::from(value) * a + 255.0 * (1.0 - a)
}

fn luma(r: u8, g: u8, b: u8) -> f32 {
    luma_f32(f32::from(r), f32::from(g), f32::from(b))
}

fn luma_f32(r: f32, g: f32, b: f32) -> f32 {
    (0.299 * r + 0.587 * g + 0.114 * b) / 255.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .expect("encode");
        bytes
    }

    fn png(image: DynamicImage) -> Vec<u8> {
        encode(&image, ImageFormat::Png)
    }

    fn flat_grey() -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_pixel(32, 24, image::Rgb([128; 3])))
    }

    #[test]
    fn alpha_is_composited_over_white() {
        let mut img = image::RgbaImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        img.put_pixel(1, 0, image::Rgba([0, 0, 0, 255]));
        let gray = decode_grayscale(&png(DynamicImage::ImageRgba8(img))).expect("decodes");
        assert!((gray[[0, 0]] - 1.0).abs() < 1e-6);
        assert_eq!(gray[[0, 1]], 0.0);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert_eq!(decode_grayscale(&[]), Err(LoadError::Empty));
        assert_eq!(
            decode_grayscale(b"hello, this is text"),
            Err(LoadError::NotAnImage)
        );
        let bytes = png(DynamicImage::new_rgb8(64, 64));
        assert!(matches!(
            decode_grayscale(&bytes[..bytes.len() / 2]),
            Err(LoadError::Corrupt { .. })
        ));
        let sixteen = png(DynamicImage::new_rgb16(4, 4));
        assert_eq!(
            decode_grayscale(&sixteen),
            Err(LoadError::HighBitDepth { format: "PNG" })
        );
    }

    #[test]
    fn a_uniform_grey_image_loads_in_every_format() {
        // BT.601 weights sum to 1, so grey 128 is 128 / 255 whatever the format.
        for format in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::Gif,
            ImageFormat::WebP,
            ImageFormat::Bmp,
        ] {
            let gray = decode_grayscale(&encode(&flat_grey(), format))
                .unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!(gray.dim(), (24, 32), "{format:?}");
            assert!(
                gray.iter()
                    .all(|&v| (v - 128.0 / 255.0).abs() <= 1.0 / 255.0),
                "{format:?}"
            );
        }
    }

    #[test]
    fn a_jpeg_cut_before_its_image_data_is_refused() {
        // A flat grey JPEG: cut short, the decoder would draw a grey picture like it.
        let jpeg = encode(&flat_grey(), ImageFormat::Jpeg);
        let scan = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xDA])
            .expect("a start-of-scan marker");
        let header_end =
            scan + 2 + usize::from(u16::from_be_bytes([jpeg[scan + 2], jpeg[scan + 3]]));
        let refused = Err(LoadError::Corrupt {
            detail: "the file ends before its image data".into(),
        });
        let with_end_marker = [&jpeg[..header_end], &[0xFF, 0xD9]].concat();
        // Cut after the scan's header (which the decoder draws as grey) or before it (which
        // it refuses, but with a less readable reason).
        for cut in [&jpeg[..header_end], &with_end_marker, &jpeg[..scan]] {
            assert_eq!(decode_grayscale(cut), refused, "{} bytes", cut.len());
        }
    }
}
