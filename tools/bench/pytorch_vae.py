#!/usr/bin/python3
"""pytorch/examples' MNIST VAE recipe, as the peer of `latentpad train --model vae`.

The model is pytorch/examples' vae/main.py: fc1 784-400 (ReLU), heads fc21 and
fc22 400-20 (mu, logvar), fc3 20-400 (ReLU), fc4 400-784 (sigmoid); loss
binary cross-entropy summed over pixels + KL, summed over the batch, exactly
as there; Adam 1e-3, batch 128, shuffled every epoch, pixels / 255. The data
are the same IDX files latentpad reads.

Prints per epoch the train loss per image and seconds, then
pytorch_test_loss_per_image (z sampled, as pytorch/examples' test() reports it),
pytorch_test_loss_mu (z = mu), pytorch_test_mse (per pixel, z = mu) and
pytorch_seconds_per_epoch (the training loop only, not data loading).

Usage: /usr/bin/python3 tools/bench/pytorch_vae.py --data data/mnist [--epochs 10] [--seed 1]
"""

import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from(">I", data, 0)[0]
    ndim = magic & 0xFF
    dims = struct.unpack_from(f">{ndim}I", data, 4)
    return np.frombuffer(data, np.uint8, int(np.prod(dims)), 4 + 4 * ndim).reshape(dims)


def load(data_dir, name):
    for suffix in ("", ".gz"):
        path = os.path.join(data_dir, name + suffix)
        if os.path.exists(path):
            return read_idx(path)
    raise FileNotFoundError(os.path.join(data_dir, name))


class VAE(nn.Module):
    """pytorch/examples' VAE, layer for layer."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    train = torch.from_numpy(load(args.data, "train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    test = torch.from_numpy(load(args.data, "t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        total = 0.0
        for idx in torch.randperm(len(train)).split(128):
            x = train[idx]
            optimizer.zero_grad()
            recon, mu, logvar = model(x)
            loss = loss_function(recon, x, mu, logvar)
            loss.backward()
            total += loss.item()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
        print(f"pytorch epoch {epoch:2d}/{args.epochs}  train_loss {total / len(train):.3f}  {seconds[-1]:.2f} s",
              flush=True)

    model.eval()
    sampled = at_mu = squared = 0.0
    with torch.no_grad():
        for x in test.split(128):
            recon, mu, logvar = model(x)
            sampled += loss_function(recon, x, mu, logvar).item()
            recon_mu = model.decode(mu)
            at_mu += loss_function(recon_mu, x, mu, logvar).item()
            squared += F.mse_loss(recon_mu, x, reduction="sum").item()
    print(f"pytorch_test_loss_per_image {sampled / len(test):.4f}")
    print(f"pytorch_test_loss_mu {at_mu / len(test):.4f}")
    print(f"pytorch_test_mse {squared / (len(test) * 784):.6f}")
    print(f"pytorch_seconds_per_epoch {sum(seconds) / len(seconds):.3f}")


if __name__ == "__main__":
    main()
