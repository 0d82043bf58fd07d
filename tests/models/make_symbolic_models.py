#!/usr/bin/env python3
"""Generate the test networks with variable dims under tests/models/.

Each is exported by PyTorch with dynamic axes, so its graph computes shapes
at run time (Shape -> Gather -> Concat -> Reshape), and has three data sets
at different sizes, with expected outputs from onnxruntime. `dims.txt`
beside the model gives the ranges the model is compiled for (the
arguments of --dim); tests/models/check_symbolic.py compiles each model
once with them and runs the one program at every size.

Networks:
  encoder_dyn  A pre-norm transformer encoder block over x [batch, seq, 32]:
               4-head self-attention (q, k, v from one Linear, heads split
               with x.shape), a GELU feed-forward, two residuals.
               batch 1..4, seq 1..32; data sets at (1, 1), (2, 7), (4, 32).

The files are committed; regenerate from the repository root with

    .venv/bin/python tests/models/make_symbolic_models.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx", "onnxruntime", "torch"), __file__)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

HERE = Path(__file__).resolve().parent


class EncoderBlock(torch.nn.Module):
    def __init__(self, d=32, heads=4, ff=64):
        super().__init__()
        self.heads, self.dh = heads, d // heads
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.qkv, self.out = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
        self.ff1, self.ff2 = torch.nn.Linear(d, ff), torch.nn.Linear(ff, d)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q = q.reshape(b, s, self.heads, self.dh).transpose(1, 2)
        k = k.reshape(b, s, self.heads, self.dh).transpose(1, 2)
        v = v.reshape(b, s, self.heads, self.dh).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.dh), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, s, d)
        x = x + self.out(y)
        return x + self.ff2(torch.nn.functional.gelu(self.ff1(self.ln2(x))))


def export(name, module, example, dynamic, sizes, dims):
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    path = folder / "model.onnx"
    module.eval()
    torch.onnx.export(module, example, str(path), input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": dynamic, "y": dynamic}, opset_version=17, do_constant_folding=True)
    model = onnx.load(str(path))
    model.producer_name = "pytorch (tests/models/make_symbolic_models.py)"
    onnx.save(model, str(path))
    (folder / "dims.txt").write_text(" ".join(f"{k}={lo}..{hi}" for k, (lo, hi) in dims.items()) + "\n")
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(11)
    for i, shape in enumerate(sizes):
        ds = folder / f"test_data_set_{i}"
        ds.mkdir(exist_ok=True)
        x = rng.standard_normal(shape).astype(np.float32)
        (ds / "input_0.pb").write_bytes(numpy_helper.from_array(x, "x").SerializeToString())
        y = sess.run(None, {"x": x})[0]
        (ds / "output_0.pb").write_bytes(numpy_helper.from_array(y, "y").SerializeToString())
    print(f"{name}: {len(model.graph.node)} nodes, data sets {sizes}")


def main() -> int:
    torch.manual_seed(5)
    export("encoder_dyn", EncoderBlock(), torch.randn(2, 5, 32), {0: "batch", 1: "seq"},
           [(1, 1, 32), (2, 7, 32), (4, 32, 32)], {"batch": (1, 4), "seq": (1, 32)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
