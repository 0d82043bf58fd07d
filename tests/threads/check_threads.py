#!/usr/bin/env python3
"""--threads N end to end (docs/design.md, "Threads").

  * --threads 1 writes exactly the code of no --threads;
  * --threads 2 swaps in the threaded variant of a kernel that has one (the
    MatMul of prepacked B: rt_matmul_f32_packed_mt; the attention's batched
    MatMuls: rt_matmul_f32_mt), one thread keeps the plain kernel
    (compiler/threads.c's `variants`);
  * --threads 2 code compiles with -std=c99 -Wall -Wextra -Wpedantic -Werror
    under gcc and clang;
  * two contexts of a --threads 2 model, each with its own pool, run at the
    same time from two threads and give one thread's bits, under
    ThreadSanitizer and under AddressSanitizer + UBSan (tests/threads/two_contexts.c);
  * `onnxcc run --threads 2` writes byte-identical outputs to one thread on
    CNN, MLP and transformer models of tests/models and on a GRU of hidden 128
    with and without linear_before_reset, whose node gets the tasks
    (tests/unit/test_threads.c covers 3 threads and tasks run in any order).

Run: .venv/bin/python tests/threads/check_threads.py --onnxcc build/onnxcc
Ends with "N passed, M failed".
"""
import argparse
import filecmp
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = ["cnn_bn", "dwsep_cnn", "super_resolution", "mlp", "pt_transformer"]
STRICT = ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
SPLIT_NODES = 6  # of small_cnn, at -O1 (its docstring lists them)


def small_cnn(path):
    """Conv 3x3 + Relu, depthwise 3x3, pointwise, then a MatMul big enough
    to split: every split kernel family, none folded away. The depthwise and
    pointwise convs form a chain that layout-nchwc blocks (the first conv,
    8 -> 16 channels, would waste half its blocks and stays NCHW), so six
    nodes split: the conv, ToBlocked, the two blocked convs, FromBlocked and
    the MatMul."""
    rng = np.random.default_rng(0)

    def const(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.2, name)

    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], pads=[1, 1, 1, 1], group=16),
        helper.make_node("Conv", ["c2", "w3"], ["c3"]),
        helper.make_node("Reshape", ["c3", "shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "w4"], ["y"]),
    ]
    inits = [const("w1", 16, 8, 3, 3), const("b1", 16), const("w2", 16, 1, 3, 3), const("w3", 32, 16, 1, 1),
             numpy_helper.from_array(np.array([32, 1024], dtype=np.int64), "shape"), const("w4", 1024, 48)]
    g = helper.make_graph(nodes, "small_cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 32, 32])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [32, 48])], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)


def gru_model(folder, lbr):
    """A GRU of hidden 128 over 12 steps (input 32, batch 1): big enough that
    its steps split (runtime/src/rnn_proj.c), with an input for onnxcc run."""
    rng = np.random.default_rng(1)
    H, I, S = 128, 32, 12
    inits = [numpy_helper.from_array((rng.standard_normal((1, 3 * H, I)) / np.sqrt(I)).astype(np.float32), "W"),
             numpy_helper.from_array((rng.standard_normal((1, 3 * H, H)) / np.sqrt(H)).astype(np.float32), "R"),
             numpy_helper.from_array((rng.standard_normal((1, 6 * H)) * 0.1).astype(np.float32), "B")]
    node = helper.make_node("GRU", ["x", "W", "R", "B"], ["y", "yh"], hidden_size=H, linear_before_reset=lbr)
    g = helper.make_graph([node], "gru", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [S, 1, I])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [S, 1, 1, H]),
                           helper.make_tensor_value_info("yh", TensorProto.FLOAT, [1, 1, H])], inits)
    os.makedirs(folder, exist_ok=True)
    model = os.path.join(folder, "model.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)]), model)
    x = numpy_helper.from_array(rng.standard_normal((S, 1, I)).astype(np.float32), "x")
    with open(os.path.join(folder, "input_0.pb"), "wb") as f:
        f.write(x.SerializeToString())
    return model


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def compile_model(onnxcc, model, folder, *flags):
    os.makedirs(folder, exist_ok=True)
    r = sh([onnxcc, model, "-o", os.path.join(folder, "net.c"), "--name", "net", *flags])
    return r.returncode == 0, r.stderr


def read_code(folder):
    with open(os.path.join(folder, "net.c")) as f:
        return f.read()


def same_code(onnxcc, model, work):
    a, b = os.path.join(work, "plain"), os.path.join(work, "t1")
    ok1, _ = compile_model(onnxcc, model, a)
    ok2, _ = compile_model(onnxcc, model, b, "--threads", "1")
    return ok1 and ok2 and all(filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False)
                               for f in ("net.c", "net.h", "net.weights"))


def strict(cc, folder):
    if not shutil.which(cc):
        return True  # that compiler is not installed here
    r = sh([cc, *STRICT, "-I", os.path.join(ROOT, "runtime", "include"), "-c", os.path.join(folder, "net.c"),
            "-o", os.path.join(folder, f"net-{cc}.o")])
    if r.returncode:
        print(r.stderr[-2000:])
    return r.returncode == 0


