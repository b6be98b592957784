//! Image files decoded by the browser: JPEG, GIF, WebP and BMP, once their header has passed
//! [`check`](crate::explorer::source::check). The browser's decoders are native code (in
//! Chromium, JPEG is libjpeg-turbo, as in TensorFlow) and cost the app's wasm nothing.
//!
//! The pixels are read as they are stored in the file: no colour management
//! (`colorSpaceConversion: "none"`, as TensorFlow ignores colour profiles) and straight
//! alpha (`premultiplyAlpha: "none"`). The browser applies a JPEG's EXIF orientation, so a
//! phone photo stands the right way up. A canvas keeps its pixels premultiplied, so a
//! partly transparent WebP or BMP pixel can read back half a level off (GIF transparency is
//! all or nothing); opaque pixels, all of a JPEG's, read back exactly. They are copied out
//! through a canvas of at most [`CANVAS_LIMITS`] at a time, since phones refuse larger
//! canvases, so a 50-megapixel photo still loads; a photo that fits (a 12-megapixel one
//! does) is read in one piece.

use image::RgbaImage;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, CanvasRenderingContext2d, ColorSpaceConversion, ContextAttributes2d, HtmlCanvasElement,
    ImageBitmap, ImageBitmapOptions, PremultiplyAlpha,
};

use crate::explorer::source::{Header, LoadError};

/// The largest canvas the pixels are copied through: Safari's limit on phones (4096²), and
/// its widest side (wider pictures are read in columns).
const CANVAS_LIMITS: CanvasLimits = CanvasLimits {
    pixels: 4096 * 4096,
    side: 8192,
};

#[derive(Clone, Copy)]
struct CanvasLimits {
    pixels: u32,
    side: u32,
}

fn undecodable(header: Header) -> LoadError {
    LoadError::Corrupt {
        detail: format!(
            "the browser could not decode this {}: it is truncated, corrupt or of a kind it \
             does not read",
            header.format.name()
        ),
    }
}

/// Decodes a checked image file with the browser's own decoder into 8-bit RGBA pixels, or
/// says in words why it cannot.
pub async fn decode(bytes: &[u8], header: Header) -> Result<RgbaImage, LoadError> {
    let failed = || undecodable(header);
    let bitmap = bitmap(bytes).await.ok_or_else(failed)?;
    let pixels = read_pixels(&bitmap, CANVAS_LIMITS);
    bitmap.close();
    pixels.ok_or_else(failed)
}

async fn bitmap(bytes: &[u8]) -> Option<ImageBitmap> {
    let blob = Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes))).ok()?;
    let options = ImageBitmapOptions::new();
    options.set_color_space_conversion(ColorSpaceConversion::None);
    options.set_premultiply_alpha(PremultiplyAlpha::None);
    let promise = web_sys::window()?
        .create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &options)
        .ok()?;
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}

/// Copies a bitmap's pixels out, in one piece if it fits a canvas, else one canvas-sized tile
/// at a time.
fn read_pixels(bitmap: &ImageBitmap, limits: CanvasLimits) -> Option<RgbaImage> {
    let (width, height) = (bitmap.width(), bitmap.height());
    let tile_w = width.min(limits.side);
    let tile_h = height.min((limits.pixels / tile_w).max(1));
    let canvas: HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(tile_w);
    canvas.set_height(tile_h);
    let attributes = ContextAttributes2d::new();
    attributes.set_will_read_frequently(true);
    let context: CanvasRenderingContext2d = canvas
        .get_context_with_context_options("2d", &attributes)
        .ok()??
        .dyn_into()
        .ok()?;
    let tile = |left: u32, top: u32| -> Option<Vec<u8>> {
        let (w, h) = (tile_w.min(width - left), tile_h.min(height - top));
        let (x, y, w, h) = (f64::from(left), f64::from(top), f64::from(w), f64::from(h));
        context.clear_rect(0.0, 0.0, w, h);
        context
            .draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                bitmap, x, y, w, h, 0.0, 0.0, w, h,
            )
            .ok()?;
        Some(context.get_image_data(0.0, 0.0, w, h).ok()?.data().0)
    };
    if (tile_w, tile_h) == (width, height) {
        return RgbaImage::from_raw(width, height, tile(0, 0)?);
    }
    let row_bytes = width as usize * 4;
    let mut pixels = vec![0; row_bytes * height as usize];
    for top in (0..height).step_by(tile_h as usize) {
        for left in (0..width).step_by(tile_w as usize) {
            let tile = tile(left, top)?;
            let w = tile_w.min(width - left);
            let tile_row = w as usize * 4;
            for (row, values) in tile.chunks_exact(tile_row).enumerate() {
                let start = (top as usize + row) * row_bytes + left as usize * 4;
                pixels[start..start + tile_row].copy_from_slice(values);
            }
        }
    }
    RgbaImage::from_raw(width, height, pixels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A picture read through canvases smaller than it, in tiles (columns and bands, the last
    /// ones cut short), is the picture read in one piece.
    #[wasm_bindgen_test]
    async fn tiles_put_together_are_the_whole_picture() {
        let photo = include_bytes!("../../tests/fixtures/explorer/photo.jpg");
        let bitmap = bitmap(photo).await.expect("the browser decodes it");
        let whole = read_pixels(&bitmap, CANVAS_LIMITS).expect("one piece");
        assert_eq!(whole.dimensions(), (61, 47));
        for (pixels, side) in [(16 * 10, 16), (61 * 5, 61), (7, 7)] {
            let tiled = read_pixels(&bitmap, CanvasLimits { pixels, side }).expect("tiles");
            assert!(
                tiled == whole,
                "tiles of at most {side} wide, {pixels} pixels"
            );
        }
    }
}
