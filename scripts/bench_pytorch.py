"""The reference row of the training benchmark: PyTorch on the CPU, trained on the same
shipped images with the same network, optimizer and batch as the page's default run, so the
page's samples/s is a ratio measured on the same machine in the same session, not a number
remembered from another day (issue 13). Run by scripts/bench.sh when its optional PyTorch
venv exists (scripts/bench.sh --with-pytorch makes it):

    bench_pytorch.py [--dataset mnist|fashion-mnist] [--seconds 30] [--threads 1]

Network: 1×28×28 → conv 8 3×3 SAME → ReLU → max-pool 2 → conv 16 3×3 SAME → ReLU →
max-pool 2 → flatten → dense 10, cross-entropy, SGD lr 0.15, batch 32, float32. Like the
page it scores all 2,000 test images every 0.5 s in the first 5 s, then every 2.5 s, and the
clock runs through the scoring, so "time to 97 %" means the same thing in both. It prints
one JSON line.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(folder):
    (sprite,) = [f for f in os.listdir(folder) if f.endswith(".png")]
    pixels = np.asarray(Image.open(os.path.join(folder, sprite)), np.float32) / 255
    x = pixels.reshape(100, 28, 100, 28).transpose(0, 2, 1, 3).reshape(10000, 1, 28, 28)
    y = np.frombuffer(open(os.path.join(folder, "labels.idx1"), "rb").read()[8:], np.uint8)
    x, y = torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y.astype(np.int64))
    return x[:8000], y[:8000], x[8000:], y[8000:]


def network():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 10),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    train_x, train_y, test_x, test_y = load(os.path.join(ROOT, "www", args.dataset))
    model = network()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.15)
    loss_fn = torch.nn.CrossEntropyLoss()

    def accuracy():
        model.eval()
        with torch.no_grad():
            right = sum(
                (model(test_x[i:i + 100]).argmax(1) == test_y[i:i + 100]).sum().item()
                for i in range(0, 2000, 100)
            )
        model.train()
        return right / 2000

    samples, training_s, reached = 0, 0.0, {}
    curve = []
    start = time.perf_counter()
    next_score = 0.5
    while time.perf_counter() - start < args.seconds:
        order = torch.randperm(8000)
        for i in range(0, 8000 - args.batch + 1, args.batch):
            t0 = time.perf_counter()
            batch = order[i:i + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
            training_s += time.perf_counter() - t0
            samples += args.batch
            now = time.perf_counter() - start
            if now >= next_score:
                next_score = now + (0.5 if now < 5 else 2.5)
                a = accuracy()
                at = time.perf_counter() - start
                curve.append((round(at, 2), a))
                for target in (0.86, 0.88, 0.90, 0.97):
                    if a >= target and target not in reached:
                        reached[target] = round(at, 2)
            if now >= args.seconds:
                break
    wall = time.perf_counter() - start
    print(json.dumps({
        "library": f"PyTorch {torch.__version__} CPU, {args.threads} thread(s)",
        "dataset": args.dataset,
        "seconds": round(wall, 1),
        "samples": samples,
        "samples_per_second_wall": round(samples / wall),
        "samples_per_second_training_only": round(samples / training_s),
        "seconds_to": {f"{int(k * 100)}%": v for k, v in sorted(reached.items())},
        "final_accuracy": accuracy(),
        "curve": curve,
    }))


if __name__ == "__main__":
    main()
