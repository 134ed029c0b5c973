#!/usr/bin/python3
"""Write tests/fixtures/torch/ckpt_*, legacy_* and conv_*: checkpoints, the legacy format, conv models.

Fixtures for `latentpad import` (issue 18), made with Debian's PyTorch 1.13.
The classes are defined at module level, so whole-module saves pickle them as
__main__.AutoEncoder etc.: run this file as a script.

AutoEncoder is the PyTorch tutorial's (Encoder and Decoder, each an
nn.Sequential of Linear layers with Tanh modules and a Sigmoid output), with
the sizes as arguments: 64-8-2 here (784-256-128-64-2 there), so a
checkpoint holding the model and Adam's two moments stays about 15 KB.
VAE is pytorch/examples' vae/main.py model, verbatim but for its sizes
(64-8-[2,2] | 2-8-64; its activations are F.relu / torch.sigmoid calls).

torch.manual_seed(0), then, in this order, from the one generator:
  model  = AutoEncoder((64, 8, 2))
  vae    = VAE(64, 8, 2)
  conv   = ConvAutoEncoder()         Conv2d(1, 2, 3) + ReLU + Flatten + Linear(8, 2) | Linear(2, 16) + Sigmoid
  batch  = torch.rand(8, 64)         one Adam step (lr 1e-3) of MSE on model, then on vae (BCE + KL, z = mu)
  inputs = torch.rand(4, 64)         the inputs of the expected outputs
  seed_model = nn.Linear(4, 2)       for the fuzz seed below
No other random numbers are drawn. After model's step, ema is a copy of
model whose every parameter is 0.9 * model's (a stand-in for an EMA).

Files (the checkpoint dicts are the PyTorch tutorial's "saving a general
checkpoint": {'epoch', 'model_state_dict', 'optimizer_state_dict', 'loss'}):
  ckpt_tutorial.pth     {'epoch': 1, 'model_state_dict': model.state_dict(),
                         'optimizer_state_dict': opt.state_dict(), 'loss': float}
                         after one Adam step: the optimizer's state holds
                         exp_avg and exp_avg_sq of every parameter's shape
  ckpt_halves.pth       {'epoch': 1, 'encoder': model.encoder.state_dict(),
                         'decoder': model.decoder.state_dict(), 'optimizer': ...}
  ckpt_ema.pth          {'epoch': 1, 'model': model.state_dict(), 'ema_model':
                         ema.state_dict(), 'optimizer_state_dict': ...}: needs --key
  ckpt_module.pth       {'epoch': 1, 'model': model (the whole module), 'optimizer_state_dict': ...}
  ckpt_vae.pth          {'epoch': 1, 'state_dict': vae.state_dict(), 'optimizer': ..., 'loss': float}
  legacy_state_dict.pth model.state_dict(), _use_new_zipfile_serialization=False
  legacy_module.pth     model, the whole module, in the legacy format (its classes
                        travel as ('module', class, source file, source) records)
  legacy_checkpoint.pth the dict of ckpt_tutorial.pth in the legacy format
  legacy_truncated.pth  legacy_state_dict.pth without its last 10 bytes
  legacy_short_storage.pth  legacy_state_dict.pth with its last storage one
                        element short: its count says numel - 1 and its bytes
                        end 4 bytes early, while the pickle says numel
  conv_module.pth       torch.save(conv): whole module
  conv_state_dict.pth   conv.state_dict(): encoder.0.weight is [2, 1, 3, 3]
  tests/fuzz/corpus/fuzz_import/legacy_checkpoint.pth   a fuzz seed: {'epoch',
                        'model_state_dict' (seed_model's), 'optimizer_state_dict'
                        (Adam, one step)} in the legacy format; and its object
                        pickle alone, legacy_checkpoint.object.pkl
  ckpt_expected.bin     LPFX tensors (make_parity_fixture.write_fixture):
    inputs [4,64]; ae.codes [4,2], ae.decoded [4,64] = model's after the step;
    ema.codes, ema.decoded likewise for ema; vae.mu, vae.logvar [4,2],
    vae.decoded [4,64] = vae.encode(inputs), vae.decode(mu) after its step

The legacy format names storages by their memory address (str(storage._cdata))
and writes them sorted by that name. For byte-identical output this script
renames them "0", "1", ... in the order the object's pickle first names them,
and writes the key list sorted as strings, as torch does, and the storages in
that order (torch.load reads them in the key list's order). With more than
ten storages (legacy_checkpoint.pth: 32) that order is not the pickle's. It also gives the class
source records a repository-relative file name. Every file is checked with
torch.load against the saved objects.

Deterministic: every output is byte-identical across runs; numerics are
pinned like make_parity_fixture.py (OPENBLAS_CORETYPE, ATEN_CPU_CAPABILITY,
one thread).

Usage: /usr/bin/python3 tools/reference/make_checkpoint_fixtures.py [--out-dir DIR]
"""

