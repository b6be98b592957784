#!/usr/bin/env python3
"""Produces the CNN engine's test fixtures with an independent reference: TensorFlow computes
every layer's forward pass, and (with GradientTape) its gradients, on random inputs with odd
sizes, strides 1–3 and both paddings; and the same for a whole small network with softmax
cross-entropy. Run once, by hand, when a case is added; the outputs are committed:

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install -r tests/reference/requirements.txt
    /tmp/refenv/bin/python tests/reference/make_nn_fixtures.py

Writes tests/fixtures/nn/: one .npy per array and manifest.json describing every case, read
by tests/nn_reference.rs. Layouts are the engine's: activations NCHW, convolution weights
filters × channels × kernel × kernel, dense weights units × inputs, flatten in channel, row,
column order. (TensorFlow works in NHWC with HWIO kernels; this script transposes.)

For a layer y = f(x; w, b), the backward fixtures are the gradients of sum(probe * y) for a
random probe, with respect to x, w and b.
"""
import json
import os

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "nn")


def nhwc(x):
    return tf.transpose(x, [0, 2, 3, 1])


def nchw(x):
    return tf.transpose(x, [0, 3, 1, 2])


def conv(spec):
    def run(x, w, b):  # x NCHW, w F×C×k×k
        kernel = tf.transpose(w, [2, 3, 1, 0])
        y = tf.nn.conv2d(nhwc(x), kernel, strides=spec["stride"], padding=spec["padding"])
        return nchw(y + b)
    return run


def pool(spec):
    op = tf.nn.max_pool2d if spec["type"] == "max_pool" else tf.nn.avg_pool2d
    return lambda x, w, b: nchw(op(nhwc(x), ksize=spec["size"], strides=spec["stride"], padding=spec["padding"]))


def activation(spec):
    fn = {
        "relu": tf.nn.relu,
        "leaky_relu": lambda x: tf.nn.leaky_relu(x, alpha=spec.get("slope", 0.0)),
        "tanh": tf.math.tanh,
        "sigmoid": tf.math.sigmoid,
    }[spec["type"]]
    return lambda x, w, b: fn(x)


def flatten(spec):
    return lambda x, w, b: tf.reshape(x, [x.shape[0], -1, 1, 1])


def dense(spec):
    # x: batch × n × 1 × 1, w: units × n
    return lambda x, w, b: tf.reshape(tf.matmul(tf.reshape(x, [x.shape[0], -1]), w, transpose_b=True) + b,
                                      [x.shape[0], -1, 1, 1])



LAYER_CASES = [
    # (spec, input shape N×C×H×W)
    ({"type": "conv2d", "filters": 4, "kernel_size": 3, "stride": 1, "padding": "SAME"}, (2, 3, 7, 9)),
    ({"type": "conv2d", "filters": 3, "kernel_size": 3, "stride": 2, "padding": "SAME"}, (2, 2, 8, 7)),
    ({"type": "conv2d", "filters": 5, "kernel_size": 4, "stride": 2, "padding": "VALID"}, (1, 3, 9, 11)),
    ({"type": "conv2d", "filters": 2, "kernel_size": 2, "stride": 3, "padding": "VALID"}, (3, 1, 8, 10)),
    ({"type": "conv2d", "filters": 3, "kernel_size": 5, "stride": 1, "padding": "SAME"}, (2, 2, 5, 6)),
    ({"type": "conv2d", "filters": 8, "kernel_size": 3, "stride": 1, "padding": "SAME"}, (2, 1, 28, 28)),
    ({"type": "relu"}, (2, 3, 5, 4)),
    ({"type": "leaky_relu", "slope": 0.2}, (2, 3, 5, 4)),
    ({"type": "tanh"}, (2, 3, 5, 4)),
    ({"type": "sigmoid"}, (2, 3, 5, 4)),
    ({"type": "max_pool", "size": 2, "stride": 2, "padding": "VALID"}, (2, 3, 7, 9)),
    ({"type": "max_pool", "size": 2, "stride": 2, "padding": "SAME"}, (2, 2, 7, 9)),
    ({"type": "max_pool", "size": 3, "stride": 2, "padding": "SAME"}, (2, 2, 7, 8)),
    ({"type": "avg_pool", "size": 2, "stride": 2, "padding": "SAME"}, (2, 3, 7, 9)),
    ({"type": "avg_pool", "size": 3, "stride": 2, "padding": "VALID"}, (2, 2, 9, 8)),
    ({"type": "avg_pool", "size": 3, "stride": 1, "padding": "SAME"}, (1, 2, 5, 6)),
    ({"type": "flatten"}, (2, 3, 4, 5)),
    ({"type": "dense", "units": 5}, (3, 17, 1, 1)),
]

BUILDERS = {"conv2d": conv, "max_pool": pool, "avg_pool": pool, "relu": activation,
            "leaky_relu": activation, "tanh": activation, "sigmoid": activation,
            "flatten": flatten, "dense": dense}

NETWORK = {
    "input": {"channels": 1, "height": 12, "width": 11},
    "layers": [
        {"type": "conv2d", "filters": 3, "kernel_size": 3, "stride": 1, "padding": "SAME"},
        {"type": "relu"},
        {"type": "max_pool", "size": 2, "stride": 2, "padding": "SAME"},
        {"type": "conv2d", "filters": 4, "kernel_size": 3, "stride": 2, "padding": "VALID"},
        {"type": "tanh"},
        {"type": "avg_pool", "size": 2, "stride": 1, "padding": "VALID"},
        {"type": "flatten"},
        {"type": "dense", "units": 6},
        {"type": "leaky_relu", "slope": 0.1},
        {"type": "dense", "units": 5},
    ],
    "init": "he",
}


