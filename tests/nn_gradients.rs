//! Finite-difference checks of every layer's input and parameter gradients, and of a whole
//! network's, against the analytical backward pass: odd sizes, stride 1, 2 and 3, VALID and
//! SAME padding.
//!
//! Central differences `(J(θ + ε) − J(θ − ε)) / 2ε` with ε = 10⁻², summed in float64 from the
//! float32 forward pass. Inputs of the piecewise-linear layers (ReLU, max pooling) are
//! spaced 0.05 apart and keep 0.025 away from 0, so no perturbation crosses a kink or
//! changes which cell wins a window.

use convlab::common::geometry::Padding;
use convlab::nn::rng::Rng;
use convlab::nn::{LayerSpec, Network, NetworkSpec, Shape};
use ndarray::{Array4, ArrayView4};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const EPS: f32 = 1e-2;

/// `n` distinct values 0.05 apart, none closer than 0.025 to zero, in a random order.
fn spaced_values(n: usize, rng: &mut Rng) -> Vec<f32> {
    let mut v: Vec<f32> = (0..n)
        .map(|i| (i as f32 - n as f32 / 2.0 + 0.5) * 0.05)
        .collect();
    rng.shuffle(&mut v);
    v
}

fn normal(n: usize, rng: &mut Rng) -> Vec<f32> {
    (0..n).map(|_| rng.normal() as f32).collect()
}

/// `Σ probe · output` in float64.
fn objective(net: &mut Network, input: ArrayView4<f32>, probe: &Array4<f32>) -> f64 {
    net.forward(input).expect("forward");
    let out = net
        .activation(net.output_shapes().len() - 1)
        .expect("an output");
    out.iter()
        .zip(probe.iter())
        .map(|(&y, &r)| f64::from(y) * f64::from(r))
        .sum()
}

/// Asserts numerical and analytical gradients agree: each difference must be within 1 %
/// of the larger of the two, plus a floor for near-zero entries: 1 % of the largest
/// gradient, or the rounding noise of a float32 objective of size `magnitude` divided by
/// 2ε, whichever is larger.
fn assert_gradients(what: &str, numerical: &[f64], analytical: &[f32], magnitude: f64) {
    assert_eq!(numerical.len(), analytical.len());
    let scale = analytical
        .iter()
        .fold(0.0f64, |m, &g| m.max(f64::from(g).abs()));
    assert!(scale > 0.0, "{what}: all gradients are zero");
    let noise = 8.0 * f64::from(f32::EPSILON) * magnitude / (2.0 * f64::from(EPS));
    let floor = (0.01 * scale).max(noise);
    for (i, (&num, &ana)) in numerical.iter().zip(analytical).enumerate() {
        let ana = f64::from(ana);
        let allowed = 0.01 * num.abs().max(ana.abs()) + floor;
        assert!(
            (num - ana).abs() <= allowed,
            "{what}[{i}]: numerical {num:e}, analytical {ana:e} (allowed difference {allowed:e})"
        );
    }
}

/// Backpropagates `probe` from the last forward pass: the gradients with respect to the
/// input and to every parameter.
fn analytical(net: &mut Network, probe: &Array4<f32>) -> (Vec<f32>, Vec<f32>) {
    let input = net
        .backward(probe.view())
        .expect("backward")
        .iter()
        .copied()
        .collect();
    (input, net.gradients().to_vec())
}

/// `Σ |probe · output|`: the size of the objective's rounding error, in float32 units.
fn magnitude(net: &Network, probe: &Array4<f32>) -> f64 {
    let out = net
        .activation(net.output_shapes().len() - 1)
        .expect("an output");
    out.iter()
        .zip(probe.iter())
        .map(|(&y, &r)| (f64::from(y) * f64::from(r)).abs())
        .sum()
}

