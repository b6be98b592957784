//! From the bytes of an image file to the explorer's input: one grayscale float32 map, or
//! the three colour channels.
//!
//! Every file's header is checked here first ([`check`]): its format, its size against
//! decompression bombs, animation, CMYK, image data that is missing. PNG is then decoded here
//! with the `image` crate, exactly, alpha and 16-bit refusal included (the TensorFlow fixtures
//! are PNGs). JPEG, GIF, WebP and BMP are decoded by the browser (`app::browser_image`):
//! Chromium's JPEG decoder is libjpeg-turbo, as TensorFlow's is, and the app's wasm carries no
//! decoders for them (they were about 160 kB of it, gzipped). The picture is
//! kept as its decoded 8-bit RGBA pixels (4 bytes a pixel: a 50-megapixel photo as floats
//! would take three times that). Both conversions composite any alpha over white on the
//! 8-bit values and scale to [0, 1] by dividing by 255, never rounded: RGB keeps the three
//! channels, grayscale is ITU-R BT.601 luma, `0.299 R + 0.587 G + 0.114 B` (the `image`
//! crate's own luma uses other weights). Colour profiles and gamma are ignored, as
//! TensorFlow's `rgb_to_grayscale` ignores them.

use std::fmt;
use std::io::Cursor;
use std::ops::Range;

use image::codecs::png::PngDecoder;
use image::{ColorType, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbaImage};
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
    /// Decodes a PNG file, or says in words why it cannot (other formats are checked here
    /// and decoded by the browser).
    pub fn decode_png(name: String, bytes: &[u8]) -> Result<SourceImage, LoadError> {
        Ok(SourceImage {
            name,
            pixels: decode_png(bytes)?.into_rgba8(),
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

/// Decodes a PNG file into BT.601 grayscale in [0, 1], shape (height, width).
pub fn decode_grayscale(bytes: &[u8]) -> Result<Array2<f32>, LoadError> {
    decode_png(bytes).map(|image| to_grayscale(&image))
}

/// Decodes a PNG file into its red, green and blue channels, each `value / 255` in
/// [0, 1] after compositing any alpha over white: shape (3, height, width).
pub fn decode_rgb(bytes: &[u8]) -> Result<Array3<f32>, LoadError> {
    decode_png(bytes).map(|image| to_rgb(&image))
}

/// The image formats ConvLab reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    Gif,
    WebP,
    Bmp,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Gif => "GIF",
            Format::WebP => "WebP",
            Format::Bmp => "BMP",
        }
    }

    /// Whether the browser decodes files of this format; PNG is decoded here.
    pub fn decoded_by_browser(self) -> bool {
        self != Format::Png
    }
}

/// What an image file's header says, once every check of it has passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// Checks an image file before anything decodes it, or says in words why it cannot be
/// read: its size, format, pixel count (from the header alone, so a decompression bomb is
/// refused unread), animation, CMYK colours and a JPEG cut short before its image data.
pub fn check(bytes: &[u8]) -> Result<Header, LoadError> {
    check_file_size(bytes.len() as u64)?;
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => Format::Png,
        Ok(ImageFormat::Jpeg) => Format::Jpeg,
        Ok(ImageFormat::Gif) => Format::Gif,
        Ok(ImageFormat::WebP) => Format::WebP,
        Ok(ImageFormat::Bmp) => Format::Bmp,
        _ => return Err(LoadError::NotAnImage),
    };
    let (width, height) = match (header_dimensions(bytes, format), format) {
        (Some(dimensions), _) => dimensions,
        (None, Format::Png) => {
            let mut header = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
            header.no_limits();
            header.into_dimensions().map_err(decode_error)?
        }
        (None, _) => return Err(corrupt("its header is cut short or holds no image")),
    };
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(LoadError::TooManyPixels { width, height });
    }
    if width == 0 || height == 0 {
        return Err(corrupt("it has no pixels"));
    }
    refuse_animation(bytes, format)?;
    // A decoder would silently convert CMYK without its colour profile.
    if format == Format::Jpeg && jpeg_frame(bytes).is_some_and(|f| f.components == 4) {
        return Err(LoadError::Cmyk);
    }
    // JPEG decoders draw a file cut off before its first scan's data as a grey picture,
    // without an error.
    if format == Format::Jpeg && !jpeg_has_scan_data(bytes) {
        return Err(corrupt("the file ends before its image data"));
    }
    Ok(Header {
        format,
        width,
        height,
    })
}

