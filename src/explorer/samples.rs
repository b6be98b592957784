//! The photographs bundled with the app (public domain or CC0; see www/samples/README.md).
//! They are compiled in, so the first screen never waits for the network.

/// A bundled sample image.
#[derive(Debug, PartialEq, Eq)]
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
