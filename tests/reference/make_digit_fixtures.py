#!/usr/bin/env python3
"""Produces the fixtures of the drawn-digit centring (src/training/digit.rs) with an
independent reference: Pillow draws antialiased strokes on a pad; numpy finds the ink's
bounding box and centre of mass and scales the digit by exact area averaging (resampling
matrices in float64 from area.py, which make_fixtures.py checks against TensorFlow's area
resize; Pillow's BOX filter samples its kernel rather than integrating it, up to 0.5 % off,
and enlarges by repeating pixels) so its longer side is 20 pixels, enlarging small drawings,
as MNIST's digits were prepared. Run once, by hand, when a case is added; the outputs are
committed. Only numpy and Pillow are needed:

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install numpy==2.4.6 pillow==13.0.0
    /tmp/refenv/bin/python tests/reference/make_digit_fixtures.py

Writes tests/fixtures/digit/<case>_pad.npy (the drawing, float32, 0-1) and
<case>_digit.npy (the 28 x 28 result), read by tests/digit_reference.rs.
"""
import os

import numpy as np
from PIL import Image, ImageDraw

from area import area_matrix

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "digit")
THRESHOLD = 0.05  # ink that counts for the bounding box
BOX = 20  # the scaled digit's longer side
SIDE = 28


def draw(size, strokes, width):
    """A pad of size = (width, height) or a side, with antialiased white strokes (polylines)
    on black, 0-1."""
    cols, rows = size if isinstance(size, tuple) else (size, size)
    scale = 4  # draw large, then box-filter down: soft edges like a canvas
    image = Image.new("L", (cols * scale, rows * scale), 0)
    pen = ImageDraw.Draw(image)
    for line in strokes:
        points = [(x * scale, y * scale) for x, y in line]
        pen.line(points, fill=255, width=width * scale, joint="curve")
        r = width * scale / 2
        for x, y in (points[0], points[-1]):
            pen.ellipse([x - r, y - r, x + r, y + r], fill=255)
    image = image.resize((cols, rows), Image.BOX)
    return np.asarray(image, dtype=np.float32) / 255.0


def center(pad):
    rows = np.where((pad > THRESHOLD).any(axis=1))[0]
    cols = np.where((pad > THRESHOLD).any(axis=0))[0]
    crop = np.clip(pad[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], 0, 1)
    longer = max(crop.shape)
    h, w = (max(1, int(np.floor(side * BOX / longer + 0.5))) for side in crop.shape)
    crop = area_matrix(crop.shape[0], h) @ crop.astype(np.float64) @ area_matrix(crop.shape[1], w).T
    mass = crop.sum()
    ys, xs = np.indices(crop.shape)
    cy = (crop * (ys + 0.5)).sum() / mass
    cx = (crop * (xs + 0.5)).sum() / mass
    dy = int(np.clip(np.floor(SIDE / 2 - cy + 0.5), 0, SIDE - h))
    dx = int(np.clip(np.floor(SIDE / 2 - cx + 0.5), 0, SIDE - w))
    field = np.zeros((SIDE, SIDE), dtype=np.float32)
    field[dy : dy + h, dx : dx + w] = crop
    return field


CASES = {
    # A "1" drawn off-centre, slightly slanted.
    "one": draw(280, [[(90, 40), (100, 250)]], 22),
    # A "7": a bar and a long diagonal.
    "seven": draw(280, [[(60, 50), (220, 55), (120, 260)]], 20),
    # A small "0" low in the right corner: a wide, short loop.
    "zero": draw(280, [[(170, 190), (240, 200), (250, 240), (200, 265), (160, 245), (170, 190)]], 14),
    # A wide, short dash, far wider than tall.
    "dash": draw(140, [[(10, 100), (130, 104)]], 8),
    # A small "4" on a wide, short image, enlarged to 20 pixels tall.
    "four": draw((48, 30), [[(12, 6), (9, 13), (17, 13)], [(15, 8), (15, 18)]], 2),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, pad in CASES.items():
        np.save(os.path.join(OUT, f"{name}_pad.npy"), pad.astype(np.float32))
        np.save(os.path.join(OUT, f"{name}_digit.npy"), center(pad))
        print(name, pad.shape, "ink", round(float(pad.sum()), 1))
