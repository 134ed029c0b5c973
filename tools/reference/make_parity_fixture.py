#!/usr/bin/python3
"""Write tests/fixtures/parity.bin: a small forward/backward/Adam parity fixture.

Model sizes 64-32-16-2 (decoder 2-16-32-64), torch.manual_seed(1234), then a
batch x = torch.rand(8, 64). See tests/fixtures/README.md and the format below.

Adam state: "step1.m.<param>", "step1.v.<param>", "step5.m.<param>" and
"step5.v.<param>" are torch.optim.Adam's exp_avg / exp_avg_sq after steps 1
and 5, and "grad5.<param>" the gradients of step 5 (before its opt.step()),
for every <param> (encoder.0.weight ... decoder.2.bias). They come after all
other tensors, so the records of the original fixture are unchanged.

Numerics are pinned (x86-64): OPENBLAS_CORETYPE=Prescott (OpenBLAS's generic
SSE3 sgemm kernel) and ATEN_CPU_CAPABILITY=avx2, set before numpy/torch load.
The committed fixture was made that way; OpenBLAS's auto-picked kernel (e.g.
Cooperlake on AVX-512) moves codes0/recon0/grads/steps by 1-2 ulp. Needs
Debian's libopenblas0-pthread as the libblas.so.3 alternative.

Format (little-endian): b"LPFX", u32 version=1, u32 count, then per tensor:
u32 name_len, name (ASCII), u32 ndim, u32 dims[ndim], float32 data (row-major).

Usage: /usr/bin/python3 tools/reference/make_parity_fixture.py [--out PATH]
"""

import argparse
import os
import platform
import struct
import sys

# Must be set before numpy/torch load OpenBLAS and ATen (read at load time).
if platform.machine().lower() in ("x86_64", "amd64"):
    os.environ["OPENBLAS_CORETYPE"] = "Prescott"
    os.environ["ATEN_CPU_CAPABILITY"] = "avx2"

import numpy as np  # noqa: E402
import torch  # noqa: E402

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


def adam_snapshot(model, opt, prefix):
    """(prefix.m.<name>, exp_avg) and (prefix.v.<name>, exp_avg_sq) per parameter."""
    out = []
    for key, slot in (("m", "exp_avg"), ("v", "exp_avg_sq")):
        out += [(f"{prefix}.{key}.{name}", as_f32(opt.state[p][slot]))
                for name, p in model.named_linear_params()]
    return out


def blas_in_use():
    """Which libblas.so.3 this process mapped, and OpenBLAS's core (Linux only)."""
    try:
        maps = open("/proc/self/maps").read().split()
    except OSError:
        return "unknown"
    blas = sorted({m for m in maps if m.endswith("/libblas.so.3") or "/libblas.so.3." in m})
    core = ""
    openblas = sorted({m for m in maps if "/libopenblas" in m and ".so" in m})
    if openblas:
        try:
            import ctypes
            lib = ctypes.CDLL(openblas[0])
            lib.openblas_get_corename.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            pass
    return f"{','.join(blas) or 'no libblas.so.3'} (openblas core {core or '?'})"


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
    assert {id(p) for _, p in model.named_linear_params()} == {id(p) for p in model.parameters()}
    adam = adam_snapshot(model, opt, "step1")  # appended after all original tensors

    # Steps 2..5 on the same batch, scheduler stepped after each optimizer step.
    for step in range(2, 6):
        opt.zero_grad()
        loss = loss_fn(model(x), x)
        loss.backward()
        if step == 5:
            adam += [(f"grad5.{name}", as_f32(p.grad)) for name, p in model.named_linear_params()]
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    adam += adam_snapshot(model, opt, "step5")
    assert all(float(opt.state[p]["step"]) == 5 for p in model.parameters())
    assert all(abs(a - b) < 1e-12 for a, b in zip(lrs, EXPECTED_LRS)), lrs

    with torch.no_grad():
        loss5 = loss_fn(model(x), x)
    tensors.append(("loss5", as_f32(loss5).reshape(1)))
    tensors += params_snapshot(model, "step5")
    tensors += adam

    n = write_fixture(args.out, tensors)
    print(f"wrote {args.out}: {len(tensors)} tensors, {n} bytes, "
          f"loss0 {loss0.item():.9g}, loss5 {loss5.item():.9g}, lrs {lrs}")
    print(f"blas: {blas_in_use()}")
    print("max |value| of the Adam-state tensors (for relative tolerances):")
    for name, arr in adam:
        print(f"  {name:28s} {tuple(arr.shape)!s:9s} {float(np.abs(arr).max()):.6e}")


if __name__ == "__main__":
    main()
