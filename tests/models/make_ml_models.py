#!/usr/bin/env python3
"""Generate the ai.onnx.ml test models under tests/models/ (SVMs,
CategoryMapper, FeatureVectorizer), and MaxRoiPool's.

Each model is one ai.onnx.ml node built with onnx.helper from seeded random
attributes, or (with --sklearn-python) a scikit-learn estimator converted by
skl2onnx. The expected outputs are ONNX Runtime's (the numerical reference),
laid out like ONNX's backend test data:

    tests/models/NAME/model.onnx
    tests/models/NAME/test_data_set_0/input_0.pb, output_0.pb, output_1.pb

tests/conformance/run.py runs them as suite "models". Regenerate from the
repository root with

    .venv/bin/python tests/models/make_ml_models.py \
        [--sklearn-python /tmp/venv/bin/python]

where the optional interpreter has scikit-learn and skl2onnx (a throwaway
venv: neither is a dependency of this repository); without it only the
hand-built models are written. `--only NAME` writes one model.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from pin_dims import pin_input_dims

HERE = Path(__file__).resolve().parent
SEED = 0
ML = ("ai.onnx.ml", 1)


# --------------------------------------------------------------------------
# scikit-learn models (run under --sklearn-python, which needs no onnxruntime)
# --------------------------------------------------------------------------

def emit_sklearn(out_dir: Path) -> None:
    """Train small estimators on seeded data and write NAME.onnx + NAME.json
    (the test input) into out_dir. (skl2onnx makes a LinearClassifier of a
    LinearSVC, so that one is left out.)"""
    import numpy as np
    from skl2onnx import to_onnx
    from sklearn.svm import SVC, SVR, NuSVC, OneClassSVM

    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    y3 = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 0.5)
    y2 = (x[:, 0] - x[:, 3] > 0).astype(np.int64)
    yr = (x @ np.array([1.0, -2.0, 0.5, 0.25]) + 0.1).astype(np.float32)
    test = rng.normal(size=(7, 4)).astype(np.float32)
    models = {
        "skl_svc_rbf_proba": SVC(kernel="rbf", probability=True, random_state=0).fit(x, y3),
        "skl_svc_poly": SVC(kernel="poly", degree=3, random_state=0).fit(x, y3),
        "skl_svc_sigmoid_binary": SVC(kernel="sigmoid", random_state=0).fit(x, y2),
        "skl_nusvc_linear": NuSVC(kernel="linear", nu=0.2, random_state=0).fit(x, y3),
        "skl_svr_rbf": SVR(kernel="rbf").fit(x, yr),
        "skl_one_class_svm": OneClassSVM(kernel="rbf", nu=0.2).fit(x),
    }
    for name, est in models.items():
        onx = to_onnx(est, x[:1], target_opset={"": 17, "ai.onnx.ml": 1},
                      options={id(est): {"zipmap": False}} if hasattr(est, "classes_") else None)
        (out_dir / f"{name}.onnx").write_bytes(onx.SerializeToString())
        (out_dir / f"{name}.json").write_text(json.dumps(test.tolist()))


# --------------------------------------------------------------------------
# hand-built models
# --------------------------------------------------------------------------

def svm_node(op, rng, n_features, *, classes=None, per_class=None, n_supports=0,
             kernel="RBF", proba=False, strings=False, post="NONE", one_class=0):
    """One SVM node with seeded random support vectors and coefficients."""
    from onnx import helper
    attrs = {"kernel_type": kernel, "post_transform": post,
             "kernel_params": [0.3, 0.5, 3.0]}
    if op == "SVMClassifier":
        n_vec = sum(per_class) if per_class else 0
        pairs = classes * (classes - 1) // 2
        if n_vec:
            attrs["vectors_per_class"] = per_class
            attrs["support_vectors"] = rng.normal(size=n_vec * n_features).tolist()
            attrs["coefficients"] = rng.normal(size=(classes - 1) * n_vec).tolist()
            attrs["rho"] = rng.normal(scale=0.3, size=pairs).tolist()
        else:
            attrs["coefficients"] = rng.normal(size=classes * n_features).tolist()
            attrs["rho"] = [float(rng.normal(scale=0.3))]
        if proba:
            attrs["prob_a"] = rng.uniform(-3, -1, size=pairs).tolist()
            attrs["prob_b"] = rng.normal(scale=0.2, size=pairs).tolist()
        if strings:
            attrs["classlabels_strings"] = [f"class_{chr(65 + i)}" for i in range(classes)]
        else:
            attrs["classlabels_ints"] = [int(v) for v in rng.choice(50, size=classes, replace=False)]
        outputs = ["label", "scores"]
    else:
        attrs["n_supports"] = n_supports
        attrs["one_class"] = one_class
        if n_supports:
            attrs["support_vectors"] = rng.normal(size=n_supports * n_features).tolist()
            attrs["coefficients"] = rng.normal(size=n_supports).tolist()
        else:
            attrs["coefficients"] = rng.normal(size=n_features).tolist()
        attrs["rho"] = [float(rng.normal(scale=0.3))]
        outputs = ["y"]
    return helper.make_node(op, ["x"], outputs, domain="ai.onnx.ml", **attrs)


def hand_models():
    """(name, node, input dtype, rows, features) of the hand-built SVMs."""
    import numpy as np
    rng = np.random.default_rng(SEED)
    f = 4
    c, r = "SVMClassifier", "SVMRegressor"
    return [
        ("svm_clf_rbf_proba", svm_node(c, rng, f, classes=3, per_class=[2, 3, 2], proba=True),
         np.float32),
        ("svm_clf_poly_strings", svm_node(c, rng, f, classes=3, per_class=[2, 1, 3], kernel="POLY",
                                          strings=True), np.float32),
        ("svm_clf_sigmoid_binary", svm_node(c, rng, f, classes=2, per_class=[3, 2], kernel="SIGMOID"),
         np.float32),
        ("svm_clf_linear_binary_logistic", svm_node(c, rng, f, classes=2, per_class=[2, 2], kernel="LINEAR",
                                                    post="LOGISTIC"), np.float64),
        ("svm_clf_rbf_4class_softmax", svm_node(c, rng, f, classes=4, per_class=[2, 1, 2, 2], post="SOFTMAX"),
         np.float32),
        ("svm_clf_poly_proba_strings_binary", svm_node(c, rng, f, classes=2, per_class=[3, 3], kernel="POLY",
                                                       proba=True, strings=True), np.float32),
        ("svm_clf_rbf_proba_4class_softmax", svm_node(c, rng, f, classes=4, per_class=[1, 2, 2, 1],
                                                      proba=True, post="SOFTMAX"), np.int64),
        ("svm_clf_liblinear", svm_node(c, rng, f, classes=3), np.int32),
        ("svm_clf_liblinear_binary", svm_node(c, rng, f, classes=2, strings=True), np.float32),
        ("svm_clf_liblinear_logistic", svm_node(c, rng, f, classes=3, post="LOGISTIC"), np.float32),
        ("svm_reg_rbf", svm_node(r, rng, f, n_supports=5), np.float32),
        ("svm_reg_poly_one_class", svm_node(r, rng, f, n_supports=4, kernel="POLY", one_class=1), np.float32),
        ("svm_reg_sigmoid", svm_node(r, rng, f, n_supports=3, kernel="SIGMOID"), np.float32),
        ("svm_reg_linear", svm_node(r, rng, f, n_supports=0), np.float32),
    ]


def extra_models():
    """(name, model, inputs) of CategoryMapper and FeatureVectorizer."""
    import numpy as np
    from onnx import TensorProto, helper

    def graph(node, ins, outs):
        g = helper.make_graph([node], node.op_type.lower(), ins, outs)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(*ML)],
                                 ir_version=8)

    vi = helper.make_tensor_value_info
    cats = {"cats_strings": ["cat", "dog", "", "bird", "dog", "ant"], "cats_int64s": [1, 2, 3, 4, 5, -7]}
    s2i = helper.make_node("CategoryMapper", ["x"], ["y"], domain="ai.onnx.ml", default_int64=99, **cats)
    i2s = helper.make_node("CategoryMapper", ["x"], ["y"], domain="ai.onnx.ml", default_string="none",
                           cats_strings=["one", "two", "three", "again"], cats_int64s=[1, 2, 3, 1])
    i2s_dflt = helper.make_node("CategoryMapper", ["x"], ["y"], domain="ai.onnx.ml", **cats)
    words = np.array([["dog", "cow", "ant"], ["", "bird", "Dog"]], dtype=object)
    nums = np.array([1, 2, 3, 4, 0, -7, 5], dtype=np.int64)
    fv = helper.make_node("FeatureVectorizer", ["a", "b", "c"], ["y"], domain="ai.onnx.ml",
                          inputdimensions=[2, 2, 3])
    rng = np.random.default_rng(SEED + 2)
    fv_ins = [rng.normal(size=(4, w)).astype(np.float32) for w in (2, 3, 1)]
    fvi = helper.make_node("FeatureVectorizer", ["a", "b"], ["y"], domain="ai.onnx.ml", inputdimensions=[3, 1])
    fvi_ins = [rng.integers(-9, 9, size=(2, 3)).astype(np.int64), rng.integers(-9, 9, size=(2, 1)).astype(np.int64)]
    roi_pool = helper.make_node("MaxRoiPool", ["x", "rois"], ["y"], pooled_shape=[3, 2], spatial_scale=0.5)
    roi_x = rng.normal(size=(2, 3, 9, 11)).astype(np.float32)
    # batch index, x1, y1, x2, y2: inside, half-pixel corners (rounding), one
    # past the image, one degenerate (x2 < x1), one a single pixel
    boxes = np.array([[0, 2, 2, 15, 12], [1, 1, 3, 9, 5], [1, 14, 10, 30, 30], [0, 8, 8, 3, 3],
                      [1, 5, 5, 5, 5], [0, 0, 0, 21, 17]], dtype=np.float32)
    roi_ops = [helper.make_opsetid("", 17)]
    roi_model = helper.make_model(
        helper.make_graph([roi_pool], "max_roi_pool",
                          [vi("x", TensorProto.FLOAT, list(roi_x.shape)), vi("rois", TensorProto.FLOAT, [6, 5])],
                          [vi("y", TensorProto.FLOAT, [6, 3, 3, 2])]), opset_imports=roi_ops, ir_version=8)
    return [
        ("max_roi_pool", roi_model, [roi_x, boxes]),
        ("catmap_string_to_int", graph(s2i, [vi("x", TensorProto.STRING, [2, 3])],
                                       [vi("y", TensorProto.INT64, [2, 3])]), [words]),
        ("catmap_int_to_string", graph(i2s, [vi("x", TensorProto.INT64, [7])],
                                       [vi("y", TensorProto.STRING, [7])]), [nums]),
        ("catmap_int_to_string_default", graph(i2s_dflt, [vi("x", TensorProto.INT64, [7])],
                                               [vi("y", TensorProto.STRING, [7])]), [nums]),
        ("feature_vectorizer", graph(fv, [vi(n, TensorProto.FLOAT, list(x.shape)) for n, x in zip("abc", fv_ins)],
                                     [vi("y", TensorProto.FLOAT, [4, 7])]), fv_ins),
        ("feature_vectorizer_int64", graph(fvi, [vi(n, TensorProto.INT64, list(x.shape))
                                                 for n, x in zip("ab", fvi_ins)],
                                           [vi("y", TensorProto.FLOAT, [2, 4])]), fvi_ins),
    ]


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------

def write_case(name: str, model, xs, out_root: Path) -> None:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper
    xs = xs if isinstance(xs, list) else [xs]
    pin_input_dims(model, xs)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {i.name: x for i, x in zip(sess.get_inputs(), xs)}
    outs = sess.run(None, feed)
    d = out_root / name
    (d / "test_data_set_0").mkdir(parents=True, exist_ok=True)
    onnx.save(model, d / "model.onnx")
    for k, (x, info) in enumerate(zip(xs, sess.get_inputs())):
        (d / "test_data_set_0" / f"input_{k}.pb").write_bytes(
            numpy_helper.from_array(x, info.name).SerializeToString())
    for k, (o, info) in enumerate(zip(outs, sess.get_outputs())):
        arr = np.asarray(o)
        if arr.dtype == object:
            arr = arr.astype(str).astype(object)
        (d / "test_data_set_0" / f"output_{k}.pb").write_bytes(
            numpy_helper.from_array(arr, info.name).SerializeToString())
    print(f"{name}: " + ", ".join(f"{i.name} {np.asarray(o).shape}" for o, i in zip(outs, sess.get_outputs())))


def hand_graph(node, dtype, rows, feats):
    import numpy as np
    from onnx import TensorProto, helper
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    outs = []
    for o in node.output:
        if o == "label":
            labels = any(a.name == "classlabels_strings" for a in node.attribute)
            outs.append(helper.make_tensor_value_info(o, TensorProto.STRING if labels else TensorProto.INT64,
                                                      [rows]))
        else:
            outs.append(helper.make_tensor_value_info(o, TensorProto.FLOAT, None))
    g = helper.make_graph([node], node.op_type.lower(),
                          [helper.make_tensor_value_info("x", elem, [rows, feats])], outs)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(*ML)],
                             ir_version=8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sklearn-python", help="a python with scikit-learn and skl2onnx")
    ap.add_argument("--emit-sklearn", help=argparse.SUPPRESS)
    ap.add_argument("--only")
    ap.add_argument("--out", default=str(HERE))
    args = ap.parse_args()
    if args.emit_sklearn:
        emit_sklearn(Path(args.emit_sklearn))
        return
    import numpy as np
    import onnx
    out = Path(args.out)
    rng = np.random.default_rng(SEED + 1)
    rows, feats = 6, 4
    for name, node, dtype in hand_models():
        x = rng.normal(scale=1.5, size=(rows, feats))
        x = np.round(x * 2).astype(dtype) if np.issubdtype(dtype, np.integer) else x.astype(dtype)
        if args.only in (None, name):
            write_case(name, hand_graph(node, dtype, rows, feats), x, out)
    for name, model, xs in extra_models():
        if args.only in (None, name):
            write_case(name, model, xs, out)
    if not args.sklearn_python:
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([args.sklearn_python, __file__, "--emit-sklearn", tmp], check=True)
        for p in sorted(Path(tmp).glob("*.onnx")):
            if args.only not in (None, p.stem):
                continue
            x = np.array(json.loads(p.with_suffix(".json").read_text()), dtype=np.float32)
            model = onnx.load(p)
            write_case(p.stem, model, x, out)


if __name__ == "__main__":
    sys.exit(main())
