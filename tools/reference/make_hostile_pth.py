#!/usr/bin/python3
"""Write tests/fixtures/torch/hostile/: malformed and malicious .pth files.

Fixtures for the restricted unpickler behind `latentpad import FILE.pth`.
Standard library only: this script never imports torch, and every pickle is
written opcode by opcode with struct.

Each file is laid out like torch.save output, with the stem directory
"archive/": archive/data.pkl (pickle protocol 2), archive/data/<key> (raw
little-endian storage bytes), archive/version (b"3\\n"), ZIP_STORED, entries
in torch's order and each entry's data padded (an "FB" extra field, as
torch's writer does) to start on a 64-byte boundary. Python's zipfile writes
the sizes and CRC into the local headers (torch writes zeros there plus a
data descriptor), so the reader must accept both.

The baseline (valid_baseline.pth) is a two-tensor state_dict, opcode for
opcode what torch 1.13 pickles for
  OrderedDict([('encoder.0.weight', float32 (2,3)), ('encoder.0.bias', float32 (2,))])
(the same BINPUT/BINGET memo traffic; checked against a real torch.save):
  collections.OrderedDict() by GLOBAL + EMPTY_TUPLE + REDUCE, then MARK and
  per tensor: key, GLOBAL torch._utils _rebuild_tensor_v2, the args tuple
  (BINPERSID of ('storage', GLOBAL torch FloatStorage, key, 'cpu', numel),
  storage_offset, size, stride, False, OrderedDict()), REDUCE; SETITEMS, STOP.
  weight = [[0.25, 0.5, 0.75], [1.0, 1.25, 1.5]] in storage '0' (6 floats),
  bias = [-1.5, 2.5] in storage '1' (2 floats).

Files (hostile/<name>.pth), and what a correct reader does with them:

  name                        content                                       reader must
  --------------------------  --------------------------------------------  -------------------------
  valid_baseline              the baseline above                            load it: 2 tensors
  posix_system                GLOBAL posix system, ('touch latentpad-       refuse the global
                              pwned',), REDUCE                              (nothing runs)
  os_system                   same with GLOBAL os system                    refuse the global
  builtins_eval               GLOBAL builtins eval, ("open('latentpad-      refuse the global
                              pwned','w')",), REDUCE
  py2_builtin_eval            same with GLOBAL __builtin__ eval (the       refuse the global
                              Python 2 name; real torch files do contain
                              "__builtin__ set")
  subprocess_popen            GLOBAL subprocess Popen, (['touch',           refuse the global
                              'latentpad-pwned'],), REDUCE
  builtins_import             GLOBAL builtins __import__, ('os',), REDUCE   refuse the global
  builtins_open               GLOBAL builtins open, ('latentpad-pwned',     refuse the global
                              'w'), REDUCE
  reduce_main_class           GLOBAL __main__ AutoEncoder, EMPTY_TUPLE,     refuse: REDUCE of a class
                              REDUCE (whole-module saves only NEWOBJ        (only NEWOBJ+BUILD of
                              them)                                         module classes is needed)
  unknown_opcode              baseline with byte 0xff after PROTO 2         refuse: unknown opcode
  inst_opcode                 MARK, 'touch latentpad-pwned', INST os system refuse: INST (or os.system)
  missing_storage             baseline zip without archive/data/1           refuse: missing record
  short_storage               archive/data/0 holds 5 floats, numel 6        refuse: storage too short
  offset_out_of_range         bias storage_offset 5 on a 2-float storage    refuse: out of bounds
  stride_mismatch             weight size (2,3) stride (4,1): needs 7       refuse: out of bounds
                              floats, storage has 6
  nan_weight                  weight[1][1] is NaN                           refuse (non-finite)
  inf_weight                  bias[1] is +inf                               refuse (non-finite)
  oversize_entry              archive/data/0's uncompressed size patched    refuse before allocating
                              to 0xF0000000 in the local header and the     (size != numel*4, size >
                              central directory; compressed size (24),      limit, stored sizes
                              CRC and data left honest                      disagree)
  deflate_bomb                baseline + archive/data/2: 64 MiB of zeros,   refuse (compressed entry,
                              ZIP_DEFLATED level 9 (~65 KB), referenced by  or 64 MiB over the size
                              'encoder.1.weight' (4096,4096) FloatStorage   limit) without inflating
  path_traversal              entries ../archive/data.pkl, ../archive/...   refuse the entry names
  absolute_path               entries /tmp/archive/data.pkl, ...            refuse the entry names
  storage_key_traversal       weight's storage key '../../etc/passwd'; the  refuse the key (keys are
                              zip holds archive/data/../../etc/passwd       decimal); never open a
                              (the weight's bytes) instead of data/0        file outside the zip
  truncated                   first 60% of valid_baseline.pth's bytes       refuse: not a complete zip
  legacy_baseline             pre-1.6 torch.save (_use_new_zipfile_         load it: 2 tensors (skipped
                              serialization=False) of the baseline: not a   by the CLI test's hostile
                              zip, starts with a pickle of the magic long   loop, like valid_baseline)
                              0x1950a86a20f9469cfc6c
  legacy_magic_posix_system   legacy_baseline whose first pickle (the       refuse the global
                              magic number's) calls posix.system
  legacy_object_posix_system  legacy_baseline whose object pickle calls     refuse the global
                              posix.system
  legacy_storage_count        legacy_baseline whose list of storage keys    refuse: the list does not
                              names '0', '1', '2' (the pickle uses two,     match the pickle
                              two storages follow)
  deep_nesting                data.pkl: PROTO 2, 100000 x EMPTY_LIST,       refuse at a stack/depth
                              99999 x APPEND, STOP (a 100000-deep list)     limit, no crash
  big_byteorder               baseline + archive/byteorder = b'big'         refuse (or byte-swap);
                                                                            never read as little

The script proves posix_system, os_system, builtins_eval, py2_builtin_eval,
subprocess_popen, builtins_open and inst_opcode hostile by running Python's
pickle.loads on them in a fresh temporary directory and checking that
./latentpad-pwned appeared (builtins_import: that loads returns the os
module). It also parses every tensor-level fixture with a stub unpickler
(no real globals) to check the pickle says what the table says.

Output is deterministic (fixed timestamps and attributes); the deflate bomb's
compressed bytes depend on the zlib version.

Usage: /usr/bin/python3 tools/reference/make_hostile_pth.py [--out-dir DIR]
"""

