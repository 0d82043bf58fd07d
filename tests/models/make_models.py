#!/usr/bin/env python3
"""Generate the small end-to-end test networks under tests/models/.

Each network is built in PyTorch with random weights (torch.manual_seed(0),
nothing downloaded), put in eval mode and exported with
torch.onnx.export(..., opset_version=13). The expected output is computed by
onnxruntime (not by torch) from a seeded random input, and everything is laid
out like ONNX's own backend test data:

    tests/models/NAME/model.onnx
    tests/models/NAME/test_data_set_0/input_0.pb
    tests/models/NAME/test_data_set_0/output_0.pb   (output_1.pb, ...)

tests/conformance/run.py runs them as suite "models"
(`tests/conformance/run.py --suite models`), where the tolerance is
max|actual - expected| <= 1e-4 * max|expected|.

The files are committed. They were produced with Debian's python3-torch 1.13
and the pinned packages of tests/requirements.txt, by running from the
repository root:

    .venv/bin/python tests/models/make_models.py

(`--only NAME` regenerates a single model, `--out DIR` writes elsewhere.)
Re-running with the same torch/onnxruntime versions gives the same weights
and inputs; onnxruntime's outputs can differ in the last bits between CPUs,
which is far inside the tolerance. As a sanity check the script also runs
the torch model and prints how far torch and onnxruntime disagree.

Networks:
  cnn_bn            Conv + BatchNormalization + ReLU + MaxPool, x2, Linear.
                    Exported with TrainingMode.PRESERVE so the BN nodes are
                    kept (not folded into the convs); BN has non-trivial
                    running statistics and affine parameters.
  dwsep_cnn         MobileNet-style depthwise-separable blocks (grouped conv
                    + 1x1 conv), ReLU6 (Clip), global average pool, Linear.
  super_resolution  The classic PyTorch super-resolution example net
                    (4 convs + PixelShuffle(3)), input 1x1x32x32.
  mlp               Gemm/ReLU stack with Softmax, batch of 4.
  audio_cnn1d       1-D conv net on a 1x1x1600 waveform: strided and dilated
                    Conv1d, BatchNorm1d, ReLU, MaxPool1d, AvgPool1d, global
                    pooling, Linear.
  tconv_decoder     Linear -> Reshape -> ConvTranspose (stride 2, output
                    padding) -> Resize (nearest, x2) -> Conv -> Sigmoid.
  shuffle_mix       Split / Concat / Transpose / channel shuffle (Reshape +
                    Transpose) / elementwise ops, with two graph outputs.
  shufflenet_mini   ShuffleNet v2's units (stride 2, then six of stride 1;
                    58 channels a branch, so the convs run blocked): chunk,
                    cat and shuffle (gather-channels folds the chain of
                    shuffles into gathers of the convs' outputs), then
                    x.mean([2, 3]) (a ReduceMean over H and W, pooled on
                    the blocks) and a Linear head; BatchNorm folded.
  dense_mini        DenseNet's pre-activation layers (BatchNorm, ReLU, 1x1
                    conv, BatchNorm, ReLU, 3x3 conv, each layer's output
                    concatenated to its input, 16 channels a layer), two
                    blocks with a transition (BatchNorm, ReLU, 1x1 conv,
                    2x2 average pool) between them, then BatchNorm, ReLU,
                    global average pool and a Linear head. The
                    BatchNorms after a Concat fold into no conv:
                    fuse-input-bn makes them the next conv's input map.
"""

from __future__ import annotations

import argparse
import io
import sys
import warnings
from pathlib import Path


import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx", "onnxruntime", "torch"), __file__)

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
OPSET = 13
SEED = 0


def _import_torch():
    try:
        import torch
        from torch import nn
    except ImportError as exc:
        sys.exit(f"make_models.py: torch is needed to regenerate the models "
                 f"({exc})")
    return torch, nn


torch, nn = _import_torch()
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import numpy_helper  # noqa: E402


# --------------------------------------------------------------------------
# Networks
# --------------------------------------------------------------------------

class CnnBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2, stride=2),
        )
        self.fc = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class DwSepCnn(nn.Module):
    @staticmethod
    def block(cin, cout, stride):
        return nn.Sequential(
            # depthwise: one 3x3 filter per channel
            nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin),
            nn.ReLU6(),
            # pointwise: mix channels
            nn.Conv2d(cin, cout, 1),
            nn.ReLU6(),
        )

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1),
                                  nn.ReLU6())
        self.blocks = nn.Sequential(self.block(16, 32, 1),
                                    self.block(32, 64, 2),
                                    self.block(64, 64, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(self.blocks(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


class SuperResolution(nn.Module):
    """Same layer structure as PyTorch's super-resolution tutorial net."""

    def __init__(self, upscale=3):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 64, 5, 1, 2)
        self.conv2 = nn.Conv2d(64, 64, 3, 1, 1)
        self.conv3 = nn.Conv2d(64, 32, 3, 1, 1)
        self.conv4 = nn.Conv2d(32, upscale ** 2, 3, 1, 1)
        self.shuffle = nn.PixelShuffle(upscale)
        for conv in (self.conv1, self.conv2, self.conv3):
            nn.init.orthogonal_(conv.weight, nn.init.calculate_gain("relu"))
        nn.init.orthogonal_(self.conv4.weight)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.shuffle(self.conv4(x))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 10), nn.Softmax(dim=1))

    def forward(self, x):
        return self.net(x)


class AudioCnn1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, 16, kernel_size=80, stride=4, padding=38),
            nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(4),          # 400->100
            nn.Conv1d(16, 32, kernel_size=3, dilation=2, padding=2),
            nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(3, stride=2),  # ->49
            nn.Conv1d(32, 32, kernel_size=5, stride=2, padding=1),
            nn.BatchNorm1d(32), nn.ReLU(),
            nn.AvgPool1d(3, stride=2, padding=1),                     # ->12
            nn.Conv1d(32, 48, kernel_size=3, padding=1, dilation=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.fc = nn.Linear(48, 12)

    def forward(self, x):
        return self.fc(torch.flatten(self.net(x), 1))


class TConvDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 32 * 4 * 4)
        self.up1 = nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1)  # 4->8
        self.resize = nn.Upsample(scale_factor=2, mode="nearest")      # ->16
        self.up2 = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1,
                                      output_padding=1)                # ->32
        self.out = nn.Conv2d(8, 3, 3, padding=1)

    def forward(self, z):
        x = torch.relu(self.fc(z)).reshape(1, 32, 4, 4)
        x = torch.relu(self.up1(x))
        x = self.resize(x)
        x = torch.relu(self.up2(x))
        return torch.sigmoid(self.out(x))


