#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/,
and the hand-made regression inputs into tests/fuzz/regressions/<target>/.

Run once by hand (python3 tests/fuzz/make_corpus.py); the output is committed.
The files are tiny on purpose: a few valid inputs of every kind the parsers
accept, and a few invalid ones, from which libFuzzer mutates. Model files are
written from the format description in src/model_file.h (an independent second
implementation: the replay tests then also check that the C++ reads them).
Only the standard library is used.
"""
import gzip
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
REGRESSIONS = os.path.join(HERE, "regressions")


def write(target, name, data, root=CORPUS):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- IDX --------

def idx(type_code, dims, payload):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def gzip_bytes(data):
    # mtime=0 keeps the output identical from run to run.
    return gzip.compress(data, mtime=0)


def idx_corpus():
    images = idx(0x08, [2, 3, 3], bytes(range(0, 18 * 14, 14)))
    labels = idx(0x08, [4], bytes([7, 2, 1, 0]))
    floats = idx(0x0D, [2, 2], b"".join(struct.pack(">f", v) for v in (0.5, -1.0, 3.25, 1e-3)))
    write("fuzz_idx", "images_2x3x3", images)
    write("fuzz_idx", "labels_4", labels)
    write("fuzz_idx", "floats_2x2", floats)
    write("fuzz_idx", "empty_dims", idx(0x08, [0, 28, 28], b""))
    write("fuzz_idx", "images_2x3x3.gz", gzip_bytes(images))
    write("fuzz_idx", "labels_4.gz", gzip_bytes(labels))
    # Invalid: truncated body, trailing byte, unknown type, 5 dimensions, a
    # gzip stream cut short.
    write("fuzz_idx", "bad_truncated", images[:-3])
    write("fuzz_idx", "bad_trailing", labels + b"\x00")
    write("fuzz_idx", "bad_type", idx(0x0B, [1], b"\x00\x00"))
    write("fuzz_idx", "bad_ndim", bytes([0, 0, 8, 5]) + b"\x00\x00\x00\x01" * 5 + b"\x01")
    write("fuzz_idx", "bad_cut.gz", gzip_bytes(images)[:-6])


# ---------------------------------------------------------- model files ------

MAGIC = b"LPADMDL\n"
TANH, SIGMOID, RELU, IDENTITY = 1, 2, 3, 0


def section(tag, payload):
    return tag + struct.pack("<IQ", 0, len(payload)) + payload


def arch(nets):
    out = struct.pack("<I", len(nets))
    for sizes, acts in nets:
        out += struct.pack("<I", len(acts))
        out += b"".join(struct.pack("<I", s) for s in sizes)
        out += b"".join(struct.pack("<I", a) for a in acts)
    return out


def param_count(nets):
    return sum(sizes[k] * sizes[k + 1] + sizes[k + 1] for sizes, _ in nets for k in range(len(sizes) - 1))


def values(count, scale, offset=0.0):
    # Deterministic, varied, exactly representable in half precision.
    return [offset + scale * (((i * 37) % 29) - 14) / 16.0 for i in range(count)]


def meta(pairs):
    out = struct.pack("<I", len(pairs))
    for key, value in pairs:
        for s in (key.encode(), value.encode()):
            out += struct.pack("<I", len(s)) + s
    return out


def model_file(kind, nets, half=False, pairs=(), optimizer=None):
    count = param_count(nets)
    params = values(count, 0.25)
    if half:
        parm = section(b"PF16", b"".join(struct.pack("<e", v) for v in params))
    else:
        parm = section(b"PARM", b"".join(struct.pack("<f", v) for v in params))
    sections = [section(b"ARCH", arch(nets)), parm, section(b"META", meta(pairs))]
    if optimizer is not None:
        step, epoch, rng_state, rng_inc = optimizer
        body = struct.pack("<QIIQQ", step, epoch, 0, rng_state, rng_inc)
        body += b"".join(struct.pack("<f", v) for v in values(count, 1e-3))
        body += b"".join(struct.pack("<f", v) for v in values(count, 1e-6, offset=1e-5))
        sections.append(section(b"OPTM", body))
    out = MAGIC + struct.pack("<III", 1, kind, len(sections)) + b"".join(sections)
    return out + struct.pack("<I", zlib.crc32(out))


def model_corpus():
    encoder = ([4, 3, 2], [TANH, TANH])
    decoder = ([2, 3, 4], [TANH, SIGMOID])
    ae = model_file(1, [encoder, decoder], pairs=[("dataset", "mnist"), ("seed", "2")])
    write("fuzz_model_file", "ae_4-3-2", ae)
    write("fuzz_model_file", "ae_4-3-2_f16", model_file(1, [encoder, decoder], half=True))
    write("fuzz_model_file", "encoder_4-3-2", model_file(2, [encoder]))
    write("fuzz_model_file", "decoder_2-3-4", model_file(3, [([2, 3, 4], [RELU, IDENTITY])]))
    write("fuzz_model_file", "ckpt_4-3-2",
          model_file(1, [encoder, decoder], pairs=[("epochs_done", "1")],
                     optimizer=(5, 1, 0x853C49E6748FEA9B, 0xDA3E39CB94B95BDB)))
    # Invalid: bad magic, flipped byte (checksum), truncated, encoder/decoder
    # widths that do not meet, an unknown activation.
    write("fuzz_model_file", "bad_magic", b"LPADMDX\n" + ae[8:])
    flipped = bytearray(ae)
    flipped[60] ^= 0x40
    write("fuzz_model_file", "bad_checksum", bytes(flipped))
    write("fuzz_model_file", "bad_truncated", ae[:100])
    write("fuzz_model_file", "bad_mismatch", model_file(1, [encoder, ([3, 3, 4], [TANH, SIGMOID])]))
    write("fuzz_model_file", "bad_activation", model_file(2, [([4, 3, 2], [TANH, 9])]))


# ---------------------------------------------------------- code text --------

def code_corpus():
    good = {"one": "0.25", "two": "0.25,-0.5", "three": "1,2,3", "list": "-1.5,-1.5 10,10 0,0",
            "exp": "1e-3,-2.5E+2", "big": "-1000000,1000000", "hex": "0x1p3,2"}
    bad = {"nan": "nan,0", "inf": "0,inf", "range": "1e7,0", "empty_field": "1,,2", "comma": ",",
           "trailing": "0.5,0.5x", "spaces": "  "}
    for name, text in {**good, **{"bad_" + k: v for k, v in bad.items()}}.items():
        write("fuzz_code_text", name, text)


def import_corpus():
    # fuzz_import tries an input that starts like a pickle as the data.pkl of
    # an archive it builds itself: seed it with the data.pkl of the small torch
    # fixtures. (The .pth files themselves seed it too; see robustness.sh.)
    import zipfile
    torch_dir = os.path.join(HERE, "..", "fixtures", "torch")
    for name in ["small_module.pth", "small_f64_state_dict.pth", "hostile/valid_baseline.pth"]:
        with zipfile.ZipFile(os.path.join(torch_dir, name)) as archive:
            pkl = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
            write("fuzz_import", os.path.basename(name).replace(".pth", ".data.pkl"), archive.read(pkl))
    # The small model re-zipped with deflate, so the inflater is fuzzed too.
    import io
    with zipfile.ZipFile(os.path.join(torch_dir, "small_module.pth")) as archive:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as deflated:
            for info in archive.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                deflated.writestr(entry, archive.read(info.filename), zipfile.ZIP_DEFLATED, 9)
        write("fuzz_import", "small_module_deflated.pth", out.getvalue())
    # The legacy (pre-1.6) format: a small state_dict, as saved by torch 1.13.
    with open(os.path.join(torch_dir, "hostile", "legacy_baseline.pth"), "rb") as f:
        write("fuzz_import", "legacy_state_dict.pth", f.read())
    # tools/reference/make_checkpoint_fixtures.py writes legacy_checkpoint.pth and
    # legacy_checkpoint.object.pkl here, make_vae_fixtures.py the vae_nested_* pickles.


def regressions():
    # A checkpoint whose parameters are PF16: the decoder accepted it, and
    # re-encoding silently dropped the optimizer state (fixed: rejected).
    encoder = ([4, 3, 2], [TANH, TANH])
    decoder = ([2, 3, 4], [TANH, SIGMOID])
    write("fuzz_model_file", "pf16_with_optm",
          model_file(1, [encoder, decoder], half=True, optimizer=(5, 1, 1, 2)), root=REGRESSIONS)


if __name__ == "__main__":
    idx_corpus()
    model_corpus()
    code_corpus()
    import_corpus()
    regressions()
