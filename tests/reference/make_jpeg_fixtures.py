"""The JPEG fixtures: a small photo, and its pixels as Pillow's libjpeg-turbo decodes it.

The page has the browser decode JPEG (Chromium's decoder is libjpeg-turbo, as TensorFlow's
`decode_jpeg` and Pillow's are: accurate integer IDCT, smooth chroma upsampling); the wasm
tests compare what the browser gives with these pixels. Needs only Pillow and numpy:

    python3 tests/reference/make_jpeg_fixtures.py

Writes tests/fixtures/explorer/photo.jpg (a 61 × 47 crop of www/samples/coffee.jpg saved at
quality 90 with 4:2:0 chroma, so upsampling matters) and photo_pillow.rgb (its decoded
pixels: 47 rows of 61 RGB triples, row by row).
"""

import io
import os

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "fixtures", "explorer")

photo = Image.open(os.path.join(ROOT, "www", "samples", "coffee.jpg")).convert("RGB")
crop = photo.crop((200, 150, 261, 197))
jpeg = io.BytesIO()
crop.save(jpeg, "JPEG", quality=90, subsampling=2)
with open(os.path.join(OUT, "photo.jpg"), "wb") as f:
    f.write(jpeg.getvalue())
decoded = np.asarray(Image.open(io.BytesIO(jpeg.getvalue())).convert("RGB"), dtype=np.uint8)
assert decoded.shape == (47, 61, 3), decoded.shape
with open(os.path.join(OUT, "photo_pillow.rgb"), "wb") as f:
    f.write(decoded.tobytes())
print("photo.jpg", len(jpeg.getvalue()), "bytes; photo_pillow.rgb", decoded.size, "bytes")