/// Checks a PNG file and decodes it, or says in words why not.
fn decode_png(bytes: &[u8]) -> Result<DynamicImage, LoadError> {
    let header = check(bytes)?;
    if header.format != Format::Png {
        return Err(corrupt(format!(
            "it is a {}, which the browser decodes",
            header.format.name()
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
    reader.limits(limits());
    let decoder = reader.into_decoder().map_err(decode_error)?;
    if !matches!(
        decoder.color_type(),
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8
    ) {
        return Err(LoadError::HighBitDepth { format: "PNG" });
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

/// Animated GIF, APNG and animated WebP are refused: which frame would a student mean?
fn refuse_animation(bytes: &[u8], format: Format) -> Result<(), LoadError> {
    let animated = match format {
        Format::Gif => match gif_frames(bytes) {
            0 => return Err(corrupt("it holds no frame")),
            frames => frames > 1,
        },
        Format::Png => PngDecoder::new(Cursor::new(bytes))
            .map_err(decode_error)?
            .is_apng()
            .map_err(decode_error)?,
        Format::WebP => webp_header(bytes).is_some_and(|webp| webp.animated),
        Format::Jpeg | Format::Bmp => false,
    };
    if animated {
        Err(LoadError::Animated {
            format: format.name(),
        })
    } else {
        Ok(())
    }
}

/// Width and height as the file's header states them, read without a decoder; `None` when
/// the header is cut short (or, for WebP, holds no image).
fn header_dimensions(bytes: &[u8], format: Format) -> Option<(u32, u32)> {
    let be32 = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let le16 = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let le32 = |at: usize| Some(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    match format {
        // Signature (8), IHDR length and type (8), then width and height.
        Format::Png if bytes.get(12..16) == Some(b"IHDR") => Some((be32(16)?, be32(20)?)),
        Format::Png => None,
        // "GIF89a", then the logical screen's width and height.
        Format::Gif => Some((u32::from(le16(6)?), u32::from(le16(8)?))),
        // File header (14), then a BITMAPINFOHEADER's width and (signed) height, or an
        // OS/2 BITMAPCOREHEADER's 16-bit ones.
        Format::Bmp if le32(14)? == 12 => Some((u32::from(le16(18)?), u32::from(le16(20)?))),
        Format::Bmp if le32(14)? >= 40 => {
            Some((le32(18)?.unsigned_abs(), le32(22)?.unsigned_abs()))
        }
        Format::Bmp => None,
        Format::Jpeg => jpeg_frame(bytes).map(|frame| (frame.width, frame.height)),
        Format::WebP => webp_header(bytes).map(|webp| (webp.width, webp.height)),
    }
}

/// How many frames a GIF holds, counting to two at most: the image descriptors among its
/// blocks, up to its trailer or its end.
fn gif_frames(bytes: &[u8]) -> usize {
    // A colour table follows when the packed field's top bit is set: 3 · 2^(n + 1) bytes.
    let table = |packed: u8| {
        if packed & 0x80 != 0 {
            3 << ((packed & 7) + 1)
        } else {
            0
        }
    };
    // Data sub-blocks: a length byte and that many bytes, until a length of 0.
    let past_sub_blocks = |mut at: usize| loop {
        let length = usize::from(*bytes.get(at)?);
        at += 1 + length;
        if length == 0 {
            return Some(at);
        }
    };
    // Header (6) and logical screen descriptor (7), whose packed field is byte 10.
    let Some(&screen) = bytes.get(10) else {
        return 0;
    };
    let mut at = 13 + table(screen);
    let mut frames = 0;
    while frames < 2 {
        let next = match bytes.get(at) {
            // Extension: introducer, label, then its sub-blocks.
            Some(0x21) => past_sub_blocks(at + 2),
            // Image descriptor (10 bytes, packed field last), local colour table, LZW
            // minimum code size, then the image data's sub-blocks.
            Some(0x2C) => {
                frames += 1;
                bytes
                    .get(at + 9)
                    .and_then(|&packed| past_sub_blocks(at + 11 + table(packed)))
            }
            // The trailer (0x3B), or anything else: no more frames.
            _ => None,
        };
        match next {
            Some(next) => at = next,
            None => break,
        }
    }
    frames
}

/// What a WebP's header declares.
struct WebpHeader {
    width: u32,
    height: u32,
    animated: bool,
}

/// Reads a WebP's canvas size from its first chunk (`VP8 `, `VP8L` or the extended
/// format's `VP8X`); `None` when that chunk is cut short or the file has no image chunk.
fn webp_header(bytes: &[u8]) -> Option<WebpHeader> {
    let le16 = |data: &[u8], at: usize| -> Option<u32> {
        Some(u32::from(u16::from_le_bytes(
            data.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let le24 = |data: &[u8], at: usize| -> Option<u32> {
        let b = data.get(at..at + 3)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
    };
    // After "RIFF", the file size and "WEBP": chunks of a fourcc, a length and the data,
    // padded to an even length.
    let mut chunks = {
        let mut at = 12;
        std::iter::from_fn(move || {
            let kind = bytes.get(at..at + 4)?;
            let length = u32::from_le_bytes(bytes.get(at + 4..at + 8)?.try_into().ok()?);
            let length = usize::try_from(length).ok()?;
            let data = bytes.get(at + 8..(at + 8).checked_add(length)?)?;
            at += 8 + length + length % 2;
            Some((kind, data))
        })
    };
    let (kind, data) = chunks.next()?;
    match kind {
        // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit sizes.
        b"VP8 " if data.get(3..6) == Some(&[0x9D, 0x01, 0x2A]) => Some(WebpHeader {
            width: le16(data, 6)? & 0x3FFF,
            height: le16(data, 8)? & 0x3FFF,
            animated: false,
        }),
        // Lossless: the signature 0x2F, then width − 1 and height − 1 in 14 bits each.
        b"VP8L" if data.first() == Some(&0x2F) => {
            let bits = u32::from_le_bytes(data.get(1..5)?.try_into().ok()?);
            Some(WebpHeader {
                width: 1 + (bits & 0x3FFF),
                height: 1 + ((bits >> 14) & 0x3FFF),
                animated: false,
            })
        }
        // Extended: flags (animation is bit 1), 3 reserved bytes, then canvas width − 1
        // and height − 1 in 24 bits each; an image or animation chunk must follow.
        b"VP8X" => {
            let header = WebpHeader {
                width: 1 + le24(data, 4)?,
                height: 1 + le24(data, 7)?,
                animated: data.first()? & 0x02 != 0,
            };
            chunks
                .any(|(kind, data)| matches!(kind, b"VP8 " | b"VP8L" | b"ANMF") && !data.is_empty())
                .then_some(header)
        }
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
    fn every_format_s_header_is_checked_and_png_is_decoded_here() {
        for (format, ours) in [
            (ImageFormat::Png, Format::Png),
            (ImageFormat::Jpeg, Format::Jpeg),
            (ImageFormat::Gif, Format::Gif),
            (ImageFormat::WebP, Format::WebP),
            (ImageFormat::Bmp, Format::Bmp),
        ] {
            let header = check(&encode(&flat_grey(), format));
            let expected = Header {
                format: ours,
                width: 32,
                height: 24,
            };
            assert_eq!(header, Ok(expected), "{format:?}");
        }
        // BT.601 weights sum to 1, so grey 128 is 128 / 255.
        let gray = decode_grayscale(&encode(&flat_grey(), ImageFormat::Png)).expect("decodes");
        assert_eq!(gray.dim(), (24, 32));
        assert!(gray.iter().all(|&v| (v - 128.0 / 255.0).abs() < 1e-6));
        assert!(matches!(
            decode_grayscale(&encode(&flat_grey(), ImageFormat::Jpeg)),
            Err(LoadError::Corrupt { .. })
        ));
    }

    /// A GIF of 1 × 1 frames without colour tables, each one LZW sub-block.
    fn gif(frames: usize) -> Vec<u8> {
        let mut bytes = b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec();
        // A comment extension first: its sub-blocks are skipped.
        bytes.extend_from_slice(&[0x21, 0xFE, 3, b'h', b'i', b'!', 0]);
        for _ in 0..frames {
            bytes.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0]);
        }
        bytes.push(0x3B);
        bytes
    }

    #[test]
    fn gif_frames_are_counted_from_the_blocks() {
        let one = Header {
            format: Format::Gif,
            width: 1,
            height: 1,
        };
        assert_eq!(check(&gif(1)), Ok(one));
        assert_eq!(check(&gif(3)), Err(LoadError::Animated { format: "GIF" }));
        assert!(matches!(check(&gif(0)), Err(LoadError::Corrupt { .. })));
        // Cut inside the first frame's data: one frame so far, for the decoder to refuse.
        let cut = gif(1);
        assert_eq!(check(&cut[..cut.len() - 3]), Ok(one));
    }

    /// A WebP file of these chunks.
    fn webp(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        for (kind, data) in chunks {
            body.extend_from_slice(*kind);
            body.extend_from_slice(&(data.len() as u32).to_le_bytes());
            body.extend_from_slice(data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        [
            b"RIFF".as_slice(),
            &(body.len() as u32).to_le_bytes(),
            &body,
        ]
        .concat()
    }

    #[test]
    fn webp_headers_give_the_canvas_size_and_animation() {
        // Lossy: frame tag, start code, 14-bit width and height (top 2 bits are scaling).
        let lossy = [0, 0, 0, 0x9D, 0x01, 0x2A, 0x40, 0xC1, 0xF0, 0x00, 7];
        assert_eq!(
            check(&webp(&[(b"VP8 ", &lossy)])),
            Ok(Header {
                format: Format::WebP,
                width: 0x140,
                height: 0xF0,
            })
        );
        // Extended, 640 × 480, flags without and with animation.
        let extended = |flags: u8| [flags, 0, 0, 0, 0x7F, 0x02, 0, 0xDF, 0x01, 0];
        let still = webp(&[(b"VP8X", &extended(0)), (b"VP8 ", &lossy)]);
        assert_eq!(check(&still).map(|h| (h.width, h.height)), Ok((640, 480)));
        let animated = webp(&[
            (b"VP8X", &extended(0x02)),
            (b"ANIM", &[0; 6]),
            (b"ANMF", &[0; 16]),
        ]);
        assert_eq!(
            check(&animated),
            Err(LoadError::Animated { format: "WebP" })
        );
        // No image chunk after the extended header, or an empty one.
        for bad in [
            webp(&[(b"VP8X", &extended(0))]),
            webp(&[(b"VP8X", &extended(0)), (b"VP8 ", &[])]),
            webp(&[(b"VP8 ", &lossy[..5])]),
        ] {
            assert!(matches!(check(&bad), Err(LoadError::Corrupt { .. })));
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
            assert_eq!(check(cut), refused, "{} bytes", cut.len());
        }
    }
}