import argparse
import copy
import hashlib
import io
import os
import pickle
import pickletools
import platform
import struct
import sys

# Must be set before numpy/torch load OpenBLAS and ATen (read at load time).
if platform.machine().lower() in ("x86_64", "amd64"):
    os.environ["OPENBLAS_CORETYPE"] = "Prescott"
    os.environ["ATEN_CPU_CAPABILITY"] = "avx2"

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch.serialization  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_parity_fixture import write_fixture  # noqa: E402

SEED = 0
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT_DIR = os.path.join(REPO, "tests", "fixtures", "torch")
DEFAULT_CORPUS_DIR = os.path.join(REPO, "tests", "fuzz", "corpus", "fuzz_import")
SIZES = (64, 8, 2)


# --- The tutorial's model, its sizes as arguments ------------------------------

class Encoder(nn.Module):
    def __init__(self, sizes):
        super(Encoder, self).__init__()
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.Tanh()]
        self.encoder = nn.Sequential(*layers)

    def forward(self, inputs):
        return self.encoder(inputs)


class Decoder(nn.Module):
    def __init__(self, sizes):
        super(Decoder, self).__init__()
        back = list(reversed(sizes))
        layers = []
        for a, b in zip(back[:-1], back[1:]):
            layers += [nn.Linear(a, b), nn.Tanh()]
        layers[-1] = nn.Sigmoid()
        self.decoder = nn.Sequential(*layers)

    def forward(self, inputs):
        return self.decoder(inputs)


class AutoEncoder(nn.Module):
    def __init__(self, sizes):
        super(AutoEncoder, self).__init__()
        self.encoder = Encoder(sizes)
        self.decoder = Decoder(sizes)

    def forward(self, inputs):
        codes = self.encoder(inputs)
        decoded = self.decoder(codes)
        return codes, decoded


# --- pytorch/examples' VAE, its sizes as arguments ------------------------------

class VAE(nn.Module):
    def __init__(self, inputs=784, hidden=400, latent=20):
        super(VAE, self).__init__()
        self.inputs = inputs
        self.fc1 = nn.Linear(inputs, hidden)
        self.fc21 = nn.Linear(hidden, latent)
        self.fc22 = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, inputs)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))


# --- A convolutional autoencoder: LatentPad must name its Conv2d ----------------

class ConvAutoEncoder(nn.Module):
    def __init__(self):
        super(ConvAutoEncoder, self).__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2))
        self.decoder = nn.Sequential(nn.Linear(2, 16), nn.Sigmoid())


# -----------------------------------------------------------------------------

def as_f32(t):
    return np.array(t.detach().cpu().numpy(), dtype="<f4", order="C", copy=True)


def relative_source(obj, error_msg=None):
    """torch.serialization's get_source_lines_and_file, with a path that does not depend on the checkout."""
    lines, lineno, path = ORIGINAL_SOURCE(obj, error_msg)
    if path and path.startswith(REPO + os.sep):
        path = os.path.relpath(path, REPO)
    elif path and "dist-packages" in path:
        path = path[path.index("torch" + os.sep, path.index("dist-packages")):]
    return lines, lineno, path


ORIGINAL_SOURCE = torch.serialization.get_source_lines_and_file


