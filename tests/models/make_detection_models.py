#!/usr/bin/env python3
"""Generate the detection post-process test network under tests/models/.

Built with onnx.helper (opset 13), with onnxruntime's outputs as the
expected ones; the layout is ONNX's backend test data (NAME/model.onnx,
NAME/test_data_set_N/*.pb), run by `tests/conformance/run.py --suite models`.
How many boxes survive depends on the data, so each data set gives outputs
of its own size; the compiled code sizes its buffers for the bounds.

Network:
  detect_post  boxes [1, 64, 4] and scores [1, 3, 64] of a detector:
               NonMaxSuppression (at most 16 boxes per class, IOU 0.4, score
               0.5) -> the selected [K, 3] triples, the chosen boxes
               gathered by their index [K, 4] and their scores; the 5 best
               anchors by their top class score (TopK); the anchors whose
               top score passes 0.7 (NonZero). Three data sets with
               different counts.

The files are committed; regenerate from the repository root with

    .venv/bin/python tests/models/make_detection_models.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx", "onnxruntime"), __file__)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto as T, helper as h, numpy_helper as nh  # noqa: E402

HERE = Path(__file__).resolve().parent
ANCHORS, CLASSES = 64, 3


def const(name, value, dtype):
    return nh.from_array(np.array(value, dtype), name)


def detect_post():
    nodes = [
        h.make_node("NonMaxSuppression", ["boxes", "scores", "max_out", "iou", "score_th"], ["selected"]),
        # the chosen boxes: column 2 of each triple indexes the anchors
        h.make_node("Gather", ["selected", "two"], ["box_idx"], axis=1),
        h.make_node("Squeeze", ["boxes", "zero_axis"], ["boxes2d"]),
        h.make_node("Gather", ["boxes2d", "box_idx"], ["chosen_boxes"], axis=0),
        # their scores: scores[0, class, anchor] = flat[class * ANCHORS + anchor]
        h.make_node("Gather", ["selected", "one"], ["cls_idx"], axis=1),
        h.make_node("Mul", ["cls_idx", "anchors"], ["cls_off"]),
        h.make_node("Add", ["cls_off", "box_idx"], ["flat_idx"]),
        h.make_node("Reshape", ["scores", "flat_shape"], ["flat_scores"]),
        h.make_node("Gather", ["flat_scores", "flat_idx"], ["chosen_scores"], axis=0),
        # top anchors by their best class
        h.make_node("ReduceMax", ["scores"], ["best"], axes=[1], keepdims=0),
        h.make_node("TopK", ["best", "k"], ["top_scores", "top_idx"], axis=1),
        h.make_node("Greater", ["best", "keep_th"], ["keep"]),
        h.make_node("NonZero", ["keep"], ["kept"]),
    ]
    inits = [const("max_out", [16], np.int64), const("iou", [0.4], np.float32), const("score_th", [0.5], np.float32),
             const("two", 2, np.int64), const("one", 1, np.int64), const("zero_axis", [0], np.int64),
             const("anchors", ANCHORS, np.int64), const("flat_shape", [-1], np.int64), const("k", [5], np.int64),
             const("keep_th", 0.7, np.float32)]
    g = h.make_graph(nodes, "detect_post",
                     [h.make_tensor_value_info("boxes", T.FLOAT, [1, ANCHORS, 4]),
                      h.make_tensor_value_info("scores", T.FLOAT, [1, CLASSES, ANCHORS])],
                     [h.make_tensor_value_info("selected", T.INT64, ["K", 3]),
                      h.make_tensor_value_info("chosen_boxes", T.FLOAT, ["K", 4]),
                      h.make_tensor_value_info("chosen_scores", T.FLOAT, ["K"]),
                      h.make_tensor_value_info("top_scores", T.FLOAT, [1, 5]),
                      h.make_tensor_value_info("top_idx", T.INT64, [1, 5]),
                      h.make_tensor_value_info("kept", T.INT64, [2, "M"])], inits)
    return h.make_model(g, opset_imports=[h.make_opsetid("", 13)], producer_name="tests/models/make_detection_models.py")


def data(rng, spread):
    # boxes clustered around a few centres, so that many overlap
    centres = rng.uniform(0, 10, (6, 2))
    c = centres[rng.integers(0, 6, ANCHORS)] + rng.normal(0, spread, (ANCHORS, 2))
    wh = rng.uniform(1, 3, (ANCHORS, 2))
    boxes = np.concatenate([c - wh / 2, c + wh / 2], axis=1)[None].astype(np.float32)
    scores = rng.uniform(0, 1, (1, CLASSES, ANCHORS)).astype(np.float32)
    return boxes, scores


def main() -> int:
    name = "detect_post"
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    model = detect_post()
    onnx.checker.check_model(model)
    onnx.save(model, str(folder / "model.onnx"))
    sess = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(23)
    for i, spread in enumerate([0.3, 1.0, 3.0]):
        ds = folder / f"test_data_set_{i}"
        ds.mkdir(exist_ok=True)
        boxes, scores = data(rng, spread)
        (ds / "input_0.pb").write_bytes(nh.from_array(boxes, "boxes").SerializeToString())
        (ds / "input_1.pb").write_bytes(nh.from_array(scores, "scores").SerializeToString())
        outs = sess.run(None, {"boxes": boxes, "scores": scores})
        for k, (vi, y) in enumerate(zip(model.graph.output, outs)):
            (ds / f"output_{k}.pb").write_bytes(nh.from_array(y, vi.name).SerializeToString())
        print(f"{name}/{ds.name}: {len(outs[0])} boxes kept, {outs[5].shape[1]} anchors over the threshold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
