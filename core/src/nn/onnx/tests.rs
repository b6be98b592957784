use prost::Message;

use super::proto::{ModelProto, NodeProto};
use super::*;
use crate::nn::rng::Rng;

fn conv(filters: usize, kernel_size: usize, padding: Padding) -> LayerSpec {
    LayerSpec::Conv2d {
        filters,
        kernel_size,
        stride: 1,
        padding,
    }
}

const POOL: LayerSpec = LayerSpec::MaxPool {
    size: 2,
    stride: 2,
    padding: Padding::Valid,
};
const AVERAGE: LayerSpec = LayerSpec::AvgPool {
    size: 2,
    stride: 2,
    padding: Padding::Valid,
};

/// Networks of every kind the page can build, and a few it cannot (SAME pooling).
fn networks() -> Vec<NetworkSpec> {
    let spec = |layers: Vec<LayerSpec>| NetworkSpec {
        input: Shape::new(1, SIDE, SIDE),
        layers,
        init: Init::He,
    };
    vec![
        NetworkSpec::default_mnist(),
        spec(vec![
            conv(4, 5, Padding::Valid),
            LayerSpec::Tanh,
            AVERAGE,
            conv(8, 5, Padding::Valid),
            LayerSpec::Tanh,
            AVERAGE,
            LayerSpec::Flatten,
            LayerSpec::Dense { units: 32 },
            LayerSpec::Tanh,
            LayerSpec::Dense { units: 10 },
        ]),
        spec(vec![
            conv(2, 3, Padding::Same),
            LayerSpec::LeakyRelu { slope: 0.1 },
            POOL,
            conv(4, 3, Padding::Same),
            LayerSpec::Sigmoid,
            POOL,
            conv(8, 3, Padding::Same),
            LayerSpec::Relu,
            LayerSpec::MaxPool {
                size: 3,
                stride: 2,
                padding: Padding::Same,
            },
            LayerSpec::Flatten,
            LayerSpec::Dense { units: 10 },
        ]),
    ]
}

fn trained_like(spec: &NetworkSpec, seed: u64) -> Network {
    let mut network = Network::new(spec, seed).expect("builds");
    // Non-zero biases too, so that a bias read into the wrong place shows.
    let mut rng = Rng::new(seed + 100);
    for p in network.parameters_mut() {
        *p += (rng.normal() * 0.01) as f32;
    }
    network
}

const DIGITS: Provenance = Provenance {
    dataset: DatasetKind::Digits,
    samples: 12_345,
};

#[test]
fn every_network_comes_back_bit_for_bit() {
    for (i, spec) in networks().iter().enumerate() {
        let network = trained_like(spec, i as u64);
        let bytes = export(&network, DIGITS);
        let opened = open(&bytes).unwrap_or_else(|e| panic!("network {i}: {e}"));
        assert_eq!(&opened.network, spec, "network {i}");
        assert_eq!(opened.provenance, Some(DIGITS));
        let same_bits = opened
            .parameters
            .iter()
            .zip(network.parameters())
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(
            same_bits && opened.parameters.len() == network.parameter_count(),
            "network {i}"
        );
    }
}

#[test]
fn dropout_is_left_out_and_its_network_otherwise_kept() {
    let mut spec = NetworkSpec::default_mnist();
    let last = spec.layers.len() - 1;
    spec.layers.insert(last, LayerSpec::Dropout { rate: 0.5 });
    let network = trained_like(&spec, 3);
    let opened = open(&export(
        &network,
        Provenance {
            dataset: DatasetKind::Fashion,
            samples: 7,
        },
    ))
    .expect("opens");
    assert_eq!(opened.network, NetworkSpec::default_mnist());
    assert_eq!(opened.parameters, network.parameters());
    assert_eq!(
        opened.provenance.map(|p| p.dataset),
        Some(DatasetKind::Fashion)
    );
}

#[test]
fn the_graph_is_written_as_the_issue_asks() {
    let bytes = export(&trained_like(&networks()[1], 1), DIGITS);
    let model = ModelProto::decode(bytes.as_slice()).expect("decodes");
    assert_eq!(model.opset_import[0].version, Some(13));
    let graph = model.graph.expect("graph");
    let ops: Vec<&str> = graph
        .node
        .iter()
        .map(|n| n.op_type.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        ops,
        [
            "Conv",
            "Tanh",
            "AveragePool",
            "Conv",
            "Tanh",
            "AveragePool",
            "Flatten",
            "Gemm",
            "Tanh",
            "Gemm"
        ]
    );
    assert_eq!(graph.input[0].name.as_deref(), Some("image"));
    assert_eq!(graph.output[0].name.as_deref(), Some("logits"));
    assert_eq!(
        graph.node.last().map(|n| n.output.clone()),
        Some(vec!["logits".to_string()])
    );
    let weights = graph
        .initializer
        .iter()
        .find(|t| t.name.as_deref() == Some("conv1.weight"))
        .expect("conv1.weight");
    assert_eq!(weights.dims, [4, 1, 5, 5]);
}