/// Checks a network's input and parameter gradients of `Σ probe · output`.
fn check(what: &str, spec: &NetworkSpec, batch: usize, spaced: bool, seed: u64) {
    let mut rng = Rng::new(seed);
    let Shape {
        channels,
        height,
        width,
    } = spec.input;
    let n = batch * spec.input.len();
    let values = if spaced {
        spaced_values(n, &mut rng)
    } else {
        normal(n, &mut rng)
    };
    let mut input =
        Array4::from_shape_vec((batch, channels, height, width), values).expect("shape");
    let mut net = Network::new(spec, seed).unwrap_or_else(|e| panic!("{what}: {e}"));
    // Non-zero biases, so their effect is checked too.
    for i in 0..spec.layers.len() {
        if let Some(mut p) = net.weights_mut(i) {
            p.bias
                .iter_mut()
                .for_each(|b| *b = 0.3 * rng.normal() as f32);
        }
    }
    let out = *net.output_shapes().last().expect("a layer");
    let probe = Array4::from_shape_vec(
        (batch, out.channels, out.height, out.width),
        normal(batch * out.len(), &mut rng),
    )
    .expect("shape");

    net.forward(input.view()).expect("forward");
    let size = magnitude(&net, &probe);
    let (analytical_input, analytical_params) = analytical(&mut net, &probe);

    let mut numerical = Vec::with_capacity(input.len());
    for i in 0..input.len() {
        let original = input.as_slice().expect("contiguous")[i];
        let mut at = |v: f32, input: &mut Array4<f32>| {
            input.as_slice_mut().expect("contiguous")[i] = v;
            objective(&mut net, input.view(), &probe)
        };
        let plus = at(original + EPS, &mut input);
        let minus = at(original - EPS, &mut input);
        at(original, &mut input);
        numerical.push((plus - minus) / (2.0 * f64::from(EPS)));
    }
    assert_gradients(
        &format!("{what}: input gradient"),
        &numerical,
        &analytical_input,
        size,
    );

    let mut numerical = Vec::with_capacity(net.parameter_count());
    for j in 0..net.parameter_count() {
        let original = net.parameters()[j];
        net.parameters_mut()[j] = original + EPS;
        let plus = objective(&mut net, input.view(), &probe);
        net.parameters_mut()[j] = original - EPS;
        let minus = objective(&mut net, input.view(), &probe);
        net.parameters_mut()[j] = original;
        numerical.push((plus - minus) / (2.0 * f64::from(EPS)));
    }
    if !numerical.is_empty() {
        assert_gradients(
            &format!("{what}: parameter gradients"),
            &numerical,
            &analytical_params,
            size,
        );
    }
}

fn single(input: Shape, layer: LayerSpec) -> NetworkSpec {
    NetworkSpec {
        input,
        layers: vec![layer],
        init: Default::default(),
    }
}

fn conv(filters: usize, kernel: usize, stride: usize, padding: Padding) -> LayerSpec {
    LayerSpec::Conv2d {
        filters,
        kernel_size: kernel,
        stride,
        padding,
    }
}

#[test]
fn convolution_gradients() {
    let cases = [
        (Shape::new(2, 7, 9), conv(3, 3, 1, Padding::Same)),
        (Shape::new(2, 8, 7), conv(3, 3, 2, Padding::Same)),
        (Shape::new(3, 9, 11), conv(2, 4, 2, Padding::Valid)),
        (Shape::new(1, 8, 10), conv(2, 2, 3, Padding::Valid)),
        (Shape::new(2, 5, 6), conv(2, 5, 1, Padding::Same)),
        (Shape::new(1, 7, 7), conv(1, 1, 2, Padding::Same)),
    ];
    for (i, (input, layer)) in cases.into_iter().enumerate() {
        check(
            &format!("{layer:?} on {input}"),
            &single(input, layer),
            2,
            false,
            i as u64,
        );
    }
}

#[test]
fn activation_gradients() {
    for (i, layer) in [
        LayerSpec::Relu,
        LayerSpec::LeakyRelu { slope: 0.1 },
        LayerSpec::Tanh,
        LayerSpec::Sigmoid,
    ]
    .into_iter()
    .enumerate()
    {
        check(
            &format!("{layer:?}"),
            &single(Shape::new(3, 5, 3), layer),
            2,
            true,
            10 + i as u64,
        );
    }
}

