#!/usr/bin/env python3
"""Checks that run.py's output comparison can fail for sequences and
optionals, not only pass: builds expected/actual file pairs and asserts
compare_outputs' verdict on each. The test data can only show that equal
values pass; this shows that unequal ones do not. Also checks which graph
I/O types the runner still refuses to run (maps, sparse tensors).

Run with the repository's virtualenv:
  .venv/bin/python tests/conformance/check_compare.py
The last line is "N passed, M failed, 0 skipped"; exit status 1 when M > 0.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np
from onnx import MapProto, OptionalProto, SequenceProto, TensorProto, helper, \
    numpy_helper

HERE = Path(__file__).resolve().parent

# run.py is a script, not a package module: load it from its path.
_spec = importlib.util.spec_from_file_location("conformance_run",
                                               HERE / "run.py")
run = importlib.util.module_from_spec(_spec)
# dataclasses look their module up in sys.modules while it executes.
sys.modules[_spec.name] = run
_spec.loader.exec_module(run)

TOL = run.Tolerance()


def tensor(values, dtype=np.float32) -> TensorProto:
    return numpy_helper.from_array(np.asarray(values, dtype=dtype))


def bf16(values) -> TensorProto:
    """A bfloat16 tensor of VALUES (exact in bfloat16: the top 16 bits of
    their float32 patterns)."""
    bits = np.asarray(values, np.float32).view(np.uint32) >> 16
    return helper.make_tensor("t", TensorProto.BFLOAT16, [len(values)],
                              bits.astype(np.uint16).tobytes(), raw=True)


def seq(*arrays) -> SequenceProto:
    s = SequenceProto(elem_type=SequenceProto.TENSOR)
    for a in arrays:
        s.tensor_values.add().CopyFrom(a)
    return s


def opt_tensor(t: TensorProto | None) -> OptionalProto:
    o = OptionalProto(elem_type=OptionalProto.TENSOR)
    if t is not None:
        o.tensor_value.CopyFrom(t)
    return o


def opt_seq(s: SequenceProto | None) -> OptionalProto:
    o = OptionalProto(elem_type=OptionalProto.SEQUENCE)
    if s is not None:
        o.sequence_value.CopyFrom(s)
    return o


T_FLOAT = helper.make_tensor_type_proto(TensorProto.FLOAT, None)
T_F16 = helper.make_tensor_type_proto(TensorProto.FLOAT16, None)
T_BF16 = helper.make_tensor_type_proto(TensorProto.BFLOAT16, None)
T_SEQ = helper.make_sequence_type_proto(T_FLOAT)
T_OPT = helper.make_optional_type_proto(T_FLOAT)
T_OPT_SEQ = helper.make_optional_type_proto(T_SEQ)

A = tensor([1.0, 2.0, 3.0])
B = tensor([4.0, 5.0])
B_OFF = tensor([4.0, 5.5])             # differs well beyond the tolerance
B_CLOSE = tensor([4.0, 5.0 + 1e-6])   # within rtol/atol
B_INT = tensor([4, 5], np.int64)
B_LONG = tensor([4.0, 5.0, 6.0])

def mapping(d: dict) -> MapProto:
    return run.dict_to_map(d)


def seq_maps(*maps) -> SequenceProto:
    s = SequenceProto(elem_type=SequenceProto.MAP)
    for m in maps:
        s.map_values.add().CopyFrom(m)
    return s


T_MAP_SEQ = helper.make_sequence_type_proto(helper.make_map_type_proto(TensorProto.INT64, T_FLOAT))
M = mapping({3: 0.25, -1: 0.75})
M_SWAPPED = mapping({-1: 0.75, 3: 0.25})     # the same map, keys in another order
M_OFF = mapping({3: 0.25, -1: 0.5})
M_KEYS = mapping({3: 0.25, 2: 0.75})
M_STR = mapping({"a": 0.25})

# (name, declared type, expected, actual, None for "must pass" or a piece of
# text the failure message must contain)
CASES = [
    ("sequence equal", T_SEQ, seq(A, B), seq(A, B), None),
    ("sequence within tolerance", T_SEQ, seq(A, B), seq(A, B_CLOSE), None),
    ("sequence empty both", T_SEQ, seq(), seq(), None),
    ("sequence shorter", T_SEQ, seq(A, B), seq(A),
     "output 0: 1 elements, expected 2"),
    ("sequence longer", T_SEQ, seq(A), seq(A, B),
     "output 0: 2 elements, expected 1"),
    ("sequence empty vs not", T_SEQ, seq(A), seq(),
     "output 0: 0 elements, expected 1"),
    ("sequence element values", T_SEQ, seq(A, B), seq(A, B_OFF),
     "at output 0 element 1"),
    ("sequence element dtype", T_SEQ, seq(A, B), seq(A, B_INT),
     "dtype mismatch at output 0 element 1"),
    ("sequence element shape", T_SEQ, seq(A, B), seq(A, B_LONG),
     "shape mismatch at output 0 element 1"),
    ("sequence order", T_SEQ, seq(A, B), seq(B, A), "output 0 element 0"),
    ("optional tensor equal", T_OPT, opt_tensor(A), opt_tensor(A), None),
    ("optional both empty", T_OPT, opt_tensor(None), opt_tensor(None), None),
    ("optional empty, want value", T_OPT, opt_tensor(A), opt_tensor(None),
     "output 0: optional is empty, expected a value"),
    ("optional value, want empty", T_OPT, opt_tensor(None), opt_tensor(A),
     "output 0: optional has a value, expected it empty"),
    ("optional tensor values", T_OPT, opt_tensor(B), opt_tensor(B_OFF),
     "at output 0"),
    ("optional sequence equal", T_OPT_SEQ, opt_seq(seq(A, B)),
     opt_seq(seq(A, B)), None),
    ("optional sequence empty vs value", T_OPT_SEQ, opt_seq(seq(A)),
     opt_seq(None), "optional is empty, expected a value"),
    ("optional sequence length", T_OPT_SEQ, opt_seq(seq(A, B)),
     opt_seq(seq(A)), "output 0: 1 elements, expected 2"),
    ("optional sequence element", T_OPT_SEQ, opt_seq(seq(A, B)),
     opt_seq(seq(A, B_OFF)), "output 0 element 1"),
    # The wrong kind inside an optional, or the wrong kind of file.
    ("optional tensor where sequence declared", T_OPT_SEQ,
     opt_seq(seq(A)), opt_tensor(A), "holds tensor_value"),
    ("optional sequence where tensor declared", T_OPT, opt_tensor(A),
     opt_seq(seq(A)), "holds sequence_value"),
    ("tensor file where sequence declared", T_SEQ, seq(A), A,
     "is not the SequenceProto"),
    ("sequence file where tensor declared", T_FLOAT, A, seq(A),
     "is not the TensorProto"),
    ("tensor file where optional declared", T_OPT, opt_tensor(A), A,
     "is not the OptionalProto"),
    # Maps: compared by key, whatever the order (ONNX Runtime sorts them)
    ("maps equal", T_MAP_SEQ, seq_maps(M, M), seq_maps(M, M_SWAPPED), None),
    ("map values", T_MAP_SEQ, seq_maps(M), seq_maps(M_OFF), "at output 0 element 0"),
    ("map keys", T_MAP_SEQ, seq_maps(M), seq_maps(M_KEYS), "output 0 element 0: keys [2, 3], expected [-1, 3]"),
    ("map count", T_MAP_SEQ, seq_maps(M, M), seq_maps(M), "output 0: 1 elements, expected 2"),
    ("map of string keys where int64 declared", T_MAP_SEQ, seq_maps(M), seq_maps(M_STR),
     "has key_type 8"),
    # Plain tensors keep their old wording.
    ("tensor equal", T_FLOAT, A, A, None),
    ("tensor values", T_FLOAT, B, B_OFF, "mismatch: max abs err 0.5 at "
     "output 0, 1/2 elements"),
    # Half-precision outputs may be one unit in the last place off (the
    # rounding order differs); two units fail, and so does a float that far off.
    ("float16 one ulp", T_F16, tensor([1.0, 0.5], np.float16),
     tensor([1.0 + 2.0 ** -10, 0.5], np.float16), None),
    ("float16 two ulps", T_F16, tensor([1.0], np.float16),
     tensor([1.0 + 2.0 ** -9], np.float16), "mismatch"),
    ("float, a bfloat16 ulp off", T_FLOAT, tensor([1.0]), tensor([1.0 + 2.0 ** -7]),
     "mismatch"),
    ("bfloat16 one ulp", T_BF16, bf16([1.0, 3.0]), bf16([1.0 + 2.0 ** -7, 3.0]),
     None),
    ("bfloat16 two ulps", T_BF16, bf16([1.0]), bf16([1.0 + 2.0 ** -6]),
     "mismatch"),
]


def verdict(tp, expected, actual) -> str | None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        exp_path = tmp / "expected_0.pb"
        exp_path.write_bytes(expected.SerializeToString())
        out = tmp / "out"
        out.mkdir()
        (out / "output_0.pb").write_bytes(actual.SerializeToString())
        return run.compare_outputs([exp_path], out, TOL, [tp])


def refusal(out_type) -> str | None:
    """run.py's reason for not running a one-output model of OUT_TYPE."""
    graph = helper.make_graph(
        [], "g", [helper.make_value_info("x", T_FLOAT)],
        [helper.make_value_info("y", out_type)])
    return run._unsupported_io(helper.make_model(graph))


