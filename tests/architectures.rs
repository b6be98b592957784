//! The networks live training builds from its choices, against Keras's own account of the
//! same architectures (tests/fixtures/nn/architectures.json, made once by
//! tests/reference/make_architecture_fixtures.py): every layer's output shape and parameter
//! count, and the architecture Keras refuses refused here too.

mod common;

use convlab::common::geometry::Padding;
use convlab::training::state::{NetworkPooling, TrainingSettings};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    blocks: usize,
    filters: [usize; 3],
    kernel: usize,
    padding: String,
    pooling: String,
    hidden: usize,
    #[serde(default)]
    dropout: f32,
    shapes: Option<Vec<[usize; 3]>>,
    parameters: Option<Vec<usize>>,
    total: Option<usize>,
    error: Option<String>,
}

#[test]
fn every_architecture_has_the_shapes_and_parameters_keras_gives_it() {
    let text = std::fs::read_to_string(common::root().join("tests/fixtures/nn/architectures.json"))
        .expect("the fixtures");
    let fixtures: Fixtures = serde_json::from_str(&text).expect("JSON");
    assert!(fixtures.cases.len() >= 6);
    for case in &fixtures.cases {
        let settings = TrainingSettings {
            blocks: case.blocks,
            filters: case.filters,
            kernel_size: case.kernel,
            padding: Padding::from_name(&case.padding).expect("SAME or VALID"),
            pooling: match case.pooling.as_str() {
                "max" => NetworkPooling::Max,
                _ => NetworkPooling::Average,
            },
            hidden: case.hidden,
            dropout: case.dropout,
            ..TrainingSettings::default()
        };
        let what = format!(
            "{} blocks of {} {}×{}, {} pooling, hidden {}",
            case.blocks, case.padding, case.kernel, case.kernel, case.pooling, case.hidden
        );
        match (&case.error, settings.network().summary()) {
            (Some(_), Err(_)) => assert!(settings.network_problem().is_some(), "{what}"),
            (Some(keras), Ok(_)) => panic!("{what}: Keras refuses it ({keras}), ConvLab builds it"),
            (None, Err(e)) => panic!("{what}: Keras builds it, ConvLab refuses: {e}"),
            (None, Ok(summary)) => {
                let shapes: Vec<[usize; 3]> = summary
                    .iter()
                    .map(|l| [l.output.channels, l.output.height, l.output.width])
                    .collect();
                assert_eq!(Some(&shapes), case.shapes.as_ref(), "{what}: shapes");
                let parameters: Vec<usize> = summary.iter().map(|l| l.parameters).collect();
                assert_eq!(
                    Some(&parameters),
                    case.parameters.as_ref(),
                    "{what}: parameters"
                );
                assert_eq!(Some(parameters.iter().sum()), case.total, "{what}: total");
            }
        }
    }
}
