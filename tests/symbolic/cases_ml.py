"""ai.onnx.ml ops (compiler/ops/ml.c, trees.c) against onnxruntime. The
dims are all fixed (no --dim ranges, one run): what is checked is the
arithmetic, ONNX Runtime's rules for post transforms, base values and the
binary classifiers included."""
import numpy as np
import onnx
from onnx import TensorProto, helper

from check import Case, vi

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def ml_model(nodes, inputs, outputs, ml_opset=3, opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset),
                                               helper.make_opsetid("ai.onnx.ml", ml_opset)])


def ml_node(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, domain="ai.onnx.ml", **attrs)


def fixed(name, build, **kw):
    return Case(name, build, {}, [{}], **kw)


def with_nans(shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    x.flat[::3] = np.nan
    return x


# ---- linear models ----

POSTS = ["NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"]
COEF3 = [0.5, -1.0, 0.25, 1.5, 0.0, -0.75, -0.2, 0.3, 0.9]


def linear_classifier(post, n_classes=3, labels=(10, 20, 30)):
    def build():
        coef = COEF3[:3 * n_classes]
        icp = [0.1, -0.2, 0.05][:n_classes]
        node = ml_node("LinearClassifier", ["X"], ["Y", "Z"], coefficients=coef, intercepts=icp,
                       classlabels_ints=list(labels), post_transform=post)
        zcols = 2 if n_classes == 1 and len(labels) == 2 else n_classes
        return ml_model([node], [vi("X", [5, 3])], [vi("Y", [5], I64), vi("Z", [5, zcols])], ml_opset=1)
    return build


CASES = [fixed(f"ml_linear_classifier_{p.lower()}", linear_classifier(p)) for p in POSTS]
CASES += [
    fixed("ml_linear_classifier_binary", linear_classifier("NONE", 1, (0, 1))),
    fixed("ml_linear_classifier_binary_logistic_labels", linear_classifier("LOGISTIC", 1, (-4, 7))),
    fixed("ml_linear_classifier_double_x", lambda: ml_model(
        [ml_node("LinearClassifier", ["X"], ["Y", "Z"], coefficients=COEF3, intercepts=[0.1, -0.2, 0.05],
                 classlabels_ints=[1, 2, 3], post_transform="SOFTMAX")],
        [vi("X", [4, 3], TensorProto.DOUBLE)], [vi("Y", [4], I64), vi("Z", [4, 3])], ml_opset=1)),
    fixed("ml_linear_classifier_strings_refused", lambda: ml_model(
        [ml_node("LinearClassifier", ["X"], ["Y", "Z"], coefficients=COEF3, intercepts=[0.1, -0.2, 0.05],
                 classlabels_strings=["a", "b", "c"])],
        [vi("X", [4, 3])], [vi("Y", [4], TensorProto.STRING), vi("Z", [4, 3])], ml_opset=1),
        expect_error="string labels are not supported"),
    fixed("ml_linear_regressor_targets2", lambda: ml_model(
        [ml_node("LinearRegressor", ["X"], ["Y"], coefficients=COEF3[:6], intercepts=[0.5, -1.0], targets=2)],
        [vi("X", [6, 3])], [vi("Y", [6, 2])], ml_opset=1)),
    fixed("ml_linear_regressor_one_target", lambda: ml_model(
        [ml_node("LinearRegressor", ["X"], ["Y"], coefficients=[1.0, 2.0, -3.0], intercepts=[0.25])],
        [vi("X", [6, 3])], [vi("Y", [6, 1])], ml_opset=1)),
]

# ---- element-wise and per-column ops ----

CASES += [fixed(f"ml_normalizer_{n.lower()}", (lambda n: lambda: ml_model(
    [ml_node("Normalizer", ["X"], ["Y"], norm=n)], [vi("X", [4, 5])], [vi("Y", [4, 5])], ml_opset=1))(n))
    for n in ["MAX", "L1", "L2"]]
CASES += [
    fixed("ml_normalizer_int64", lambda: ml_model(
        [ml_node("Normalizer", ["X"], ["Y"], norm="L2")], [vi("X", [3, 4], I64)], [vi("Y", [3, 4])], ml_opset=1)),
    fixed("ml_scaler", lambda: ml_model(
        [ml_node("Scaler", ["X"], ["Y"], offset=[0.5, -1.0, 2.0], scale=[2.0, 0.5, -1.0])],
        [vi("X", [4, 3])], [vi("Y", [4, 3])], ml_opset=1)),
    fixed("ml_scaler_one_value", lambda: ml_model(
        [ml_node("Scaler", ["X"], ["Y"], offset=[0.5], scale=[2.0])],
        [vi("X", [4, 3])], [vi("Y", [4, 3])], ml_opset=1)),
    fixed("ml_scaler_lengths_differ", lambda: ml_model(
        [ml_node("Scaler", ["X"], ["Y"], offset=[0.5, -1.0, 2.0], scale=[2.0])],
        [vi("X", [4, 3])], [vi("Y", [4, 3])], ml_opset=1), expect_error="offset and scale differ in length"),
    fixed("ml_scaler_int32", lambda: ml_model(
        [ml_node("Scaler", ["X"], ["Y"], offset=[1.0, 0.0, -2.0], scale=[0.5, 2.0, -1.0])],
        [vi("X", [4, 3], TensorProto.INT32)], [vi("Y", [4, 3])], ml_opset=1)),
    # ONNX Runtime fails on a NaN input; onnxcc passes it through
    fixed("ml_binarizer", lambda: ml_model(
        [ml_node("Binarizer", ["X"], ["Y"], threshold=0.2)], [vi("X", [3, 4])], [vi("Y", [3, 4])], ml_opset=1)),
    fixed("ml_imputer_nan", lambda: ml_model(
        [ml_node("Imputer", ["X"], ["Y"], imputed_value_floats=[1.0, 2.0, 3.0], replaced_value_float=float("nan"))],
        [vi("X", [4, 3])], [vi("Y", [4, 3])], ml_opset=1), make_input={"X": with_nans}),
    fixed("ml_imputer_int64", lambda: ml_model(
        [ml_node("Imputer", ["X"], ["Y"], imputed_value_int64s=[-7], replaced_value_int64=2)],
        [vi("X", [4, 3], I64)], [vi("Y", [4, 3], I64)], ml_opset=1)),
    fixed("ml_onehot_encoder", lambda: ml_model(
        [ml_node("OneHotEncoder", ["X"], ["Y"], cats_int64s=[0, 2, 3, 7])],
        [vi("X", [2, 3], I64)], [vi("Y", [2, 3, 4])], ml_opset=1)),
    fixed("ml_array_feature_extractor", lambda: ml_model(
        [ml_node("ArrayFeatureExtractor", ["X", "I"], ["Y"])],
        [vi("X", [3, 5]), vi("I", [2], I64)], [vi("Y", [3, 2])], ml_opset=1),
        make_input={"I": lambda s, rng: np.array([4, 1], np.int64)}),
    fixed("ml_label_encoder_int64_float", lambda: ml_model(
        [ml_node("LabelEncoder", ["X"], ["Y"], keys_int64s=[0, 1, 3], values_floats=[0.5, -1.5, 9.0],
                 default_float=42.0)],
        [vi("X", [3, 4], I64)], [vi("Y", [3, 4])], ml_opset=2)),
    fixed("ml_label_encoder_tensor_float_int64", lambda: ml_model(
        [ml_node("LabelEncoder", ["X"], ["Y"],
                 keys_tensor=helper.make_tensor("k", F, [3], [0.5, -1.0, float("nan")]),
                 values_tensor=helper.make_tensor("v", I64, [3], [5, 6, 7]),
                 default_tensor=helper.make_tensor("d", I64, [1], [-9]))],
        [vi("X", [6], F)], [vi("Y", [6], I64)], ml_opset=4),
        make_input={"X": lambda s, rng: np.array([0.5, -1.0, np.nan, 2.0, 0.5, 3.0], np.float32)}),
]

# ---- tree ensembles (ml opsets 1 and 3) ----
# Tree 0: n0 x0 <= 0 ? n1 : n2; n1 x1 < 0.5 ? n3 : n4; n2, n3, n4 leaves.
# Tree 1: n0 x2 > -0.3 ? n1 : n2; n1, n2 leaves.
TREE_NODES = dict(
    nodes_treeids=[0, 0, 0, 0, 0, 1, 1, 1],
    nodes_nodeids=[0, 1, 2, 3, 4, 0, 1, 2],
    nodes_featureids=[0, 1, 0, 0, 0, 2, 0, 0],
    nodes_modes=["BRANCH_LEQ", "BRANCH_LT", "LEAF", "LEAF", "LEAF", "BRANCH_GT", "LEAF", "LEAF"],
    nodes_values=[0.0, 0.5, 0, 0, 0, -0.3, 0, 0],
    nodes_truenodeids=[1, 3, 0, 0, 0, 1, 0, 0],
    nodes_falsenodeids=[2, 4, 0, 0, 0, 2, 0, 0],
)
LEAVES = [(0, 2), (0, 3), (0, 4), (1, 1), (1, 2)]


def tree_classifier(post, base=None):
    def build():
        tree, node, cls, w = [], [], [], []
        for k, (t, n) in enumerate(LEAVES):
            for c in range(3):
                tree.append(t), node.append(n), cls.append(c), w.append(0.1 * ((k * 3 + c) % 7) - 0.2)
        attrs = dict(TREE_NODES, class_treeids=tree, class_nodeids=node, class_ids=cls, class_weights=w,
                     classlabels_int64s=[5, 6, 7], post_transform=post)
        if base:
            attrs["base_values"] = base
        return ml_model([ml_node("TreeEnsembleClassifier", ["X"], ["Y", "Z"], **attrs)],
                        [vi("X", [8, 3])], [vi("Y", [8], I64), vi("Z", [8, 3])])
    return build


def binary_tree_classifier(post, weights, cls_id=1, base=None):
    def build():
        attrs = dict(TREE_NODES, class_treeids=[t for t, _ in LEAVES], class_nodeids=[n for _, n in LEAVES],
                     class_ids=[cls_id] * len(LEAVES), class_weights=weights, classlabels_int64s=[3, 9],
                     post_transform=post)
        if base is not None:
            attrs["base_values"] = base
        return ml_model([ml_node("TreeEnsembleClassifier", ["X"], ["Y", "Z"], **attrs)],
                        [vi("X", [8, 3])], [vi("Y", [8], I64), vi("Z", [8, 2])])
    return build


def tree_regressor(agg, base=None, post="NONE", ml_opset=1):
    def build():
        tree, node, tgt, w = [], [], [], []
        for k, (t, n) in enumerate(LEAVES):
            for j in range(2):
                tree.append(t), node.append(n), tgt.append(j), w.append(0.3 * k - 0.5 * j + 0.1)
        attrs = dict(TREE_NODES, target_treeids=tree, target_nodeids=node, target_ids=tgt, target_weights=w,
                     n_targets=2, aggregate_function=agg, post_transform=post)
        if base:
            attrs["base_values"] = base
        return ml_model([ml_node("TreeEnsembleRegressor", ["X"], ["Y"], **attrs)],
                        [vi("X", [8, 3])], [vi("Y", [8, 2])], ml_opset=ml_opset)
    return build


CASES += [
    fixed("ml_tree_classifier_softmax", tree_classifier("SOFTMAX")),
    fixed("ml_tree_classifier_none_base", tree_classifier("NONE", [0.5, -0.5, 0.25])),
    fixed("ml_tree_classifier_logistic", tree_classifier("LOGISTIC")),
    fixed("ml_tree_classifier_binary_logistic", binary_tree_classifier(
        "LOGISTIC", [0.4, -0.3, 1.2, -0.8, 0.1])),
    fixed("ml_tree_classifier_binary_positive", binary_tree_classifier("NONE", [0.4, 0.3, 0.9, 0.8, 0.1])),
    fixed("ml_tree_classifier_binary_class0", binary_tree_classifier(
        "LOGISTIC", [0.4, -0.3, 1.2, -0.8, 0.1], cls_id=0)),
    fixed("ml_tree_classifier_binary_base1", binary_tree_classifier(
        "NONE", [0.4, -0.3, 1.2, -0.8, 0.1], cls_id=0, base=[0.25])),
]
CASES += [fixed(f"ml_tree_regressor_{a.lower()}", tree_regressor(a, [1.0, -2.0]))
          for a in ["SUM", "AVERAGE", "MIN", "MAX"]]
CASES += [
    fixed("ml_tree_regressor_softmax", tree_regressor("SUM", post="SOFTMAX")),
    fixed("ml_tree_regressor_opset3", tree_regressor("SUM", ml_opset=3)),
]


# ---- TreeEnsemble (ml opset 5) ----
def tree_ensemble_v5(agg=1, dtype=F):
    def build():
        # node 0: x0 in {1, 2, 4} ? node 1 : leaf 2; node 1: x1 <= 0 ? leaf 0 : leaf 1
        # node 2 (tree 2): x0 != 3 ? leaf 3 : leaf 4 (NaN goes true)
        # Tree 1 feeds target 0 and tree 2 target 1, so every row reaches
        # both: onnx's reference leaves a target no leaf reached at the
        # float range's end under MIN/MAX, ONNX Runtime's rule (0 plus the
        # base value, what onnxcc does) gives 0.
        t = lambda name, dt, vals: helper.make_tensor(name, dt, [len(vals)], vals)
        node = ml_node(
            "TreeEnsemble", ["X"], ["Y"], n_targets=2, aggregate_function=agg, tree_roots=[0, 2],
            nodes_featureids=[0, 1, 0],
            nodes_modes=t("m", TensorProto.UINT8, [6, 0, 5]),
            nodes_splits=t("s", dtype, [0.0, 0.0, 3.0]),
            nodes_truenodeids=[1, 0, 3], nodes_trueleafs=[0, 1, 1],
            nodes_falsenodeids=[2, 1, 4], nodes_falseleafs=[1, 1, 1],
            nodes_missing_value_tracks_true=[0, 1, 0],
            membership_values=t("mv", dtype, [1.0, 2.0, 4.0, float("nan")]),
            leaf_targetids=[0, 0, 0, 1, 1], leaf_weights=t("w", dtype, [1.5, -2.0, 0.25, 4.0, -1.0]))
        return ml_model([node], [vi("X", [8, 2], dtype)], [vi("Y", [8, 2], dtype)], ml_opset=5, opset=21)
    return build


def small_ints(shape, rng):
    x = rng.integers(0, 5, shape).astype(np.float32)
    x[:, 1] = rng.standard_normal(shape[0])
    x[0, 0] = np.nan
    x[1, 1] = np.nan
    return x


# ONNX Runtime 1.20 has no TreeEnsemble: onnx's reference implementation
# is the reference here.
CASES += [fixed(f"ml_tree_ensemble_agg{a}", tree_ensemble_v5(a), make_input={"X": small_ints}, reference="onnx")
          for a in range(4)]
CASES += [fixed("ml_tree_ensemble_double", tree_ensemble_v5(1, TensorProto.DOUBLE), reference="onnx",
                make_input={"X": lambda s, rng: small_ints(s, rng).astype(np.float64)})]
