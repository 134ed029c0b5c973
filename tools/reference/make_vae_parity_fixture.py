#!/usr/bin/python3
"""Write tests/fixtures/parity_vae.bin: the VAE's forward/backward/Adam parity fixture.

A VAE with trunk 64-32-16 (ReLU), code width 3 (heads mu and logvar), decoder
3-16-32-64 (ReLU, sigmoid out); binary cross-entropy + beta 0.5 KL, averaged
over the batch (tools/reference/vae.py). torch.manual_seed(4321), then a batch
x = torch.rand(8, 64), then eps1..eps5 = torch.randn(8, 3): one eps per step,
so each step is deterministic and the C++ test feeds it the same noise.

Tensors: x, eps1..eps5; init.<param>; mu0, logvar0, recon0 (the forward pass
at the initial weights with eps1), loss0, rec0, kl0; grad.<param> (step 1);
step1.<param>, step1.m.<param>, step1.v.<param>; grad5.<param>;
step5.<param>, step5.m.<param>, step5.v.<param>. <param> is encoder.K.weight,
..., mu.weight, mu.bias, logvar.weight, logvar.bias, decoder.K.bias.
Adam lr 1e-3 with MultiStepLR(milestones=[2, 4], gamma=0.5) stepped after each
step, as the autoencoder's fixture. Same LPFX format and pinned numerics as
make_parity_fixture.py.

Usage: /usr/bin/python3 tools/reference/make_vae_parity_fixture.py [--out PATH]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Imported first: it pins OpenBLAS's and ATen's kernels before torch loads.
from make_parity_fixture import REPO, as_f32, blas_in_use, write_fixture  # noqa: E402

import torch  # noqa: E402

from vae import VAE, loss_terms  # noqa: E402

SIZES = (64, 32, 16)
LATENT = 3
BATCH = 8
SEED = 4321
BETA = 0.5
LOSS = "bce"
DEFAULT_OUT = os.path.join(REPO, "tests", "fixtures", "parity_vae.bin")


def params(model, prefix):
    return [(f"{prefix}.{name}", as_f32(p)) for name, p in model.named_linear_params()]


def adam(model, opt, prefix):
    return [(f"{prefix}.{key}.{name}", as_f32(opt.state[p][slot]))
            for key, slot in (("m", "exp_avg"), ("v", "exp_avg_sq"))
            for name, p in model.named_linear_params()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    model = VAE(SIZES, LATENT, "relu")
    x = torch.rand(BATCH, SIZES[0])
    eps = [torch.randn(BATCH, LATENT) for _ in range(5)]
    assert {id(p) for _, p in model.named_linear_params()} == {id(p) for p in model.parameters()}

    tensors = [("x", as_f32(x))] + [(f"eps{k + 1}", as_f32(e)) for k, e in enumerate(eps)]
    tensors += params(model, "init")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)

    for step in range(1, 6):
        opt.zero_grad()
        recon, mu, logvar = model(x, eps[step - 1])
        rec, kl = loss_terms(recon, x, mu, logvar, LOSS)
        loss = rec + BETA * kl
        loss.backward()
        if step == 1:
            tensors += [("mu0", as_f32(mu)), ("logvar0", as_f32(logvar)), ("recon0", as_f32(recon)),
                        ("loss0", as_f32(loss).reshape(1)), ("rec0", as_f32(rec).reshape(1)),
                        ("kl0", as_f32(kl).reshape(1))]
            tensors += [(f"grad.{name}", as_f32(p.grad)) for name, p in model.named_linear_params()]
        if step == 5:
            tensors += [(f"grad5.{name}", as_f32(p.grad)) for name, p in model.named_linear_params()]
        opt.step()
        sched.step()
        if step == 1:
            tensors += params(model, "step1") + adam(model, opt, "step1")
    tensors += params(model, "step5") + adam(model, opt, "step5")

    n = write_fixture(args.out, tensors)
    print(f"wrote {args.out}: {len(tensors)} tensors, {n} bytes, loss0 {tensors[[t[0] for t in tensors].index('loss0')][1][0]:.9g}")
    print(f"blas: {blas_in_use()}")


if __name__ == "__main__":
    main()