#[test]
fn pooling_gradients() {
    let max = |size, stride, padding| LayerSpec::MaxPool {
        size,
        stride,
        padding,
    };
    let avg = |size, stride, padding| LayerSpec::AvgPool {
        size,
        stride,
        padding,
    };
    let cases = [
        (Shape::new(2, 7, 9), max(2, 2, Padding::Valid)),
        (Shape::new(2, 7, 9), max(2, 2, Padding::Same)),
        (Shape::new(2, 7, 8), max(3, 2, Padding::Same)),
        (Shape::new(2, 7, 9), avg(2, 2, Padding::Same)),
        (Shape::new(2, 9, 8), avg(3, 2, Padding::Valid)),
        (Shape::new(1, 5, 6), avg(3, 1, Padding::Same)),
    ];
    for (i, (input, layer)) in cases.into_iter().enumerate() {
        check(
            &format!("{layer:?} on {input}"),
            &single(input, layer),
            2,
            true,
            20 + i as u64,
        );
    }
}

#[test]
fn flatten_and_dense_gradients() {
    check(
        "flatten",
        &single(Shape::new(3, 4, 5), LayerSpec::Flatten),
        2,
        true,
        30,
    );
    check(
        "dense",
        &single(Shape::flat(17), LayerSpec::Dense { units: 5 }),
        3,
        false,
        31,
    );
}

/// A network with every kind of layer, smooth nonlinearities so that small perturbations
/// of the weights never cross a kink.
fn smooth_network() -> NetworkSpec {
    NetworkSpec {
        input: Shape::new(1, 11, 10),
        layers: vec![
            conv(3, 3, 1, Padding::Same),
            LayerSpec::Tanh,
            LayerSpec::AvgPool {
                size: 2,
                stride: 2,
                padding: Padding::Same,
            },
            conv(4, 3, 2, Padding::Valid),
            LayerSpec::Sigmoid,
            LayerSpec::Flatten,
            LayerSpec::Dense { units: 6 },
            LayerSpec::LeakyRelu { slope: 0.3 },
            LayerSpec::Dense { units: 4 },
        ],
        init: convlab::nn::spec::Init::Xavier,
    }
}

#[test]
fn whole_network_gradients() {
    check("smooth network", &smooth_network(), 3, false, 40);
}