class StubUnpickler(pickle.Unpickler):
    """Reads a legacy object pickle without loading torch objects: collects storage pids."""

    def __init__(self, f):
        super().__init__(f)
        self.storages = []  # (key, storage type name, numel) in order of appearance

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            import collections
            return collections.OrderedDict
        if module == "torch" and name.endswith("Storage"):
            return getattr(torch, name)  # a class: only its dtype is used
        if name[:1].isupper():
            return type(name, (), {})  # module classes: instantiated empty, given their __dict__
        return lambda *args, **kwargs: (module, name, args)

    def persistent_load(self, pid):
        if pid[0] == "storage":
            self.storages.append((pid[2], pid[1], pid[4]))
        elif pid[0] == "module":
            return type("Stub", (), {})  # instantiated empty, given its __dict__
        return pid


def pickle_end(data, start):
    """The offset just past the pickle that starts at `start`."""
    for opcode, _, pos in pickletools.genops(io.BytesIO(data[start:])):
        if opcode.name == "STOP":
            return start + pos + 1
    raise AssertionError("no STOP")


def legacy_save(obj, path):
    """torch.save(obj, path, _use_new_zipfile_serialization=False), with stable storage keys.

    torch names each storage str(storage._cdata), an address. The object
    pickle's BINUNICODE strings equal to a key are renamed "0", "1", ... (by
    first appearance), and the key list re-pickled sorted as strings, as torch
    sorts it ("10" before "2"), with the storages (an int64 element count,
    then the bytes) in that order.
    """
    buf = io.BytesIO()
    torch.serialization.get_source_lines_and_file = relative_source
    try:
        torch.save(obj, buf, _use_new_zipfile_serialization=False)
    finally:
        torch.serialization.get_source_lines_and_file = ORIGINAL_SOURCE
    data = buf.getvalue()
    ends = [0]
    for _ in range(5):
        ends.append(pickle_end(data, ends[-1]))
    obj_pkl = data[ends[3]:ends[4]]
    keys = pickle.loads(data[ends[4]:ends[5]])
    stub = StubUnpickler(io.BytesIO(obj_pkl))
    stub.load()
    order = []
    element = {}
    for key, storage_type, numel in stub.storages:
        if key not in element:
            order.append(key)
            element[key] = torch._utils._element_size(storage_type.dtype)
    assert sorted(order) == sorted(keys), (order, keys)
    rename = {key: str(i) for i, key in enumerate(order)}
    # The storages as torch wrote them, in its key list's order.
    blocks = {}
    at = ends[5]
    for key in keys:
        count = struct.unpack_from("<q", data, at)[0]
        size = 8 + count * element[key]
        blocks[key] = data[at:at + size]
        at += size
    assert at == len(data), (at, len(data))
    # The object pickle with its key strings renamed (BINUNICODE: 'X', u32 length, UTF-8).
    out = bytearray()
    last = 0
    for opcode, arg, pos in pickletools.genops(io.BytesIO(obj_pkl)):
        if opcode.name == "BINUNICODE" and arg in rename:
            raw = rename[arg].encode()
            out += obj_pkl[last:pos] + b"X" + struct.pack("<I", len(raw)) + raw
            last = pos + 5 + len(arg.encode())
    out += obj_pkl[last:]
    # torch writes the key list sorted as strings, and the storages in its order ("10" before "2").
    listed = sorted(order, key=lambda k: rename[k])
    result = data[:ends[3]] + bytes(out) + pickle.dumps([rename[k] for k in listed], protocol=2)
    for key in listed:
        result += blocks[key]
    with open(path, "wb") as f:
        f.write(result)
    return result


def same_state_dict(sa, sb):
    return list(sa) == list(sb) and all(sa[k].dtype == sb[k].dtype and torch.equal(sa[k], sb[k]) for k in sa)


