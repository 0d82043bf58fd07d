"""The raw-buffer files of the program `onnxcc run` builds (templates/driver.c.in),
for the checks that run that program themselves (tests/cross/check_cross.py
under an emulator, tests/models/check_symbolic.py at several sizes):

    DIR/in_I.bin      input I's bytes, C order     DIR/in_I.dims      "RANK D0 D1 ..."
    DIR/output_K.bin  output K's bytes             DIR/output_K.dims  the same

Numbers are their little-endian bytes (every target these checks run on is
little-endian). A string element is a slot of the generated code
(runtime/include/onnxcc/strings.h): a uint32 length, the bytes, a NUL,
rounded up to 8 bytes, sized for the compilation's --max-string-bytes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

# onnxcc's default --max-string-bytes (the checks compile with the default)
STRING_MAX_BYTES = 64


def slot_bytes(max_bytes: int = STRING_MAX_BYTES) -> int:
    """RT_STRING_SLOT(max_bytes) of onnxcc/strings.h."""
    return (max_bytes + 4 + 1 + 7) & ~7


def _as_bytes(s) -> bytes:
    return s if isinstance(s, bytes) else str(s).encode("utf-8")


def to_raw(x: np.ndarray, max_bytes: int = STRING_MAX_BYTES) -> bytes:
    """X's elements as the program reads them."""
    if x.dtype.kind not in "OSU":
        return np.ascontiguousarray(x).tobytes()
    slot = slot_bytes(max_bytes)
    out = bytearray()
    for s in x.reshape(-1):
        b = _as_bytes(s)
        if len(b) > slot - 5:
            raise ValueError(f"a string of {len(b)} bytes does not fit a slot for --max-string-bytes {max_bytes}")
        out += len(b).to_bytes(4, "little") + b + bytes(slot - 4 - len(b))
    return bytes(out)


def from_raw(data: bytes, like: np.ndarray, max_bytes: int = STRING_MAX_BYTES) -> np.ndarray:
    """DATA read back as an array of LIKE's shape and type (strings as
    bytes objects, as onnx's numpy_helper gives them)."""
    if like.dtype.kind not in "OSU":
        return np.frombuffer(data, dtype=like.dtype).reshape(like.shape)
    slot = slot_bytes(max_bytes)
    if len(data) != slot * like.size:
        raise ValueError(f"{len(data)} bytes of strings, expected {like.size} slots of {slot}")
    items = []
    for i in range(like.size):
        e = data[i * slot:(i + 1) * slot]
        n = int.from_bytes(e[:4], "little")
        items.append(bytes(e[4:4 + n]))
    return np.array(items, dtype=object).reshape(like.shape)


def strings_equal(got: np.ndarray, want: np.ndarray) -> bool:
    """Element-wise equality of two string arrays, str or bytes alike."""
    return got.shape == want.shape and all(_as_bytes(a) == _as_bytes(b)
                                           for a, b in zip(got.reshape(-1), want.reshape(-1)))


def write_inputs(arrays: list[np.ndarray], folder: Path) -> list[str]:
    """Writes each array as in_I.bin and in_I.dims; returns the .bin paths
    (the program's arguments)."""
    paths = []
    for i, x in enumerate(arrays):
        (folder / f"in_{i}.bin").write_bytes(to_raw(x))
        (folder / f"in_{i}.dims").write_text(" ".join(str(v) for v in (x.ndim, *x.shape)) + "\n")
        paths.append(str(folder / f"in_{i}.bin"))
    return paths


def read_output(folder: Path, k: int, want: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """Output K as an array like WANT, or None and why (dims that differ
    from WANT's)."""
    dims = [int(v) for v in (folder / f"output_{k}.dims").read_text().split()]
    if dims[0] != want.ndim or tuple(dims[1:]) != want.shape:
        return None, f"output {k} has dims {dims[1:]}, expected {list(want.shape)}"
    return from_raw((folder / f"output_{k}.bin").read_bytes(), want), None