class ShuffleMix(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 6, 3, padding=1)
        self.b = nn.Conv2d(5, 6, 1)
        self.mix = nn.Conv2d(12, 12, 3, padding=1, groups=2)
        self.head = nn.Linear(12, 4)

    def forward(self, x):
        xa, xb = torch.split(x, [3, 5], dim=1)
        y = torch.cat([torch.relu(self.a(xa)), torch.tanh(self.b(xb))], dim=1)
        # channel shuffle with 2 groups
        n, c, h, w = y.shape
        y = y.reshape(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        y = self.mix(y) * torch.sigmoid(y) + y
        # NCHW -> NHWC and back, to put a real Transpose in the graph
        t = y.permute(0, 2, 3, 1)
        t = t - t.mean(dim=-1, keepdim=True)
        y2 = t.permute(0, 3, 1, 2)
        pooled = y2.amax(dim=(2, 3))
        return y2, torch.softmax(self.head(pooled), dim=-1)


def _shuffle(x, groups=2):
    n, c, h, w = x.shape
    return x.reshape(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class ShuffleUnit(nn.Module):
    """ShuffleNet v2's unit: stride 1 passes half the channels on and
    runs 1x1, depthwise 3x3, 1x1 on the other half; stride 2 runs both
    branches on the whole input. Then the two halves are shuffled."""

    def __init__(self, cin, half, stride):
        super().__init__()
        self.stride = stride

        def bn_relu(c):
            return [nn.BatchNorm2d(c), nn.ReLU()]

        if stride == 2:
            self.branch1 = nn.Sequential(
                nn.Conv2d(cin, cin, 3, 2, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
                nn.Conv2d(cin, half, 1, bias=False), *bn_relu(half))
        c2 = cin if stride == 2 else half
        self.branch2 = nn.Sequential(
            nn.Conv2d(c2, half, 1, bias=False), *bn_relu(half),
            nn.Conv2d(half, half, 3, stride, 1, groups=half, bias=False), nn.BatchNorm2d(half),
            nn.Conv2d(half, half, 1, bias=False), *bn_relu(half))

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            y = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            y = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return _shuffle(y)


class ShuffleNetMini(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU())
        self.units = nn.Sequential(ShuffleUnit(24, 58, 2), *[ShuffleUnit(116, 58, 1) for _ in range(6)])
        self.last = nn.Sequential(nn.Conv2d(116, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU())
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc(self.last(self.units(self.stem(x))).mean([2, 3]))


class DenseLayer(nn.Module):
    """BN-ReLU-Conv1x1(2 x growth)-BN-ReLU-Conv3x3(growth), output
    concatenated to the input (DenseNet's layer)."""

    def __init__(self, cin, growth):
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, 2 * growth, 1, bias=False),
            nn.BatchNorm2d(2 * growth), nn.ReLU(), nn.Conv2d(2 * growth, growth, 3, 1, 1, bias=False))

    def forward(self, x):
        return torch.cat((x, self.body(x)), dim=1)


class DenseMini(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, 1, 1, bias=False)
        self.block1 = nn.Sequential(DenseLayer(32, 16), DenseLayer(48, 16), DenseLayer(64, 16))
        self.transition = nn.Sequential(nn.BatchNorm2d(80), nn.ReLU(), nn.Conv2d(80, 48, 1, bias=False),
                                        nn.AvgPool2d(2, 2))
        self.block2 = nn.Sequential(DenseLayer(48, 16), DenseLayer(64, 16))
        self.last = nn.Sequential(nn.BatchNorm2d(80), nn.ReLU())
        self.fc = nn.Linear(80, 10)

    def forward(self, x):
        x = self.block2(self.transition(self.block1(self.stem(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.last(x), 1), 1))


# --------------------------------------------------------------------------
# Setup helpers
# --------------------------------------------------------------------------

def _settle_batchnorm(model, make_batch, steps=8):
    """Give every BatchNorm non-trivial statistics and affine parameters:
    run a few training-mode forward passes on shifted random data (this
    moves running_mean/var away from 0/1), then randomise gamma/beta."""
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(make_batch())
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
    model.eval()


def _scale_weights(model, factor):
    """Multiply every weight matrix/kernel (not biases) by FACTOR. Default
    init keeps activations small; larger weights make saturating ops (ReLU6,
    Softmax, Sigmoid) do something worth testing."""
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.mul_(factor)
    return model


def build(name):
    """Return (model, example_input, input_names, output_names, training)."""
    torch.manual_seed(SEED)
    preserve = torch.onnx.TrainingMode.PRESERVE
    evalmode = torch.onnx.TrainingMode.EVAL
    if name == "cnn_bn":
        m = CnnBn()
        _settle_batchnorm(m, lambda: torch.randn(8, 3, 32, 32) * 2 + 0.5)
        return m, (1, 3, 32, 32), ["input"], ["logits"], preserve
    if name == "dwsep_cnn":
        # Larger weights so that some activations reach ReLU6's upper bound.
        m = _scale_weights(DwSepCnn(), 4.0)
        return m, (1, 3, 32, 32), ["input"], ["logits"], evalmode
    if name == "super_resolution":
        return SuperResolution(), (1, 1, 32, 32), ["input"], ["output"], \
            evalmode
    if name == "mlp":
        return _scale_weights(Mlp(), 3.0), (4, 64), ["input"], ["probs"], evalmode
    if name == "audio_cnn1d":
        m = AudioCnn1d()
        _settle_batchnorm(m, lambda: torch.randn(4, 1, 1600) * 0.5 + 0.1)
        return m, (1, 1, 1600), ["waveform"], ["logits"], preserve
    if name == "tconv_decoder":
        return _scale_weights(TConvDecoder(), 2.5), (1, 16), ["z"], ["image"], evalmode
    if name == "shuffle_mix":
        return ShuffleMix(), (1, 8, 16, 16), ["input"], \
            ["features", "probs"], evalmode
    if name == "shufflenet_mini":
        m = ShuffleNetMini()
        _settle_batchnorm(m, lambda: torch.randn(4, 3, 32, 32) + 0.2)
        return m, (1, 3, 32, 32), ["input"], ["logits"], evalmode
    if name == "dense_mini":
        m = DenseMini()
        _settle_batchnorm(m, lambda: torch.randn(4, 3, 32, 32) + 0.2)
        return m, (1, 3, 32, 32), ["input"], ["logits"], evalmode
    raise KeyError(name)


MODELS = ["cnn_bn", "dwsep_cnn", "super_resolution", "mlp", "audio_cnn1d",
          "tconv_decoder", "shuffle_mix", "shufflenet_mini", "dense_mini"]


def export(name, out_root: Path) -> None:
    model, shape, in_names, out_names, training = build(name)
    model.eval()

    rng = np.random.default_rng(1000 + MODELS.index(name))
    x = rng.standard_normal(shape).astype(np.float32)

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant-folding/training chatter
        torch.onnx.export(model, torch.from_numpy(x), buf,
                          opset_version=OPSET, training=training,
                          input_names=in_names, output_names=out_names,
                          do_constant_folding=True)
    proto = onnx.load_from_string(buf.getvalue())
    proto.doc_string = (f"onnxcc test network '{name}', generated by "
                        "tests/models/make_models.py")
    onnx.checker.check_model(proto)

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    # Reference outputs come from the unoptimised graph: onnxruntime 1.20's
    # Pad+AveragePool fusion drops count_include_pad (microsoft/onnxruntime
    # #22177, fixed after 1.20), which breaks audio_cnn1d's AvgPool1d.
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(proto.SerializeToString(), so,
                                providers=["CPUExecutionProvider"])
    outs = sess.run(None, {in_names[0]: x})

    with torch.no_grad():
        ref = model(torch.from_numpy(x))
    ref = ref if isinstance(ref, tuple) else (ref,)
    torch_err = max(float(np.max(np.abs(o - r.numpy())))
                    for o, r in zip(outs, ref))
    scale = max(float(np.max(np.abs(o))) for o in outs)
    if torch_err > 1e-5 * scale:
        sys.exit(f"{name}: torch and onnxruntime disagree (max abs diff "
                 f"{torch_err:.3g}, max |output| {scale:.3g}); not writing "
                 "a reference that may be wrong")

    folder = out_root / name
    data = folder / "test_data_set_0"
    data.mkdir(parents=True, exist_ok=True)
    for stale in data.glob("*.pb"):
        stale.unlink()
    onnx.save(proto, str(folder / "model.onnx"))
    (data / "input_0.pb").write_bytes(
        numpy_helper.from_array(x, in_names[0]).SerializeToString())
    for k, (o, oname) in enumerate(zip(outs, out_names)):
        (data / f"output_{k}.pb").write_bytes(
            numpy_helper.from_array(np.asarray(o), oname).SerializeToString())

    size = (folder / "model.onnx").stat().st_size
    ops = sorted({n.op_type for n in proto.graph.node})
    shapes = ", ".join("x".join(map(str, np.shape(o))) for o in outs)
    print(f"{name:17} {size / 1024:7.1f} KiB  out {shapes:18} "
          f"|torch-ort|/max {torch_err / scale:.1e}  ops: {' '.join(ops)}")
    if size > 1 << 20:
        sys.exit(f"{name}: model is {size} bytes, keep it under 1 MiB")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=HERE,
                   help="output root (default: tests/models)")
    p.add_argument("--only", action="append", choices=MODELS,
                   help="generate only this model (repeatable)")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, onnx {onnx.__version__}, "
          f"onnxruntime {ort.__version__}, opset {OPSET}")
    for name in args.only or MODELS:
        export(name, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