/// The default architecture (ReLU and max pooling) on a smaller input. It is piecewise
/// linear: between kinks, `Σ probe · output` is exactly linear in any one input or weight,
/// so the one-sided differences on both sides agree with each other and with the gradient.
/// Where they disagree, a perturbation crossed a kink (a ReLU changed side or another
/// cell won a max-pooling window) and the coordinate says nothing; at most a quarter may.
#[test]
fn piecewise_linear_network_gradients() {
    const H: f32 = 1e-3;
    let mut spec = NetworkSpec::default_mnist();
    spec.input = Shape::new(1, 9, 11);
    let mut rng = Rng::new(41);
    let mut net = Network::new(&spec, 41).expect("builds");
    for i in 0..spec.layers.len() {
        if let Some(mut p) = net.weights_mut(i) {
            p.bias
                .iter_mut()
                .for_each(|b| *b = 0.1 * rng.normal() as f32);
        }
    }
    let mut input = Array4::from_shape_vec((2, 1, 9, 11), normal(198, &mut rng)).expect("shape");
    let probe = Array4::from_shape_vec((2, 10, 1, 1), normal(20, &mut rng)).expect("shape");
    net.forward(input.view()).expect("forward");
    let size = magnitude(&net, &probe);
    let noise = 8.0 * f64::from(f32::EPSILON) * size / f64::from(H);
    let (analytical_input, analytical_params) = analytical(&mut net, &probe);
    let base = objective(&mut net, input.view(), &probe);

    let (mut checked, mut kinks) = (0, 0);
    let mut compare = |what: String, plus: f64, minus: f64, ana: f32| {
        let (right, left) = ((plus - base) / f64::from(H), (base - minus) / f64::from(H));
        if (right - left).abs() > 2.0 * noise + 1e-3 * right.abs().max(left.abs()) {
            kinks += 1;
            return;
        }
        checked += 1;
        let (num, ana) = ((right + left) / 2.0, f64::from(ana));
        let allowed = 1e-3 * num.abs().max(ana.abs()) + 2.0 * noise;
        assert!(
            (num - ana).abs() <= allowed,
            "{what}: numerical {num:e}, analytical {ana:e}"
        );
    };
    for (i, &ana) in analytical_input.iter().enumerate() {
        let original = input.as_slice().expect("contiguous")[i];
        let mut at = |v: f32, input: &mut Array4<f32>| {
            input.as_slice_mut().expect("contiguous")[i] = v;
            objective(&mut net, input.view(), &probe)
        };
        let (plus, minus) = (at(original + H, &mut input), at(original - H, &mut input));
        at(original, &mut input);
        compare(format!("input[{i}]"), plus, minus, ana);
    }
    for (j, &ana) in analytical_params.iter().enumerate() {
        let original = net.parameters()[j];
        let mut at = |v: f32| {
            net.parameters_mut()[j] = v;
            objective(&mut net, input.view(), &probe)
        };
        let (plus, minus) = (at(original + H), at(original - H));
        at(original);
        compare(format!("parameter[{j}]"), plus, minus, ana);
    }
    assert!(
        kinks * 4 <= checked + kinks,
        "{kinks} kinks, {checked} checked"
    );
}

#[test]
fn loss_gradients_of_the_whole_network() {
    // The softmax cross-entropy loss itself, differentiated numerically.
    let spec = smooth_network();
    let mut rng = Rng::new(50);
    let input = Array4::from_shape_vec((4, 1, 11, 10), normal(440, &mut rng)).expect("shape");
    let labels = [0u8, 3, 1, 3];
    let mut net = Network::new(&spec, 50).expect("builds");
    let loss = net
        .loss_and_gradients(input.view(), &labels)
        .expect("loss")
        .loss;
    let analytical = net.gradients().to_vec();
    let mut numerical = Vec::new();
    for j in 0..net.parameter_count() {
        let original = net.parameters()[j];
        let mut loss_at = |v: f32| {
            net.parameters_mut()[j] = v;
            f64::from(
                net.loss_and_gradients(input.view(), &labels)
                    .expect("loss")
                    .loss,
            )
        };
        let (plus, minus) = (loss_at(original + EPS), loss_at(original - EPS));
        loss_at(original);
        numerical.push((plus - minus) / (2.0 * f64::from(EPS)));
    }
    assert_gradients("loss gradients", &numerical, &analytical, f64::from(loss));
}

