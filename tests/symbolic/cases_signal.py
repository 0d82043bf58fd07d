"""Windows, DFT and STFT whose sizes come from run-time values (a window's
size, dft_length, DFT's axis, STFT's frame_step and frame_length) or from
the input's variable dims. Transform lengths cover both kernel paths: a
power of two (radix-2 FFT) and others (the direct sum)."""
import numpy as np
from onnx import TensorProto as T, helper as h, numpy_helper as nh

from check import Case, model

BOUND = ["--max-dynamic-dim", "64"]
TOL = {"rtol": 1e-4, "atol": 1e-4}


def const(v, dtype=np.int64):
    return lambda shape, rng: np.array(v, dtype)


def window(op, dtype=T.FLOAT, size_type=T.INT64, **attrs):
    return lambda: model([h.make_node(op, ["n"], ["y"], output_datatype=dtype, **attrs)],
                         [h.make_tensor_value_info("n", size_type, [])],
                         [h.make_tensor_value_info("y", dtype, ["L"])])


def window_from_shape():
    # the size is a dim of x: an expression, no bound needed
    nodes = [h.make_node("Shape", ["x"], ["s"], start=1, end=2), h.make_node("Squeeze", ["s"], ["n"]),
             h.make_node("HannWindow", ["n"], ["w"], periodic=0), h.make_node("Mul", ["x", "w"], ["y"])]
    return model(nodes, [h.make_tensor_value_info("x", T.FLOAT, ["N", "S"])],
                 [h.make_tensor_value_info("y", T.FLOAT, ["N", "S"])])


CASES = [
    Case("signal_hann_of_data", window("HannWindow"), {}, [{}], flags=BOUND, make_input={"n": const(16)}),
    Case("signal_hamming_symmetric_of_data", window("HammingWindow", periodic=0, size_type=T.INT32), {}, [{}],
         flags=BOUND, make_input={"n": const(7, np.int32)}),
    Case("signal_blackman_f64_of_data", window("BlackmanWindow", dtype=T.DOUBLE), {}, [{}], flags=BOUND,
         make_input={"n": const(33)}, rtol=1e-6, atol=1e-6),
    Case("signal_hann_symmetric_of_one", window("HannWindow", periodic=0), {}, [{}], flags=BOUND,
         make_input={"n": const(1)}),
    Case("signal_hann_of_zero", window("HannWindow"), {}, [{}], flags=BOUND, make_input={"n": const(0)}),
    Case("signal_hamming_int32_of_data", window("HammingWindow", dtype=T.INT32), {}, [{}], flags=BOUND,
         make_input={"n": const(10)}),
    Case("signal_window_over_the_bound", window("HannWindow"), {}, [], expect_error="--max-dynamic-dim"),
    Case("signal_window_from_shape", window_from_shape, {"N": (1, 3), "S": (1, 16)},
         [{"N": 2, "S": 16}, {"N": 1, "S": 5}, {"N": 3, "S": 2}]),
]


def dft(opset=17, inputs=("x",), x_shape=("N", "S", 1), extra=(), inits=(), **attrs):
    def build():
        ins = [h.make_tensor_value_info("x", T.FLOAT, list(x_shape))] + list(extra)
        return model([h.make_node("DFT", list(inputs), ["y"], **attrs)], ins,
                     [h.make_tensor_value_info("y", T.FLOAT, [None] * len(x_shape))], inits, opset)
    return build


SIGNAL = {"N": (1, 3), "S": (1, 16)}
# S = 16 and 8: radix-2; 12 and 5: the direct sum; 1: a single value
SIGNAL_SIZES = [{"N": 2, "S": 16}, {"N": 1, "S": 12}, {"N": 3, "S": 5}, {"N": 1, "S": 8}, {"N": 2, "S": 1}]
LEN = [h.make_tensor_value_info("len", T.INT64, [])]
AXIS = [h.make_tensor_value_info("axis", T.INT64, [])]

