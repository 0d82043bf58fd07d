#!/usr/bin/env python3
"""Generate the exporter test models under tests/models/.

These are models as the converters people use write them, so that onnxcc is
tried on graphs it did not shape itself: scikit-learn models converted by
skl2onnx, LightGBM and XGBoost models converted by onnxmltools, models
quantized by ONNX Runtime's quantizer (onnxruntime.quantization), and PyTorch
models exported by torch.onnx twice: by Debian's torch 1.13 (the TorchScript
exporter, pt_*) and by PyPI's torch 2.x with dynamo=True (torch.export and
onnxscript, pt2_*; tests/requirements-torch2.txt, a venv of its own since
that wheel pulls several GB of CUDA libraries).

Training uses only the data sets scikit-learn bundles (load_iris,
load_breast_cancer, load_diabetes, load_digits); nothing is downloaded.
Everything is seeded. The expected outputs are ONNX Runtime's with its graph
optimizations off (they fuse QDQ pairs into integer kernels that round
otherwise than the graph says), and the layout is ONNX's backend test data, run by
`tests/conformance/run.py --suite models`:

    tests/models/NAME/model.onnx
    tests/models/NAME/test_data_set_0/input_K.pb, output_K.pb

The converters leave the batch dim unknown; it is pinned to the data set's
row count (ROWS) in the saved model, which therefore compiles without
--shape, as the strict and cross checks compile every model here. A ZipMap
output (a sequence of maps) is stored as an onnx.SequenceProto whose
elements are MapProtos.

Models:
  skl_logreg          LogisticRegression (iris, 3 classes), ZipMap off:
                      LinearClassifier + Normalizer; label and probabilities.
  skl_logreg_zipmap   The same with skl2onnx's default ZipMap output.
  skl_svc_pipeline    StandardScaler + SVC(probability=True) (breast cancer):
                      Scaler + SVMClassifier.
  skl_random_forest   RandomForestClassifier (digits, 10 classes):
                      TreeEnsembleClassifier.
  skl_grad_boost      GradientBoostingClassifier (breast cancer, binary).
  skl_rf_regressor    RandomForestRegressor (diabetes): TreeEnsembleRegressor.
  skl_ridge           Ridge (diabetes): LinearRegressor.
  skl_mlp_classifier  MLPClassifier (digits): MatMul, Relu, Softmax, ArgMax,
                      ArrayFeatureExtractor for the labels.
  skl_pca_logreg_binary  StandardScaler + PCA + binary LogisticRegression
                      (breast cancer).
  skl_onehot_pipeline ColumnTransformer: StandardScaler on two float inputs,
                      OneHotEncoder on a string input (iris' petal length
                      as words), then LogisticRegression.
  skl_hist_grad_boost HistGradientBoostingClassifier (iris).
  skl_linear_double   LinearRegression on double input (diabetes).
  skl_kmeans          KMeans (iris, 3 clusters): label and distances.
  skl_knn_classifier  KNeighborsClassifier (iris, k = 5): TopK over the
                      distances, the neighbours' labels voted.
  lgbm_classifier     LightGBM LGBMClassifier (iris) via onnxmltools.
  lgbm_regressor      LightGBM LGBMRegressor (diabetes).
  xgb_classifier      XGBoost XGBClassifier (breast cancer, binary) via
                      onnxmltools.
  xgb_multiclass      XGBClassifier on iris (softmax over three classes).
  pt_small_cnn        A small CNN exported by torch (opset 13): the float
                      model the three static quantizations below start from.
  ortq_cnn_qdq        pt_small_cnn by quantize_static, QDQ format
                      (QuantizeLinear/DequantizeLinear pairs around float ops).
  ortq_cnn_qdq_s8_per_channel  The same with int8 activations and
                      per-channel weight scales (DequantizeLinear on an axis).
  ortq_cnn_qoperator  pt_small_cnn by quantize_static, QOperator format
                      (QLinearConv and ONNX Runtime's com.microsoft QLinear*).
  ortq_mlp_dynamic    A transformer-style feed-forward block (MatMul, Add,
                      Relu, MatMul, residual) by quantize_dynamic:
                      DynamicQuantizeLinear + MatMulInteger.
  ortq_transformer_dynamic  pt_transformer by quantize_dynamic.
  ortq_transformer_qdq  pt_transformer by quantize_static, QDQ format.
  ortq_lstm_dynamic   pt_lstm_seq's LSTM by quantize_dynamic (com.microsoft
                      DynamicQuantizeLSTM).
  pt_gru_seq          GRU sequence model with a Linear head (opset 14).
  pt_lstm_seq         Two-layer bidirectional LSTM tagger (opset 14).
  pt_transformer      nn.TransformerEncoder, two layers (opset 17:
                      LayerNormalization).
  pt_transformer_op13 The same network, weights and input at opset 13:
                      LayerNorm as ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add
                      (onnxcc's fuse-layernorm) and each Linear layer on
                      [batch, tokens, features] as MatMul + Add (a MatMul
                      with a bias after matmul-add-gemm).
  pt2_small_cnn, pt2_gru_seq, pt2_lstm_seq, pt2_transformer
                      The same four networks, weights and inputs exported by
                      torch 2.x's dynamo exporter (opset 18): other graphs for
                      the same functions (ReduceMean for the pooling, Gemm
                      heads, its own attention decomposition).

The files are committed, so the test suite needs none of these packages. To
regenerate, make the venv of tests/requirements-exporters.txt (pinned
scikit-learn, skl2onnx, lightgbm, xgboost, onnxmltools, onnx, onnxruntime;
--system-site-packages for Debian's python3-torch) and run from the
repository root:

    /usr/bin/python3 -m venv --system-site-packages .venv-exporters
    .venv-exporters/bin/pip install -r tests/requirements-exporters.txt
    .venv-exporters/bin/python tests/models/make_exporter_models.py [--only NAME]

The pt2_ models need torch 2.x instead (tests/requirements-torch2.txt says
how). With the same versions the models and inputs come out the same; ONNX
Runtime's outputs can differ in the last bits between CPUs, far inside the
tolerance.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnx
from onnx import SequenceProto, numpy_helper
from pin_dims import pin_input_dims

HERE = Path(__file__).resolve().parent
SEED = 0
ROWS = 5  # rows per data set: enough to reach several classes, stays tiny


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def _dataset(loader):
    """A bundled sklearn data set as (x, y) to train on (x float32) and
    ROWS held-out rows spread over it (every len//ROWS-th row, so that
    several classes show up)."""
    from sklearn import datasets
    x, y = getattr(datasets, loader)(return_X_y=True)
    x = x.astype(np.float32)
    pick = np.arange(ROWS) * (len(x) // ROWS) + 1
    keep = np.setdiff1d(np.arange(len(x)), pick)
    return x[keep], y[keep], x[pick]


def _skl(model, x, zipmap=True):
    """skl2onnx conversion with an input 'X' of any batch, typed as x; a
    classifier (a pipeline's last step) without ZipMap unless asked for."""
    from skl2onnx import to_onnx
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    options = None if zipmap else {type(final): {"zipmap": False}}
    return to_onnx(model, x[:1], target_opset={"": 13, "ai.onnx.ml": 1},
                   options=options)


def skl_logreg():
    from sklearn.linear_model import LogisticRegression
    x, y, rows = _dataset("load_iris")
    m = LogisticRegression(max_iter=500, random_state=SEED).fit(x, y)
    return _skl(m, x, zipmap=False), [[rows]]


def skl_logreg_zipmap():
    from sklearn.linear_model import LogisticRegression
    x, y, rows = _dataset("load_iris")
    m = LogisticRegression(max_iter=500, random_state=SEED).fit(x, y)
    return _skl(m, x), [[rows]]


def skl_svc_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    x, y, rows = _dataset("load_breast_cancer")
    m = make_pipeline(StandardScaler(),
                      SVC(probability=True, random_state=SEED)).fit(x, y)
    return _skl(m, x, zipmap=False), [[rows]]


def skl_random_forest():
    from sklearn.ensemble import RandomForestClassifier
    x, y, rows = _dataset("load_digits")
    m = RandomForestClassifier(n_estimators=10, max_depth=6,
                               random_state=SEED).fit(x, y)
    return _skl(m, x, zipmap=False), [[rows]]


def skl_grad_boost():
    from sklearn.ensemble import GradientBoostingClassifier
    x, y, rows = _dataset("load_breast_cancer")
    m = GradientBoostingClassifier(n_estimators=20, max_depth=3,
                                   random_state=SEED).fit(x, y)
    return _skl(m, x, zipmap=False), [[rows]]


def skl_rf_regressor():
    from sklearn.ensemble import RandomForestRegressor
    x, y, rows = _dataset("load_diabetes")
    m = RandomForestRegressor(n_estimators=10, max_depth=6,
                              random_state=SEED).fit(x, y)
    return _skl(m, x), [[rows]]


def skl_ridge():
    from sklearn.linear_model import Ridge
    x, y, rows = _dataset("load_diabetes")
    m = Ridge(alpha=0.5).fit(x, y)
    return _skl(m, x), [[rows]]


def skl_mlp_classifier():
    from sklearn.neural_network import MLPClassifier
    x, y, rows = _dataset("load_digits")
    m = MLPClassifier(hidden_layer_sizes=(32,), max_iter=1000,
                      random_state=SEED).fit(x / 16, y)
    return _skl(m, x, zipmap=False), [[rows / 16]]


def skl_pca_logreg_binary():
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    x, y, rows = _dataset("load_breast_cancer")
    m = make_pipeline(StandardScaler(), PCA(n_components=8, random_state=SEED),
                      LogisticRegression(max_iter=500)).fit(x, y)
    return _skl(m, x, zipmap=False), [[rows]]


def skl_onehot_pipeline():
    """A ColumnTransformer over a string column and numeric ones: the
    strings (iris' petal length bucketed into words) go through
    OneHotEncoder, the numbers through StandardScaler, then a
    LogisticRegression; two graph inputs, one of them strings."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType
    import pandas as pd
    x, y, rows = _dataset("load_iris")

    def columns(a):
        words = np.array(["short", "medium", "long"])[
            np.digitize(a[:, 2], [2.5, 5.0])]
        return pd.DataFrame({"sl": a[:, 0], "sw": a[:, 1], "cat": words})

    m = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), ["sl", "sw"]),
                           ("cat", OneHotEncoder(), ["cat"])]),
        LogisticRegression(max_iter=500)).fit(columns(x), y)
    model = to_onnx(m, initial_types=[("sl", FloatTensorType([None, 1])),
                                      ("sw", FloatTensorType([None, 1])),
                                      ("cat", StringTensorType([None, 1]))],
                    target_opset={"": 13, "ai.onnx.ml": 1},
                    options={LogisticRegression: {"zipmap": False}})
    test = columns(rows)
    return model, [[rows[:, :1], rows[:, 1:2],
                    test["cat"].to_numpy().astype(object).reshape(-1, 1)]]


def skl_hist_grad_boost():
    from sklearn.ensemble import HistGradientBoostingClassifier
    x, y, rows = _dataset("load_iris")
    m = HistGradientBoostingClassifier(max_iter=10, max_leaf_nodes=8,
                                       random_state=SEED).fit(x, y)
    return _skl(m, x, zipmap=False), [[rows]]


def skl_linear_double():
    """LinearRegression converted for double input: skl2onnx writes plain
    MatMul + Add in double, as LinearRegressor takes only float."""
    from sklearn.linear_model import LinearRegression
    x, y, rows = _dataset("load_diabetes")
    m = LinearRegression().fit(x, y)
    return _skl(m, x.astype(np.float64)), [[rows.astype(np.float64)]]


def skl_kmeans():
    from sklearn.cluster import KMeans
    x, _, rows = _dataset("load_iris")
    m = KMeans(n_clusters=3, n_init=4, random_state=SEED).fit(x)
    return _skl(m, x), [[rows]]


def skl_knn_classifier():
    from sklearn.neighbors import KNeighborsClassifier
    x, y, rows = _dataset("load_iris")
    m = KNeighborsClassifier(n_neighbors=5).fit(x[::3], y[::3])
    return _skl(m, x[::3], zipmap=False), [[rows]]


def _mltools(m, x, **options):
    """onnxmltools conversion of a LightGBM or XGBoost model, with a float
    input named 'X' of any batch."""
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType
    convert = (onnxmltools.convert_lightgbm
               if type(m).__module__.startswith("lightgbm")
               else onnxmltools.convert_xgboost)
    return convert(m, initial_types=[
        ("X", FloatTensorType([None, x.shape[1]]))], target_opset=13,
        **options)


def lgbm_regressor():
    from lightgbm import LGBMRegressor
    x, y, rows = _dataset("load_diabetes")
    m = LGBMRegressor(n_estimators=20, num_leaves=8, random_state=SEED,
                      verbose=-1).fit(x, y)
    model = _mltools(m, x)
    return model, [[rows]]


def xgb_multiclass():
    from xgboost import XGBClassifier
    x, y, rows = _dataset("load_iris")
    m = XGBClassifier(n_estimators=10, max_depth=3, random_state=SEED,
                      n_jobs=1).fit(x, y)
    model = _mltools(m, x)
    return model, [[rows]]


def lgbm_classifier():
    from lightgbm import LGBMClassifier
    x, y, rows = _dataset("load_iris")
    m = LGBMClassifier(n_estimators=20, num_leaves=8, random_state=SEED,
                       verbose=-1).fit(x, y)
    model = _mltools(m, x, zipmap=False)
    return model, [[rows]]


def xgb_classifier():
    from xgboost import XGBClassifier
    x, y, rows = _dataset("load_breast_cancer")
    m = XGBClassifier(n_estimators=20, max_depth=3, random_state=SEED,
                      n_jobs=1).fit(x, y)
    model = _mltools(m, x)
    # onnxmltools leaves ZipMap out of XGBoost classifiers already.
    return model, [[rows]]


# --------------------------------------------------------------------------
# PyTorch exports
# --------------------------------------------------------------------------

def _torch():
    import torch
    torch.manual_seed(SEED)
    return torch


def _export(module, example, opset):
    """torch.onnx.export of MODULE in eval mode: input 'input', output
    'output', constants folded."""
    torch = _torch()
    module.eval()
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example, buf, opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
    return onnx.load_from_string(buf.getvalue())


def _randn(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def _export_dynamo(module, example):
    """torch.onnx.export(..., dynamo=True) of MODULE in eval mode, as PyTorch
    2.x users export: torch.export traces the module and onnxscript writes
    the graph (opset 18 and up, its own optimizer run). Input 'input',
    output 'output'; the weights stay inside the model."""
    torch = _torch()
    module.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(module, (example,), dynamo=True, input_names=["input"],
                                    output_names=["output"], external_data=False, verbose=False)
    return program.model_proto


def _small_cnn_net():
    torch = _torch()
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))


def _small_cnn():
    return _export(_small_cnn_net(), _torch().zeros(1, 3, 16, 16), 13)


def pt_small_cnn():
    rng = np.random.default_rng(SEED)
    return _small_cnn(), [[_randn(rng, 1, 3, 16, 16)]]


def _gru_seq_net():
    torch = _torch()
    nn = torch.nn

    class GruSeq(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(8, 16, batch_first=True)
            self.head = nn.Linear(16, 4)

        def forward(self, x):
            seq, _ = self.gru(x)
            return self.head(seq[:, -1])

    return GruSeq()


def pt_gru_seq():
    rng = np.random.default_rng(SEED)
    model = _export(_gru_seq_net(), _torch().zeros(2, 10, 8), 14)
    return model, [[_randn(rng, 2, 10, 8)]]


def _lstm_tagger(hidden=12):
    """Two-layer bidirectional LSTM, a Linear per step."""
    torch = _torch()
    nn = torch.nn

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(6, hidden, num_layers=2, bidirectional=True)
            self.head = nn.Linear(2 * hidden, 5)

        def forward(self, x):
            seq, _ = self.lstm(x)
            return self.head(seq)

    return Tagger()


def pt_lstm_seq():
    torch = _torch()
    rng = np.random.default_rng(SEED)
    model = _export(_lstm_tagger(), torch.zeros(7, 1, 6), 14)
    return model, [[_randn(rng, 7, 1, 6)]]


def _transformer_net():
    torch = _torch()
    nn = torch.nn
    layer = nn.TransformerEncoderLayer(d_model=32, nhead=4,
                                       dim_feedforward=64, dropout=0.0,
                                       batch_first=True)
    return nn.TransformerEncoder(layer, num_layers=2,
                                 enable_nested_tensor=False)


def pt_transformer():
    rng = np.random.default_rng(SEED)
    model = _export(_transformer_net(), _torch().zeros(2, 6, 32), 17)
    return model, [[_randn(rng, 2, 6, 32)]]


def pt_transformer_op13():
    rng = np.random.default_rng(SEED)
    model = _export(_transformer_net(), _torch().zeros(2, 6, 32), 13)
    return model, [[_randn(rng, 2, 6, 32)]]


# PyTorch 2.x's exporter (dynamo=True): the same networks, weights and
# inputs as the pt_ models, written by torch.export + onnxscript. They need
# the venv of tests/requirements-torch2.txt.

def pt2_small_cnn():
    rng = np.random.default_rng(SEED)
    model = _export_dynamo(_small_cnn_net(), _torch().zeros(1, 3, 16, 16))
    return model, [[_randn(rng, 1, 3, 16, 16)]]


def pt2_gru_seq():
    rng = np.random.default_rng(SEED)
    model = _export_dynamo(_gru_seq_net(), _torch().zeros(2, 10, 8))
    return model, [[_randn(rng, 2, 10, 8)]]


def pt2_lstm_seq():
    rng = np.random.default_rng(SEED)
    model = _export_dynamo(_lstm_tagger(), _torch().zeros(7, 1, 6))
    return model, [[_randn(rng, 7, 1, 6)]]


def pt2_transformer():
    rng = np.random.default_rng(SEED)
    model = _export_dynamo(_transformer_net(), _torch().zeros(2, 6, 32))
    return model, [[_randn(rng, 2, 6, 32)]]


# --------------------------------------------------------------------------
# ONNX Runtime's quantizer
# --------------------------------------------------------------------------

class _Calibration:
    """CalibrationDataReader over a few seeded random inputs."""

    def __init__(self, name, shape, count=8):
        rng = np.random.default_rng(SEED + 1)
        self._feeds = iter([{name: _randn(rng, *shape)}
                            for _ in range(count)])

    def get_next(self):
        return next(self._feeds, None)

    def rewind(self):  # not needed by MinMax; the API allows it
        pass


def _quantize(model, how, **kwargs):
    """Run an onnxruntime.quantization entry point through temp files (it
    only writes files) and load the result."""
    from onnxruntime import quantization as q
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "float.onnx"), Path(tmp, "quant.onnx")
        onnx.save(model, src)
        if how == "static":
            q.quantize_static(str(src), str(dst), **kwargs)
        else:
            q.quantize_dynamic(str(src), str(dst), **kwargs)
        return onnx.load(str(dst))


def _cnn_static(fmt_name, activation="QUInt8", per_channel=False):
    from onnxruntime import quantization as q
    rng = np.random.default_rng(SEED)
    model = _quantize(_small_cnn(), "static",
                      calibration_data_reader=_Calibration(
                          "input", (1, 3, 16, 16)),
                      quant_format=getattr(q.QuantFormat, fmt_name),
                      activation_type=getattr(q.QuantType, activation),
                      weight_type=q.QuantType.QInt8,
                      per_channel=per_channel)
    return model, [[_randn(rng, 1, 3, 16, 16)]]


def ortq_cnn_qdq():
    return _cnn_static("QDQ")


def ortq_cnn_qdq_s8_per_channel():
    return _cnn_static("QDQ", activation="QInt8", per_channel=True)


def ortq_cnn_qoperator():
    return _cnn_static("QOperator")


def ortq_mlp_dynamic():
    torch = _torch()
    nn = torch.nn

    class FeedForward(nn.Module):
        def __init__(self):
            super().__init__()
            self.up = nn.Linear(16, 32)
            self.down = nn.Linear(32, 16)

        def forward(self, x):
            return x + self.down(torch.relu(self.up(x)))

    from onnxruntime import quantization as q
    rng = np.random.default_rng(SEED)
    model = _export(FeedForward(), torch.zeros(2, 8, 16), 13)
    model = _quantize(model, "dynamic", weight_type=q.QuantType.QInt8)
    return model, [[_randn(rng, 2, 8, 16)]]


def ortq_transformer_dynamic():
    from onnxruntime import quantization as q
    model, sets = pt_transformer()
    return _quantize(model, "dynamic", weight_type=q.QuantType.QInt8), sets


def ortq_transformer_qdq():
    from onnxruntime import quantization as q
    model, sets = pt_transformer()
    model = _quantize(model, "static",
                      calibration_data_reader=_Calibration("input", (2, 6, 32)),
                      quant_format=q.QuantFormat.QDQ,
                      activation_type=q.QuantType.QUInt8,
                      weight_type=q.QuantType.QInt8)
    return model, sets


def ortq_lstm_dynamic():
    torch = _torch()
    from onnxruntime import quantization as q
    rng = np.random.default_rng(SEED)
    model = _export(_lstm_tagger(), torch.zeros(7, 1, 6), 14)
    model = _quantize(model, "dynamic", weight_type=q.QuantType.QInt8)
    return model, [[_randn(rng, 7, 1, 6)]]


MODELS = {f.__name__: f for f in (
    skl_logreg, skl_logreg_zipmap, skl_svc_pipeline, skl_random_forest,
    skl_grad_boost, skl_rf_regressor, skl_ridge, skl_mlp_classifier,
    skl_pca_logreg_binary, skl_onehot_pipeline, skl_hist_grad_boost,
    skl_linear_double, skl_kmeans,
    skl_knn_classifier, lgbm_classifier,
    lgbm_regressor, xgb_classifier, xgb_multiclass, pt_small_cnn,
    ortq_cnn_qdq, ortq_cnn_qdq_s8_per_channel, ortq_cnn_qoperator,
    ortq_mlp_dynamic, ortq_transformer_dynamic, ortq_transformer_qdq,
    ortq_lstm_dynamic,
    pt_gru_seq, pt_lstm_seq, pt_transformer, pt_transformer_op13,
    pt2_small_cnn, pt2_gru_seq, pt2_lstm_seq, pt2_transformer)}


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def _value_proto(value, name):
    """An ONNX Runtime output as the test-data file format: a tensor, or a
    ZipMap's list of dicts as a SequenceProto of MapProtos."""
    if isinstance(value, list):
        seq = SequenceProto(name=name, elem_type=SequenceProto.MAP)
        for item in value:
            keys = np.array(list(item.keys()))
            vals = np.array(list(item.values()), dtype=np.float32)
            seq.map_values.append(numpy_helper.from_dict(
                dict(zip(keys.tolist(), vals)), name=""))
        return seq
    return numpy_helper.from_array(np.asarray(value), name)


def write(name, out_root: Path) -> None:
    import onnxruntime as ort

    model, input_sets = MODELS[name]()
    pin_input_dims(model, input_sets[0])
    # onnxmltools names graphs by a random uuid, and the converters list
    # opsets in set order (which string hashing shuffles from run to run)
    model.graph.name = name
    opsets = sorted(model.opset_import, key=lambda o: o.domain)
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    blob = model.SerializeToString()
    if len(blob) > 512 * 1024:
        sys.exit(f"{name}: model is {len(blob)} bytes, keep it small")
    d = out_root / name
    d.mkdir(parents=True, exist_ok=True)
    for old in d.glob("test_data_set_*/*.pb"):
        old.unlink()
    (d / "model.onnx").write_bytes(blob)
    # The graph as written, not ONNX Runtime's rewrite of it: its optimizer
    # fuses a QDQ MatMul into integer kernels that round differently (in
    # ortq_transformer_qdq by 1.7 % of the output's range), while onnxcc
    # follows the graph's float semantics.
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(blob, opts, providers=["CPUExecutionProvider"])
    in_names = [i.name for i in sess.get_inputs()]
    out_names = [o.name for o in sess.get_outputs()]
    for k, inputs in enumerate(input_sets):
        ds = d / f"test_data_set_{k}"
        ds.mkdir(exist_ok=True)
        feeds = dict(zip(in_names, inputs))
        for i, n in enumerate(in_names):
            (ds / f"input_{i}.pb").write_bytes(
                numpy_helper.from_array(feeds[n], n).SerializeToString())
        for i, y in enumerate(sess.run(None, feeds)):
            (ds / f"output_{i}.pb").write_bytes(
                _value_proto(y, out_names[i]).SerializeToString())
    print(f"{name}: {len(blob)} bytes, "
          f"{sorted({n.op_type for n in model.graph.node})}")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", action="append", choices=sorted(MODELS),
                   help="regenerate only this model (repeatable)")
    p.add_argument("--out", type=Path, default=HERE,
                   help="output folder (default: tests/models)")
    args = p.parse_args(argv)
    for name in args.only or MODELS:
        write(name, args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
