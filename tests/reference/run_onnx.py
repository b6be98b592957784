"""Runs an exported ConvLab model with onnxruntime on the 2,000 shipped test images, as the
README shows a student doing it, after the ONNX checker has passed it. The independent
reference behind the ONNX round trip (called by tests/onnx_runtime.rs and training.test.mjs):

    run_onnx.py MODEL.onnx DATASET_FOLDER OUT.json

DATASET_FOLDER is www/mnist or www/fashion-mnist. OUT.json gets the test labels, every
image's logits and predicted class, the accuracy and the confusion matrix
(confusion[true][predicted]).
"""
import glob
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image


def main(model_path, folder, out_path):
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    (sprite,) = glob.glob(os.path.join(folder, "*.png"))
    # The README's recipe: 10,000 images of 28 × 28, 100 a row; the last 2,000 are the test set.
    pixels = np.asarray(Image.open(sprite), np.float32) / 255
    x = pixels.reshape(100, 28, 100, 28).transpose(0, 2, 1, 3).reshape(10000, 1, 28, 28)[8000:]
    y = np.frombuffer(open(os.path.join(folder, "labels.idx1"), "rb").read()[8:], np.uint8)[8000:]
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    (logits,) = session.run(["logits"], {"image": x})
    assert logits.shape == (2000, 10) and logits.dtype == np.float32, (logits.shape, logits.dtype)
    predicted = logits.argmax(1)
    confusion = np.zeros((10, 10), np.int64)
    np.add.at(confusion, (y, predicted), 1)
    with open(out_path, "w") as out:
        json.dump(
            {
                "labels": y.tolist(),
                "logits": logits.tolist(),
                "predicted": predicted.tolist(),
                "accuracy": float((predicted == y).mean()),
                "confusion": confusion.tolist(),
                "metadata": {p.key: p.value for p in model.metadata_props},
            },
            out,
        )


if __name__ == "__main__":
    main(*sys.argv[1:])