def param_shapes(spec, shape):
    """Weight and bias shapes of a layer given its input shape (C, H, W)."""
    if spec["type"] == "conv2d":
        k = spec["kernel_size"]
        return (spec["filters"], shape[0], k, k), (spec["filters"],)
    if spec["type"] == "dense":
        return (spec["units"], int(np.prod(shape))), (spec["units"],)
    return None, None


def save(name, array):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(array, dtype=np.float32))
    return name


def layer_cases(rng):
    cases = []
    for i, (spec, shape) in enumerate(LAYER_CASES):
        x = rng.normal(size=shape).astype(np.float32)
        w_shape, b_shape = param_shapes(spec, shape[1:])
        w = rng.normal(scale=0.5, size=w_shape).astype(np.float32) if w_shape else np.zeros(0, np.float32)
        b = rng.normal(scale=0.5, size=b_shape).astype(np.float32) if b_shape else np.zeros(0, np.float32)
        xt, wt, bt = (tf.Variable(v) for v in (x, w, b))
        with tf.GradientTape() as tape:
            y = BUILDERS[spec["type"]](spec)(xt, wt, bt)
            probe = tf.constant(rng.normal(size=y.shape).astype(np.float32))
            objective = tf.reduce_sum(probe * y)
        gx, gw, gb = tape.gradient(objective, [xt, wt, bt], unconnected_gradients="zero")
        prefix = f"layer{i}_{spec['type']}"
        files = {"input": save(f"{prefix}_input.npy", x), "output": save(f"{prefix}_output.npy", y.numpy()),
                 "probe": save(f"{prefix}_probe.npy", probe.numpy()),
                 "grad_input": save(f"{prefix}_grad_input.npy", gx.numpy())}
        if w_shape:
            files.update(weights=save(f"{prefix}_weights.npy", w), bias=save(f"{prefix}_bias.npy", b),
                         grad_weights=save(f"{prefix}_grad_weights.npy", gw.numpy()),
                         grad_bias=save(f"{prefix}_grad_bias.npy", gb.numpy()))
        cases.append({"layer": spec, "input_shape": list(shape), "output_shape": list(y.shape), "files": files})
        print(f"layer case {i}: {spec} {shape} → {tuple(y.shape)}")
    return cases


def network_case(rng):
    batch = 4
    inp = NETWORK["input"]
    x = rng.uniform(0, 1, size=(batch, inp["channels"], inp["height"], inp["width"])).astype(np.float32)
    labels = rng.integers(0, 5, size=batch)
    shape = (inp["channels"], inp["height"], inp["width"])
    params, files = [], {"input": save("net_input.npy", x)}
    # Shapes through the network, computed by running TensorFlow on the input.
    variables = []
    probe_x = tf.constant(x)
    for i, spec in enumerate(NETWORK["layers"]):
        w_shape, b_shape = param_shapes(spec, shape)
        if w_shape:
            fan_in = int(np.prod(w_shape[1:]))
            w = tf.Variable(rng.normal(scale=np.sqrt(2 / fan_in), size=w_shape).astype(np.float32))
            b = tf.Variable(rng.normal(scale=0.1, size=b_shape).astype(np.float32))
        else:
            w = b = tf.Variable(np.zeros(0, np.float32))
        variables.append((w, b))
        probe_x = BUILDERS[spec["type"]](spec)(probe_x, w, b)
        shape = tuple(probe_x.shape[1:])
    with tf.GradientTape() as tape:
        y = tf.constant(x)
        for spec, (w, b) in zip(NETWORK["layers"], variables):
            y = BUILDERS[spec["type"]](spec)(y, w, b)
        logits = tf.reshape(y, [batch, -1])
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    trainable = [v for pair in variables for v in pair]
    grads = tape.gradient(loss, trainable, unconnected_gradients="zero")
    for i, (spec, (w, b)) in enumerate(zip(NETWORK["layers"], variables)):
        if w.shape.num_elements():
            gw, gb = grads[2 * i], grads[2 * i + 1]
            params.append({"layer": i, "weights": save(f"net_layer{i}_weights.npy", w.numpy()),
                           "bias": save(f"net_layer{i}_bias.npy", b.numpy()),
                           "grad_weights": save(f"net_layer{i}_grad_weights.npy", gw.numpy()),
                           "grad_bias": save(f"net_layer{i}_grad_bias.npy", gb.numpy())})
    files["logits"] = save("net_logits.npy", logits.numpy())
    files["probabilities"] = save("net_probabilities.npy", tf.nn.softmax(logits).numpy())
    print(f"network: loss {float(loss):.6f}, logits {tuple(logits.shape)}")
    return {"spec": NETWORK, "labels": labels.tolist(), "loss": float(loss), "params": params, "files": files}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".npy"):
            os.remove(os.path.join(OUT, name))
    rng = np.random.default_rng(20260601)
    manifest = {"generator": "tests/reference/make_nn_fixtures.py", "tensorflow": tf.__version__,
                "numpy": np.__version__, "layers": layer_cases(rng), "network": network_case(rng)}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
