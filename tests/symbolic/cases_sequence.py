"""Sequences and optionals inside a model whose inputs and outputs are
tensors with dims that vary at run time: elements of different sizes,
sequences built in loops, SequenceMap, optionals through If."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model, vi

SIZES = [{"N": 1, "S": 1}, {"N": 3, "S": 5}, {"N": 4, "S": 8}]
RANGES = {"N": (1, 4), "S": (1, 8)}
MAX_DYN = ["--max-dynamic-dim", "16"]


def const(name, value, dtype=np.int64):
    return nh.from_array(np.array(value, dtype), name)


def values(v):
    """make_input: these int64 values, whatever the shape."""
    return lambda shape, rng: np.array(v, np.int64)


def split_at_concat():
    # x [N,S] split into rows (no keepdims), the last row read out, and the
    # rows joined again along a new axis 1: [N] and [S,N]... as [N,S]
    nodes = [h.make_node("SplitToSequence", ["x"], ["seq"], axis=0, keepdims=0),
             h.make_node("SequenceAt", ["seq", "minus1"], ["last"]),
             h.make_node("ConcatFromSequence", ["seq"], ["y"], axis=1, new_axis=1),
             h.make_node("SequenceLength", ["seq"], ["n"])]
    return model(nodes, [vi("x", ["N", "S"])], [vi("last", ["S"]), vi("y", ["S", "N"]), vi("n", [], T.INT64)],
                 [const("minus1", -1)], opset=17)


def split_by_length():
    # pieces of 3 along S: the last is shorter; concatenated back along S
    nodes = [h.make_node("SplitToSequence", ["x", "three"], ["seq"], axis=1),
             h.make_node("SequenceAt", ["seq", "zero"], ["first"]),
             h.make_node("ConcatFromSequence", ["seq"], ["y"], axis=1)]
    return model(nodes, [vi("x", ["N", "S"])], [vi("first", ["N", None]), vi("y", ["N", "S"])],
                 [const("three", 3), const("zero", 0)])


def construct_insert_erase():
    # [x, y] then z inserted at the front, the middle erased, joined along 0
    nodes = [h.make_node("SequenceConstruct", ["x", "y"], ["s1"]),
             h.make_node("SequenceInsert", ["s1", "z", "zero"], ["s2"]),
             h.make_node("SequenceErase", ["s2", "one"], ["s3"]),
             h.make_node("ConcatFromSequence", ["s3"], ["out"], axis=0)]
    return model(nodes, [vi("x", ["N", 4]), vi("y", ["S", 4]), vi("z", [2, 4])], [vi("out", [None, 4])],
                 [const("zero", 0), const("one", 1)])


def loop_appends():
    # a loop appends x * i to a sequence M times; the rows are stacked
    body = h.make_graph(
        [h.make_node("Cast", ["i"], ["fi"], to=T.FLOAT), h.make_node("Mul", ["x", "fi"], ["xi"]),
         h.make_node("SequenceInsert", ["seq_in", "xi"], ["seq_out"]),
         h.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body", [vi("i", [], T.INT64), vi("cond_in", [], T.BOOL),
                 h.make_tensor_sequence_value_info("seq_in", T.FLOAT, None)],
        [vi("cond_out", [], T.BOOL), h.make_tensor_sequence_value_info("seq_out", T.FLOAT, None)])
    nodes = [h.make_node("SequenceEmpty", [], ["empty"], dtype=T.FLOAT),
             h.make_node("Loop", ["m", "", "empty"], ["seq"], body=body),
             h.make_node("ConcatFromSequence", ["seq"], ["y"], axis=0, new_axis=1)]
    return model(nodes, [vi("x", ["N", "S"]), vi("m", [], T.INT64)], [vi("y", [None, "N", "S"])])


def sequence_map_sums():
    # rows of different lengths (pieces of 3): each summed by a SequenceMap
    body = h.make_graph([h.make_node("ReduceSum", ["piece"], ["s"], keepdims=0)], "body",
                        [vi("piece", ["N", None])], [vi("s", [])])
    nodes = [h.make_node("SplitToSequence", ["x", "three"], ["seq"], axis=1),
             h.make_node("SequenceMap", ["seq"], ["sums"], body=body),
             h.make_node("ConcatFromSequence", ["sums"], ["y"], axis=0, new_axis=1)]
    return model(nodes, [vi("x", ["N", "S"])], [vi("y", [None])], [const("three", 3)])


def optional_through_if():
    # an optional that holds x when its sum is positive, else nothing; the
    # flag and (through a second If) the value or zeros come out
    then_g = h.make_graph([h.make_node("Optional", ["x"], ["o1"])], "then", [],
                          [h.make_value_info("o1", h.make_optional_type_proto(
                              h.make_tensor_type_proto(T.FLOAT, ["N", "S"])))])
    else_g = h.make_graph([h.make_node("Optional", [], ["o2"],
                                       type=h.make_tensor_type_proto(T.FLOAT, ["N", "S"]))], "else", [],
                          [h.make_value_info("o2", h.make_optional_type_proto(
                              h.make_tensor_type_proto(T.FLOAT, ["N", "S"])))])
    get_g = h.make_graph([h.make_node("OptionalGetElement", ["opt"], ["v"])], "get", [], [vi("v", ["N", "S"])])
    zero_g = h.make_graph([h.make_node("Sub", ["x", "x"], ["z"])], "zero", [], [vi("z", ["N", "S"])])
    nodes = [h.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
             h.make_node("Greater", ["s", "fzero"], ["c"]),
             h.make_node("If", ["c"], ["opt"], then_branch=then_g, else_branch=else_g),
             h.make_node("OptionalHasElement", ["opt"], ["has"]),
             h.make_node("If", ["has"], ["y"], then_branch=get_g, else_branch=zero_g)]
    return model(nodes, [vi("x", ["N", "S"])], [vi("has", [], T.BOOL), vi("y", ["N", "S"])],
                 [const("fzero", 0.0, np.float32)], opset=18)


def at_position(pos_name="pos"):
    nodes = [h.make_node("SplitToSequence", ["x"], ["seq"], axis=0),
             h.make_node("SequenceAt", ["seq", pos_name], ["y"])]
    return lambda: model(nodes, [vi("x", ["N", "S"]), vi(pos_name, [], T.INT64)], [vi("y", [1, "S"])])


CASES = [
    Case("sequence_split_at_concat", split_at_concat, RANGES, SIZES, flags=MAX_DYN),
    Case("sequence_split_by_length", split_by_length, RANGES, SIZES, flags=MAX_DYN),
    Case("sequence_construct_insert_erase", construct_insert_erase, RANGES, SIZES, flags=MAX_DYN),
    Case("sequence_loop_appends", loop_appends, RANGES, SIZES, flags=MAX_DYN,
         make_input={"m": values(3)}),
    Case("sequence_map_sums_pieces", sequence_map_sums, RANGES, SIZES, flags=MAX_DYN),
    Case("sequence_optional_through_if", optional_through_if, RANGES, SIZES, flags=MAX_DYN),
    Case("sequence_at_negative_position", at_position(), RANGES, SIZES, flags=MAX_DYN,
         make_input={"pos": values(-1)}),
    # a position past the end: the kernel refuses it at run time
    Case("sequence_at_refuses_position_out_of_range", at_position(), RANGES, [{"N": 2, "S": 3}], flags=MAX_DYN,
         make_input={"pos": values(5)}, run_error="refuse"),
    # more appends than --max-dynamic-dim records: refused at run time
    Case("sequence_loop_refuses_overflow", loop_appends, RANGES, [{"N": 1, "S": 2}], flags=["--max-dynamic-dim", "4"],
         make_input={"m": values(6)}, run_error="contradicts a shape"),
]
