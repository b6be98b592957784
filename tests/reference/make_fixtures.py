#!/usr/bin/env python3
"""Produces the explorer's test fixtures with an independent reference: Pillow decodes,
numpy applies the BT.601 formula and area-averages (a resampling matrix in float64, checked
against TensorFlow's area resize), TensorFlow convolves, applies ReLU and max-pools. Run once, by hand, when a case is added; the outputs are committed:

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install -r tests/reference/requirements.txt
    /tmp/refenv/bin/python tests/reference/make_fixtures.py

Writes tests/fixtures/explorer/: input images, bad files, one .npy per stage and case, and
manifest.json describing every case. Both the native tests (tests/explorer_reference.rs) and
the browser end-to-end test (tests/e2e) read that manifest.
"""
import io
import json
import os
import struct
import zlib

import numpy as np
import tensorflow as tf
from PIL import Image

from area import area_matrix, fitted_shape

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "explorer")
SAMPLES = os.path.join(HERE, "..", "..", "www", "samples")

KERNELS = {
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


def write_image_inputs(rng):
    """Small lossless inputs with odd sizes, so decoding is exact in any PNG decoder."""
    y, x = np.mgrid[0:23, 0:37]
    rgb = np.stack([(x * 7) % 256, (y * 11) % 256, ((x + y) * 5) % 256], axis=-1)
    rgb = np.clip(rgb + rng.integers(-30, 30, rgb.shape), 0, 255).astype(np.uint8)
    Image.fromarray(rgb).save(os.path.join(OUT, "odd_rgb.png"))

    rgba = rng.integers(0, 256, (28, 19, 4)).astype(np.uint8)
    rgba[..., 3] = np.linspace(0, 255, 28 * 19).reshape(28, 19).astype(np.uint8)
    Image.fromarray(rgba).save(os.path.join(OUT, "alpha_rgba.png"))

    y, x = np.mgrid[0:101, 0:157]
    big = np.stack([np.sin(x / 9.0) * 120 + 128, np.cos(y / 7.0) * 120 + 128, (x * y) % 256], -1)
    big = np.clip(big + rng.normal(0, 12, big.shape), 0, 255).astype(np.uint8)
    Image.fromarray(big).save(os.path.join(OUT, "wide_rgb.png"))


def grayscale(path):
    """BT.601 on 8-bit values, alpha composited over white, / 255, float32 throughout."""
    rgba = np.asarray(Image.open(path).convert("RGBA")).astype(np.float32)
    a = rgba[..., 3:4] / np.float32(255)
    rgb = rgba[..., :3] * a + np.float32(255) * (np.float32(1) - a)
    w = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return ((rgb * w).sum(-1) / np.float32(255)).astype(np.float32)


def reference_input(path, working):
    gray = grayscale(path)
    h, w = fitted_shape(*gray.shape, working)
    if (h, w) == gray.shape:
        return gray
    exact = area_matrix(gray.shape[0], h) @ gray.astype(np.float64) @ area_matrix(gray.shape[1], w).T
    # TensorFlow's area resize agrees, within its float32 arithmetic (~3e-5).
    tf_area = tf.image.resize(gray[None, ..., None], (h, w), method="area").numpy()[0, ..., 0]
    assert np.abs(tf_area - exact).max() < 1e-4, np.abs(tf_area - exact).max()
    return exact.astype(np.float32)


def pipeline(x, kernel, stride, padding):
    k = tf.constant(np.array(kernel, np.float32)[..., None, None])
    conv = tf.nn.conv2d(x[None, ..., None], k, strides=stride, padding=padding)
    relu = tf.nn.relu(conv)
    pool = tf.nn.max_pool2d(relu, ksize=2, strides=2, padding=padding)
    return [t.numpy()[0, ..., 0].astype(np.float32) for t in (conv, relu, pool)]


def write_bad_files(rng):
    """The bad inputs the page must refuse with a message (names are what tests look for)."""
    with open(os.path.join(OUT, "bad_not_an_image.txt"), "w") as f:
        f.write("This is a text file, not a picture.\n")
    open(os.path.join(OUT, "bad_empty.png"), "wb").close()
    good = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (64, 64, 3)).astype(np.uint8)).save(good, "PNG")
    with open(os.path.join(OUT, "bad_truncated.png"), "wb") as f:
        f.write(good.getvalue()[: len(good.getvalue()) // 2])
    corrupt = bytearray(good.getvalue())
    corrupt[200:260] = b"\x00" * 60
    with open(os.path.join(OUT, "bad_corrupt.png"), "wb") as f:
        f.write(corrupt)

    # A decompression bomb: a valid PNG header announcing 100,000 × 100,000 pixels.
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    with open(os.path.join(OUT, "bad_bomb.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))

    frames = [Image.fromarray(np.full((16, 16), v, np.uint8)) for v in (0, 128, 255)]
    frames[0].save(os.path.join(OUT, "bad_animated.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)

    sixteen = (np.arange(20 * 30).reshape(20, 30) * 97 % 65536).astype(np.uint16)
    Image.fromarray(sixteen).save(os.path.join(OUT, "bad_16bit.png"))

    cmyk = Image.fromarray(rng.integers(0, 256, (24, 24, 3)).astype(np.uint8)).convert("CMYK")
    cmyk.save(os.path.join(OUT, "bad_cmyk.jpg"), quality=90)


def write_files_without_image_data():
    """Files whose header is valid but which hold no image data, as a download or copy cut
    short leaves them: a decoder that does not notice draws a flat grey picture. No random
    numbers, so these can be rewritten alone without changing the files above:

        python3 -c 'import sys, types; sys.modules["tensorflow"] = types.ModuleType("tf"); \
            sys.path.insert(0, "tests/reference"); import make_fixtures as m; \
            m.write_files_without_image_data()'
    """
    y, x = np.mgrid[0:24, 0:32]
    picture = Image.fromarray(np.stack([x * 8, y * 10, (x + y) * 4], -1).astype(np.uint8))

    jpeg = io.BytesIO()
    picture.save(jpeg, "JPEG", quality=90)
    jpeg = jpeg.getvalue()
    scan = jpeg.index(b"\xff\xda")  # the first start-of-scan marker
    scan_header_end = scan + 2 + struct.unpack(">H", jpeg[scan + 2 : scan + 4])[0]
    with open(os.path.join(OUT, "bad_no_scan.jpg"), "wb") as f:
        f.write(jpeg[:scan])  # every table and the frame header, then nothing
    with open(os.path.join(OUT, "bad_empty_scan.jpg"), "wb") as f:
        f.write(jpeg[:scan_header_end])  # the scan's header too, but none of its data

    png = io.BytesIO()
    picture.save(png, "PNG")
    png = png.getvalue()
    chunks, at = [], 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        chunks.append((kind, png[at : at + 12 + length]))
        at += 12 + length
    with open(os.path.join(OUT, "bad_no_idat.png"), "wb") as f:
        f.write(png[:8] + b"".join(c for kind, c in chunks if kind != b"IDAT"))

    # Header, a 16 × 16 logical screen without a colour table, and the trailer: no frame.
    with open(os.path.join(OUT, "bad_no_frames.gif"), "wb") as f:
        f.write(b"GIF89a" + struct.pack("<HHBBB", 16, 16, 0, 0, 0) + b";")

    # The RIFF/WEBP header and a lossy (VP8) chunk of length 0.
    body = b"WEBP" + b"VP8 " + struct.pack("<I", 0)
    with open(os.path.join(OUT, "bad_no_bitstream.webp"), "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261123)
    write_image_inputs(rng)
    write_bad_files(rng)
    write_files_without_image_data()

    cases = [
        ("odd_rgb.png", 300, "outline", 1, "SAME"),
        ("odd_rgb.png", 300, "outline", 2, "VALID"),
        ("odd_rgb.png", 300, "sobel_x", 3, "SAME"),
        ("alpha_rgba.png", 300, "emboss", 1, "VALID"),
        ("alpha_rgba.png", 300, "outline", 2, "SAME"),
        ("wide_rgb.png", 128, "outline", 1, "SAME"),
        ("wide_rgb.png", 128, "sobel_x", 2, "VALID"),
        (os.path.join(SAMPLES, "camera.png"), 300, "outline", 1, "SAME"),
    ]
    manifest = []
    for i, (image, working, kernel_name, stride, padding) in enumerate(cases):
        path = image if os.path.isabs(image) else os.path.join(OUT, image)
        x = reference_input(path, working)
        stages = [x] + pipeline(x, KERNELS[kernel_name], stride, padding)
        files = {}
        for stage, values in zip(("input", "convolution", "relu", "max-pooling"), stages):
            name = f"case{i}_{stage}.npy"
            np.save(os.path.join(OUT, name), values)
            files[stage] = name
        manifest.append({
            "image": os.path.relpath(path, os.path.join(OUT, "..", "..", "..")),
            "working_size": working,
            "kernel": KERNELS[kernel_name],
            "kernel_name": kernel_name,
            "stride": stride,
            "padding": padding,
            "shapes": {stage: list(v.shape) for stage, v in zip(files, stages)},
            "files": files,
        })
        print(f"case {i}: {os.path.basename(path)} @ {working} {kernel_name} s{stride} {padding}:",
              " → ".join("×".join(map(str, v.shape)) for v in stages))
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_fixtures.py", "tensorflow": tf.__version__,
                   "numpy": np.__version__, "cases": manifest}, f, indent=1)


if __name__ == "__main__":
    main()
