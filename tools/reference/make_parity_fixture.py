#!/usr/bin/python3
"""Write tests/fixtures/parity.bin: a small forward/backward/Adam parity fixture.

Model sizes 64-32-16-2 (decoder 2-16-32-64), torch.manual_seed(1234), then a
batch x = torch.rand(8, 64). See tests/fixtures/README.md and the format below.

Format (little-endian): b"LPFX", u32 version=1, u32 count, then per tensor:
u32 name_len, name (ASCII), u32 ndim, u32 dims[ndim], float32 data (row-major).

Usage: /usr/bin/python3 tools/reference/make_parity_fixture.py [--out PATH]
"""

import argparse
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autoencoder import AutoEncoder, loss_fn  # noqa: E402

SIZES = (64, 32, 16, 2)
BATCH = 8
SEED = 1234
LR = 1e-3
MILESTONES = [2, 4]
GAMMA = 0.5
EXPECTED_LRS = [1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4]  # lr used by steps 1..5

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(REPO, "tests", "fixtures", "parity.bin")


def as_f32(t):
    # Always copy: .numpy() shares memory with the tensor, and Adam updates
    # parameters in place, which would silently rewrite earlier snapshots.
    return np.array(t.detach().cpu().numpy(), dtype="<f4", order="C", copy=True)


def params_snapshot(model, prefix):
    return [(f"{prefix}.{name}", as_f32(p)) for name, p in model.named_linear_params()]


def write_fixture(path, tensors):
    out = bytearray(b"LPFX")
    out += struct.pack("<II", 1, len(tensors))
    for name, arr in tensors:
        name_b = name.encode("ascii")
        out += struct.pack("<I", len(name_b)) + name_b
        out += struct.pack("<I", arr.ndim)
        out += struct.pack(f"<{arr.ndim}I", *arr.shape)
        out += arr.astype("<f4").tobytes(order="C")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.replace(tmp, path)
    return len(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    model = AutoEncoder(SIZES)      # parameters drawn first ...
    x = torch.rand(BATCH, SIZES[0])  # ... then the batch, from the same generator

    tensors = [("x", as_f32(x))]
    tensors += params_snapshot(model, "init")

    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=MILESTONES, gamma=GAMMA)

    # Step 1, recording the forward pass and gradients at the initial parameters.
    opt.zero_grad()
    codes0 = model.encoder(x)
    recon0 = model.decoder(codes0)
    loss0 = loss_fn(recon0, x)
    loss0.backward()
    tensors.append(("loss0", as_f32(loss0).reshape(1)))
    tensors.append(("codes0", as_f32(codes0)))
    tensors.append(("recon0", as_f32(recon0)))
    tensors += [(f"grad.{name}", as_f32(p.grad)) for name, p in model.named_linear_params()]
    lrs = [opt.param_groups[0]["lr"]]
    opt.step()
    sched.step()
    tensors += params_snapshot(model, "step1")

    # Steps 2..5 on the same batch, scheduler stepped after each optimizer step.
    for _ in range(4):
        opt.zero_grad()
        loss = loss_fn(model(x), x)
        loss.backward()
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert all(abs(a - b) < 1e-12 for a, b in zip(lrs, EXPECTED_LRS)), lrs

    with torch.no_grad():
        loss5 = loss_fn(model(x), x)
    tensors.append(("loss5", as_f32(loss5).reshape(1)))
    tensors += params_snapshot(model, "step5")

    n = write_fixture(args.out, tensors)
    print(f"wrote {args.out}: {len(tensors)} tensors, {n} bytes, "
          f"loss0 {loss0.item():.9g}, loss5 {loss5.item():.9g}, lrs {lrs}")


if __name__ == "__main__":
    main()
