#!/usr/bin/env python3
"""Generate the test models of ai.onnx.ml's ops on maps under tests/models/:
ZipMap with int64 and with string labels (a sequence of maps as output),
DictVectorizer with string and with int64 keys and CastMap in both map
forms (a map as input).

Each model is one node built with onnx.helper; the expected outputs are
ONNX Runtime's (the numerical reference), laid out like ONNX's backend test
data (tests/models/NAME/model.onnx, test_data_set_0/input_0.pb,
output_0.pb), a map as a MapProto and a sequence of maps as a SequenceProto
of them (values: one scalar tensor per key, onnx.numpy_helper.from_dict's
layout). ONNX Runtime's python API passes maps of float values only, so
those are the maps tested against it. Regenerate from the
repository root with

    .venv/bin/python tests/models/make_map_models.py [--only NAME]

tests/conformance/run.py runs them as suite "models".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import SequenceProto, TensorProto, helper, numpy_helper

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "conformance"))
import run as conformance  # noqa: E402  (dict_to_map: the file form of a map)
SEED = 0
OPSETS = [helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)]


def seq_of_maps(key_type: int) -> onnx.TypeProto:
    return helper.make_sequence_type_proto(
        helper.make_map_type_proto(key_type, helper.make_tensor_type_proto(TensorProto.FLOAT, None)))


def zipmap_model(name: str, shape: list[int], **labels) -> onnx.ModelProto:
    key = TensorProto.INT64 if "classlabels_int64s" in labels else TensorProto.STRING
    node = helper.make_node("ZipMap", ["X"], ["Z"], domain="ai.onnx.ml", **labels)
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info("X", TensorProto.FLOAT, shape)],
                              [helper.make_value_info("Z", seq_of_maps(key))])
    return helper.make_model(graph, opset_imports=OPSETS, ir_version=8)


def map_reader_model(name: str, key: int, out_type: int, **attrs) -> onnx.ModelProto:
    """One DictVectorizer or CastMap (attrs["op"]) on a map(key, float) input."""
    op = attrs.pop("op")
    node = helper.make_node(op, ["X"], ["Y"], domain="ai.onnx.ml", **attrs)
    x_type = helper.make_map_type_proto(key, helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    graph = helper.make_graph([node], name, [helper.make_value_info("X", x_type)],
                              [helper.make_tensor_value_info("Y", out_type, [1, None])])
    return helper.make_model(graph, opset_imports=OPSETS, ir_version=8)


def map_models(rng):
    """DictVectorizer and CastMap: a map input, a dense tensor out."""
    vals = [float(v) for v in np.round(rng.normal(size=6), 3)]
    words = ["b", "zeta", "a", "c", "longer key"]
    # "q" is not in the vocabulary (skipped), "zeta" and "a" are, in another order
    yield ("ml_dictvectorizer_string",
           map_reader_model("ml_dictvectorizer_string", TensorProto.STRING, TensorProto.FLOAT,
                            op="DictVectorizer", string_vocabulary=words),
           [{"a": vals[0], "q": vals[1], "zeta": vals[2], "longer key": vals[3]}])
    yield ("ml_dictvectorizer_int64",
           map_reader_model("ml_dictvectorizer_int64", TensorProto.INT64, TensorProto.FLOAT,
                            op="DictVectorizer", int64_vocabulary=[7, -2, 40, 3]),
           [{40: vals[0], -2: vals[1], 99: vals[2]}])
    keyed = {5: vals[0], 0: vals[1], 3: -vals[2] * 10, 9: vals[3]}
    yield ("ml_castmap_dense", map_reader_model("ml_castmap_dense", TensorProto.INT64, TensorProto.FLOAT,
                                                op="CastMap", map_form="DENSE", cast_to="TO_FLOAT"), [keyed])
    # sparse: key 9 is past max_map and skipped; to int64 rounds toward 0
    yield ("ml_castmap_sparse_int64",
           map_reader_model("ml_castmap_sparse_int64", TensorProto.INT64, TensorProto.INT64,
                            op="CastMap", map_form="SPARSE", cast_to="TO_INT64", max_map=7), [keyed])


def models(rng):
    """(name, model, inputs) of each test."""
    x = rng.random(size=(4, 3)).astype(np.float32)
    yield ("ml_zipmap_int64", zipmap_model("ml_zipmap_int64", [4, 3], classlabels_int64s=[10, -3, 7]), [x])
    yield ("ml_zipmap_string",
           zipmap_model("ml_zipmap_string", [4, 3], classlabels_strings=["cat", "dog", "bird"]), [x])
    # one map from a 1-D input
    yield ("ml_zipmap_1d", zipmap_model("ml_zipmap_1d", [3], classlabels_int64s=[0, 1, 2]), [x[0]])
    yield from map_models(rng)


def value_proto(value, name: str):
    """An ONNX Runtime result or input as the test-data file format: a
    tensor, a dict as a MapProto, a list of dicts (ZipMap's) as a
    SequenceProto of MapProtos."""
    if isinstance(value, dict):
        return conformance.dict_to_map(value, name)
    if isinstance(value, list):
        seq = SequenceProto(name=name, elem_type=SequenceProto.MAP)
        for item in value:
            seq.map_values.append(conformance.dict_to_map(item))
        return seq
    return numpy_helper.from_array(np.asarray(value), name)


def write_case(name: str, model: onnx.ModelProto, xs: list, out_root: Path) -> None:
    import onnxruntime as ort

    onnx.checker.check_model(model)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {vi.name: x for vi, x in zip(model.graph.input, xs)}
    outs = sess.run(None, feeds)
    d = out_root / name / "test_data_set_0"
    d.mkdir(parents=True, exist_ok=True)
    (out_root / name / "model.onnx").write_bytes(model.SerializeToString())
    for i, (vi, x) in enumerate(zip(model.graph.input, xs)):
        (d / f"input_{i}.pb").write_bytes(value_proto(x, vi.name).SerializeToString())
    for i, (vi, y) in enumerate(zip(model.graph.output, outs)):
        (d / f"output_{i}.pb").write_bytes(value_proto(y, vi.name).SerializeToString())
    # a map's length varies: the checks that compile the model without an
    # input file (strict, cross, check_symbolic) bound it so
    if any(vi.type.HasField("map_type") for vi in model.graph.input):
        (out_root / name / "dims.txt").write_text("X_len=1..16\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only")
    ap.add_argument("--out", default=str(HERE))
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    for name, model, xs in models(rng):
        if args.only in (None, name):
            write_case(name, model, xs, Path(args.out))


if __name__ == "__main__":
    sys.exit(main())
