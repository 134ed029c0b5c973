"""Reference PyTorch implementation of LatentPad's MLP variational autoencoder.

The readable model that src/nn/ reimplements for a VAE (Kingma and Welling
2014; pytorch/examples' vae/main.py generalised to any MLP), used for the VAE
parity fixture and the benchmark.

Architecture for sizes [in, h1, ..., h_k] and code width L:
  encoder trunk: Linear(in, h1) -> act -> ... -> Linear(h_{k-1}, h_k) -> act
  heads:         mu = Linear(h_k, L)(h), logvar = Linear(h_k, L)(h), both linear
  decoder:       Linear(L, h_k) -> act -> ... -> Linear(h1, in) -> sigmoid
  sampling:      z = mu + exp(logvar / 2) * eps, eps ~ N(0, I)
Loss per batch: (R(recon, x) summed over pixels + beta * KL summed over the
code) / batch size, where R is binary cross-entropy or squared error and
KL = -1/2 sum(1 + logvar - mu^2 - exp(logvar)) (the paper's appendix B).
pytorch/examples sums over the batch instead of averaging; with Adam that
only changes the effect of its eps (1e-8), not the steps.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

ACTIVATIONS = {"tanh": torch.tanh, "relu": F.relu}


class VAE(nn.Module):
    def __init__(self, sizes, latent, activation="relu"):
        super().__init__()
        sizes = list(sizes)
        self.act = ACTIVATIONS[activation]
        self.trunk = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.fc_mu = nn.Linear(sizes[-1], latent)
        self.fc_logvar = nn.Linear(sizes[-1], latent)
        back = [latent] + list(reversed(sizes))
        self.decoder = nn.ModuleList(nn.Linear(a, b) for a, b in zip(back[:-1], back[1:]))

    def encode(self, x):
        h = x
        for linear in self.trunk:
            h = self.act(linear(h))
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z):
        last = len(self.decoder) - 1
        for k, linear in enumerate(self.decoder):
            z = linear(z)
            z = torch.sigmoid(z) if k == last else self.act(z)
        return z

    def forward(self, x, eps):
        """eps [B, L] is given, so a step is deterministic (the parity fixture)."""
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * eps
        return self.decode(z), mu, logvar

    def named_linear_params(self):
        """(name, tensor) in fixture order: encoder.K (trunk), mu, logvar, decoder.K."""
        for k, linear in enumerate(self.trunk):
            yield f"encoder.{k}.weight", linear.weight
            yield f"encoder.{k}.bias", linear.bias
        for name, linear in (("mu", self.fc_mu), ("logvar", self.fc_logvar)):
            yield f"{name}.weight", linear.weight
            yield f"{name}.bias", linear.bias
        for k, linear in enumerate(self.decoder):
            yield f"decoder.{k}.weight", linear.weight
            yield f"decoder.{k}.bias", linear.bias


def loss_terms(recon, x, mu, logvar, loss="bce"):
    """(reconstruction, KL), each summed over pixels or code and averaged over the batch."""
    batch = x.shape[0]
    if loss == "bce":
        rec = F.binary_cross_entropy(recon, x, reduction="sum")
    else:
        rec = F.mse_loss(recon, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return rec / batch, kl / batch