import argparse
import collections
import hashlib
import io
import os
import pickle
import shutil
import struct
import subprocess
import tempfile
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT_DIR = os.path.join(REPO, "tests", "fixtures", "torch", "hostile")

STEM = "archive"
PWNED = "latentpad-pwned"
WEIGHT = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5]
BIAS = [-1.5, 2.5]
BOMB_BYTES = 64 << 20

# Pickle opcodes used here (see Lib/pickletools.py).
PROTO2 = b"\x80\x02"
MARK, STOP, TUPLE, EMPTY_TUPLE, TUPLE1, TUPLE2, TUPLE3 = b"(", b".", b"t", b")", b"\x85", b"\x86", b"\x87"
REDUCE, BINPERSID, SETITEMS, EMPTY_LIST, APPEND = b"R", b"Q", b"u", b"]", b"a"
NONE, NEWTRUE, NEWFALSE, BINPUT, LONG_BINPUT, BINGET, LONG_BINGET = (
    b"N", b"\x88", b"\x89", b"q", b"r", b"h", b"j")


# --- A small pickle writer ----------------------------------------------------

class Global:
    def __init__(self, module, name):
        self.module, self.name = module, name


class Reduce:
    """func(*args): pickled as func, args, REDUCE."""

    def __init__(self, func, args):
        self.func, self.args = func, args