CASES += [
    Case("signal_dft_variable_dims", dft(axis=1), SIGNAL, SIGNAL_SIZES, **TOL),
    Case("signal_dft_variable_dims_onesided", dft(axis=1, onesided=1), SIGNAL, SIGNAL_SIZES, **TOL),
    Case("signal_dft_variable_dims_inverse_complex", dft(axis=1, inverse=1, x_shape=("N", "S", 2)), SIGNAL,
         SIGNAL_SIZES, **TOL),
    Case("signal_dft_outer_axis", dft(axis=0, x_shape=("S", 3, 2)), {"S": (1, 16)},
         [{"S": 16}, {"S": 6}], **TOL),
    # dft_length from data: zero-padded (12: direct) or cut (4: radix-2)
    Case("signal_dft_length_of_data_padded", dft(inputs=("x", "len"), axis=1, extra=LEN), SIGNAL,
         SIGNAL_SIZES[:3], flags=BOUND, make_input={"len": const(12)}, **TOL),
    Case("signal_dft_length_of_data_cut_onesided", dft(inputs=("x", "len"), axis=1, onesided=1, extra=LEN),
         SIGNAL, SIGNAL_SIZES[:3], flags=BOUND, make_input={"len": const(4)}, **TOL),
    Case("signal_dft_length_int32_of_data", dft(inputs=("x", "len"), axis=1, x_shape=(2, 20, 1),
                                                extra=[h.make_tensor_value_info("len", T.INT32, [])]),
         {}, [{}], flags=BOUND, make_input={"len": const(32, np.int32)}, **TOL),
    # opset 20: the axis is an input
    Case("signal_dft_axis_of_data", dft(opset=20, inputs=("x", "", "axis"), x_shape=(2, 8, 6, 2), extra=AXIS),
         {}, [{}], make_input={"axis": const(2)}, **TOL),
    Case("signal_dft_negative_axis_of_data_inverse",
         dft(opset=20, inputs=("x", "", "axis"), x_shape=("N", "S", 6, 2), extra=AXIS, inverse=1), SIGNAL,
         SIGNAL_SIZES[:3], make_input={"axis": const(-3)}, **TOL),
    Case("signal_dft_axis_constant_opset20",
         dft(opset=20, inputs=("x", "", "axis"), x_shape=("N", "S", 1), onesided=1,
             inits=[nh.from_array(np.array(-2, np.int64), "axis")]), SIGNAL, SIGNAL_SIZES, **TOL),
    # onesided with the axis read at run time: which dim shrinks to n/2+1
    # is known only then (every dim but the last is a run-time dim)
    Case("signal_dft_axis_of_data_onesided",
         dft(opset=20, inputs=("x", "", "axis"), x_shape=(2, 8, 6, 1), extra=AXIS, onesided=1), {}, [{}],
         make_input={"axis": const(1)}, **TOL),
    Case("signal_dft_negative_axis_of_data_onesided",
         dft(opset=20, inputs=("x", "", "axis"), x_shape=(2, 8, 6, 1), extra=AXIS, onesided=1), {}, [{}],
         make_input={"axis": const(-2)}, **TOL),
    Case("signal_dft_axis_and_length_of_data_refused",
         dft(opset=20, inputs=("x", "len", "axis"), x_shape=(2, 8, 1), extra=LEN + AXIS), {}, [],
         expect_error="known only at run time"),
]


def stft(signal_shape=("B", "L", 1), step_type=T.INT64, window=None, frame_length=None, init_step=None, **attrs):
    """STFT with frame_step (input or initializer), an optional window
    (an initializer of that many values) and an optional frame_length
    (input, or the int given)."""
    def build():
        rng = np.random.default_rng(3)
        ins = [h.make_tensor_value_info("x", T.FLOAT, list(signal_shape))]
        inits, names = [], ["x", "step", "", ""]
        if init_step is None:
            ins.append(h.make_tensor_value_info("step", step_type, []))
        else:
            inits.append(nh.from_array(np.array(init_step, np.int64), "step"))
        if window is not None:
            inits.append(nh.from_array(rng.random(window).astype(np.float32), "w"))
            names[2] = "w"
        if frame_length == "input":
            ins.append(h.make_tensor_value_info("fl", step_type, []))
            names[3] = "fl"
        elif frame_length is not None:
            inits.append(nh.from_array(np.array(frame_length, np.int64), "fl"))
            names[3] = "fl"
        while names[-1] == "":
            names.pop()
        return model([h.make_node("STFT", names, ["y"], **attrs)], ins,
                     [h.make_tensor_value_info("y", T.FLOAT, [None] * 4)], inits)
    return build


AUDIO = {"B": (1, 2), "L": (16, 128)}
AUDIO_SIZES = [{"B": 1, "L": 128}, {"B": 2, "L": 37}, {"B": 1, "L": 16}]

CASES += [
    # the signal's length varies: the frame count is a run-time dim (<= L)
    Case("signal_stft_variable_length_window", stft(window=16, init_step=8), AUDIO, AUDIO_SIZES, **TOL),
    Case("signal_stft_variable_length_odd_frame", stft(window=12, init_step=5, onesided=0), AUDIO, AUDIO_SIZES,
         **TOL),
    # frame_step and frame_length from data (the conformance tests' form)
    Case("signal_stft_step_and_length_of_data", stft(frame_length="input"), AUDIO, AUDIO_SIZES[:2],
         make_input={"step": const(3), "fl": const(16)}, **TOL),
    # (a complex signal is checked by the unit tests: onnxruntime 1.20
    # reads its frames at the wrong place)
    Case("signal_stft_step_and_length_int32_of_data_twosided",
         stft(step_type=T.INT32, frame_length="input", onesided=0), AUDIO,
         AUDIO_SIZES, make_input={"step": const(4, np.int32), "fl": const(10, np.int32)}, **TOL),
    Case("signal_stft_step_of_data_window_and_length", stft(signal_shape=(2, 64, 1), window=20, frame_length=20),
         {}, [{}], make_input={"step": const(7)}, **TOL),
    Case("signal_stft_constant", stft(signal_shape=(1, 50, 1), frame_length=8, init_step=6), {}, [{}], **TOL),
]

# audio-sized: frames of 512 (radix-2) and 400 (direct) every 160 samples
CASES += [
    Case("signal_stft_audio_512", stft(signal_shape=(1, "L", 1), window=512, init_step=160), {"L": (512, 8000)},
         [{"L": 8000}, {"L": 1000}], rtol=1e-4, atol=1e-3),
    Case("signal_stft_audio_400", stft(signal_shape=(1, 4000, 1), window=400, init_step=160), {}, [{}],
         rtol=1e-4, atol=1e-3),
]
