#!/usr/bin/python3
"""Write tests/fixtures/torch/vae_*: small MLP VAEs as torch.save writes them.

Fixtures for `latentpad import` of variational autoencoders, made with
Debian's PyTorch 1.13 (see make_torch_fixtures.py for what a torch.save
archive holds). The classes are defined at module level, so whole-module
saves pickle them as __main__.VAE etc.: run this file as a script.

VAE is pytorch/examples' vae/main.py model, verbatim but for its sizes
(784-400-20 there; here the hidden and code widths are arguments, so the
fixtures stay small): fc1 + ReLU, the heads fc21 (mu) and fc22 (logvar),
fc3 + ReLU, fc4 + sigmoid. Its activations are F.relu / torch.sigmoid calls
in forward(), so neither its state_dict nor the whole module holds any.

NestedVAE is the other common layout: the heads fc_mu / fc_logvar inside an
`encoder` submodule next to an nn.Sequential trunk, the decoder an
nn.Sequential with activation modules (20-12-8-[3,3] | 3-12-20).

torch.manual_seed(0), then, in this order, from the one generator:
  vae    = VAE(16, 3)       784-16-[3,3] | 3-16-784
  small  = VAE(8, 2)        784-8-[2,2]  | 2-8-784
  nested = NestedVAE()
  inputs = torch.rand(4, 784)
  n_in   = torch.rand(4, 20)
No other random numbers are drawn (decoding uses z = mu: no sampling).

Files:
  vae_state_dict.pth         vae.state_dict(): fc1, fc21, fc22, fc3, fc4
  vae_module.pth             torch.save(small): whole module __main__.VAE
  vae_nested_state_dict.pth  nested.state_dict(): encoder.trunk.0/.2,
                             encoder.fc_mu, encoder.fc_logvar, decoder.0/.2
  vae_nested_module.pth      torch.save(nested): whole module, with its
                             ReLU and Sigmoid modules
  vae_split_state_dict.pth   nested's weights as one nn.Sequential encoder
                             whose last layer is [fc_mu; fc_logvar] stacked
                             (encoder.0, .2, .4 (6 rows: mu, then logvar),
                             decoder.0, .2): needs --vae-split
  vae20_state_dict.pth       VAE(32, 20).state_dict(), drawn after all the
                             above: a 20-D code, pytorch/examples' width
  vae_unknown_heads.pth      nested's weights under names LatentPad does not
                             know (enc.0, enc.2, z_mean, z_log_var, dec.0,
                             dec.2): needs --vae-heads z_mean,z_log_var
  vae_expected.bin           LPFX tensors (make_parity_fixture.write_fixture):
    vae.inputs [4,784]; vae.mu, vae.logvar [4,3], vae.decoded [4,784]
      = vae.encode(inputs), vae.decode(mu); small.mu, small.logvar [4,2],
      small.decoded [4,784] likewise; nested.inputs [4,20], nested.mu,
      nested.logvar [4,3], nested.decoded [4,20]
  vae_decode.txt             per line "<z0>,<z1>,<z2> <784 pixels>": vae.decode
                             of three fixed codes, for `latentpad decode --z`

Deterministic: every output is byte-identical across runs; numerics are
pinned like make_parity_fixture.py (OPENBLAS_CORETYPE, ATEN_CPU_CAPABILITY,
one thread).

Usage: /usr/bin/python3 tools/reference/make_vae_fixtures.py [--out-dir DIR]
"""

import argparse
import collections
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
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_parity_fixture import write_fixture  # noqa: E402

SEED = 0
BATCH = 4
CODES = [(0.0, 0.0, 0.0), (0.5, -1.0, 1.5), (-2.0, 0.25, -0.75)]

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT_DIR = os.path.join(REPO, "tests", "fixtures", "torch")


# --- pytorch/examples' VAE (vae/main.py), sizes as arguments -----------------

class VAE(nn.Module):
    def __init__(self, hidden=400, latent=20):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(784, hidden)
        self.fc21 = nn.Linear(hidden, latent)
        self.fc22 = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5*logvar)
        eps = torch.randn_like(std)
        return mu + eps*std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# --- heads inside an encoder submodule, activation modules in Sequentials ----

class NestedEncoder(nn.Module):
    def __init__(self):
        super(NestedEncoder, self).__init__()
        self.trunk = nn.Sequential(nn.Linear(20, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU())
        self.fc_mu = nn.Linear(8, 3)
        self.fc_logvar = nn.Linear(8, 3)

    def forward(self, x):
        h = self.trunk(x)
        return self.fc_mu(h), self.fc_logvar(h)


class NestedVAE(nn.Module):
    def __init__(self):
        super(NestedVAE, self).__init__()
        self.encoder = NestedEncoder()
        self.decoder = nn.Sequential(nn.Linear(3, 12), nn.ReLU(), nn.Linear(12, 20), nn.Sigmoid())

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)


# -----------------------------------------------------------------------------

def as_f32(t):
    return np.array(t.detach().cpu().numpy(), dtype="<f4", order="C", copy=True)


def read_pkl(path):
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.endswith("/data.pkl")]
        assert len(names) == 1, names
        return z.read(names[0])


def renamed(state, names):
    """A state_dict with each layer prefix renamed (old -> new), in `names` order."""
    out = collections.OrderedDict()
    for old, new in names:
        for leaf in ("weight", "bias"):
            out[f"{new}.{leaf}"] = state[f"{old}.{leaf}"].clone()
    return out


