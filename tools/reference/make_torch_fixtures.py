#!/usr/bin/python3
"""Write tests/fixtures/torch/: real torch.save files and their expected outputs.

Fixtures for `latentpad import FILE.pth`, made with Debian's PyTorch 1.13.
torch.save writes a zip archive whose entries all sit under one directory
named after the file's stem ("autoencoder/..." for autoencoder.pth):
  <stem>/data.pkl   pickle protocol 2; tensors are REDUCE calls of
                    torch._utils._rebuild_tensor_v2 whose storage argument is a
                    BINPERSID of ('storage', torch.<Type>Storage, key,
                    location, numel)
  <stem>/data/<key> the storage's raw bytes, little-endian, row-major
  <stem>/version    b"3\\n"
(torch's writer puts zero sizes/CRC in the local headers, writes a data
descriptor after each entry, pads local headers with an "FB" extra field so
data starts on 64-byte boundaries, and always adds the ZIP64 end records.)

The model classes below are the PyTorch tutorial's, defined at module level
so whole-module saves pickle them as __main__.AutoEncoder / __main__.Encoder /
__main__.Decoder (and __main__.SmallAutoEncoder): run this file as a script.

torch.manual_seed(0), then, in this order, from the one generator:
  model_ae = AutoEncoder()         784-256-128-64-2, tanh, sigmoid output
  small    = SmallAutoEncoder()    6-4-2, ReLU/tanh, ReLU/sigmoid
  inputs   = torch.rand(8, 784)
  small_in = torch.rand(8, 6)
No other random numbers are drawn.

Files:
  autoencoder.pth          torch.save(model_ae): whole module, float32, every
                           storage's location tagged 'cuda:0' as a GPU save
                           writes it (the tutorial sets use_cuda=1; faked by
                           patching torch.serialization.location_tag)
  encoder.pth              torch.save(model_ae.encoder), cpu
  decoder.pth              torch.save(model_ae.decoder), cpu
  state_dict_f16.pth       state_dict of a float16 copy of model_ae (HalfStorage)
  small_f64_state_dict.pth state_dict of a float64 copy of `small` (DoubleStorage)
  small_module.pth         torch.save(small): whole module, float32 (the same
                           instance whose float64 copy is small_f64_state_dict)
  expected.bin             LPFX tensors (format below), all float32:
    inputs [8,784], ae.codes [8,2], ae.decoded [8,784]   model_ae(inputs)
    f16.codes, f16.decoded   float32 forward with the f16-rounded weights
    small.inputs [8,6], small.codes [8,2], small.decoded [8,6]   small(small_in)
    small64.codes, small64.decoded   float64 model on small_in.double(),
                                     rounded to float32

LPFX format (little-endian): b"LPFX", u32 version=1, u32 count, then per
tensor: u32 name_len, name (ASCII), u32 ndim, u32 dims[ndim], float32 data
(row-major). The writer is make_parity_fixture.write_fixture.

Deterministic: every output is byte-identical across runs (checked by running
twice); numerics are pinned like make_parity_fixture.py (OPENBLAS_CORETYPE,
ATEN_CPU_CAPABILITY, one thread).

Usage: /usr/bin/python3 tools/reference/make_torch_fixtures.py [--out-dir DIR]
"""

import argparse
import contextlib
import copy
import hashlib
import os
import platform
import sys
import zipfile

# Must be set before numpy/torch load OpenBLAS and ATen (read at load time).
if platform.machine().lower() in ("x86_64", "amd64"):
    os.environ["OPENBLAS_CORETYPE"] = "Prescott"
    os.environ["ATEN_CPU_CAPABILITY"] = "avx2"

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.serialization  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_parity_fixture import write_fixture  # noqa: E402

SEED = 0
BATCH = 8

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT_DIR = os.path.join(REPO, "tests", "fixtures", "torch")


# --- The tutorial's model, verbatim ------------------------------------------

class Encoder(nn.Module):
    def __init__(self):
        super(Encoder, self).__init__()
        self.encoder = nn.Sequential(
            nn.Linear(784, 256),
            nn.Tanh(),
            nn.Linear(256, 128),
            nn.Tanh(),
            nn.Linear(128, 64),
            nn.Tanh(),
            nn.Linear(64, 2),
            nn.Tanh(),
        )

    def forward(self, inputs):
        codes = self.encoder(inputs)
        return codes


class Decoder(nn.Module):
    def __init__(self):
        super(Decoder, self).__init__()
        self.decoder = nn.Sequential(
            nn.Linear(2, 64),
            nn.Tanh(),
            nn.Linear(64, 128),
            nn.Tanh(),
            nn.Linear(128, 256),
            nn.Tanh(),
            nn.Linear(256, 784),
            nn.Sigmoid(),
        )

    def forward(self, inputs):
        outputs = self.decoder(inputs)
        return outputs


class AutoEncoder(nn.Module):
    def __init__(self):
        super(AutoEncoder, self).__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()

    def forward(self, inputs):
        codes = self.encoder(inputs)
        decoded = self.decoder(codes)
        return codes, decoded


# --- A small model: cheap fuzz seeds, the ReLU and float64 paths -------------

class SmallAutoEncoder(nn.Module):
    def __init__(self):
        super(SmallAutoEncoder, self).__init__()
        self.encoder = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2), nn.Tanh())
        self.decoder = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 6), nn.Sigmoid())

    def forward(self, inputs):
        codes = self.encoder(inputs)
        decoded = self.decoder(codes)
        return codes, decoded


# -----------------------------------------------------------------------------

@contextlib.contextmanager
def storages_tagged(location):
    """Make torch.save tag every storage with `location` (e.g. 'cuda:0').

    serialization._save looks up the module-level location_tag(storage) for
    each storage; only the tag is faked, the bytes come from CPU memory.
    """
    original = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: location
    try:
        yield
    finally:
        torch.serialization.location_tag = original


