#!/usr/bin/python3
"""Time one (or more) training epochs of the tutorial autoencoder in PyTorch.

Model 784-256-128-64-2 (see tools/reference/autoencoder.py), batch 64,
Adam(lr=1e-3), MSE loss, reshuffled every epoch, 1 CPU thread.

Usage: /usr/bin/python3 tools/bench/pytorch_epoch.py --data data/mnist [--epochs N] [--limit N]
`--data DIR` must contain the uncompressed `train-images-idx3-ubyte`.
Timing covers only the training loop (shuffle + batching + forward/backward/step),
not reading the IDX file.
"""

import argparse
import os
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from autoencoder import TUTORIAL_SIZES, AutoEncoder, loss_fn  # noqa: E402


def read_idx_images(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, n, rows, cols = struct.unpack_from(">IIII", data, 0)
    if magic != 2051:
        raise ValueError(f"{path}: bad IDX magic {magic:#x} (expected 0x803)")
    expected = 16 + n * rows * cols
    if len(data) < expected:
        raise ValueError(f"{path}: truncated ({len(data)} < {expected} bytes)")
    return np.frombuffer(data, np.uint8, n * rows * cols, 16).reshape(n, rows * cols)


def main():
    ap = argparse.ArgumentParser(description="PyTorch epoch-time benchmark")
    ap.add_argument("--data", required=True, help="directory with train-images-idx3-ubyte")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="use the first N images (0 = all)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    images = read_idx_images(os.path.join(args.data, "train-images-idx3-ubyte"))
    if args.limit > 0:
        images = images[: args.limit]
    if images.shape[1] != TUTORIAL_SIZES[0]:
        raise ValueError(f"expected {TUTORIAL_SIZES[0]} pixels per image, got {images.shape[1]}")
    x_all = torch.from_numpy(images.astype(np.float32) / 255.0)
    n = x_all.shape[0]

    model = AutoEncoder(TUTORIAL_SIZES)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    times = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        total = 0.0
        for start in range(0, n, args.batch):
            xb = x_all[perm[start:start + args.batch]]
            opt.zero_grad()
            loss = loss_fn(model(xb), xb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        dt = time.perf_counter() - t0
        times.append(dt)
        print(f"pytorch epoch {epoch}: {dt:.2f} s, {n / dt:.0f} img/s, "
              f"train_loss {total / n:.5f}", flush=True)
    print(f"pytorch_seconds_per_epoch {sum(times) / len(times):.4f}")


if __name__ == "__main__":
    main()
