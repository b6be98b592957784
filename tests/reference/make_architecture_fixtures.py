#!/usr/bin/env python3
"""Keras's own account of the networks live training can build: for each architecture below
(the page's "Conv blocks", "Network kernel size", "Network padding", "Network pooling",
"Dense hidden units", "Dropout" and filters), every layer's output shape and parameter count as Keras
computes them, or the error Keras raises when the network leaves nothing of the image.
Writes tests/fixtures/nn/architectures.json; tests/architectures.rs compares ConvLab's
NetworkSpec::summary with it.

    /tmp/refenv/bin/python tests/reference/make_architecture_fixtures.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "nn", "architectures.json")

CASES = [
    {"blocks": 2, "filters": [8, 16, 32], "kernel": 3, "padding": "SAME", "pooling": "max", "hidden": 0},
    {"blocks": 1, "filters": [4, 8, 16], "kernel": 5, "padding": "VALID", "pooling": "average", "hidden": 128},
    {"blocks": 3, "filters": [16, 32, 64], "kernel": 5, "padding": "SAME", "pooling": "average", "hidden": 64},
    {"blocks": 3, "filters": [2, 4, 8], "kernel": 3, "padding": "VALID", "pooling": "max", "hidden": 32},
    {"blocks": 2, "filters": [8, 16, 32], "kernel": 5, "padding": "VALID", "pooling": "max", "hidden": 0},
    {"blocks": 3, "filters": [8, 16, 32], "kernel": 5, "padding": "VALID", "pooling": "max", "hidden": 64},
    {"blocks": 2, "filters": [8, 16, 32], "kernel": 3, "padding": "SAME", "pooling": "max", "hidden": 128,
     "dropout": 0.5},
    {"blocks": 1, "filters": [16, 8, 16], "kernel": 3, "padding": "SAME", "pooling": "average", "hidden": 0,
     "dropout": 0.25},
]


def model(case):
    layers = [keras.Input((28, 28, 1))]
    for filters in case["filters"][: case["blocks"]]:
        layers.append(keras.layers.Conv2D(filters, case["kernel"], padding=case["padding"].lower()))
        layers.append(keras.layers.ReLU())
        pool = keras.layers.MaxPooling2D if case["pooling"] == "max" else keras.layers.AveragePooling2D
        layers.append(pool(2, 2, padding="valid"))
    layers.append(keras.layers.Flatten())
    if case["hidden"]:
        layers.append(keras.layers.Dense(case["hidden"]))
        layers.append(keras.layers.ReLU())
    if case.get("dropout"):
        layers.append(keras.layers.Dropout(case["dropout"]))
    layers.append(keras.layers.Dense(10))
    return keras.Sequential(layers)


def main():
    out = []
    for case in CASES:
        try:
            m = model(case)
            # Keras is channels-last (H, W, C); ConvLab's shapes are (C, H, W).
            shapes = []
            for layer in m.layers:
                s = layer.output.shape[1:]
                shapes.append([s[2], s[0], s[1]] if len(s) == 3 else [s[0], 1, 1])
            out.append({**case, "shapes": shapes, "parameters": [l.count_params() for l in m.layers],
                        "total": m.count_params()})
            print(case, "→", m.count_params(), "parameters")
        except Exception as error:  # Keras refuses a layer whose window is larger than its input
            out.append({**case, "error": str(error).splitlines()[0][:200]})
            print(case, "→ refused:", out[-1]["error"])
    with open(OUT, "w") as f:
        json.dump({"generator": "tests/reference/make_architecture_fixtures.py", "keras": keras.__version__,
                   "tensorflow": tf.__version__, "cases": out}, f, indent=1)


if __name__ == "__main__":
    main()