/// The default network's model, decoded, for the refusal tests to spoil.
fn default_model() -> ModelProto {
    let bytes = export(&trained_like(&NetworkSpec::default_mnist(), 5), DIGITS);
    ModelProto::decode(bytes.as_slice()).expect("decodes")
}

fn refusal(model: &ModelProto) -> String {
    match open(&model.encode_to_vec()) {
        Ok(_) => panic!("opened a model that should be refused"),
        Err(e) => e.0,
    }
}

fn nodes(model: &mut ModelProto) -> &mut Vec<NodeProto> {
    &mut model.graph.as_mut().expect("graph").node
}

#[test]
fn other_operators_are_refused_by_name() {
    let mut model = default_model();
    nodes(&mut model)[1].op_type = Some("Softmax".into());
    let message = refusal(&model);
    assert!(message.contains("“Softmax”"), "{message}");
    assert!(message.contains("Conv, Relu"), "{message}");
}

#[test]
fn other_shapes_are_refused_in_words() {
    let mut model = default_model();
    let graph = model.graph.as_mut().expect("graph");
    let Some(type_proto::Value::TensorType(tensor)) = graph.input[0]
        .r#type
        .as_mut()
        .and_then(|t| t.value.as_mut())
    else {
        panic!("input type")
    };
    tensor.shape.as_mut().expect("shape").dim[2].value = Some(dimension::Value::DimValue(32));
    assert!(refusal(&model).contains("[N, 1, 28, 28]"));

    let mut model = default_model();
    let conv = &mut nodes(&mut model)[0];
    conv.attribute.retain(|a| a.name.as_deref() != Some("pads"));
    conv.attribute.push(ints_attribute("pads", &[0, 1, 2, 1]));
    assert!(refusal(&model).contains("neither VALID nor SAME"));

    let mut model = default_model();
    nodes(&mut model)[0]
        .attribute
        .push(ints_attribute("dilations", &[2, 2]));
    assert!(refusal(&model).contains("sets dilations"));

    let mut model = default_model();
    let weights = model
        .graph
        .as_mut()
        .expect("graph")
        .initializer
        .iter_mut()
        .find(|t| t.name.as_deref() == Some("conv2.weight"))
        .expect("conv2.weight");
    weights.raw_data = Some(f32::NAN.to_le_bytes().repeat(16 * 8 * 9));
    assert!(refusal(&model).contains("not all numbers"));
}

#[test]
fn a_graph_that_is_not_a_chain_is_refused() {
    let mut model = default_model();
    nodes(&mut model).swap(1, 2);
    assert!(refusal(&model).contains("not a chain"));
    let mut model = default_model();
    nodes(&mut model).pop();
    assert!(refusal(&model).contains("last layer"));
}

#[test]
fn garbage_empty_huge_and_truncated_files_are_refused() {
    assert_eq!(open(&[]).map(|_| ()), refuse("The file is empty."));
    let huge = vec![0u8; MAX_MODEL_BYTES + 1];
    assert!(open(&huge).is_err_and(|e| e.0.contains("at most 16 MB")));
    let text = b"\x89PNG\r\n\x1a\n this is a picture, not a model";
    assert!(open(text).is_err_and(|e| e.0.contains("not an ONNX model")));
    // Every prefix either is refused or, cut after the whole graph, reads as the network.
    let network = trained_like(&NetworkSpec::default_mnist(), 9);
    let bytes = export(&network, DIGITS);
    for cut in (0..bytes.len()).step_by(7) {
        if let Ok(opened) = open(&bytes[..cut]) {
            assert_eq!(opened.network, NetworkSpec::default_mnist(), "cut {cut}");
            assert_eq!(opened.parameters, network.parameters(), "cut {cut}");
        }
    }
}

#[test]
fn names_from_the_file_are_made_printable_and_short() {
    let mut model = default_model();
    nodes(&mut model)[1].op_type = Some(format!("Evil\u{202e}\n{}", "x".repeat(100)));
    let message = refusal(&model);
    assert!(!message.contains('\n') && !message.contains('\u{202e}'));
    assert!(message.contains('…') && message.len() < 300, "{message}");
}
