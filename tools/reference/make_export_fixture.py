#!/usr/bin/python3
"""Write tests/fixtures/torch/export_decode.txt: what PyTorch decodes from
LatentPad's safetensors export of the shipped model.

The export is loaded into the tutorial's own AutoEncoder with
load_state_dict(strict=True), so every parameter name and shape must match
the tutorial's; then a few latent codes (inside and outside [-1, 1]^2) go
through model.decoder. tests/cli/interop_test.sh exports again, checks the
bytes are the same (sha256) and compares `latentpad decode` with these rows.

Usage (from the repo root, Debian python3-torch 1.13; torch is not needed at test time):
    build/release/tools/latentpad export --weights weights/mnist.lpad --out /tmp/mnist.safetensors
    /usr/bin/python3 tools/reference/make_export_fixture.py /tmp/mnist.safetensors

Output: a "sha256 <hex>" line, then per code a line "<z0>,<z1> <784 pixels>".
The safetensors file is parsed here with json and struct (no safetensors package).
"""

import hashlib
import json
import os
import struct
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_fixtures import AutoEncoder  # noqa: E402  the tutorial's classes

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "tests", "fixtures", "torch", "export_decode.txt")
CODES = [(0.0, 0.0), (0.5, -0.5), (-0.9, 0.9), (0.99, 0.99), (1.5, -2.0), (-3.0, 0.25)]


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    body = data[8 + header_len:]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        assert spec["dtype"] == "F32", spec
        begin, end = spec["data_offsets"]
        values = torch.frombuffer(bytearray(body[begin:end]), dtype=torch.float32)
        tensors[name] = values.reshape(spec["shape"]).clone()
    return data, tensors


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    data, state = read_safetensors(sys.argv[1])
    model = AutoEncoder()
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        decoded = model.decoder(torch.tensor(CODES, dtype=torch.float32))
    with open(OUT, "w") as f:
        f.write(f"sha256 {hashlib.sha256(data).hexdigest()}\n")
        for (z0, z1), row in zip(CODES, decoded.tolist()):
            f.write(f"{z0:g},{z1:g} " + " ".join(f"{v:.7f}" for v in row) + "\n")
    print(f"wrote {OUT}: {len(CODES)} codes")


if __name__ == "__main__":
    main()
