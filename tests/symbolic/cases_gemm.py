"""Symbolic dims through the gemm family (Gemm, MatMul): M, N and batch
dims vary; K varies on both sides (same symbol, or two symbols checked
equal at run time)."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model, vi

SIZES = [{"N": 1, "S": 1, "T": 1}, {"N": 2, "S": 5, "T": 3}, {"N": 4, "S": 16, "T": 7}]
RANGES = {"N": (1, 4), "S": (1, 16), "T": (1, 7)}


def const(name, shape, dtype=np.float32):
    rng = np.random.default_rng(sum(map(ord, name)))
    return nh.from_array(rng.standard_normal(shape).astype(dtype), name)


def matmul(a_dims, b_dims, y_dims, dtype=T.FLOAT, b_const=None):
    inputs = [vi("a", a_dims, dtype)] + ([] if b_const is not None else [vi("b", b_dims, dtype)])
    inits = [] if b_const is None else [b_const]
    return lambda: model([h.make_node("MatMul", ["a", "b"], ["y"])], inputs, [vi("y", y_dims, dtype)], inits)


def gemm(a_dims, b_dims, c_dims, y_dims, consts=(), dtype=T.FLOAT, **attrs):
    names = ["a", "b"] + (["c"] if c_dims is not None else [])
    dims = {"a": a_dims, "b": b_dims, "c": c_dims}
    cnames = {t.name for t in consts}
    inputs = [vi(n, dims[n], dtype) for n in names if n not in cnames]
    return lambda: model([h.make_node("Gemm", names, ["y"], **attrs)], inputs, [vi("y", y_dims, dtype)],
                         list(consts))


def ints(shape, rng):
    return rng.integers(-3, 4, shape).astype(np.int64)


CASES = [
    # [batch, tokens, features] x constant [features, out]: one product of
    # (N*S) rows against B packed at compile time
    Case("gemm_matmul_linear_packed", matmul(("N", "S", 8), None, ("N", "S", 6), b_const=const("b", (8, 6))),
         RANGES, SIZES),
    # both operands vary, batch dim shared, K and N symbolic: per-batch products
    Case("gemm_matmul_batched_symbolic_k", matmul(("N", "S", "T"), ("N", "T", "S"), ("N", "S", "S")), RANGES, SIZES),
    # batch dims broadcast: [N,1,S,4] x [3,4,T] -> [N,3,S,T]
    Case("gemm_matmul_broadcast_batch", matmul(("N", 1, "S", 4), (3, 4, "T"), ("N", 3, "S", "T")), RANGES, SIZES),
    # B's batch varies, A's is broadcast: [S,4] x [N,4,T]
    Case("gemm_matmul_broadcast_a", matmul(("S", 4), ("N", 4, "T"), ("N", "S", "T")), RANGES, SIZES),
    # 1-D A: one row (gemv) with symbolic K and N
    Case("gemm_matmul_1d_a", matmul(("S",), ("S", "T"), ("T",)), RANGES, SIZES),
    # 1-D B: a column
    Case("gemm_matmul_1d_b", matmul(("N", "S", "T"), ("T",), ("N", "S")), RANGES, SIZES),
    # K named differently on each side: equal at run time, checked there
    Case("gemm_matmul_k_two_symbols", matmul(("S", "K"), ("L", "T"), ("S", "T")),
         {"S": (1, 16), "K": (1, 8), "L": (1, 8), "T": (1, 7)},
         [{"S": 1, "K": 1, "L": 1, "T": 1}, {"S": 3, "K": 5, "L": 5, "T": 2}, {"S": 16, "K": 8, "L": 8, "T": 7}]),
    Case("gemm_matmul_int64", matmul(("N", "S", 3), (3, "T"), ("N", "S", "T"), dtype=T.INT64), RANGES, SIZES,
         make_input={"a": ints, "b": ints}),
    Case("gemm_matmul_double", matmul(("N", "S", 5), ("N", 5, "T"), ("N", "S", "T"), dtype=T.DOUBLE), RANGES, SIZES),
    # a Linear layer: [N,8] x constant [6,8]^T + constant bias [6]
    Case("gemm_gemm_linear_packed",
         gemm(("N", 8), (6, 8), (6,), ("N", 6), consts=[const("b", (6, 8)), const("c", (6,))], transB=1),
         RANGES, SIZES),
    # every dim symbolic, A transposed, C [N,T] a symbolic input
    Case("gemm_gemm_trans_a_symbolic_c", gemm(("S", "N"), ("S", "T"), ("N", "T"), ("N", "T"), transA=1, alpha=0.5,
                                              beta=2.0), RANGES, SIZES),
    # B transposed and symbolic, C broadcast as [1,T] and as [N,1]
    Case("gemm_gemm_trans_b_row_c", gemm(("N", "S"), ("T", "S"), (1, "T"), ("N", "T"), transB=1), RANGES, SIZES),
    Case("gemm_gemm_column_c", gemm(("N", "S"), ("S", "T"), ("N", 1), ("N", "T")), RANGES, SIZES),
    # one row, exact: the gemv variant with symbolic K and N
    Case("gemm_gemm_one_row", gemm((1, "S"), ("S", "T"), None, (1, "T")), RANGES, SIZES),
    Case("gemm_gemm_double", gemm(("N", "S"), ("S", 3), (3,), ("N", 3), dtype=T.DOUBLE), RANGES, SIZES),
    # batch dims named differently must be equal at run time (checked); a
    # K whose range cannot reach the constant side's is refused
    Case("gemm_matmul_checks_mismatched_batch", matmul(("N", "S", 4), ("S", 4, 2), ("N", "S", 2)), RANGES,
         [{"N": 2, "S": 2, "T": 1}, {"N": 4, "S": 4, "T": 1}]),
    Case("gemm_matmul_checks_mismatched_batch_unequal", matmul(("N", "S", 4), ("S", 4, 2), ("N", "S", 2)), RANGES,
         [{"N": 2, "S": 3, "T": 1}], run_error="contradicts a shape"),
    Case("gemm_gemm_refuses_impossible_k", gemm(("N", "S"), (32, 3), None, ("N", 3), consts=[const("b", (32, 3))]),
         RANGES, [], expect_error="can never be equal"),
]
