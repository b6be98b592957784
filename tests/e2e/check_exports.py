"""Reads the explorer's downloads with numpy's own np.load and checks them, as a student's
Python would see them (called by explorer.test.mjs):

    check_exports.py DIR REFERENCE_CONVOLUTION.npy KERNEL_JSON BIAS
    check_exports.py --layer DIR LAYER_MANIFEST.json CASE_INDEX

The first form: DIR holds the page's Input, Kernels, Biases and Convolution .npy files of one
grayscale filter. Checks their dtype and shapes, that the kernel (HWIO) and bias are what was
typed, that the convolution equals TensorFlow's (the fixture, made without a bias) plus the
bias, and that the README's recipe, conv2d(x, w) + b, computed here directly in numpy,
reproduces the Convolution file.

The second form: DIR holds every .npy file of a deep layer (RGB, several filters). Checks each
against the TensorFlow fixture of that case, and that the README's recipe,
tf.nn.conv2d(x[None], w, strides, padding)[0] + b computed here in numpy, reproduces the
Convolution file from the Input, Kernels and Biases files.
"""
import glob
import json
import os
import sys

import numpy as np


def load(directory, stem):
    (path,) = glob.glob(os.path.join(directory, f"convlab-{stem}-*.npy"))
    array = np.load(path)
    assert array.dtype == np.float32, (path, array.dtype)
    return array


def conv2d(x, w, stride, padding):
    """tf.nn.conv2d(x[None], w, strides=stride, padding=padding)[0] in numpy: x is (H, W, C),
    w is (f, f, C, K); SAME pads (total − total // 2) after, as TensorFlow does."""
    h, wd, _ = x.shape
    f = w.shape[0]
    if padding == "SAME":
        oh, ow = -(-h // stride), -(-wd // stride)
        ph = max((oh - 1) * stride + f - h, 0)
        pw = max((ow - 1) * stride + f - wd, 0)
        x = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(x, (f, f), axis=(0, 1))[::stride, ::stride]
    return np.einsum("ijcab,abck->ijk", windows.astype(np.float64), w.astype(np.float64))


def check_layer(directory, manifest_path, index):
    with open(manifest_path) as f:
        case = json.load(f)["cases"][int(index)]
    fixtures = os.path.dirname(manifest_path)
    # The page names its files after the stages: convlab-leaky-relu-…, convlab-max-pooling-…
    stems = {"input": "input", "kernels": "kernels", "biases": "biases",
             "convolution": "convolution",
             "pooling": "max-pooling" if case["pooling"] == "max" else "average-pooling",
             "activation": case["activation"].replace("_", "-")}
    arrays = {}
    for key, file in case["files"].items():
        array = load(directory, stems[key])
        expected = np.load(os.path.join(fixtures, file))
        assert array.shape == expected.shape, (key, array.shape, expected.shape)
        assert np.allclose(array, expected, atol=1e-4, rtol=1e-4), (key, np.abs(array - expected).max())
        arrays[key] = array
    recipe = conv2d(arrays["input"], arrays["kernels"], case["stride"], case["padding"]) + arrays["biases"]
    assert np.allclose(recipe, arrays["convolution"], atol=1e-4), np.abs(recipe - arrays["convolution"]).max()
    print(f"numpy read all {len(arrays)} files of case {index}; every one and the recipe check out")


def main():
    if sys.argv[1] == "--layer":
        check_layer(*sys.argv[2:])
        return
    directory, reference, kernel_json, bias = sys.argv[1:]
    x = load(directory, "input")
    w = load(directory, "kernels")
    b = load(directory, "biases")
    y = load(directory, "convolution")
    kernel = np.array(json.loads(kernel_json), np.float32)
    f = kernel.shape[0]
    assert w.shape == (f, f, 1, 1), w.shape
    assert np.array_equal(w[..., 0, 0], kernel), (w[..., 0, 0], kernel)
    assert b.shape == (1,) and b[0] == np.float32(bias), b
    expected = np.load(reference) + np.float32(bias)
    assert y.shape == expected.shape, (y.shape, expected.shape)
    assert np.allclose(y, expected, atol=1e-4), np.abs(y - expected).max()
    # The README's recipe, tf.nn.conv2d(x[None, ..., None], w, 1, "SAME")[0] + b, in numpy:
    # cross-correlation over the zero-padded input (stride 1, SAME: f // 2 on each side).
    pad = f // 2
    padded = np.pad(x, pad)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (f, f))
    recipe = np.einsum("ijkl,kl->ij", windows, w[..., 0, 0]) + b[0]
    assert np.allclose(recipe, y, atol=1e-4), np.abs(recipe - y).max()
    print("numpy read every file; kernel, bias and convolution check out")


if __name__ == "__main__":
    main()
