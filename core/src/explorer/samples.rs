//! The photographs offered as samples (public domain or CC0; see www/samples/README.md).
//! They are files beside the page (`samples/<file>`), fetched when chosen (the first at
//! start) and kept for offline use by the service worker: compiled in, they were 34–277 kB of
//! the app's wasm that no compression shrinks.

use super::source::SourceImage;

/// A sample image.
#[derive(Debug, Eq)]
pub struct Sample {
    /// Short name for the button.
    pub name: &'static str,
    pub file: &'static str,
}

pub const SAMPLES: [Sample; 4] = [
    Sample {
        name: "Cat",
        file: "chelsea.jpg",
    },
    Sample {
        name: "Coffee",
        file: "coffee.jpg",
    },
    Sample {
        name: "Astronaut",
        file: "astronaut.jpg",
    },
    Sample {
        name: "Camera",
        file: "camera.png",
    },
];

/// The sample the page opens with.
pub const DEFAULT: &Sample = &SAMPLES[0];

/// Samples are told apart by their file (not by comparing their bytes).
impl PartialEq for Sample {
    fn eq(&self, other: &Sample) -> bool {
        self.file == other.file
    }
}

impl Sample {
    /// Where the sample's file is, relative to the page.
    pub fn path(&self) -> String {
        format!("samples/{}", self.file)
    }

    /// The sample's file as the page serves it, read from the repository's www/ (for tests).
    #[cfg(any(test, feature = "test-support"))]
    fn served_bytes(&self) -> Vec<u8> {
        let path = format!("{}/../www/{}", env!("CARGO_MANIFEST_DIR"), self.path());
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The sample's picture, from the file the page serves, decoded by the `image` crate
    /// as the browser would (for tests; the `image` crate reads JPEG only in them).
    #[cfg(any(test, feature = "test-support"))]
    pub fn decode_from_repository(&self) -> SourceImage {
        let pixels = image::load_from_memory(&self.served_bytes())
            .expect("every sample decodes")
            .into_rgba8();
        SourceImage {
            name: self.file.into(),
            pixels,
        }
    }
}

/// The picture the explorer shows when not even the first sample can be fetched: shapes
/// with straight and curved edges on a gradient, drawn here.
pub fn test_card() -> SourceImage {
    const SIZE: u32 = 256;
    let pixels = image::RgbaImage::from_fn(SIZE, SIZE, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let in_square = (40..112).contains(&x) && (56..128).contains(&y);
        let in_disc = (fx - 176.0).powi(2) + (fy - 160.0).powi(2) < 48.0 * 48.0;
        let v = if in_square {
            30
        } else if in_disc {
            90
        } else {
            (150 + x * 100 / SIZE) as u8
        };
        image::Rgba([v, v, v, 255])
    });
    SourceImage {
        name: "test card".into(),
        pixels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explorer::source::check;

    #[test]
    fn every_sample_passes_the_checks_the_page_makes_and_decodes() {
        for sample in &SAMPLES {
            let header = check(&sample.served_bytes()).expect("checks");
            let source = sample.decode_from_repository();
            assert!(
                source.shape().0 >= 256 && source.shape().1 >= 256,
                "{}",
                sample.name
            );
            assert_eq!(
                (header.height as usize, header.width as usize),
                source.shape(),
                "{}",
                sample.name
            );
        }
    }

    #[test]
    fn the_test_card_has_edges() {
        let card = test_card();
        let values: std::collections::BTreeSet<u8> = card.pixels.pixels().map(|p| p[0]).collect();
        assert!(values.contains(&30) && values.contains(&90) && values.len() > 50);
    }
}
