//! The photographs bundled with the app (public domain or CC0; see www/samples/README.md).
//! They are compiled in, so the first screen never waits for the network.

use super::source::{LoadError, SourceImage};

/// A bundled sample image.
#[derive(Debug, Eq)]
pub struct Sample {
    /// Short name for the button.
    pub name: &'static str,
    pub file: &'static str,
    pub bytes: &'static [u8],
}

pub const SAMPLES: [Sample; 4] = [
    Sample {
        name: "Cat",
        file: "chelsea.jpg",
        bytes: include_bytes!("../../www/samples/chelsea.jpg"),
    },
    Sample {
        name: "Coffee",
        file: "coffee.jpg",
        bytes: include_bytes!("../../www/samples/coffee.jpg"),
    },
    Sample {
        name: "Astronaut",
        file: "astronaut.jpg",
        bytes: include_bytes!("../../www/samples/astronaut.jpg"),
    },
    Sample {
        name: "Camera",
        file: "camera.png",
        bytes: include_bytes!("../../www/samples/camera.png"),
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
    /// The sample's picture. Every bundled sample decodes (tested).
    pub fn decode(&self) -> Result<SourceImage, LoadError> {
        SourceImage::decode(self.file.into(), self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_decodes() {
        for sample in &SAMPLES {
            let source = sample.decode().expect("a bundled sample decodes");
            assert!(
                source.shape().0 >= 256 && source.shape().1 >= 256,
                "{}",
                sample.name
            );
        }
    }
}