def same_optimizer_state(a, b):
    if a["param_groups"] != b["param_groups"] or list(a["state"]) != list(b["state"]):
        return False
    return all(same_state_dict(a["state"][k], b["state"][k]) for k in a["state"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT_DIR)
    ap.add_argument("--corpus-dir", default=DEFAULT_CORPUS_DIR)
    args = ap.parse_args()
    assert __name__ == "__main__" and AutoEncoder.__module__ == "__main__"

    out = args.out_dir
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)  # noqa: E731

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    model = AutoEncoder(SIZES)
    vae = VAE(64, 8, 2)
    conv = ConvAutoEncoder()
    batch = torch.rand(8, 64)
    inputs = torch.rand(4, 64)
    seed_model = nn.Linear(4, 2)

    # One Adam step each: the optimizers' state now holds exp_avg and exp_avg_sq.
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    opt.zero_grad()
    _, decoded = model(batch)
    loss = F.mse_loss(decoded, batch)
    loss.backward()
    opt.step()
    vae_opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
    vae_opt.zero_grad()
    mu, logvar = vae.encode(batch)
    vae_loss = (F.binary_cross_entropy(vae.decode(mu), batch, reduction="sum")
                - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()))
    vae_loss.backward()
    vae_opt.step()
    ema = copy.deepcopy(model)
    with torch.no_grad():
        for p in ema.parameters():
            p.mul_(0.9)

    sd = model.state_dict()
    tutorial = {"epoch": 1, "model_state_dict": sd, "optimizer_state_dict": opt.state_dict(),
                "loss": float(loss.item())}
    torch.save(tutorial, path("ckpt_tutorial.pth"))
    torch.save({"epoch": 1, "encoder": model.encoder.state_dict(), "decoder": model.decoder.state_dict(),
                "optimizer": opt.state_dict()}, path("ckpt_halves.pth"))
    torch.save({"epoch": 1, "model": sd, "ema_model": ema.state_dict(),
                "optimizer_state_dict": opt.state_dict()}, path("ckpt_ema.pth"))
    torch.save({"epoch": 1, "model": model, "optimizer_state_dict": opt.state_dict()}, path("ckpt_module.pth"))
    torch.save({"epoch": 1, "state_dict": vae.state_dict(), "optimizer": vae_opt.state_dict(),
                "loss": float(vae_loss.item())}, path("ckpt_vae.pth"))
    legacy_sd = legacy_save(sd, path("legacy_state_dict.pth"))
    legacy_save(model, path("legacy_module.pth"))
    legacy_save(tutorial, path("legacy_checkpoint.pth"))
    with open(path("legacy_truncated.pth"), "wb") as f:
        f.write(legacy_sd[:-10])
    # The last storage ("7", decoder.decoder.2.bias, 64 floats): its count one less, its bytes 4 fewer.
    last_count_at = len(legacy_sd) - 4 * 64 - 8
    assert struct.unpack_from("<q", legacy_sd, last_count_at)[0] == 64
    short = bytearray(legacy_sd[:-4])
    struct.pack_into("<q", short, last_count_at, 63)
    with open(path("legacy_short_storage.pth"), "wb") as f:
        f.write(bytes(short))
    # A fuzz seed: a legacy checkpoint of a 4-2 encoder with Adam's state (1378 bytes).
    seed_opt = torch.optim.Adam(seed_model.parameters())
    seed_model(batch[:, :4]).sum().backward()
    seed_opt.step()
    os.makedirs(args.corpus_dir, exist_ok=True)
    seed = legacy_save({"epoch": 1, "model_state_dict": seed_model.state_dict(),
                        "optimizer_state_dict": seed_opt.state_dict()},
                       os.path.join(args.corpus_dir, "legacy_checkpoint.pth"))
    torch.save(conv, path("conv_module.pth"))
    torch.save(conv.state_dict(), path("conv_state_dict.pth"))

    with torch.no_grad():
        ae_codes, ae_decoded = model(inputs)
        ema_codes, ema_decoded = ema(inputs)
        v_mu, v_logvar = vae.encode(inputs)
        v_decoded = vae.decode(v_mu)
    tensors = [
        ("inputs", as_f32(inputs)),
        ("ae.codes", as_f32(ae_codes)),
        ("ae.decoded", as_f32(ae_decoded)),
        ("ema.codes", as_f32(ema_codes)),
        ("ema.decoded", as_f32(ema_decoded)),
        ("vae.mu", as_f32(v_mu)),
        ("vae.logvar", as_f32(v_logvar)),
        ("vae.decoded", as_f32(v_decoded)),
    ]
    write_fixture(path("ckpt_expected.bin"), tensors)

    # --- Check what was written: torch.load reads every file back ---------------
    loaded = torch.load(path("ckpt_tutorial.pth"))
    assert loaded["epoch"] == 1 and same_state_dict(loaded["model_state_dict"], sd)
    assert same_optimizer_state(loaded["optimizer_state_dict"], opt.state_dict())
    state = loaded["optimizer_state_dict"]["state"]
    # Adam's moments have exactly the weights' shapes: the reader must never take them for weights.
    assert [state[i]["exp_avg"].shape for i in sorted(state)] == [v.shape for v in sd.values()]
    loaded = torch.load(path("ckpt_halves.pth"))
    assert same_state_dict(loaded["encoder"], model.encoder.state_dict())
    loaded = torch.load(path("ckpt_ema.pth"))
    assert same_state_dict(loaded["ema_model"], ema.state_dict())
    loaded = torch.load(path("ckpt_module.pth"))
    assert type(loaded["model"]) is AutoEncoder and same_state_dict(loaded["model"].state_dict(), sd)
    loaded = torch.load(path("ckpt_vae.pth"))
    assert same_state_dict(loaded["state_dict"], vae.state_dict())
    for name in ("legacy_state_dict.pth", "legacy_module.pth", "legacy_checkpoint.pth"):
        with open(path(name), "rb") as f:
            assert not f.read(4).startswith(b"PK"), name
    assert same_state_dict(torch.load(path("legacy_state_dict.pth")), sd)
    loaded = torch.load(path("legacy_module.pth"))
    assert type(loaded) is AutoEncoder and same_state_dict(loaded.state_dict(), sd)
    with torch.no_grad():
        c, d = loaded(inputs)
    assert torch.equal(c, ae_codes) and torch.equal(d, ae_decoded)
    loaded = torch.load(path("legacy_checkpoint.pth"))
    assert same_state_dict(loaded["model_state_dict"], sd)
    assert same_optimizer_state(loaded["optimizer_state_dict"], opt.state_dict())
    for name in ("legacy_truncated.pth", "legacy_short_storage.pth"):
        try:
            torch.load(path(name))
            print(f"  note: torch.load reads {name}")
        except Exception as e:  # noqa: BLE001
            print(f"  torch.load refuses {name}: {type(e).__name__}: {str(e).splitlines()[0][:90]}")
    assert type(torch.load(path("conv_module.pth"))) is ConvAutoEncoder
    assert torch.load(path("conv_state_dict.pth"))["encoder.0.weight"].shape == (2, 1, 3, 3)

    names = ("ckpt_tutorial.pth", "ckpt_halves.pth", "ckpt_ema.pth", "ckpt_module.pth", "ckpt_vae.pth",
             "legacy_state_dict.pth", "legacy_module.pth", "legacy_checkpoint.pth", "legacy_truncated.pth",
             "legacy_short_storage.pth", "conv_module.pth", "conv_state_dict.pth", "ckpt_expected.bin")
    print(f"wrote {out}:")
    total = 0
    for name in names:
        data = open(path(name), "rb").read()
        total += len(data)
        print(f"  {name:26s} {len(data):8d} bytes  sha256 {hashlib.sha256(data).hexdigest()[:16]}")
    # ... and its object pickle alone, which fuzz_import wraps in a legacy file of its own.
    ends = [0]
    for _ in range(4):
        ends.append(pickle_end(seed, ends[-1]))
    with open(os.path.join(args.corpus_dir, "legacy_checkpoint.object.pkl"), "wb") as f:
        f.write(seed[ends[3]:ends[4]])
    print(f"wrote {args.corpus_dir}/legacy_checkpoint.pth: {len(seed)} bytes, "
          f"sha256 {hashlib.sha256(seed).hexdigest()[:16]}, and its object pickle, legacy_checkpoint.object.pkl")
    print(f"  {total} bytes in all; loss {loss.item():.6f}, VAE loss {vae_loss.item():.4f}")


if __name__ == "__main__":
    main()