def as_f32(t):
    return np.array(t.detach().cpu().numpy(), dtype="<f4", order="C", copy=True)


def read_pkl(path):
    """data.pkl of a torch.save archive (whatever its stem directory is)."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.endswith("/data.pkl")]
        assert len(names) == 1, names
        return z.read(names[0])


def same_params(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return list(sa) == list(sb) and all(
        sa[k].dtype == sb[k].dtype and torch.equal(sa[k].cpu(), sb[k].cpu()) for k in sa)


def same_state_dict(sa, sb):
    return list(sa) == list(sb) and all(
        sa[k].dtype == sb[k].dtype and torch.equal(sa[k], sb[k]) for k in sa)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT_DIR)
    args = ap.parse_args()
    # Whole-module pickles must name __main__.AutoEncoder etc.
    assert __name__ == "__main__" and AutoEncoder.__module__ == "__main__"

    out = args.out_dir
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)  # noqa: E731

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    model_ae = AutoEncoder()
    small = SmallAutoEncoder()
    inputs = torch.rand(BATCH, 784)
    small_in = torch.rand(BATCH, 6)

    # f16: the float16 state_dict, and a float32 model holding its rounded weights.
    sd_f16 = copy.deepcopy(model_ae).half().state_dict()
    model_f16 = copy.deepcopy(model_ae)
    model_f16.load_state_dict({k: v.float() for k, v in sd_f16.items()})
    # small64: a float64 copy of `small` (same weights, widened exactly).
    small64 = copy.deepcopy(small).double()
    sd_f64 = small64.state_dict()

    with storages_tagged("cuda:0"):
        torch.save(model_ae, path("autoencoder.pth"))
    torch.save(model_ae.encoder, path("encoder.pth"))
    torch.save(model_ae.decoder, path("decoder.pth"))
    torch.save(sd_f16, path("state_dict_f16.pth"))
    torch.save(sd_f64, path("small_f64_state_dict.pth"))
    torch.save(small, path("small_module.pth"))

    with torch.no_grad():
        ae_codes, ae_decoded = model_ae(inputs)
        f16_codes, f16_decoded = model_f16(inputs)
        s_codes, s_decoded = small(small_in)
        s64_codes, s64_decoded = small64(small_in.double())
    tensors = [
        ("inputs", as_f32(inputs)),
        ("ae.codes", as_f32(ae_codes)),
        ("ae.decoded", as_f32(ae_decoded)),
        ("f16.codes", as_f32(f16_codes)),
        ("f16.decoded", as_f32(f16_decoded)),
        ("small.inputs", as_f32(small_in)),
        ("small.codes", as_f32(s_codes)),
        ("small.decoded", as_f32(s_decoded)),
        ("small64.codes", as_f32(s64_codes.float())),
        ("small64.decoded", as_f32(s64_decoded.float())),
    ]
    write_fixture(path("expected.bin"), tensors)

    # --- Check what was written ------------------------------------------
    pkl = read_pkl(path("autoencoder.pth"))
    assert b"cuda:0" in pkl and b"cpu" not in pkl, "autoencoder.pth: storages not tagged cuda:0"
    for name in ("encoder.pth", "decoder.pth", "small_module.pth",
                 "state_dict_f16.pth", "small_f64_state_dict.pth"):
        assert b"cuda" not in read_pkl(path(name)), name
    assert b"HalfStorage" in read_pkl(path("state_dict_f16.pth"))
    assert b"DoubleStorage" in read_pkl(path("small_f64_state_dict.pth"))

    loaded = torch.load(path("autoencoder.pth"), map_location="cpu")
    assert type(loaded) is AutoEncoder and same_params(loaded, model_ae)
    with torch.no_grad():
        c, d = loaded(inputs)
    assert torch.equal(c, ae_codes) and torch.equal(d, ae_decoded)
    loaded = torch.load(path("encoder.pth"))
    assert type(loaded) is Encoder and same_params(loaded, model_ae.encoder)
    loaded = torch.load(path("decoder.pth"))
    assert type(loaded) is Decoder and same_params(loaded, model_ae.decoder)
    loaded = torch.load(path("state_dict_f16.pth"))
    assert same_state_dict(loaded, sd_f16) and all(v.dtype == torch.float16 for v in loaded.values())
    loaded = torch.load(path("small_f64_state_dict.pth"))
    assert same_state_dict(loaded, sd_f64) and all(v.dtype == torch.float64 for v in loaded.values())
    loaded = torch.load(path("small_module.pth"))
    assert type(loaded) is SmallAutoEncoder and same_params(loaded, small)
    # The float64 weights are exactly the float32 ones, widened.
    assert all(torch.equal(v.float(), small.state_dict()[k]) for k, v in sd_f64.items())

    print(f"wrote {out}:")
    for name in ("autoencoder.pth", "encoder.pth", "decoder.pth", "state_dict_f16.pth",
                 "small_f64_state_dict.pth", "small_module.pth", "expected.bin"):
        data = open(path(name), "rb").read()
        print(f"  {name:26s} {len(data):8d} bytes  sha256 {hashlib.sha256(data).hexdigest()}")
    print(f"  expected.bin: {len(tensors)} tensors: " + ", ".join(n for n, _ in tensors))
    print(f"  max |f16.decoded - ae.decoded| = "
          f"{float((f16_decoded - ae_decoded).abs().max()):.3e}, "
          f"max |small64.decoded - small.decoded| = "
          f"{float((s64_decoded.float() - s_decoded).abs().max()):.3e}")


if __name__ == "__main__":
    main()