/// Dropout in training: the gradients of `Σ probe · output` through the masks the pass
/// drew. Every evaluation runs on a clone of the same network, whose mask generator is in
/// the same state, so each draws the same masks.
#[test]
fn dropout_gradients_through_the_masks_of_the_pass() {
    let spec = NetworkSpec {
        input: Shape::new(2, 3, 3),
        layers: vec![
            LayerSpec::Flatten,
            LayerSpec::Dense { units: 12 },
            LayerSpec::Tanh,
            LayerSpec::Dropout { rate: 0.5 },
            LayerSpec::Dense { units: 4 },
        ],
        init: Default::default(),
    };
    let mut rng = Rng::new(11);
    let batch = 3;
    let input =
        Array4::from_shape_vec((batch, 2, 3, 3), normal(batch * 18, &mut rng)).expect("shape");
    let probe =
        Array4::from_shape_vec((batch, 4, 1, 1), normal(batch * 4, &mut rng)).expect("shape");
    let mut start = Network::new(&spec, 7).expect("builds");
    start.set_training(true);

    let mut net = start.clone();
    net.forward(input.view()).expect("forward");
    let size = magnitude(&net, &probe);
    let hidden = net.activation(2).expect("tanh").to_owned();
    let dropped = net.activation(3).expect("dropout").to_owned();
    let zeros = dropped.iter().filter(|&&v| v == 0.0).count();
    assert!(
        zeros > 0 && zeros < dropped.len(),
        "some values dropped, not all: {zeros}"
    );
    for (&x, &y) in hidden.iter().zip(&dropped) {
        assert!(
            y == 0.0 || (y - 2.0 * x).abs() <= 1e-6 * x.abs().max(1.0),
            "kept values double: {x} → {y}"
        );
    }
    let (analytical_input, analytical_params) = analytical(&mut net, &probe);

    let objective_at = |params: &[f32], input: &Array4<f32>| {
        let mut net = start.clone();
        net.parameters_mut().copy_from_slice(params);
        objective(&mut net, input.view(), &probe)
    };
    let params = start.parameters().to_vec();
    let mut numerical = Vec::new();
    for i in 0..input.len() {
        let mut nudged = input.clone();
        nudged.as_slice_mut().expect("contiguous")[i] += EPS;
        let plus = objective_at(&params, &nudged);
        nudged.as_slice_mut().expect("contiguous")[i] -= 2.0 * EPS;
        let minus = objective_at(&params, &nudged);
        numerical.push((plus - minus) / (2.0 * f64::from(EPS)));
    }
    assert_gradients(
        "dropout: input gradient",
        &numerical,
        &analytical_input,
        size,
    );
    let mut numerical = Vec::new();
    for j in 0..params.len() {
        let mut nudged = params.clone();
        nudged[j] += EPS;
        let plus = objective_at(&nudged, &input);
        nudged[j] -= 2.0 * EPS;
        let minus = objective_at(&nudged, &input);
        numerical.push((plus - minus) / (2.0 * f64::from(EPS)));
    }
    assert_gradients(
        "dropout: parameter gradients",
        &numerical,
        &analytical_params,
        size,
    );

    // Outside training, dropout passes its input through.
    let mut evaluating = start.clone();
    evaluating.set_training(false);
    evaluating.forward(input.view()).expect("forward");
    let through = evaluating.activation(3).expect("dropout").to_owned();
    assert_eq!(through, evaluating.activation(2).expect("tanh"));
}

/// A saliency map is the gradient of one class's logit with respect to the input pixels:
/// against central differences of that logit, for every class of a smooth network.
#[test]
fn saliency_is_the_gradient_of_a_class_score() {
    let spec = smooth_network();
    let mut net = Network::new(&spec, 9).expect("builds");
    let mut rng = Rng::new(21);
    let Shape {
        channels,
        height,
        width,
    } = spec.input;
    let image = ndarray::Array3::from_shape_vec(
        (channels, height, width),
        spaced_values(channels * height * width, &mut rng),
    )
    .expect("shape");
    let logit = |net: &mut Network, image: &ndarray::Array3<f32>, class: usize| -> f64 {
        let logits = net
            .forward(image.view().insert_axis(ndarray::Axis(0)))
            .expect("forward");
        f64::from(logits[[0, class]])
    };
    for class in 0..4 {
        let analytical: Vec<f32> = net
            .saliency(image.view(), class)
            .expect("a saliency map")
            .iter()
            .copied()
            .collect();
        let size = logit(&mut net, &image, class).abs() + 1.0;
        let mut numerical = Vec::new();
        for i in 0..image.len() {
            let mut nudged = image.clone();
            nudged.as_slice_mut().expect("contiguous")[i] += EPS;
            let plus = logit(&mut net, &nudged, class);
            nudged.as_slice_mut().expect("contiguous")[i] -= 2.0 * EPS;
            let minus = logit(&mut net, &nudged, class);
            numerical.push((plus - minus) / (2.0 * f64::from(EPS)));
        }
        assert_gradients(
            &format!("saliency of class {class}"),
            &numerical,
            &analytical,
            size,
        );
    }
    assert!(net.saliency(image.view(), 4).is_err(), "only four classes");
}
