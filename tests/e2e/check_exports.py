"""Reads the explorer's downloads with numpy's own np.load and checks them, as a student's
Python would see them (called by explorer.test.mjs):

    check_exports.py DIR REFERENCE_CONVOLUTION.npy KERNEL_JSON BIAS

DIR holds the page's Input, Kernels, Biases and Convolution .npy files. Checks their dtype
and shapes, that the kernel (HWIO) and bias are what was typed, that the convolution equals
TensorFlow's (the fixture, made without a bias) plus the bias, and that the README's recipe,
conv2d(x, w) + b, computed here directly in numpy, reproduces the Convolution file.
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


def main():
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