def two_contexts(folder, sanitize):
    prog = os.path.join(folder, "two_contexts-" + sanitize.split(",")[0])
    srcs = sorted(glob.glob(os.path.join(ROOT, "runtime", "src", "*.c")))
    r = sh(["cc", "-std=c99", "-O1", "-g", "-fsanitize=" + sanitize, "-fno-sanitize-recover=all", "-pthread",
            "-I", os.path.join(ROOT, "runtime", "include"), "-I", folder,
            os.path.join(ROOT, "tests", "threads", "two_contexts.c"), os.path.join(folder, "net.c"), *srcs,
            "-lm", "-o", prog])
    if r.returncode:
        print(r.stderr[-2000:])
        return False
    env = dict(os.environ, TSAN_OPTIONS="halt_on_error=1", ASAN_OPTIONS="detect_leaks=1")
    r = sh([prog], env=env, timeout=600)
    if r.returncode:
        print(r.stdout[-1000:], r.stderr[-3000:])
    return r.returncode == 0


def same_outputs(onnxcc, name, work):
    folder = os.path.join(ROOT, "tests", "models", name)
    inputs = sorted(glob.glob(os.path.join(folder, "test_data_set_0", "input_*.pb")),
                    key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
    return same_run_outputs(onnxcc, os.path.join(folder, "model.onnx"), inputs, name, work)


def same_run_outputs(onnxcc, model, inputs, name, work):
    outs = []
    for threads in ("1", "2"):
        d = os.path.join(work, f"{name}-{threads}")
        r = sh([onnxcc, "run", model, *inputs, "--output-dir", d, "--threads", threads], timeout=900)
        if r.returncode:
            print(r.stderr[-1000:])
            return False
        outs.append(d)
    files = sorted(os.listdir(outs[0]))
    return bool(files) and all(filecmp.cmp(os.path.join(outs[0], f), os.path.join(d, f), shallow=False)
                               for d in outs[1:] for f in files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnxcc", default=os.path.join(ROOT, "build", "onnxcc"))
    ap.add_argument("--no-sanitizers", action="store_true", help="skip the two-contexts sanitizer builds")
    args = ap.parse_args()
    onnxcc = os.path.abspath(args.onnxcc)
    results = []
    work = tempfile.mkdtemp(prefix="onnxcc-threads-")
    try:
        model = os.path.join(work, "small_cnn.onnx")
        small_cnn(model)
        results.append(("--threads 1 writes the code of no --threads", same_code(onnxcc, model, work)))
        t2 = os.path.join(work, "t2")
        ok, err = compile_model(onnxcc, model, t2, "--threads", "2", "--embed-weights")
        results.append(("--threads 2 compiles" + ("" if ok else ": " + err.strip()), ok))
        if ok:
            for cc in ("gcc", "clang"):
                results.append((f"--threads 2 code builds with {cc} {' '.join(STRICT)}", strict(cc, t2)))
            code2 = read_code(t2)
            code1 = read_code(os.path.join(work, "t1"))
            results.append(("the split nodes get the context's rt_parallel",
                            code2.count("in[RT_PARALLEL_SLOT] = &ctx->par;") == SPLIT_NODES))
            stride = re.findall(r"ctx->par\.task_stride = (\d+)u;", code2)
            results.append(("NAME_init_ex sets one task stride for the split nodes' buffers, a multiple of 64",
                            len(stride) == 1 and int(stride[0]) > 0 and int(stride[0]) % 64 == 0
                            and "task_stride" not in code1))
            results.append(("--threads 2 calls rt_matmul_f32_packed_mt, one thread rt_matmul_f32_packed",
                            code2.count("rt_matmul_f32_packed_mt(&") == 1 and "rt_matmul_f32_packed_mt" not in code1
                            and code1.count("rt_matmul_f32_packed(&") == 1))
            if not args.no_sanitizers:
                for san in ("thread", "address,undefined"):
                    results.append((f"two contexts in two threads, -fsanitize={san}", two_contexts(t2, san)))
        attention = os.path.join(ROOT, "tests", "models", "pt_transformer", "model.onnx")
        code = {}
        for threads in ("1", "2"):
            folder = os.path.join(work, "attention" + threads)
            ok, err = compile_model(onnxcc, attention, folder, "--threads", threads)
            code[threads] = read_code(folder) if ok else ""
        results.append(("pt_transformer's batched MatMuls: rt_matmul_f32_mt at --threads 2, rt_matmul_f32 at one",
                        code["2"].count("rt_matmul_f32_mt(&") == 4 and "rt_matmul_f32_mt" not in code["1"]
                        and code["1"].count("rt_matmul_f32(&") == 4))
        for lbr in (1, 0):
            folder = os.path.join(work, f"gru{lbr}")
            model = gru_model(folder, lbr)
            ok, err = compile_model(onnxcc, model, os.path.join(folder, "t2"), "--threads", "2")
            code = read_code(os.path.join(folder, "t2")) if ok else ""
            results.append((f"--threads 2 hands a GRU (linear_before_reset {lbr}) the context's rt_parallel",
                            "rt_gru_f32_proj(&" in code and code.count("in[RT_PARALLEL_SLOT] = &ctx->par;") == 1))
            results.append((f"a GRU (linear_before_reset {lbr}): --threads 2 gives one thread's bytes",
                            same_run_outputs(onnxcc, model, [os.path.join(folder, "input_0.pb")], f"gru{lbr}", work)))
        for name in MODELS:
            results.append((f"tests/models/{name}: --threads 2 gives one thread's bytes",
                            same_outputs(onnxcc, name, work)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed = sum(1 for _, ok in results if ok)
    for name, ok in results:
        print("%s %s" % ("ok  " if ok else "FAIL", name))
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