class PersId:
    """A persistent id: the tuple, then BINPERSID."""

    def __init__(self, pid):
        self.pid = pid


def ordered_dict_call():
    return Reduce(Global("collections", "OrderedDict"), ())


class PickleWriter:
    """Writes protocol-2 opcodes the way CPython's Pickler does for torch.save.

    Like the real pickler it memoizes (BINPUT) every global, string, non-empty
    tuple and REDUCE result. Globals and strings are looked up again by value
    (BINGET): in torch's output the repeated ones ('storage', 'cpu', the
    storage class, _rebuild_tensor_v2) are the same Python objects.
    """

    def __init__(self):
        self.out = bytearray(PROTO2)
        self.memo = {}

    def put(self, key):
        idx = len(self.memo)
        self.memo[key] = idx
        self.out += BINPUT + bytes([idx]) if idx < 256 else LONG_BINPUT + struct.pack("<I", idx)

    def get(self, key):
        if key not in self.memo:
            return False
        idx = self.memo[key]
        self.out += BINGET + bytes([idx]) if idx < 256 else LONG_BINGET + struct.pack("<I", idx)
        return True

    def op(self, raw):
        self.out += raw

    def save(self, obj):
        if obj is None:
            self.out += NONE
        elif obj is True or obj is False:
            self.out += NEWTRUE if obj else NEWFALSE
        elif isinstance(obj, int):
            if 0 <= obj <= 0xFF:
                self.out += b"K" + struct.pack("<B", obj)
            elif 0 <= obj <= 0xFFFF:
                self.out += b"M" + struct.pack("<H", obj)
            elif -0x80000000 <= obj <= 0x7FFFFFFF:
                self.out += b"J" + struct.pack("<i", obj)
            else:
                raw = obj.to_bytes((obj.bit_length() + 8) // 8, "little", signed=True)
                self.out += b"\x8a" + struct.pack("<B", len(raw)) + raw  # LONG1
        elif isinstance(obj, str):
            if not self.get(("s", obj)):
                raw = obj.encode("utf-8")
                self.out += b"X" + struct.pack("<I", len(raw)) + raw  # BINUNICODE
                self.put(("s", obj))
        elif isinstance(obj, Global):
            if not self.get(("g", obj.module, obj.name)):
                self.out += b"c" + obj.module.encode() + b"\n" + obj.name.encode() + b"\n"
                self.put(("g", obj.module, obj.name))
        elif isinstance(obj, tuple):
            if not obj:
                self.out += EMPTY_TUPLE
                return
            if len(obj) > 3:
                self.out += MARK
            for item in obj:
                self.save(item)
            self.out += {1: TUPLE1, 2: TUPLE2, 3: TUPLE3}.get(len(obj), TUPLE)
            self.put(object())
        elif isinstance(obj, list):
            self.out += EMPTY_LIST
            self.put(object())
            if obj:
                self.out += MARK
                for item in obj:
                    self.save(item)
                self.out += b"e"  # APPENDS
        elif isinstance(obj, Reduce):
            self.save(obj.func)
            self.save(obj.args)
            self.out += REDUCE
            self.put(object())
        elif isinstance(obj, PersId):
            self.save(obj.pid)
            self.out += BINPERSID
        else:
            raise TypeError(f"cannot write {obj!r}")

    def stop(self):
        self.out += STOP
        return bytes(self.out)


def tensor(key, numel, offset, size, stride, storage="FloatStorage", location="cpu", legacy=False):
    """torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())."""
    pid = ("storage", Global("torch", storage), key, location, numel)
    if legacy:
        pid += (None,)  # the legacy format's view_metadata
    return Reduce(Global("torch._utils", "_rebuild_tensor_v2"),
                  (PersId(pid), offset, size, stride, False, ordered_dict_call()))


def state_dict_pkl(items, writer=None):
    """OrderedDict() REDUCE, then MARK key value ... SETITEMS, STOP (as torch.save)."""
    w = writer or PickleWriter()
    w.save(ordered_dict_call())
    w.op(MARK)
    for name, value in items:
        w.save(name)
        w.save(value)
    w.op(SETITEMS)
    return w.stop()


def baseline_items(weight=None, bias=None):
    return [("encoder.0.weight", weight or tensor("0", 6, 0, (2, 3), (3, 1))),
            ("encoder.0.bias", bias or tensor("1", 2, 0, (2,), (1,)))]


def call_pkl(module, name, args):
    """GLOBAL module name, args tuple, REDUCE, STOP: calls module.name(*args) when loaded."""
    w = PickleWriter()
    w.save(Reduce(Global(module, name), args))
    return w.stop()


def floats(values):
    return struct.pack(f"<{len(values)}f", *values)


# --- Zip writing -----------------------------------------------------------------

def torch_zip(records):
    """records: (entry name, bytes[, compress_type]) in order -> zip bytes.

    Deterministic (fixed date/attributes); each entry's data is aligned to 64
    bytes by an "FB" extra field, like torch's writer.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", allowZip64=False) as zf:
        for rec in records:
            name, data = rec[0], rec[1]
            compress = rec[2] if len(rec) > 2 else zipfile.ZIP_STORED
            info = zipfile.ZipInfo(name, date_time=(1980, 0, 0, 0, 0, 0))
            info.create_system = 0
            info.external_attr = 0
            info.compress_type = compress
            data_start = buf.tell() + 30 + len(name.encode("utf-8")) + 4
            pad = -data_start % 64
            info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
            zf.writestr(info, data, compresslevel=9 if compress == zipfile.ZIP_DEFLATED else None)
    return buf.getvalue()


def baseline_records(pkl=None, weight=floats(WEIGHT), bias=floats(BIAS)):
    return [(f"{STEM}/data.pkl", pkl or state_dict_pkl(baseline_items())),
            (f"{STEM}/data/0", weight),
            (f"{STEM}/data/1", bias),
            (f"{STEM}/version", b"3\n")]


def pkl_only(pkl):
    return torch_zip([(f"{STEM}/data.pkl", pkl), (f"{STEM}/version", b"3\n")])


def patch_uncompressed_size(zbytes, entry, new_size):
    """Set `entry`'s uncompressed size in its local header and central directory."""
    b = bytearray(zbytes)
    patched = 0
    pos = 0
    while True:
        pos = b.find(b"PK\x03\x04", pos)
        if pos < 0:
            break
        name_len = struct.unpack_from("<H", b, pos + 26)[0]
        if b[pos + 30:pos + 30 + name_len] == entry.encode():
            struct.pack_into("<I", b, pos + 22, new_size)
            patched += 1
        pos += 4
    pos = 0
    while True:
        pos = b.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        name_len = struct.unpack_from("<H", b, pos + 28)[0]
        if b[pos + 46:pos + 46 + name_len] == entry.encode():
            struct.pack_into("<I", b, pos + 24, new_size)
            patched += 1
        pos += 4
    assert patched == 2, patched
    return bytes(b)


def legacy_file(magic_pkl=None, object_pkl=None, keys=("0", "1")):
    """What torch.save(sd, f, _use_new_zipfile_serialization=False) writes.

    Five concatenated pickles and raw data: the magic number (a LONG1), the
    protocol version 1001, a sys_info dict, the object (persistent ids carry a
    sixth element, view_metadata None), the list of storage keys; then per
    storage, in the list's order, an int64 element count and its bytes.
    magic_pkl / object_pkl replace the first / the fourth pickle; keys, the list.
    """
    if magic_pkl is None:
        w = PickleWriter()
        w.save(0x1950A86A20F9469CFC6C)
        magic_pkl = w.stop()
    out = magic_pkl
    w = PickleWriter()
    w.save(1001)
    out += w.stop()
    # sys_info: {'protocol_version': 1001, 'little_endian': True,
    #            'type_sizes': {'short': 2, 'int': 4, 'long': 4}}
    w = PickleWriter()
    w.op(b"}")  # EMPTY_DICT
    w.put(object())
    w.op(MARK)
    for key, value in (("protocol_version", 1001), ("little_endian", True)):
        w.save(key)
        w.save(value)
    w.save("type_sizes")
    w.op(b"}")
    w.put(object())
    w.op(MARK)
    for key, value in (("short", 2), ("int", 4), ("long", 4)):
        w.save(key)
        w.save(value)
    w.op(SETITEMS)
    w.op(SETITEMS)
    out += w.stop()
    out += object_pkl or state_dict_pkl([
        ("encoder.0.weight", tensor("0", 6, 0, (2, 3), (3, 1), legacy=True)),
        ("encoder.0.bias", tensor("1", 2, 0, (2,), (1,), legacy=True))])
    w = PickleWriter()
    w.save(list(keys))
    out += w.stop()
    out += struct.pack("<Q", 6) + floats(WEIGHT) + struct.pack("<Q", 2) + floats(BIAS)
    return out


LEGACY_PROOFS = {}  # name -> the pickle that runs its payload when loaded


# --- The fixtures -----------------------------------------------------------------

def build():
    """-> OrderedDict name -> file bytes."""
    files = collections.OrderedDict()
    base_pkl = state_dict_pkl(baseline_items())
    files["valid_baseline"] = torch_zip(baseline_records())

    # Code execution through GLOBAL + REDUCE.
    files["posix_system"] = pkl_only(call_pkl("posix", "system", (f"touch {PWNED}",)))
    files["os_system"] = pkl_only(call_pkl("os", "system", (f"touch {PWNED}",)))
    files["builtins_eval"] = pkl_only(call_pkl("builtins", "eval", (f"open('{PWNED}','w')",)))
    files["py2_builtin_eval"] = pkl_only(call_pkl("__builtin__", "eval", (f"open('{PWNED}','w')",)))
    files["subprocess_popen"] = pkl_only(call_pkl("subprocess", "Popen", (["touch", PWNED],)))
    files["builtins_import"] = pkl_only(call_pkl("builtins", "__import__", ("os",)))
    files["builtins_open"] = pkl_only(call_pkl("builtins", "open", (PWNED, "w")))
    files["reduce_main_class"] = pkl_only(call_pkl("__main__", "AutoEncoder", ()))

    # Opcode-level attacks.
    files["unknown_opcode"] = torch_zip(baseline_records(pkl=PROTO2 + b"\xff" + base_pkl[2:]))
    w = PickleWriter()
    w.op(MARK)
    w.save(f"touch {PWNED}")
    w.op(b"i" + b"os\nsystem\n")  # INST: pops to MARK, calls os.system(*args)
    w.put(object())
    files["inst_opcode"] = pkl_only(w.stop())

    # Storage/tensor-level inconsistencies.
    files["missing_storage"] = torch_zip([r for r in baseline_records() if r[0] != f"{STEM}/data/1"])
    files["short_storage"] = torch_zip(baseline_records(weight=floats(WEIGHT[:5])))
    files["offset_out_of_range"] = torch_zip(baseline_records(
        pkl=state_dict_pkl(baseline_items(bias=tensor("1", 2, 5, (2,), (1,))))))
    files["stride_mismatch"] = torch_zip(baseline_records(
        pkl=state_dict_pkl(baseline_items(weight=tensor("0", 6, 0, (2, 3), (4, 1))))))
    nan_w = list(WEIGHT)
    nan_w[4] = float("nan")
    files["nan_weight"] = torch_zip(baseline_records(weight=floats(nan_w)))
    files["inf_weight"] = torch_zip(baseline_records(bias=floats([BIAS[0], float("inf")])))

    # Zip-level attacks.
    files["oversize_entry"] = patch_uncompressed_size(
        torch_zip(baseline_records()), f"{STEM}/data/0", 0xF0000000)
    bomb_items = baseline_items() + [
        ("encoder.1.weight", tensor("2", BOMB_BYTES // 4, 0, (4096, 4096), (4096, 1)))]
    recs = baseline_records(pkl=state_dict_pkl(bomb_items))
    files["deflate_bomb"] = torch_zip(
        recs[:3] + [(f"{STEM}/data/2", bytes(BOMB_BYTES), zipfile.ZIP_DEFLATED)] + recs[3:])
    files["path_traversal"] = torch_zip([("../" + r[0],) + r[1:] for r in baseline_records()])
    files["absolute_path"] = torch_zip([("/tmp/" + r[0],) + r[1:] for r in baseline_records()])
    evil_key = "../../etc/passwd"
    recs = baseline_records(pkl=state_dict_pkl(baseline_items(
        weight=tensor(evil_key, 6, 0, (2, 3), (3, 1)))))
    recs[1] = (f"{STEM}/data/{evil_key}", recs[1][1])
    files["storage_key_traversal"] = torch_zip(recs)
    files["truncated"] = files["valid_baseline"][:len(files["valid_baseline"]) * 6 // 10]
    # The legacy format (PyTorch < 1.6): the baseline is read; hostile pickles in it are refused.
    files["legacy_baseline"] = legacy_file()
    posix = call_pkl("posix", "system", (f"touch {PWNED}",))
    files["legacy_magic_posix_system"] = legacy_file(magic_pkl=posix)
    files["legacy_object_posix_system"] = legacy_file(object_pkl=posix)
    LEGACY_PROOFS.update(legacy_magic_posix_system=posix, legacy_object_posix_system=posix)
    files["legacy_storage_count"] = legacy_file(keys=("0", "1", "2"))
    files["deep_nesting"] = pkl_only(PROTO2 + EMPTY_LIST * 100000 + APPEND * 99999 + STOP)
    recs = baseline_records()
    files["big_byteorder"] = torch_zip(recs[:1] + [(f"{STEM}/byteorder", b"big")] + recs[1:])
    return files


# --- Self-checks -------------------------------------------------------------------

def data_pkl(zbytes):
    with zipfile.ZipFile(io.BytesIO(zbytes)) as z:
        names = [n for n in z.namelist() if n.endswith("/data.pkl")]
        assert len(names) == 1, names
        return z.read(names[0])


def prove_hostile(name, pkl):
    """Unpickle with real Python in a fresh temp dir; show the payload ran."""
    here = os.getcwd()
    tmp = tempfile.mkdtemp(prefix="latentpad-hostile-")
    try:
        os.chdir(tmp)
        result = pickle.loads(pkl)
        if name == "builtins_import":
            assert result is os, result
            return "pickle.loads returned the os module"
        if isinstance(result, subprocess.Popen):
            result.wait()
        elif hasattr(result, "close"):
            result.close()
        assert os.path.exists(PWNED), f"{name}: payload did not run"
        return f"pickle.loads created ./{PWNED}"
    finally:
        os.chdir(here)
        shutil.rmtree(tmp)


class StubUnpickler(pickle.Unpickler):
    """Parses a state_dict pickle with stand-ins: no real global is ever loaded."""

    ALLOWED = {("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor_v2"),
               ("torch", "FloatStorage")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"global {module}.{name} not allowed")
        if name == "OrderedDict":
            return collections.OrderedDict
        if name == "_rebuild_tensor_v2":
            return lambda storage, offset, size, stride, grad, hooks: (storage, offset, size, stride)
        return f"torch.{name}"

    def persistent_load(self, pid):
        assert pid[0] == "storage", pid
        return pid[1:]


class LegacyStubUnpickler(StubUnpickler):
    """The same for the legacy format, whose storage ids end in view_metadata (None)."""

    def persistent_load(self, pid):
        assert pid[0] == "storage" and len(pid) == 6 and pid[5] is None, pid
        return pid[1:5]


def describe(pkl):
    return StubUnpickler(io.BytesIO(pkl)).load()


def self_check(files):
    base = describe(data_pkl(files["valid_baseline"]))
    assert base == collections.OrderedDict([
        ("encoder.0.weight", (("torch.FloatStorage", "0", "cpu", 6), 0, (2, 3), (3, 1))),
        ("encoder.0.bias", (("torch.FloatStorage", "1", "cpu", 2), 0, (2,), (1,)))]), base
    with zipfile.ZipFile(io.BytesIO(files["valid_baseline"])) as z:
        assert z.testzip() is None
        assert z.read(f"{STEM}/data/0") == floats(WEIGHT)
        assert z.read(f"{STEM}/data/1") == floats(BIAS)
        assert z.read(f"{STEM}/version") == b"3\n"
        for info in z.infolist():
            assert (info.header_offset + 30 + len(info.filename) + len(info.extra)) % 64 == 0
    try:
        describe(data_pkl(files["unknown_opcode"]))
        raise AssertionError("unknown_opcode parsed")
    except pickle.UnpicklingError:
        pass
    for name in ("offset_out_of_range", "stride_mismatch", "storage_key_traversal", "deflate_bomb"):
        d = describe(data_pkl(files[name]))
        print(f"    {name}: " + "; ".join(f"{k} {v}" for k, v in d.items()))
    for name in ("missing_storage", "short_storage", "nan_weight", "inf_weight", "big_byteorder"):
        assert describe(data_pkl(files[name])) == base, name
    with zipfile.ZipFile(io.BytesIO(files["deflate_bomb"])) as z:
        info = z.getinfo(f"{STEM}/data/2")
        assert info.file_size == BOMB_BYTES and info.compress_type == zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(io.BytesIO(files["oversize_entry"])) as z:
        info = z.getinfo(f"{STEM}/data/0")
        assert info.file_size == 0xF0000000 and info.compress_size == 24
    try:
        zipfile.ZipFile(io.BytesIO(files["truncated"]))
        raise AssertionError("truncated opened as a zip")
    except zipfile.BadZipFile:
        pass
    assert files["legacy_baseline"][:2] == PROTO2 and not files["legacy_baseline"].startswith(b"PK")
    f = io.BytesIO(files["legacy_baseline"])
    assert pickle.load(f) == 0x1950A86A20F9469CFC6C and pickle.load(f) == 1001
    assert pickle.load(f)["little_endian"] is True
    assert LegacyStubUnpickler(f).load() == base, "legacy_baseline's object"
    assert pickle.load(f) == ["0", "1"]
    assert f.read() == struct.pack("<Q", 6) + floats(WEIGHT) + struct.pack("<Q", 2) + floats(BIAS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT_DIR)
    args = ap.parse_args()

    files = build()
    print("self-check (stub unpickler, no real globals):")
    self_check(files)
    print("proving the code-execution pickles with Python's pickle.loads (temp dirs):")
    for name in ("posix_system", "os_system", "builtins_eval", "py2_builtin_eval",
                 "subprocess_popen", "builtins_import", "builtins_open", "inst_opcode"):
        print(f"    {name}: {prove_hostile(name, data_pkl(files[name]))}")
    for name, pkl in LEGACY_PROOFS.items():
        print(f"    {name}: {prove_hostile(name, pkl)}")

    os.makedirs(args.out_dir, exist_ok=True)
    print(f"wrote {args.out_dir}:")
    for name, data in files.items():
        path = os.path.join(args.out_dir, name + ".pth")
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        print(f"  {name + '.pth':28s} {len(data):7d} bytes  sha256 {hashlib.sha256(data).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
