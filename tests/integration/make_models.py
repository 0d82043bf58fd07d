#!/usr/bin/env python3
"""Makes the two models of the integration test and their reference outputs.

  models/mlp.onnx      Gemm+Relu+Gemm, input x[batch, 16] (batch is symbolic:
                       the sample projects pin it with --dim batch=2)
  models/convnet.onnx  Conv+Relu+Conv(stride 2)+GlobalAveragePool+Flatten,
                       input image[1, 2, 8, 8]
  models/reference.txt what ONNX Runtime computes for the inputs the sample
                       app (app/main.c) feeds: element i of every input is
                       ((i * 7) % 13 - 6) / 8, exact in float

The weights come from a fixed seed, so running it again makes the same files.
Run: .venv/bin/python tests/integration/make_models.py
"""
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "models")
rng = np.random.RandomState(8)


def weight(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.5).astype(np.float32), name)


def save(graph, name):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="onnxcc-integration-test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))
    return model


def app_input(shape):
    n = int(np.prod(shape))
    return (((np.arange(n) * 7) % 13 - 6) / 8.0).astype(np.float32).reshape(shape)


mlp = helper.make_graph(
    [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1", transB=1),
     helper.make_node("Relu", ["h"], ["hr"], name="relu"),
     helper.make_node("Gemm", ["hr", "w2", "b2"], ["y"], name="fc2", transB=1)],
    "mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 5])],
    [weight("w1", 24, 16), weight("b1", 24), weight("w2", 5, 24), weight("b2", 5)])

convnet = helper.make_graph(
    [helper.make_node("Conv", ["image", "k1", "c1"], ["f1"], name="conv1", pads=[1, 1, 1, 1]),
     helper.make_node("Relu", ["f1"], ["f1r"], name="relu1"),
     helper.make_node("Conv", ["f1r", "k2", "c2"], ["f2"], name="conv2", strides=[2, 2]),
     helper.make_node("GlobalAveragePool", ["f2"], ["pooled"], name="pool"),
     helper.make_node("Flatten", ["pooled"], ["scores"], name="flatten")],
    "convnet",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 2, 8, 8])],
    [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 3])],
    [weight("k1", 4, 2, 3, 3), weight("c1", 4), weight("k2", 3, 4, 3, 3), weight("c2", 3)])

os.makedirs(OUT, exist_ok=True)
lines = []
for name, graph, shape in (("mlp", mlp, (2, 16)), ("convnet", convnet, (1, 2, 8, 8))):
    model = save(graph, name + ".onnx")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (y,) = sess.run(None, {graph.input[0].name: app_input(shape)})
    lines.append("%s %d" % (name, y.size))
    lines += ["%.9g" % v for v in y.ravel()]
with open(os.path.join(OUT, "reference.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", OUT)
