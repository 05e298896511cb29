#!/usr/bin/env python3
"""Read a safetensors file and print a JSON summary of it.

Usage: read_safetensors.py FILE

Written from the format's description (https://github.com/huggingface/safetensors, README,
"Format") with the standard library and numpy only, so that it is an independent check of
the Go writer in package checkpoint:

  - 8 bytes: N, an unsigned little-endian 64-bit integer, the size of the header;
  - N bytes: a UTF-8 JSON object mapping tensor names to
    {"dtype": ..., "shape": [...], "data_offsets": [begin, end]} (offsets relative to the
    data buffer), plus an optional "__metadata__" object of strings; spaces may pad it;
  - the data buffer: the rest of the file, row-major little-endian tensors that cover it
    exactly, without holes or overlaps.

It prints {"metadata": {...}, "tensors": {name: {"dtype", "shape", "sum", "first"}},
"safetensors_package": ...}. "first" holds up to 8 leading elements (row-major); "sum" is
the exact integer sum for integer dtypes and the correctly rounded float64 sum (math.fsum)
for floating dtypes. Non-finite floats are written as the strings "nan", "inf" and "-inf".
When the safetensors package is importable, the file is also loaded with it and the two
readings must agree bit for bit ("safetensors_package": "agrees"); otherwise the field says
"not installed". Any problem with the file ends the script with a message and status 1.
"""

import json
import math
import struct
import sys

import numpy as np

MAX_HEADER_SIZE = 100_000_000  # the reference implementation's limit

# safetensors dtype -> numpy little-endian dtype (BF16 and the F8 types have no numpy dtype)
DTYPES = {
    "BOOL": "?", "U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "F16": "<f2",
    "U32": "<u4", "I32": "<i4", "F32": "<f4", "U64": "<u8", "I64": "<i8", "F64": "<f8",
}

FIRST = 8


def fail(msg):
    sys.exit("read_safetensors: " + msg)


def no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            fail(f"header: key {k!r} appears twice")
        out[k] = v
    return out


def read(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 8:
        fail(f"{path}: {len(raw)} bytes, too short for the header size")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > MAX_HEADER_SIZE or n > len(raw) - 8:
        fail(f"{path}: header size {n} is out of range")
    try:
        text = raw[8:8 + n].decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{path}: header is not UTF-8: {e}")
    header = json.loads(text, object_pairs_hook=no_duplicates)
    if not isinstance(header, dict):
        fail(f"{path}: header is not a JSON object")
    data = raw[8 + n:]

    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        fail(f"{path}: __metadata__ is not an object of strings")

    tensors = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            fail(f"{path}: tensor {name!r}: want exactly dtype, shape and data_offsets")
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPES:
            fail(f"{path}: tensor {name!r}: unsupported dtype {dtype!r}")
        ints = shape + offsets
        if not all(type(v) is int and v >= 0 for v in ints) or len(offsets) != 2:
            fail(f"{path}: tensor {name!r}: bad shape or data_offsets")
        begin, end = offsets
        itemsize = np.dtype(DTYPES[dtype]).itemsize
        count = math.prod(shape)
        if not begin <= end <= len(data) or count * itemsize != end - begin:
            fail(f"{path}: tensor {name!r}: data_offsets {offsets} do not fit dtype, shape or file")
        tensors.append((begin, end, name, dtype, shape))

    # The tensors must cover the data buffer exactly.
    tensors.sort()
    pos = 0
    for begin, end, name, _, _ in tensors:
        if begin != pos:
            fail(f"{path}: tensor {name!r} starts at {begin}, want {pos} (hole or overlap)")
        pos = end
    if pos != len(data):
        fail(f"{path}: bytes [{pos}, {len(data)}) belong to no tensor")

    arrays = {}
    for begin, end, name, dtype, shape in tensors:
        arr = np.frombuffer(data, dtype=DTYPES[dtype], count=math.prod(shape), offset=begin)
        arrays[name] = (dtype, arr.reshape(shape))
    return metadata, arrays


def number(v):
    """A JSON-safe exact value: ints as ints, floats by repr, non-finite as strings."""
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def total(arr):
    flat = arr.reshape(-1)
    if flat.dtype.kind in "biu":
        return sum(int(x) for x in flat.tolist())
    vals = flat.astype(np.float64)
    if not np.all(np.isfinite(vals)):
        return number(vals.sum())  # nan or ±inf, whatever the order of the additions
    return number(math.fsum(vals.tolist()))


def check_with_package(path, metadata, arrays):
    try:
        from safetensors import safe_open
    except ImportError:
        return "not installed"
    with safe_open(path, framework="np") as f:
        theirs_meta = f.metadata() or {}
        names = set(f.keys())
        if names != set(arrays) or theirs_meta != metadata:
            fail(f"{path}: the safetensors package sees other names or metadata")
        for name in names:
            theirs = f.get_tensor(name)
            _, ours = arrays[name]
            if theirs.shape != ours.shape or theirs.tobytes() != ours.tobytes():
                fail(f"{path}: tensor {name!r} differs from what the safetensors package reads")
    return "agrees"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    metadata, arrays = read(path)
    out = {"metadata": metadata, "tensors": {}}
    for name, (dtype, arr) in arrays.items():
        out["tensors"][name] = {
            "dtype": dtype,
            "shape": list(arr.shape),
            "sum": total(arr),
            "first": [number(v) for v in arr.reshape(-1)[:FIRST].tolist()],
        }
    out["safetensors_package"] = check_with_package(path, metadata, arrays)
    json.dump(out, sys.stdout, ensure_ascii=False, allow_nan=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