def split_state(nested):
    """nested's weights as one Sequential encoder ending in [mu; logvar]."""
    s = nested.state_dict()
    out = collections.OrderedDict()
    out["encoder.0.weight"] = s["encoder.trunk.0.weight"].clone()
    out["encoder.0.bias"] = s["encoder.trunk.0.bias"].clone()
    out["encoder.2.weight"] = s["encoder.trunk.2.weight"].clone()
    out["encoder.2.bias"] = s["encoder.trunk.2.bias"].clone()
    out["encoder.4.weight"] = torch.cat([s["encoder.fc_mu.weight"], s["encoder.fc_logvar.weight"]], 0)
    out["encoder.4.bias"] = torch.cat([s["encoder.fc_mu.bias"], s["encoder.fc_logvar.bias"]], 0)
    for k in ("decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"):
        out[k] = s[k].clone()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT_DIR)
    args = ap.parse_args()
    assert __name__ == "__main__" and VAE.__module__ == "__main__"

    out = args.out_dir
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)  # noqa: E731

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    vae = VAE(16, 3)
    small = VAE(8, 2)
    nested = NestedVAE()
    inputs = torch.rand(BATCH, 784)
    n_in = torch.rand(BATCH, 20)
    for m in (vae, small, nested):
        m.eval()

    torch.save(vae.state_dict(), path("vae_state_dict.pth"))
    torch.save(small, path("vae_module.pth"))
    torch.save(nested.state_dict(), path("vae_nested_state_dict.pth"))
    torch.save(nested, path("vae_nested_module.pth"))
    torch.save(split_state(nested), path("vae_split_state_dict.pth"))
    torch.save(renamed(nested.state_dict(), [
        ("encoder.trunk.0", "enc.0"), ("encoder.trunk.2", "enc.2"), ("encoder.fc_mu", "z_mean"),
        ("encoder.fc_logvar", "z_log_var"), ("decoder.0", "dec.0"), ("decoder.2", "dec.2")]),
        path("vae_unknown_heads.pth"))
    # pytorch/examples' code width, 20 (its hidden layer 32 wide rather than
    # 400, so the file stays small): the page's test of codes wider than two
    # (tests/web/models_e2e.mjs). Drawn after everything above, whose tensors
    # are therefore unchanged.
    wide = VAE(32, 20)
    wide.eval()
    torch.save(wide.state_dict(), path("vae20_state_dict.pth"))

    tensors = [("vae.inputs", as_f32(inputs))]
    with torch.no_grad():
        for prefix, model in (("vae", vae), ("small", small)):
            mu, logvar = model.encode(inputs)
            tensors += [(f"{prefix}.mu", as_f32(mu)), (f"{prefix}.logvar", as_f32(logvar)),
                        (f"{prefix}.decoded", as_f32(model.decode(mu)))]
        mu, logvar = nested.encode(n_in)
        tensors += [("nested.inputs", as_f32(n_in)), ("nested.mu", as_f32(mu)),
                    ("nested.logvar", as_f32(logvar)), ("nested.decoded", as_f32(nested.decode(mu)))]
        decoded = vae.decode(torch.tensor(CODES, dtype=torch.float32))
    write_fixture(path("vae_expected.bin"), tensors)
    with open(path("vae_decode.txt"), "w") as f:
        for code, row in zip(CODES, decoded.tolist()):
            f.write(",".join(f"{v:g}" for v in code) + " " + " ".join(f"{v:.7f}" for v in row) + "\n")

    # --- Check what was written ------------------------------------------
    assert list(torch.load(path("vae_state_dict.pth"))) == [
        f"{n}.{leaf}" for n in ("fc1", "fc21", "fc22", "fc3", "fc4") for leaf in ("weight", "bias")]
    loaded = torch.load(path("vae_module.pth"))
    assert type(loaded) is VAE and torch.equal(loaded.fc22.weight, small.fc22.weight)
    pkl = read_pkl(path("vae_module.pth"))
    assert b"ReLU" not in pkl and b"Sigmoid" not in pkl, "pytorch/examples' VAE holds no activation modules"
    loaded = torch.load(path("vae_nested_module.pth"))
    assert type(loaded) is NestedVAE and b"ReLU" in read_pkl(path("vae_nested_module.pth"))
    # The split layout runs as the nested model does.
    seq = nn.Sequential(nn.Linear(20, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 6))
    seq.load_state_dict({k[len("encoder."):]: v for k, v in torch.load(path("vae_split_state_dict.pth")).items()
                         if k.startswith("encoder.")})
    with torch.no_grad():
        heads = seq(n_in)
        mu, logvar = nested.encode(n_in)
    # (one 6-row product may round differently from two 3-row ones)
    assert torch.allclose(heads[:, :3], mu, atol=1e-6) and torch.allclose(heads[:, 3:], logvar, atol=1e-6)

    names = ("vae_state_dict.pth", "vae20_state_dict.pth", "vae_module.pth", "vae_nested_state_dict.pth", "vae_nested_module.pth",
             "vae_split_state_dict.pth", "vae_unknown_heads.pth", "vae_expected.bin", "vae_decode.txt")
    total = 0
    print(f"wrote {out}:")
    for name in names:
        data = open(path(name), "rb").read()
        total += len(data)
        print(f"  {name:26s} {len(data):8d} bytes  sha256 {hashlib.sha256(data).hexdigest()}")
    print(f"  {total} bytes in all; vae_expected.bin: " + ", ".join(n for n, _ in tensors))


if __name__ == "__main__":
    main()
