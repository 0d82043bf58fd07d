#!/usr/bin/env python3
"""Hostile models: each malformed-model category of issue 5 must end in
exit 1 with exactly one line ("onnxcc: error: FILE: ...") and no file left
behind, without a crash, a sanitizer report, a hang or a huge allocation.
Models that are valid but large must compile without holding their data.

Run: .venv/bin/python tests/cli/test_hostile.py --onnxcc build/onnxcc
Prints one line per case and ends with "N passed, M failed".
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_cli import check_bad, report, save, tv  # noqa: E402

INT64_MIN = -(1 << 63)


def const(name, values, dtype=np.int64):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def model_of(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def writer(make):
    """A check_bad writer from a function that returns a ModelProto."""
    def w(path, folder):
        save(make(folder), path)
        return path
    return w


# ---- sizes that overflow or ask for absurd memory ----

def m_constantofshape_wrap(folder):
    return model_of([helper.make_node("ConstantOfShape", ["s"], ["y"], name="cos",
                                      value=helper.make_tensor("v", TensorProto.INT64, [1], [7]))],
                    [], [tv("y", None, TensorProto.INT64)], [const("s", [(1 << 61) + 1])])


def m_expand_huge(folder):
    return model_of([helper.make_node("Expand", ["c", "s"], ["y"], name="ex")],
                    [], [tv("y", None)], [const("c", [1.0], np.float32), const("s", [1 << 20, 1 << 20])])


def raw_tensor(name, dims, data):
    """A float TensorProto with raw data, built by hand: onnx's helper
    refuses a byte count that does not match the dims, which is the point."""
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    t.raw_data = data
    return t


def m_init_wraps_to_zero(folder):
    t = raw_tensor("w", [1 << 32, 1 << 32], b"")
    return model_of([helper.make_node("Transpose", ["w"], ["y"], name="tr")], [], [tv("y", None)], [t])


def m_init_declares_64gib(folder):
    t = raw_tensor("w", [1 << 34], b"\0" * 16)
    return model_of([helper.make_node("Relu", ["w"], ["y"], name="r")], [], [tv("y", None)], [t])


def m_range_empty(folder):
    return model_of([helper.make_node("Range", ["a", "b", "c"], ["y"], name="rg")], [], [tv("y", None)],
                    [const("a", np.zeros([0], np.float32), np.float32), const("b", 4.0, np.float32),
                     const("c", 1.0, np.float32)])


def m_range_huge(folder):
    return model_of([helper.make_node("Range", ["a", "b", "c"], ["y"], name="rg")], [], [tv("y", None)],
                    [const("a", 0.0, np.float32), const("b", 1e12, np.float32), const("c", 1.0, np.float32)])


def m_range_over_budget(folder):
    # 3*10^8 floats = 1.2 GB: a valid size, but Range has no kernel, so it
    # must be folded, and that passes the default 1 GiB budget.
    return model_of([helper.make_node("Range", ["a", "b", "c"], ["y"], name="rg")], [], [tv("y", None)],
                    [const("a", 0.0, np.float32), const("b", 3e8, np.float32), const("c", 1.0, np.float32)])


def m_d2s_blocksize(folder):
    return model_of([helper.make_node("DepthToSpace", ["x"], ["y"], name="d2s", blocksize=1 << 32)],
                    [tv("x", [1, 4, 2, 2])], [tv("y", None)])


def m_reshape_overflow(folder):
    return model_of([helper.make_node("Reshape", ["c", "s"], ["r"], name="rs"),
                     helper.make_node("Transpose", ["r"], ["y"], name="tr")],
                    [], [tv("y", None)],
                    [const("c", np.zeros([0], np.float32), np.float32), const("s", [1 << 32, 1 << 32])])


def m_input_too_big(folder):
    return model_of([helper.make_node("Relu", ["x"], ["y"], name="r")], [tv("x", [1 << 40, 1 << 20])],
                    [tv("y", [1 << 40, 1 << 20])])


def m_conv_stride_overflow(folder):
    w = numpy_helper.from_array(np.ones([1, 1, 3, 3], np.float32), "w")
    return model_of([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="ct", strides=[1 << 62, 1])],
                    [tv("x", [1, 1, 4, 4])], [tv("y", None)], [w])


# ---- files the loader reads ----

def external(name, location, dims, offset=None, length=None):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key, e.value = k, str(v)
    return t


def m_external_fifo(folder):
    os.mkfifo(os.path.join(folder, "weights.bin"))
    return model_of([helper.make_node("Add", ["x", "w"], ["y"], name="add1")], [tv("x", [4])], [tv("y", [4])],
                    [external("w", "weights.bin", [4])])


def m_external_short(folder):
    with open(os.path.join(folder, "weights.bin"), "wb") as f:
        f.write(b"\0" * 8)
    return model_of([helper.make_node("Add", ["x", "w"], ["y"], name="add1")], [tv("x", [1 << 28])],
                    [tv("y", [1 << 28])], [external("w", "weights.bin", [1 << 28])])


# ---- strict checking ----

def m_conv_float_strides(folder):
    w = numpy_helper.from_array(np.ones([1, 1, 3, 3], np.float32), "w")
    n = helper.make_node("Conv", ["x", "w"], ["y"], name="conv1")
    n.attribute.append(helper.make_attribute("strides", [1.5, 1.5]))
    return model_of([n], [tv("x", [1, 1, 8, 8])], [tv("y", None)], [w])


def m_no_opset(folder):
    m = model_of([helper.make_node("Relu", ["x"], ["y"], name="r")], [tv("x", [4])], [tv("y", [4])])
    del m.opset_import[:]
    return m


def m_opset(version):
    def make(folder):
        m = model_of([helper.make_node("Relu", ["x"], ["y"], name="r")], [tv("x", [4])], [tv("y", [4])])
        m.opset_import[0].version = version
        return m
    return make


def m_bitshift_direction(folder):
    return model_of([helper.make_node("BitShift", ["x", "s"], ["y"], name="bs", direction="UP")],
                    [tv("x", [4], TensorProto.UINT8)], [tv("y", [4], TensorProto.UINT8)],
                    [const("s", [1, 1, 1, 1], np.uint8)])


def m_relu_two_outputs(folder):
    return model_of([helper.make_node("Relu", ["x"], ["y", "z"], name="r")], [tv("x", [4])],
                    [tv("y", [4]), tv("z", [4])])


def m_cast_without_to(folder):
    return model_of([helper.make_node("Cast", ["x"], ["y"], name="c")], [tv("x", [4])], [tv("y", None)])


def m_newline_op(folder):
    return model_of([helper.make_node("Foo\nonnxcc: error: fake", ["x"], ["y"], name="bad\nline")],
                    [tv("x", [4])], [tv("y", [4])])


def m_escape_in_name(folder):
    return model_of([helper.make_node("Add", ["x", "gh\x1b[2Jost\x07"], ["y"], name="add1")],
                    [tv("x", [4])], [tv("y", [4])])


BAD = [
    ("ConstantOfShape of [2^61+1] (bytes wrap)", writer(m_constantofshape_wrap), ["node 'cos'", "limit"]),
    ("Expand of a constant to 4 TiB", writer(m_expand_huge), ["node 'ex' (Expand)", "limit"]),
    ("initializer [2^32,2^32] wraps to 0 bytes", writer(m_init_wraps_to_zero), ["tensor 'w'", "too large"]),
    ("initializer declares 64 GiB, holds 16 bytes", writer(m_init_declares_64gib), ["tensor 'w'", "16 bytes"]),
    ("Range with an empty start", writer(m_range_empty), ["node 'rg' (Range)", "scalar"]),
    ("Range of 10^12 elements", writer(m_range_huge), ["node 'rg' (Range)", "limit"]),
    ("Range over the folding budget", writer(m_range_over_budget), ["node 'rg' (Range)", "folding budget"]),
    ("DepthToSpace blocksize 2^32", writer(m_d2s_blocksize), ["node 'd2s'", "blocksize"]),
    ("Reshape to [2^32,2^32] (count overflows)", writer(m_reshape_overflow), ["node 'rs' (Reshape)", "overflows"]),
    ("graph input of 2^60 elements", writer(m_input_too_big), ["graph input 'x'", "limit"]),
    ("ConvTranspose stride 2^62", writer(m_conv_stride_overflow), ["node 'ct'", "overflow"]),
    ("external data is a FIFO", writer(m_external_fifo), ["tensor 'w'", "not a regular file"]),
    ("external data shorter than declared", writer(m_external_short), ["tensor 'w'", "too short"]),
    ("Conv strides given as floats", writer(m_conv_float_strides), ["node 'conv1' (Conv)", "'strides'"]),
    ("no opset_import", writer(m_no_opset), ["opset_import"]),
    ("opset -5", writer(m_opset(-5)), ["opset -5"]),
    ("opset INT64_MIN", writer(m_opset(INT64_MIN)), ["opset %d" % INT64_MIN]),
    ("BitShift direction 'UP'", writer(m_bitshift_direction), ["node 'bs' (BitShift)", "'direction'", "LEFT"]),
    ("Relu with two outputs", writer(m_relu_two_outputs), ["node 'r' (Relu)", "output"]),
    ("Cast without 'to'", writer(m_cast_without_to), ["node 'c' (Cast)", "'to'"]),
    ("newline in op type and node name", writer(m_newline_op), ["Foo\\x0Aonnxcc: error: fake", "bad\\x0Aline"]),
    ("control bytes in a value name", writer(m_escape_in_name), ["gh\\x1B[2Jost\\x07"]),
]


def peak_rss_kb(cmd, timeout):
    """Runs cmd in a child Python that reports the peak RSS of cmd alone."""
    probe = ("import resource, subprocess, sys\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, timeout=%d)\n"
             "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n" % timeout)
    r = subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True, text=True, timeout=timeout + 30)
    rc, kb = r.stdout.split()
    return int(rc), int(kb)


def check_compiles_lean(onnxcc, name, make, max_mb, results):
    """A valid model that must compile (exit 0) with a bounded peak RSS."""
    folder = tempfile.mkdtemp(prefix="onnxcc-hostile-")
    problems = []
    try:
        model = os.path.join(folder, "model.onnx")
        save(make(folder), model)
        rc, kb = peak_rss_kb([onnxcc, model, "-o", os.path.join(folder, "out.c")], 120)
        if rc != 0:
            problems.append("exit %d, expected 0" % rc)
        if kb > max_mb * 1024:
            problems.append("peak RSS %d MB, expected at most %d MB" % (kb // 1024, max_mb))
        msg = "peak RSS %d MB" % (kb // 1024)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.append((name, problems, msg))


def m_tile_big(folder):
    # 2^32 floats (16 GiB) is under the size limit but far over the folding
    # budget (1 GiB): the Tile must stay a run-time node, not be computed here.
    return model_of([helper.make_node("Tile", ["c", "r"], ["y"], name="tile")], [], [tv("y", None)],
                    [const("c", [[1.0]], np.float32), const("r", [1 << 16, 1 << 16])])


def m_fold_chain(folder):
    # 50 Relus over a 64 MiB constant: all fold, but each intermediate is
    # freed once the next one is computed (it used to peak at 3.3 GB).
    nodes = [helper.make_node("Relu", ["c" if i == 0 else "t%d" % (i - 1)], ["t%d" % i], name="r%d" % i)
             for i in range(50)]
    nodes.append(helper.make_node("Add", ["x", "t49"], ["y"], name="add"))
    c = numpy_helper.from_array(np.ones([1 << 24], np.float32), "c")
    return model_of(nodes, [tv("x", [1 << 24])], [tv("y", [1 << 24])], [c])


def check_names_stay_in_comments(onnxcc, results):
    """Node and tensor names end up in the generated C (comments, string
    literals): a name that closes a comment, opens one, or holds a newline
    must not change the program, which still compiles with -Werror."""
    folder = tempfile.mkdtemp(prefix="onnxcc-hostile-")
    problems = []
    try:
        evil = "a*/ int evil_symbol; /*b\n#error injected\n\\"
        m = model_of([helper.make_node("Relu", ["x" + evil], ["y" + evil], name=evil)],
                     [tv("x" + evil, [4])], [tv("y" + evil, [4])])
        model = os.path.join(folder, "model.onnx")
        save(m, model)
        out = os.path.join(folder, "net.c")
        p = subprocess.run([onnxcc, model, "-o", out], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            problems.append("compile exit %d: %s" % (p.returncode, p.stderr.strip()))
        else:
            root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            cc = subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-c",
                                 "-I" + os.path.join(root, "runtime", "include"), "-I" + folder, out,
                                 "-o", os.path.join(folder, "net.o")], capture_output=True, text=True)
            if cc.returncode != 0:
                problems.append("generated code does not compile: %s" % cc.stderr[-400:])
            else:
                nm = subprocess.run(["nm", os.path.join(folder, "net.o")], capture_output=True, text=True)
                if "evil_symbol" in nm.stdout:
                    problems.append("a name injected a declaration into the generated code")
        # info and --dump-after print names too: escaped, one line each.
        info = subprocess.run([onnxcc, "info", model], capture_output=True, text=True, timeout=60)
        dump = subprocess.run([onnxcc, model, "-o", out, "--dump-after=all"], capture_output=True, text=True,
                              timeout=60)
        for what, text in (("info", info.stdout), ("--dump-after", dump.stderr)):
            if any(line.startswith("#error") for line in text.splitlines()) or "\\x0A#error" not in text:
                problems.append("%s prints a name's newline raw" % what)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.append(("names cannot inject code into the generated C, info or dumps", problems, ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnxcc", default="build/onnxcc")
    ap.add_argument("--rss-scale", type=float, default=1.0,
                    help="multiply the RSS bounds (sanitizer builds use more memory)")
    args = ap.parse_args()
    onnxcc = os.path.abspath(args.onnxcc)
    results = []
    for name, w, words in BAD:
        check_bad(onnxcc, name, w, words, results)
    check_compiles_lean(onnxcc, "Tile to 16 GiB compiles without folding", m_tile_big,
                        int(200 * args.rss_scale), results)
    check_compiles_lean(onnxcc, "50 folded Relus of 64 MiB free their intermediates", m_fold_chain,
                        int(700 * args.rss_scale), results)
    check_names_stay_in_comments(onnxcc, results)
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
