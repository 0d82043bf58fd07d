#!/usr/bin/env python3
"""Writes tests/models/qdq_cnn_fused: a small CNN quantized by ONNX
Runtime's quantize_static in QDQ format (its default: uint8 activations,
int8 weights, per-tensor scales), with ONNX Runtime's outputs.

The float network (written with onnx.helper, random weights of a fixed
seed): Conv 3x3 + Relu, Conv 3x3 stride 2 + Relu, a 1x1 Conv branch added
to it (Add), Mul by a constant, GlobalAveragePool, Flatten, Gemm. After
quantization every Conv, the Add, the Mul and the Gemm sit between
DequantizeLinear and QuantizeLinear nodes, which onnxcc's fuse-qdq pass
turns into QLinearConv, QLinearAdd, QLinearMul and QGemm.

The expected output is ONNX Runtime's on the quantized model (which also
runs the groups as integer kernels). Layout: model.onnx and
test_data_set_0/{input_0,output_0}.pb, run by the conformance runner's
`--suite models`.

    .venv/bin/python tests/models/make_qdq_model.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx", "onnxruntime"), __file__)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, quantize_static  # noqa: E402

HERE = Path(__file__).resolve().parent
NAME = "qdq_cnn_fused"
SHAPE = (1, 3, 16, 16)


def float_model(rng):
    def w(name, *shape, scale=0.3):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    inits = [w("w1", 8, 3, 3, 3), w("b1", 8, scale=0.1), w("w2", 16, 8, 3, 3, scale=0.15), w("b2", 16, scale=0.1),
             w("w3", 16, 8, 1, 1), w("b3", 16, scale=0.1), w("m", 1, 16, 1, 1, scale=1.0),
             w("wf", 10, 16), w("bf", 10, scale=0.1)]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("Conv", ["r1", "w3", "b3"], ["c3"], strides=[2, 2]),
        helper.make_node("Add", ["r2", "c3"], ["s"]),
        helper.make_node("Mul", ["s", "m"], ["sm"]),
        helper.make_node("GlobalAveragePool", ["sm"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], transB=1),
    ]
    graph = helper.make_graph(nodes, NAME, [helper.make_tensor_value_info("x", TensorProto.FLOAT, SHAPE)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


class Reader(CalibrationDataReader):
    def __init__(self, rng):
        self.batches = iter([{"x": rng.standard_normal(SHAPE).astype(np.float32)} for _ in range(16)])

    def get_next(self):
        return next(self.batches, None)


def main():
    rng = np.random.default_rng(1234)
    folder = HERE / NAME
    data = folder / "test_data_set_0"
    data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        fp = Path(t) / "float.onnx"
        onnx.save(float_model(rng), str(fp))
        quantize_static(str(fp), str(folder / "model.onnx"), Reader(rng), quant_format=QuantFormat.QDQ)
    x = rng.standard_normal(SHAPE).astype(np.float32)
    sess = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    y = sess.run(None, {"x": x})[0]
    (data / "input_0.pb").write_bytes(numpy_helper.from_array(x, "x").SerializeToString())
    (data / "output_0.pb").write_bytes(numpy_helper.from_array(y, "y").SerializeToString())
    print("wrote %s" % folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
