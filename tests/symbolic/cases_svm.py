"""SVMClassifier, SVMRegressor, CategoryMapper, FeatureVectorizer (ai.onnx.ml
1: compiler/ops/svm.c, ml_extra.c) and MaxRoiPool (roi.c) with the batch
(or the number of regions) varying at run time, against onnxruntime; and
the refusal of an SVM whose feature count varies."""
import numpy as np
from onnx import TensorProto, helper

from check import Case, vi

F = TensorProto.FLOAT
I64 = TensorProto.INT64
S = TensorProto.STRING
RANGES = {"N": (1, 9)}
SIZES = [{"N": 1}, {"N": 4}, {"N": 9}]


def ml_model(nodes, inputs, outputs, opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset),
                                               helper.make_opsetid("ai.onnx.ml", 1)])


def svc(strings=False, proba=True, feats=3):
    rng = np.random.default_rng(5)

    def build():
        attrs = dict(kernel_type="RBF", kernel_params=[0.4, 0.0, 3.0], vectors_per_class=[2, 1, 2],
                     support_vectors=rng.normal(size=5 * 3).tolist(), coefficients=rng.normal(size=10).tolist(),
                     rho=[0.1, -0.2, 0.3])
        if proba:
            attrs.update(prob_a=[-2.0, -1.5, -2.5], prob_b=[0.1, 0.0, -0.1])
        if strings:
            attrs["classlabels_strings"] = ["x", "yy", "zzz"]
        else:
            attrs["classlabels_ints"] = [4, 5, 6]
        node = helper.make_node("SVMClassifier", ["X"], ["Y", "Z"], domain="ai.onnx.ml", **attrs)
        return ml_model([node], [vi("X", ["N", feats])], [vi("Y", ["N"], S if strings else I64), vi("Z", ["N", 3])])
    return build


def svr():
    node = helper.make_node("SVMRegressor", ["X"], ["Y"], domain="ai.onnx.ml", kernel_type="POLY",
                            kernel_params=[0.5, 1.0, 2.0], n_supports=2, support_vectors=[1.0, 0.0, -1.0, 0.5, 0.5, 2.0],
                            coefficients=[0.7, -0.3], rho=[0.2])
    return ml_model([node], [vi("X", ["N", 3])], [vi("Y", ["N", 1])])


def catmap():
    node = helper.make_node("CategoryMapper", ["X"], ["Y"], domain="ai.onnx.ml", cats_strings=["a", "b", "c"],
                            cats_int64s=[0, 1, 2], default_string="?")
    return ml_model([node], [vi("X", ["N", 2], I64)], [vi("Y", ["N", 2], S)])


def vectorizer():
    node = helper.make_node("FeatureVectorizer", ["A", "B"], ["Y"], domain="ai.onnx.ml", inputdimensions=[1, 3])
    return ml_model([node], [vi("A", ["N", 2]), vi("B", ["N", 2])], [vi("Y", ["N", 4])])


def max_roi_pool():
    node = helper.make_node("MaxRoiPool", ["X", "R"], ["Y"], pooled_shape=[2, 3], spatial_scale=0.5)
    g = helper.make_graph([node], "g", [vi("X", [2, 3, 8, 8]), vi("R", ["N", 5])], [vi("Y", ["N", 3, 2, 3])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 12)])


def boxes(shape, rng):
    b = rng.uniform(0, 16, size=shape).astype(np.float32)
    b[:, 0] = rng.integers(0, 2, size=shape[0])
    return b


CASES = [
    Case("svm_classifier_proba_batch", svc(), RANGES, SIZES, rtol=1e-4),
    Case("svm_classifier_strings_batch", svc(strings=True, proba=False), RANGES, SIZES, rtol=1e-4),
    Case("svm_regressor_batch", svr, RANGES, SIZES, rtol=1e-4),
    Case("svm_features_vary_refused", lambda: ml_model(
        [helper.make_node("SVMRegressor", ["X"], ["Y"], domain="ai.onnx.ml", n_supports=0,
                          coefficients=[1.0, 2.0], rho=[0.0])],
        [vi("X", [2, "N"])], [vi("Y", [2, 1])]), RANGES, SIZES, expect_error="features"),
    Case("category_mapper_batch", catmap, RANGES, SIZES, make_input={"X": lambda s, r: r.integers(-1, 4, s)}),
    Case("feature_vectorizer_batch", vectorizer, RANGES, SIZES),
    Case("max_roi_pool_regions", max_roi_pool, RANGES, SIZES, make_input={"R": boxes}),
]
