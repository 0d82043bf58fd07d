#!/usr/bin/env python3
"""Builds model.onnx: a hand-weighted line classifier for the demo.

An 8x8 grey image goes through three 3x3 line detectors (vertical,
horizontal, diagonal), ReLU, global average pooling and a softmax, so the
class with the highest probability names the kind of line in the picture.
The weights are set by hand, not trained, so the answer is easy to check.

Run: .venv/bin/python examples/tiny_classifier/make_model.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

vertical = np.array([[-1, 2, -1]] * 3, dtype=np.float32)
horizontal = vertical.T.copy()
diagonal = np.array([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]], dtype=np.float32)
weights = np.stack([vertical, horizontal, diagonal])[:, None, :, :]  # 3x1x3x3

nodes = [
    helper.make_node("Conv", ["image", "W"], ["edges"], name="detectors", pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["edges"], ["positive"], name="relu"),
    helper.make_node("GlobalAveragePool", ["positive"], ["pooled"], name="pool"),
    helper.make_node("Flatten", ["pooled"], ["scores"], name="flatten"),
    helper.make_node("Mul", ["scores", "sharpness"], ["logits"], name="sharpen"),
    helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
]
graph = helper.make_graph(
    nodes,
    "tiny_classifier",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 8, 8])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3])],
    [numpy_helper.from_array(weights, "W"),
     numpy_helper.from_array(np.array([4.0], dtype=np.float32), "sharpness")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="onnxcc-example")
onnx.checker.check_model(model)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.onnx"))
