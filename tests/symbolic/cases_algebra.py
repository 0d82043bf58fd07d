"""Einsum and Det. Einsum's cases cover the equation forms the compiler
parses (explicit and implicit output, ellipsis broadcasting, diagonals,
sums, three operands) and the lowerings: the general contraction, the
batched matrix product in MatMul's layout (rt_matmul_*) and in any other
layout rt_sgemm reads (rt_einsum_gemm_f32: transposed operands, a
transposed output, interleaved batch dims). Their shapes are fixed: the family
takes no dims that vary at run time."""
import numpy as np
from onnx import TensorProto as T, helper as h

from check import Case


def out_rank(eq, shapes):
    # the checker wants the output's rank; numpy's einsum knows it (and
    # refuses what onnxcc must refuse: any rank will do then)
    try:
        return np.einsum(eq.replace(" ", ""), *[np.zeros(s) for s in shapes]).ndim
    except ValueError:
        return 0


def einsum_model(eq, shapes, dtype=T.FLOAT):
    names = [f"x{k}" for k in range(len(shapes))]
    g = h.make_graph([h.make_node("Einsum", names, ["y"], equation=eq)], "g",
                     [h.make_tensor_value_info(n, dtype, s) for n, s in zip(names, shapes)],
                     [h.make_tensor_value_info("y", dtype, [None] * out_rank(eq, shapes))])
    return lambda: h.make_model(g, opset_imports=[h.make_opsetid("", 12)])


EINSUMS = [
    # (name, equation, shapes)
    ("matmul", "ij,jk->ik", [[5, 7], [7, 3]]),
    ("matmul_implicit", "ij,jk", [[5, 7], [7, 3]]),
    ("batch_matmul", "bij,bjk->bik", [[2, 8, 7], [2, 7, 5]]),
    ("batch_broadcast", "...ij,...jk->...ik", [[2, 1, 8, 7], [1, 3, 7, 5]]),
    ("matmul_groups", "abc,cde->abde", [[2, 3, 4], [4, 5, 6]]),
    ("matmul_row", "j,jk->k", [[7], [7, 3]]),
    ("matmul_bt", "ij,kj->ik", [[5, 7], [3, 7]]),
    ("matmul_at", "ji,jk->ik", [[7, 5], [7, 3]]),
    ("matmul_out_t", "ij,jk->ki", [[5, 7], [7, 3]]),
    ("attention_scores", "bhqd,bhkd->bhqk", [[2, 3, 8, 5], [2, 3, 7, 5]]),
    ("attention_values", "bhqk,bhkd->bqhd", [[2, 3, 6, 8], [2, 3, 8, 6]]),
    ("attention_interleaved", "bqhd,bkhd->bhqk", [[2, 6, 3, 8], [2, 7, 3, 8]]),
    ("matmul_both_t", "ki,jk->ji", [[9, 5], [3, 9]]),
    ("batch_t_broadcast", "...ji,...kj->...ik", [[2, 1, 9, 6], [1, 3, 5, 9]]),
    ("matmul_column", "ij,j->i", [[5, 7], [7]]),
    ("sum_then_product", "ij,jk->k", [[5, 7], [7, 3]]),
    ("transpose", "ij->ji", [[3, 4]]),
    ("sum_rows", "ij->i", [[3, 4]]),
    ("sum_all", "ij->", [[3, 4]]),
    ("trace", "ii", [[4, 4]]),
    ("diagonal", "ii->i", [[4, 4]]),
    ("batch_diagonal", "...ii->...i", [[3, 5, 5]]),
    ("diagonal_3", "iij->ji", [[3, 3, 2]]),
    ("inner", "i,i", [[6], [6]]),
    ("outer", "i,j->ij", [[3], [4]]),
    ("three_operands", "ij,jk,kl->il", [[2, 3], [3, 4], [4, 5]]),
    ("outer_3", "i,j,k->kji", [[2], [3], [4]]),
    ("broadcast_letter", "ij,jk", [[2, 1], [3, 4]]),
    ("ellipsis_mid", "i...j,j...k->...ik", [[2, 5, 3], [3, 5, 4]]),
    ("ellipsis_implicit", "a...", [[2, 3]]),
    ("hadamard", "ij,ij->ij", [[2, 3], [2, 3]]),
    ("bilinear", "bn,anm,bm->ba", [[2, 3], [4, 3, 5], [2, 5]]),
    ("uppercase", "Ab,bc->Ac", [[2, 3], [3, 4]]),
    ("spaces", " ij , jk -> ik ", [[2, 3], [3, 4]]),
]

CASES = [Case(f"einsum_{n}", einsum_model(eq, s), {}, [{}], rtol=1e-4, atol=1e-5) for n, eq, s in EINSUMS]
CASES += [
    Case("einsum_matmul_f64", einsum_model("bij,bjk->bik", [[2, 8, 7], [2, 7, 5]], T.DOUBLE), {}, [{}]),
    Case("einsum_general_f64", einsum_model("ii,ij->j", [[4, 4], [4, 3]], T.DOUBLE), {}, [{}]),
    Case("einsum_matmul_i64", einsum_model("ij,jk->ik", [[5, 7], [7, 3]], T.INT64), {}, [{}]),
    Case("einsum_general_i32", einsum_model("ij,kj->ki", [[5, 7], [3, 7]], T.INT32), {}, [{}]),
    Case("einsum_f16", einsum_model("ij,jk->ik", [[5, 7], [7, 3]], T.FLOAT16), {}, [{}], rtol=1e-2, atol=1e-2),
    Case("einsum_bad_subscripts", einsum_model("ijk", [[2, 3]]), {}, [], expect_error="3 subscripts for an input of rank 2"),
    Case("einsum_output_needs_ellipsis", einsum_model("...ij->ij", [[2, 3, 4]]), {}, [],
         expect_error="the output subscripts do not"),
    Case("einsum_repeated_output", einsum_model("ij->ii", [[2, 2]]), {}, [], expect_error="repeats a subscript"),
    Case("einsum_output_rank_limit", einsum_model("abcd...,efgh->abcdefgh...", [[2] * 8, [2] * 4]), {}, [],
         expect_error="more than 8 dims"),
    Case("einsum_extents_differ", einsum_model("ij,jk", [[2, 2], [3, 4]]), {}, [], expect_error="cannot be broadcast"),
]


def det_model(shape, dtype=T.FLOAT):
    g = h.make_graph([h.make_node("Det", ["x"], ["y"])], "g", [h.make_tensor_value_info("x", dtype, shape)],
                     [h.make_tensor_value_info("y", dtype, [None] * (len(shape) - 2))])
    return lambda: h.make_model(g, opset_imports=[h.make_opsetid("", 11)])


def singular(shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    x[..., 2, :] = 2 * x[..., 0, :]
    return x


def pivoting(shape, rng):
    # a zero leading entry: elimination without row swaps would divide by 0
    x = rng.standard_normal(shape).astype(np.float32)
    x[..., 0, 0] = 0
    return x


CASES += [
    Case("det_2d", det_model([3, 3]), {}, [{}], rtol=1e-4),
    Case("det_batched", det_model([2, 3, 5, 5]), {}, [{}], rtol=1e-4, atol=1e-4),
    Case("det_singular", det_model([2, 4, 4]), {}, [{}], make_input={"x": singular}, atol=1e-4),
    Case("det_pivoting", det_model([3, 3]), {}, [{}], make_input={"x": pivoting}, rtol=1e-4),
    Case("det_empty_matrix", det_model([2, 0, 0]), {}, [{}]),
    Case("det_not_square", det_model([3, 4]), {}, [], expect_error="[..., M, M]"),
]
