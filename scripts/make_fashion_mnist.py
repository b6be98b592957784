#!/usr/bin/env python3
"""Converts 10,000 Fashion-MNIST images from Debian's package `dataset-fashion-mnist` into the
compact files the app ships under www/fashion-mnist/, in the same format as www/mnist/. Run
once, by hand; the outputs are committed:

    /tmp/refenv/bin/python scripts/make_fashion_mnist.py      # needs apt-get, numpy and Pillow

It downloads the package with `apt-get download` (Debian's mirror is the only network it
uses; apt checks the archive's signature), checks the .deb against the SHA-256 below,
unpacks it with `dpkg-deb -x` and reads the standard IDX files. It writes:

- www/fashion-mnist/images.png: one 8-bit grayscale PNG sprite, 100 × 100 images of 28 × 28
  pixels (2800 × 2800), image i at column i % 100, row i // 100; 0 is background, 255 full.
- www/fashion-mnist/labels.idx1: the 10,000 labels in IDX1 format (big-endian magic 2049,
  big-endian count, one byte 0–9 per image).

Choice, order and split: the first 800 images of each class in the training file (8,000), then
the first 200 of each class in the test file (2,000), so both sets are balanced. Each set is put
in the order of numpy.random.default_rng(SPLIT_SEED).permutation of its size (classes mixed
for training in batches); the training set comes first, as in www/mnist/.
"""
import gzip
import hashlib
import os
import subprocess
import tempfile

import numpy as np
from PIL import Image

PACKAGE = "dataset-fashion-mnist=0.0~git20200523.55506a9-1"
DEB_SHA256 = "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0"
DATA = "usr/share/datasets/fashion-mnist"
SPLIT_SEED = 20261201
TRAIN_PER_CLASS = 800
TEST_PER_CLASS = 200
SIDE = 28
PER_ROW = 100
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "www", "fashion-mnist")


def unpack(tmp):
    subprocess.run(["apt-get", "download", PACKAGE], cwd=tmp, check=True, capture_output=True)
    (deb,) = [f for f in os.listdir(tmp) if f.endswith(".deb")]
    digest = hashlib.sha256(open(os.path.join(tmp, deb), "rb").read()).hexdigest()
    if digest != DEB_SHA256:
        raise SystemExit(f"{deb}: SHA-256 {digest}, expected {DEB_SHA256}")
    subprocess.run(["dpkg-deb", "-x", deb, "root"], cwd=tmp, check=True)
    return os.path.join(tmp, "root", DATA)


def idx(path, magic, shape_of):
    data = gzip.open(path).read()
    if int.from_bytes(data[:4], "big") != magic:
        raise SystemExit(f"{path}: not an IDX file of magic {magic}")
    count = int.from_bytes(data[4:8], "big")
    header = 8 if magic == 2049 else 16
    values = np.frombuffer(data, np.uint8, offset=header)
    return values.reshape(shape_of(count))


def balanced(images, labels, per_class):
    chosen = np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)])
    chosen.sort()
    return images[chosen], labels[chosen]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        data = unpack(tmp)
        read = lambda name, magic, shape: idx(os.path.join(data, name), magic, shape)
        train = balanced(read("train-images-idx3-ubyte.gz", 2051, lambda n: (n, SIDE, SIDE)),
                         read("train-labels-idx1-ubyte.gz", 2049, lambda n: (n,)), TRAIN_PER_CLASS)
        test = balanced(read("t10k-images-idx3-ubyte.gz", 2051, lambda n: (n, SIDE, SIDE)),
                        read("t10k-labels-idx1-ubyte.gz", 2049, lambda n: (n,)), TEST_PER_CLASS)
    rng = np.random.default_rng(SPLIT_SEED)
    parts = []
    for images, labels in (train, test):
        order = rng.permutation(len(labels))
        parts.append((images[order], labels[order]))
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    assert len(images) == PER_ROW * PER_ROW, len(images)

    sprite = images.reshape(PER_ROW, PER_ROW, SIDE, SIDE).transpose(0, 2, 1, 3)
    sprite = sprite.reshape(PER_ROW * SIDE, PER_ROW * SIDE)
    os.makedirs(OUT, exist_ok=True)
    Image.fromarray(sprite, mode="L").save(os.path.join(OUT, "images.png"), optimize=True)
    with open(os.path.join(OUT, "labels.idx1"), "wb") as f:
        f.write((2049).to_bytes(4, "big") + len(labels).to_bytes(4, "big") + labels.tobytes())

    check = np.asarray(Image.open(os.path.join(OUT, "images.png")))
    assert np.array_equal(check, sprite)
    print("train per class", np.bincount(labels[:8000], minlength=10).tolist())
    print("test per class", np.bincount(labels[8000:], minlength=10).tolist())


if __name__ == "__main__":
    main()