# (name, output type, None when the runner must let it run, or a piece of
# the reason it must give for refusing)
REFUSALS = [
    ("tensor runs", T_FLOAT, None),
    ("optional(sequence) runs", T_OPT_SEQ, None),
    ("map of int64 keys runs", helper.make_map_type_proto(TensorProto.INT64, T_FLOAT), None),
    ("sequence(map) of string keys runs", helper.make_sequence_type_proto(
        helper.make_map_type_proto(TensorProto.STRING, T_FLOAT)), None),
    ("map of int32 keys refused", helper.make_map_type_proto(TensorProto.INT32, T_FLOAT),
     "map output not supported ('y' is map(int32, tensor))"),
    ("map of sequences refused", helper.make_sequence_type_proto(
        helper.make_map_type_proto(TensorProto.STRING, T_SEQ)),
     "map output not supported ('y' is sequence(map(string, sequence(tensor))))"),
    ("sparse tensor refused", helper.make_optional_type_proto(
        helper.make_sparse_tensor_type_proto(TensorProto.FLOAT, [2])),
     "sparse tensor output not supported"),
]


def main() -> int:
    passed = failed = 0
    for name, out_type, want in REFUSALS:
        got = refusal(out_type)
        if (got is None) if want is None else (got and want in got):
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}: wanted {want!r}, got {got!r}")
    for name, tp, expected, actual, want in CASES:
        got = verdict(tp, expected, actual)
        if want is None:
            ok = got is None
        else:
            ok = got is not None and want in got
        if ok:
            passed += 1
        else:
            failed += 1
            wanted = "pass" if want is None else f"a failure with {want!r}"
            print(f"FAIL {name}: wanted {wanted}, got {got!r}")
    print(f"{passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
