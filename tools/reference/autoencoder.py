"""Reference PyTorch implementation of the LatentPad MLP autoencoder.

This is the readable model the C++/Eigen code reimplements (compare with
llm.c's train_gpt2.py). It is used to generate parity fixtures and benchmarks.

Architecture for sizes [in, h1, ..., latent]:
  encoder: Linear(in, h1) -> tanh -> ... -> Linear(h_last, latent) -> tanh
           (tanh after EVERY layer, including the latent layer)
  decoder: Linear(latent, h_last) -> tanh -> ... -> Linear(h1, in) -> sigmoid
           (the mirror image; sigmoid after the last layer only)
Loss: nn.MSELoss() (mean over batch and pixels). Optimizer: Adam(lr=1e-3).
"""

import torch
import torch.nn as nn

TUTORIAL_SIZES = (784, 256, 128, 64, 2)


class Encoder(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        sizes = list(sizes)
        self.linears = nn.ModuleList(
            nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])
        )

    def forward(self, x):
        for linear in self.linears:
            x = torch.tanh(linear(x))
        return x


class Decoder(nn.Module):
    def __init__(self, sizes):
        """sizes: the encoder's sizes [in, ..., latent]; the decoder mirrors them."""
        super().__init__()
        sizes = list(reversed(list(sizes)))
        self.linears = nn.ModuleList(
            nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])
        )

    def forward(self, z):
        last = len(self.linears) - 1
        for k, linear in enumerate(self.linears):
            z = linear(z)
            z = torch.sigmoid(z) if k == last else torch.tanh(z)
        return z


class AutoEncoder(nn.Module):
    def __init__(self, sizes=TUTORIAL_SIZES):
        super().__init__()
        if len(sizes) < 2:
            raise ValueError("need at least [in, latent]")
        self.sizes = tuple(sizes)
        self.encoder = Encoder(sizes)
        self.decoder = Decoder(sizes)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def named_linear_params(self):
        """Yield (name, tensor) in fixture order with LatentPad names:
        encoder.0.weight, encoder.0.bias, ..., decoder.{L-1}.bias,
        where the index counts Linear layers only (0-based)."""
        for part in ("encoder", "decoder"):
            for k, linear in enumerate(getattr(self, part).linears):
                yield f"{part}.{k}.weight", linear.weight
                yield f"{part}.{k}.bias", linear.bias


def make_optimizer(model, lr=1e-3):
    return torch.optim.Adam(model.parameters(), lr=lr)


loss_fn = nn.MSELoss()
