#!/usr/bin/env python3
"""Fixtures for the explorer's whole convolution layer (issue 10), from an independent
reference: Pillow decodes, numpy composites alpha over white and area-averages each channel
(float64 resampling matrices, as make_fixtures.py does), and TensorFlow computes
`conv2d` + bias, the activation and the pooling on the (H, W, C) input with (f, f, C, K)
kernels: RGB and grayscale inputs, several filters with biases, kernel sizes 3, 5 and 7,
strides 1-3, SAME and VALID on odd sizes (SAME pads unevenly), every activation, and max and
average pooling (2 × 2, stride 2, the convolution's padding). Run once, by hand:

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install -r tests/reference/requirements.txt
    /tmp/refenv/bin/python tests/reference/make_layer_fixtures.py

Writes tests/fixtures/layer/: one .npy per array and case, in TensorFlow's layouts, and
manifest.json describing every case.
"""
import json
import os

import numpy as np
import tensorflow as tf
from PIL import Image

from area import area_matrix, fitted_shape

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "layer")
EXPLORER = os.path.join(HERE, "..", "fixtures", "explorer")
SAMPLES = os.path.join(HERE, "..", "..", "www", "samples")
REPO = os.path.join(HERE, "..", "..")


def channels(path, mode):
    """(H, W, C) float32 in [0, 1]: alpha composited over white on the 8-bit values, then
    RGB as value / 255 or BT.601 luma / 255."""
    rgba = np.asarray(Image.open(path).convert("RGBA")).astype(np.float32)
    a = rgba[..., 3:4] / np.float32(255)
    rgb = rgba[..., :3] * a + np.float32(255) * (np.float32(1) - a)
    if mode == "rgb":
        return (rgb / np.float32(255)).astype(np.float32)
    w = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return ((rgb * w).sum(-1, keepdims=True) / np.float32(255)).astype(np.float32)


def fitted(x, working):
    h, w = fitted_shape(x.shape[0], x.shape[1], working)
    if (h, w) == x.shape[:2]:
        return x
    rows, cols = area_matrix(x.shape[0], h), area_matrix(x.shape[1], w)
    planes = [rows @ x[..., c].astype(np.float64) @ cols.T for c in range(x.shape[2])]
    return np.stack(planes, -1).astype(np.float32)


ACTIVATIONS = {
    "relu": tf.nn.relu,
    "leaky_relu": lambda t: tf.nn.leaky_relu(t, alpha=0.2),
    "tanh": tf.nn.tanh,
    "sigmoid": tf.nn.sigmoid,
    "none": None,
}


def layer(x, kernels, biases, stride, padding, activation, pooling):
    conv = tf.nn.conv2d(x[None], kernels, strides=stride, padding=padding) + biases
    act = conv if ACTIVATIONS[activation] is None else ACTIVATIONS[activation](conv)
    pool = (tf.nn.max_pool2d if pooling == "max" else tf.nn.avg_pool2d)(
        act, ksize=2, strides=2, padding=padding)
    out = {"convolution": conv, "pooling": pool}
    if activation != "none":
        out["activation"] = act
    return {k: v.numpy()[0].astype(np.float32) for k, v in out.items()}


PAGE_CASES = [
    # image, working size, kernel, bias, stride, padding, activation, pooling
    ("odd_rgb.png", 300, [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], 0.25, 1, "SAME", "tanh",
     "average"),
    ("wide_rgb.png", 128, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], -0.5, 2, "VALID", "leaky_relu",
     "max"),
    ("alpha_rgba.png", 300, [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], 0.1, 1, "SAME", "none",
     "average"),
    ("odd_rgb.png", 300, [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 0, 3, "SAME", "sigmoid", "max"),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261130)
    cases = [
        # image, working size, channels, filters, kernel size, stride, padding, activation, pooling
        ("odd_rgb.png", 300, "rgb", 4, 3, 1, "SAME", "relu", "max"),
        ("odd_rgb.png", 300, "rgb", 3, 5, 2, "SAME", "leaky_relu", "average"),
        ("wide_rgb.png", 128, "rgb", 2, 7, 1, "VALID", "tanh", "max"),
        ("alpha_rgba.png", 300, "gray", 3, 5, 1, "SAME", "sigmoid", "average"),
        ("alpha_rgba.png", 300, "rgb", 8, 3, 3, "VALID", "none", "average"),
        ("wide_rgb.png", 128, "gray", 1, 7, 2, "SAME", "relu", "average"),
        ("camera.png", 128, "rgb", 4, 3, 2, "SAME", "leaky_relu", "max"),
    ]
    manifest = []
    for i, (image, working, mode, k, f, stride, padding, activation, pooling) in enumerate(cases):
        folder = SAMPLES if image == "camera.png" else EXPLORER
        path = os.path.join(folder, image)
        x = fitted(channels(path, mode), working)
        c = x.shape[2]
        kernels = rng.normal(0, 0.5, (f, f, c, k)).round(3).astype(np.float32)
        biases = rng.normal(0, 0.2, (k,)).round(3).astype(np.float32)
        outputs = layer(x, kernels, biases, stride, padding, activation, pooling)
        arrays = {"input": x, "kernels": kernels, "biases": biases, **outputs}
        files = {}
        for name, values in arrays.items():
            file = f"case{i}_{name}.npy"
            np.save(os.path.join(OUT, file), values)
            files[name] = file
        manifest.append({
            "image": os.path.relpath(path, REPO),
            "working_size": working,
            "channels": mode,
            "filters": k,
            "kernel_size": f,
            "stride": stride,
            "padding": padding,
            "activation": activation,
            "pooling": pooling,
            "shapes": {name: list(v.shape) for name, v in arrays.items()},
            "files": files,
        })
        print(f"case {i}: {image} {mode} K={k} {f}×{f} s{stride} {padding} {activation} {pooling}:",
              " → ".join("×".join(map(str, arrays[n].shape))
                         for n in ("input", "convolution", "pooling")))
    # What the page can set today (one grayscale filter with a typed 3 × 3 kernel and bias),
    # checked end to end through its downloads (tests/e2e/explorer.test.mjs).
    page_cases = []
    for i, (image, working, kernel, bias, stride, padding, activation, pooling) in enumerate(PAGE_CASES):
        path = os.path.join(EXPLORER, image)
        x = fitted(channels(path, "gray"), working)
        kernels = np.array(kernel, np.float32)[..., None, None]
        biases = np.array([bias], np.float32)
        outputs = layer(x, kernels, biases, stride, padding, activation, pooling)
        files = {}
        for name, values in outputs.items():
            file = f"page{i}_{name}.npy"
            np.save(os.path.join(OUT, file), values[..., 0])
            files[name] = file
        page_cases.append({
            "image": os.path.relpath(path, REPO), "working_size": working, "kernel": kernel,
            "bias": bias, "stride": stride, "padding": padding, "activation": activation,
            "pooling": pooling, "shapes": {n: list(v.shape[:2]) for n, v in outputs.items()},
            "files": files,
        })
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_layer_fixtures.py",
                   "tensorflow": tf.__version__, "numpy": np.__version__, "cases": manifest,
                   "page_cases": page_cases},
                  f, indent=1)


if __name__ == "__main__":
    main()
