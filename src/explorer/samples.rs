//! The photographs offered as samples (public domain or CC0; see www/samples/README.md).
//! The first is compiled in, so the first screen never waits for the network. The others
//! are files beside the page (`samples/<file>`), fetched when chosen and kept for offline use
//! by the service worker: compiled in, they were 277 kB of the app's wasm that no
//! compression shrinks.

use super::source::{LoadError, SourceImage};

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

/// The default sample's file, compiled in.
const DEFAULT_BYTES: &[u8] = include_bytes!("../../www/samples/chelsea.jpg");

/// Samples are told apart by their file (not by comparing their bytes).
impl PartialEq for Sample {
    fn eq(&self, other: &Sample) -> bool {
        self.file == other.file
    }
}

impl Sample {
    /// The sample's file when it is compiled in (the default's); the others are fetched
    /// from [`Sample::path`].
    pub fn bundled(&self) -> Option<&'static [u8]> {
        (self == DEFAULT).then_some(DEFAULT_BYTES)
    }

    /// Where the sample's file is, relative to the page.
    pub fn path(&self) -> String {
        format!("samples/{}", self.file)
    }

    /// The sample's picture from its file's bytes.
    pub fn decode(&self, bytes: &[u8]) -> Result<SourceImage, LoadError> {
        SourceImage::decode(self.file.into(), bytes)
    }

    /// The sample's file as the page serves it, read from the repository's www/ (for tests).
    #[cfg(test)]
    fn served_bytes(&self) -> Vec<u8> {
        let path = format!("{}/www/{}", env!("CARGO_MANIFEST_DIR"), self.path());
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The sample's picture, from the file the page serves (for tests).
    #[cfg(test)]
    pub fn decode_from_repository(&self) -> SourceImage {
        self.decode(&self.served_bytes())
            .expect("every sample decodes")
    }
}

/// The default sample's picture, which needs no network.
pub fn default_picture() -> SourceImage {
    DEFAULT
        .decode(DEFAULT_BYTES)
        .expect("the bundled sample decodes (tested)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_decodes() {
        for sample in &SAMPLES {
            let source = sample.decode_from_repository();
            assert!(
                source.shape().0 >= 256 && source.shape().1 >= 256,
                "{}",
                sample.name
            );
        }
    }

    #[test]
    fn only_the_default_is_compiled_in_and_it_is_the_file_served() {
        let served = DEFAULT.served_bytes();
        assert_eq!(DEFAULT.bundled(), Some(served.as_slice()));
        assert_eq!(default_picture(), DEFAULT.decode(&served).expect("decodes"));
        for sample in &SAMPLES[1..] {
            assert_eq!(sample.bundled(), None, "{}", sample.name);
        }
    }
}
