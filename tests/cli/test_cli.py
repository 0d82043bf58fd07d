#!/usr/bin/env python3
"""Command-line behaviour of onnxcc on bad and good input.

Each bad input must make `onnxcc MODEL -o OUT.c` exit 1 with exactly one
line on stderr, starting "onnxcc: error: ", naming the file and, where one
applies, the node and its op; it must not crash and must leave no file in
the output folder. Good input must give the three files, and the generated
program's init must reject a truncated or corrupted weight blob.

Run: .venv/bin/python tests/cli/test_cli.py --onnxcc build/onnxcc
Prints one line per case and ends with "N passed, M failed".
"""
import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def relu_model(opset=13):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    node = helper.make_node("Relu", ["x"], ["y"], name="relu1")
    g = helper.make_graph([node], "g", [x], [y])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def save(model, path):
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def graph_model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def tv(name, shape, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, shape)


# ---- the bad inputs: (name, writer(path, folder), words the message must contain) ----

def w_missing(path, folder):
    return os.path.join(folder, "does_not_exist.onnx")


def w_empty(path, folder):
    open(path, "wb").close()
    return path


def w_random(path, folder):
    rng = random.Random(1)
    with open(path, "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(4096)))
    return path


def w_truncated(path, folder):
    w = numpy_helper.from_array(np.ones((64, 64), np.float32), "w")
    m = graph_model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
                    [tv("x", [1, 64])], [tv("y", [1, 64])], [w])
    data = m.SerializeToString()
    with open(path, "wb") as f:
        f.write(data[: len(data) * 2 // 3])
    return path


def w_unsupported(path, folder):
    # op types no ONNX version defines, so that the test outlives the op
    # set's growth
    m = graph_model([helper.make_node("Relu", ["x"], ["a"], name="ok"),
                     helper.make_node("Frobnicate", ["a"], ["b"], name="fb1"),
                     helper.make_node("Defrobnicate", ["b"], ["y"], name="dfb1")],
                    [tv("x", [4])], [tv("y", [4])])
    save(m, path)
    return path


def w_cycle(path, folder):
    m = graph_model([helper.make_node("Add", ["x", "q"], ["p"], name="add1"),
                     helper.make_node("Relu", ["p"], ["q"], name="relu1")],
                    [tv("x", [4])], [tv("q", [4])])
    save(m, path)
    return path


def w_dangling(path, folder):
    m = graph_model([helper.make_node("Add", ["x", "ghost"], ["y"], name="add1")],
                    [tv("x", [4])], [tv("y", [4])])
    save(m, path)
    return path


def w_shapes(path, folder):
    m = graph_model([helper.make_node("Add", ["x", "z"], ["y"], name="add_bad")],
                    [tv("x", [2, 3]), tv("z", [4])], [tv("y", [2, 3])])
    save(m, path)
    return path


def w_escape(path, folder):
    t = TensorProto()
    t.name = "w"
    t.data_type = TensorProto.FLOAT
    t.dims.append(4)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", "../../etc/passwd"), ("offset", "0"), ("length", "16")):
        e = t.external_data.add()
        e.key, e.value = k, v
    m = graph_model([helper.make_node("Add", ["x", "w"], ["y"], name="add1")],
                    [tv("x", [4])], [tv("y", [4])], [t])
    save(m, path)
    return path


def w_symbolic(path, folder):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])
    m = graph_model([helper.make_node("Relu", ["x"], ["y"], name="r")], [x], [y])
    save(m, path)
    return path


def map_model(nodes, out, path, branch=None):
    """A map(int64, float) input x read by NODES (ai.onnx.ml imported)."""
    x = helper.make_value_info("x", helper.make_map_type_proto(
        TensorProto.INT64, helper.make_tensor_type_proto(TensorProto.FLOAT, None)))
    g = helper.make_graph(nodes, "g", [x] + ([tv("c", [], TensorProto.BOOL)] if branch else []), [out])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)],
                          ir_version=8)
    save(m, path)
    return path


def w_map_unbounded(path, folder):
    return map_model([helper.make_node("CastMap", ["x"], ["y"], domain="ai.onnx.ml", name="cm")],
                     tv("y", [1, 3]), path)


def w_map_reader(path, folder):
    return map_model([helper.make_node("Identity", ["x"], ["y"], name="id1")],
                     tv("y", [3], TensorProto.INT64), path)


def w_map_captured(path, folder):
    body = helper.make_graph([helper.make_node("CastMap", ["x"], ["z"], domain="ai.onnx.ml", name="inner")], "b",
                             [], [tv("z", [1, 3])])
    node = helper.make_node("If", ["c"], ["y"], then_branch=body, else_branch=body, name="if1")
    return map_model([node], tv("y", [1, 3]), path, branch=True)


BAD = [
    ("missing file", w_missing, ["does_not_exist.onnx"]),
    ("empty file", w_empty, ["empty"]),
    ("random bytes", w_random, ["not a valid ONNX model"]),
    ("truncated model", w_truncated, ["not a valid ONNX model"]),
    ("unsupported ops listed together", w_unsupported, ["Frobnicate", "'fb1'", "Defrobnicate", "'dfb1'"]),
    ("cyclic graph", w_cycle, ["cycle", "node '"]),
    ("input nothing produces", w_dangling, ["node 'add1' (Add)", "ghost"]),
    ("shapes that disagree", w_shapes, ["node 'add_bad' (Add)", "broadcast"]),
    ("external data escaping the folder", w_escape, ["leaves the model's folder"]),
    ("unpinned symbolic dim", w_symbolic, ["'batch'", "--dim batch="]),
    ("map input without a length bound", w_map_unbounded, ["'x' is a map", "--dim x_len=LO..HI"]),
    ("map read by another op", w_map_reader, ["node 'id1' (Identity)", "reads map input 'x'"],
     ["--dim", "x_len=1..8"]),
    ("map read in a subgraph", w_map_captured, ["(CastMap)", "from an enclosing graph"], ["--dim", "x_len=1..8"]),
]


def check_bad(onnxcc, name, writer, words, results, flags=()):
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    try:
        model = writer(os.path.join(folder, "model.onnx"), folder)
        out_dir = os.path.join(folder, "out")
        os.mkdir(out_dir)
        try:
            p = subprocess.run([onnxcc, model, "-o", os.path.join(out_dir, "net.c"), *flags],
                               capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            results.append((name, ["no answer within 60 s"], ""))
            return
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        problems = []
        if p.returncode != 1:
            problems.append("exit %d, expected 1" % p.returncode)
        if len(lines) != 1:
            problems.append("%d stderr lines, expected 1" % len(lines))
        msg = lines[0] if lines else ""
        if not msg.startswith("onnxcc: error: "):
            problems.append("message does not start with 'onnxcc: error: '")
        if os.path.basename(model) not in msg:
            problems.append("message does not name the file")
        for w in words:
            if w not in msg:
                problems.append("message lacks %r" % w)
        left = os.listdir(out_dir)
        if left:
            problems.append("left files behind: %s" % left)
        results.append((name, problems, msg))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def mul_model(folder):
    """Saves y = x * w (x and y [1, 4], w = 1 2 3 4: a weight blob to check)
    as folder/model.onnx; returns its path and the net.c to compile it to."""
    w = numpy_helper.from_array(np.arange(1, 5, dtype=np.float32).reshape(1, 4), "w")
    m = graph_model([helper.make_node("Mul", ["x", "w"], ["y"], name="mul")],
                    [tv("x", [1, 4])], [tv("y", [1, 4])], [w])
    model = os.path.join(folder, "model.onnx")
    save(m, model)
    return model, os.path.join(folder, "net.c")


def build_program(onnxcc, cflags, folder, generated, program, extra=(), env=None):
    """Writes `program` as folder/prog.c and builds it with the generated
    source against the build's runtime: (the compiler's result, the
    program's path)."""
    prog = os.path.join(folder, "prog.c")
    with open(prog, "w") as f:
        f.write(program)
    exe = os.path.join(folder, "prog")
    cc = subprocess.run(["cc"] + cflags.split() + ["-std=c99"] + list(extra) +
                        ["-I" + os.path.join(ROOT, "runtime", "include"), "-I" + folder, generated, prog,
                         os.path.join(os.path.dirname(onnxcc), "runtime", "libonnxcc_rt.a"), "-lm", "-o", exe],
                        capture_output=True, text=True, env=env)
    return cc, exe


def check_good(onnxcc, cflags, results):
    """Compile a model, build it with a program that corrupts the blob."""
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    problems = []
    try:
        model, out = mul_model(folder)
        p = subprocess.run([onnxcc, model, "-o", out, "--name", "net"], capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("compile failed: %s" % p.stderr.strip())
        for ext in (".c", ".h", ".weights"):
            if not os.path.exists(os.path.join(folder, "net" + ext)):
                problems.append("net%s missing" % ext)
        cc, exe = build_program(onnxcc, cflags, folder, out, BLOB_PROGRAM)
        if cc.returncode != 0:
            problems.append("building the blob test failed: %s" % cc.stderr[-500:])
        else:
            r = subprocess.run([exe, os.path.join(folder, "net.weights")], capture_output=True, text=True)
            if r.returncode != 0 or r.stdout.split() != ["ok", "size", "size", "checksum", "magic", "arena", "y=16"]:
                problems.append("blob checks gave %r (exit %d)" % (r.stdout, r.returncode))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.append(("good model; init rejects bad blobs", problems, ""))


# Loads the blob, then damages it in each way init must notice.
BLOB_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"
static const char *name(int st) {
  switch (st) {
  case RT_OK: return "ok";
  case RT_ERR_BLOB_SIZE: return "size";
  case RT_ERR_BLOB_CHECKSUM: return "checksum";
  case RT_ERR_BLOB_MAGIC: return "magic";
  case RT_ERR_ARENA_SIZE: return "arena";
  default: return "other";
  }
}
int main(int argc, char **argv) {
  static unsigned char blob[NET_WEIGHTS_BYTES + 64] __attribute__((aligned(64)));
  static unsigned char arena[NET_ARENA_BYTES + 64] __attribute__((aligned(64)));
  net_ctx ctx;
  float x[4] = {1, 2, 3, 4}, y[4];
  const void *in[1] = {x};
  void *out[1] = {y};
  FILE *f = fopen(argv[argc - 1], "rb");
  size_t n = fread(blob, 1, sizeof blob, f);
  fclose(f);
  printf("%s\n", name(net_init(&ctx, blob, n, arena, sizeof arena)));
  printf("%s\n", name(net_init(&ctx, blob, n - 1, arena, sizeof arena)));
  printf("%s\n", name(net_init(&ctx, blob, 10, arena, sizeof arena)));
  blob[n - 3] ^= 1;
  printf("%s\n", name(net_init(&ctx, blob, n, arena, sizeof arena)));
  blob[n - 3] ^= 1;
  blob[0] = 'X';
  printf("%s\n", name(net_init(&ctx, blob, n, arena, sizeof arena)));
  blob[0] = 'O';
  printf("%s\n", NET_ARENA_BYTES > 0 ? name(net_init(&ctx, blob, n, arena, NET_ARENA_BYTES - 1)) : "arena");
  if (net_init(&ctx, blob, n, arena, sizeof arena) != RT_OK || net_run(&ctx, in, out) != RT_OK) return 1;
  /* x * w with x = w = 1..4: y[3] = 16 */
  printf("y=%g\n", y[3]);
  return 0;
}
"""


def check_weights_section(onnxcc, cflags, results):
    """--weights-section: the embedded blob lands in that section, aligned,
    and init takes it (weights = NULL); the option's usage errors exit 2."""
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    problems = []
    try:
        model, out = mul_model(folder)
        p = subprocess.run([onnxcc, model, "-o", out, "--name", "net", "--embed-weights",
                            "--weights-section", ".onnxcc_w"], capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("compile failed: %s" % p.stderr.strip())
        cc, exe = build_program(onnxcc, cflags, folder, out, SECTION_PROGRAM)
        if p.returncode == 0 and cc.returncode != 0:
            problems.append("building failed: %s" % cc.stderr[-500:])
        elif p.returncode == 0:
            r = subprocess.run([exe], capture_output=True, text=True)
            if r.returncode != 0 or r.stdout.split() != ["y=16"]:
                problems.append("run gave %r (exit %d)" % (r.stdout, r.returncode))
            # objdump -t: ADDRESS FLAGS SECTION SIZE NAME
            syms = subprocess.run(["objdump", "-t", exe], capture_output=True, text=True).stdout
            blob = [l.split() for l in syms.splitlines() if l.split()[-1:] == ["net_blob"]]
            if not blob or ".onnxcc_w" not in blob[0]:
                problems.append("net_blob is not in section .onnxcc_w: %r" % blob)
            elif int(blob[0][0], 16) % 64:
                problems.append("net_blob at %s is not 64-byte aligned" % blob[0][0])
        for extra, why in (([], "without --embed-weights"),
                           (["--embed-weights", "--weights-section", 'a"b'], "a quote in the name"),
                           (["--embed-weights", "--weights-section"], "no value")):
            args = [onnxcc, model, "-o", out] + extra + ([] if extra else ["--weights-section", ".w"])
            q = subprocess.run(args, capture_output=True, text=True)
            if q.returncode != 2 or "--weights-section" not in q.stderr and why != "no value":
                problems.append("%s: exit %d, %r (expected 2)" % (why, q.returncode, q.stderr.strip()))
        q = subprocess.run([onnxcc, "info", model, "--target", "pdp11-unix"], capture_output=True, text=True)
        if q.returncode != 2 or "thumbv7em-none-eabihf" not in q.stderr:
            problems.append("info --target pdp11-unix: exit %d, %r (expected 2 and the known triples)"
                            % (q.returncode, q.stderr.strip()))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.append(("--weights-section places the blob; bad uses and an unknown --target exit 2", problems, ""))


# Runs the model on its embedded blob, placed by --weights-section.
SECTION_PROGRAM = r"""
#include <stdio.h>
#include "net.h"
int main(void) {
  static unsigned char arena[NET_ARENA_BYTES + 64] __attribute__((aligned(64)));
  net_ctx ctx;
  float x[4] = {1, 2, 3, 4}, y[4];
  const void *in[1] = {x};
  void *out[1] = {y};
  if (net_init(&ctx, NULL, 0, arena, sizeof arena) != RT_OK || net_run(&ctx, in, out) != RT_OK) return 1;
  printf("y=%g\n", y[3]);
  return 0;
}
"""


def check_boxes(onnxcc, cflags, results):
    """A model with a sequence input, built with a program that hands the
    generated code good and malformed boxes: each malformed one is refused
    with RT_ERR_SHAPE before any kernel reads it."""
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    problems = []
    try:
        seq = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [3])
        last = numpy_helper.from_array(np.array(-1, np.int64), "last")
        m = graph_model([helper.make_node("SequenceLength", ["s"], ["n"], name="len"),
                         helper.make_node("SequenceAt", ["s", "last"], ["y"], name="at")],
                        [seq], [tv("n", [], TensorProto.INT64), tv("y", [3])], [last])
        model = os.path.join(folder, "model.onnx")
        save(m, model)
        out = os.path.join(folder, "net.c")
        p = subprocess.run([onnxcc, model, "-o", out, "--name", "net", "--max-dynamic-dim", "4"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("compile failed: %s" % p.stderr.strip())
        cc, exe = build_program(onnxcc, cflags, folder, out, BOX_PROGRAM)
        if p.returncode == 0 and cc.returncode != 0:
            problems.append("building the box test failed: %s" % cc.stderr[-500:])
        elif p.returncode == 0:
            r = subprocess.run([exe, os.path.join(folder, "net.weights")], capture_output=True, text=True)
            want = ["good", "n=2", "y=4,5,6", "count", "present", "dim", "unended", "late-rank"]
            got = r.stdout.split()
            if r.returncode != 0 or got != want:
                problems.append("box checks gave %r (exit %d), want %r" % (got, r.returncode, want))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.append(("malformed input sequences are refused", problems, ""))


# Fills a sequence of two float[3] by hand, runs it, then breaks it in
# each way the generated input check must catch. Prints the names of the
# runs that returned RT_ERR_SHAPE.
BOX_PROGRAM = r"""
#include <stdio.h>
#include <string.h>
#include "net.h"
static unsigned char blob[NET_WEIGHTS_BYTES + 64] __attribute__((aligned(64)));
static unsigned char arena[NET_ARENA_BYTES + 64] __attribute__((aligned(64)));
static int64_t box[(64 + NET_INPUT0_CAP * NET_INPUT0_RECORD_BYTES) / 8 + 1];
static void fill(void) {
  int k, d;
  memset(box, 0, sizeof box);
  RT_BOX_PRESENT(box) = 1;
  RT_BOX_COUNT(box) = 2;
  for (k = 0; k < 2; k++) {
    unsigned char *r = RT_BOX_RECORD(box, NET_INPUT0_RECORD_BYTES, k);
    float *x = (float *)(void *)RT_BOX_DATA(r);
    for (d = 0; d < 8; d++) RT_BOX_DIMS(r)[d] = d ? -1 : 3;
    for (d = 0; d < 3; d++) x[d] = (float)(3 * k + d + 1);
  }
}
static void expect_shape(net_ctx *ctx, const char *what) {
  int64_t n;
  float y[3];
  const void *in[1] = {box};
  void *out[2] = {&n, y};
  if (net_run(ctx, in, out) == RT_ERR_SHAPE) printf("%s\n", what);
  fill();
}
int main(int argc, char **argv) {
  net_ctx ctx;
  int64_t n = 0;
  float y[3] = {0, 0, 0};
  const void *in[1] = {box};
  void *out[2] = {&n, y};
  FILE *f = fopen(argv[argc - 1], "rb");
  size_t got = fread(blob, 1, sizeof blob, f);
  fclose(f);
  if (net_init(&ctx, blob, got, arena, sizeof arena) != RT_OK) return 1;
  fill();
  if (net_run(&ctx, in, out) == RT_OK) printf("good\nn=%lld\ny=%g,%g,%g\n", (long long)n, y[0], y[1], y[2]);
  RT_BOX_COUNT(box) = NET_INPUT0_CAP + 1;
  expect_shape(&ctx, "count");
  RT_BOX_PRESENT(box) = 0;
  expect_shape(&ctx, "present");
  RT_BOX_DIMS(RT_BOX_RECORD(box, NET_INPUT0_RECORD_BYTES, 1))[0] = 4;
  expect_shape(&ctx, "dim");
  RT_BOX_DIMS(RT_BOX_RECORD(box, NET_INPUT0_RECORD_BYTES, 1))[1] = 0;
  expect_shape(&ctx, "unended");
  RT_BOX_DIMS(RT_BOX_RECORD(box, NET_INPUT0_RECORD_BYTES, 0))[1] = 7;
  expect_shape(&ctx, "late-rank");
  return 0;
}
"""


def check_strings(onnxcc, cflags, results):
    """String tensors: `onnxcc run` reads a string input .pb and writes the
    string output as string_data (StringNormalizer, whose output count is
    known at run time); a string past --max-string-bytes is refused naming
    the flag; the generated API takes slots the caller fills with
    rt_str_set and refuses malformed ones with RT_ERR_VALUE."""
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    # `onnxcc run` builds with $CC: the same flags as the test's own builds
    env = dict(os.environ, CC=("cc " + cflags).strip())
    try:
        m = graph_model([helper.make_node("StringNormalizer", ["x"], ["y"], name="norm", case_change_action="UPPER",
                                          stopwords=["monday"])],
                        [tv("x", [4], TensorProto.STRING)], [tv("y", [None], TensorProto.STRING)])
        model = os.path.join(folder, "norm.onnx")
        save(m, model)
        words = np.array(["monday", "tuesday", "Été", "x" * 40], dtype=object)
        xpb = os.path.join(folder, "x.pb")
        with open(xpb, "wb") as f:
            f.write(numpy_helper.from_array(words, "x").SerializeToString())
        outdir = os.path.join(folder, "out")
        os.mkdir(outdir)
        p = subprocess.run([onnxcc, "run", model, xpb, "--output-dir", outdir], capture_output=True, text=True,
                           env=env)
        problems = []
        if p.returncode != 0:
            problems.append("run failed: %s" % p.stderr.strip())
        else:
            t = onnx.TensorProto()
            with open(os.path.join(outdir, "output_0.pb"), "rb") as f:
                t.ParseFromString(f.read())
            got = [v.decode() for v in t.string_data]
            if list(t.dims) != [3] or got != ["TUESDAY", "ÉTé", "X" * 40]:
                problems.append("output %r %r" % (list(t.dims), got))
        results.append(("onnxcc run: string input and output files", problems, ""))
        # ops that move whole elements take string slots as any element
        idx = numpy_helper.from_array(np.array([3, 0], np.int64), "i")
        mv = graph_model([helper.make_node("Gather", ["x", "i"], ["g"], name="gather", axis=0),
                          helper.make_node("Concat", ["g", "x"], ["y"], name="concat", axis=0)],
                         [tv("x", [4], TensorProto.STRING)], [tv("y", [6], TensorProto.STRING)], [idx])
        save(mv, os.path.join(folder, "move.onnx"))
        p = subprocess.run([onnxcc, "run", os.path.join(folder, "move.onnx"), xpb, "--output-dir", outdir],
                           capture_output=True, text=True, env=env)
        problems = ["run failed: %s" % p.stderr.strip()] if p.returncode else []
        if not problems:
            t = onnx.TensorProto()
            with open(os.path.join(outdir, "output_0.pb"), "rb") as f:
                t.ParseFromString(f.read())
            want = [words[3], words[0]] + list(words)
            if [v.decode() for v in t.string_data] != want:
                problems.append("output %r" % list(t.string_data))
        results.append(("Gather and Concat move string slots", problems, ""))
        p = subprocess.run([onnxcc, "run", model, xpb, "--max-string-bytes", "32"], capture_output=True, text=True,
                           env=env)
        results.append(("a string past --max-string-bytes is refused naming the flag",
                        [] if p.returncode == 1 and "--max-string-bytes" in p.stderr else
                        ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))
        c = graph_model([helper.make_node("Cast", ["x"], ["y"], name="cast", to=TensorProto.FLOAT)],
                        [tv("x", [2], TensorProto.STRING)], [tv("y", [2])])
        save(c, os.path.join(folder, "cast.onnx"))
        out = os.path.join(folder, "net.c")
        p = subprocess.run([onnxcc, os.path.join(folder, "cast.onnx"), "-o", out, "--name", "net"],
                           capture_output=True, text=True)
        problems = [] if p.returncode == 0 else ["compile failed: %s" % p.stderr.strip()]
        cc, exe = build_program(onnxcc, cflags, folder, out, STRING_PROGRAM,
                                ("-Wall", "-Wextra", "-Wpedantic", "-Werror"), env)
        if problems or cc.returncode != 0:
            problems.append("building the string test failed: %s" % cc.stderr[-500:])
        else:
            r = subprocess.run([exe, os.path.join(folder, "net.weights")], capture_output=True, text=True, env=env)
            if r.returncode != 0 or r.stdout.split() != ["2.5", "-inf", "value", "value"]:
                problems.append("the program gave %r (exit %d)" % (r.stdout, r.returncode))
        results.append(("generated API: string slots in, malformed slots refused", problems, ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Fills two string slots, runs Cast to float, then breaks a slot's length
# and its NUL: each must give RT_ERR_VALUE.
STRING_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include "net.h"
int main(int argc, char **argv) {
  static unsigned char blob[NET_WEIGHTS_BYTES + 64] __attribute__((aligned(64)));
  static unsigned char arena[NET_ARENA_BYTES + 64] __attribute__((aligned(64)));
  static unsigned char x[2 * RT_STRING_SLOT(NET_STRING_BYTES)] __attribute__((aligned(8)));
  const size_t slot = RT_STRING_SLOT(NET_STRING_BYTES);
  net_ctx ctx;
  float y[2];
  const void *in[1] = {x};
  void *out[1] = {y};
  FILE *f = fopen(argv[argc - 1], "rb");
  size_t n = fread(blob, 1, sizeof blob, f);
  fclose(f);
  if (net_init(&ctx, blob, n, arena, sizeof arena) != RT_OK) return 1;
  rt_str_set(x, slot, "2.5", 3);
  rt_str_set(x + slot, slot, "-INF", 4);
  if (net_run(&ctx, in, out) != RT_OK) return 2;
  printf("%g %g\n", y[0], y[1]);
  x[slot] = 0xff; /* a length past the slot */
  printf("%s\n", net_run(&ctx, in, out) == RT_ERR_VALUE ? "value" : "other");
  rt_str_set(x + slot, slot, "1", 1);
  rt_str_chars_mut(x + slot)[1] = '7'; /* no NUL after the string */
  printf("%s\n", net_run(&ctx, in, out) == RT_ERR_VALUE ? "value" : "other");
  return 0;
}
"""


def run_against_ort(onnxcc, cflags, model, x, folder, problems, flags=()):
    """`onnxcc run MODEL [FLAGS]` on input x (in FOLDER, built with $CC = cc CFLAGS)
    and its output 0 against ONNX Runtime's; what differs goes to
    problems. The suite's venv has onnxruntime: its absence is a problem,
    not a quiet pass."""
    xin = os.path.join(folder, "x.pb")
    with open(xin, "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())
    env = dict(os.environ, CC=("cc " + cflags).strip())
    p = subprocess.run([onnxcc, "run", model, xin, *flags, "--output-dir", os.path.join(folder, "out")],
                       capture_output=True, text=True, env=env, timeout=300)
    if p.returncode != 0:
        problems.append("onnxcc run exit %d: %s" % (p.returncode, p.stderr.strip()[-300:]))
        return
    try:
        import onnxruntime as ort
    except ImportError:
        problems.append("onnxruntime is not installed: nothing to compare with")
        return
    want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    got = numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, "out", "output_0.pb")))
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-4, atol=1e-5):
        problems.append("output differs from ONNX Runtime")


def check_warm(onnxcc, cflags, results):
    """Two chained 3x3 convs run as channel-blocked convs; the first gets
    the second's packed weights (48 / 16 output blocks x 32 / 16 input
    blocks x 9 taps x 16 x 16 floats) as its RT_WARM_SLOT range, and the
    program runs (under the given flags: sanitizers in the suite's second
    pass) and gives ONNX Runtime's answer (the suite's venv has it; its
    absence is a failure, not a quiet pass)."""
    rng = np.random.default_rng(0)

    def init(name, shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name)
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["h"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["h"], ["r"], name="relu1"),
             helper.make_node("Conv", ["r", "w2", "b2"], ["y"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    # 12x12: below the planes whose 3x3 convs run by Winograd (check_winograd)
    m = graph_model(nodes, [tv("x", [1, 32, 12, 12])], [tv("y", [1, 48, 12, 12])],
                    [init("w1", [32, 32, 3, 3]), init("b1", [32]), init("w2", [48, 32, 3, 3]), init("b2", [48])])
    folder = tempfile.mkdtemp(prefix="onnxcc-warm-")
    problems = []
    try:
        model = os.path.join(folder, "m.onnx")
        save(m, model)
        p = subprocess.run([onnxcc, model, "-o", os.path.join(folder, "net.c")], capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("compile exit %d: %s" % (p.returncode, p.stderr.strip()))
        else:
            with open(os.path.join(folder, "net.c")) as f:
                code = f.read()
            blocks = code.split("{ /* BlockedConv: ")[1:]
            warm = [ln.strip() for ln in blocks[0].splitlines() if "RT_WARM" in ln] if len(blocks) == 2 else []
            w2 = [ln.strip() for ln in blocks[1].splitlines() if ln.strip().startswith("in[1] = W + ")] if warm else []
            if len(blocks) != 2:
                problems.append("%d BlockedConv nodes, not 2" % len(blocks))
            elif len(warm) != 2 or len(w2) != 1:
                problems.append("conv1 warm lines %r, conv2 weight lines %r" % (warm, w2))
            else:
                lo = int(w2[0].split("+")[1].rstrip(";"))
                want = ["in[RT_WARM_SLOT] = W + %d;" % lo, "in[RT_WARM_END_SLOT] = W + %d;" % (lo + 3 * 2 * 9 * 256 * 4)]
                if warm != want:
                    problems.append("warm lines %r, want %r" % (warm, want))
                if "RT_WARM" in blocks[1]:
                    problems.append("the last conv warms a node that is not there")
        run_against_ort(onnxcc, cflags, model, rng.standard_normal([1, 32, 12, 12]).astype(np.float32), folder,
                        problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.append(("a blocked conv is given the next conv's weights to warm; the program agrees", problems, ""))


def check_winograd(onnxcc, cflags, results):
    """Two chained 3x3 convs on a 16x16 plane (a residual Add and Relu
    fused into the second) run by Winograd's F(4x4, 3x3) by default and
    directly with --no-winograd: the generated code calls the kernel or
    not, the first warms the second's weights either way, the blob is the
    4x larger U or the blocked weights, and both
    programs give ONNX Runtime's answer (under the given flags: sanitizers
    in the suite's second pass)."""
    rng = np.random.default_rng(2)

    def init(name, shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name)
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["h"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["h"], ["r"], name="relu1"),
             helper.make_node("Conv", ["r", "w2"], ["c"], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["c", "r"], ["s"], name="add"),
             helper.make_node("Relu", ["s"], ["y"], name="relu2")]
    m = graph_model(nodes, [tv("x", [1, 24, 16, 16])], [tv("y", [1, 32, 16, 16])],
                    [init("w1", [32, 24, 3, 3]), init("b1", [32]), init("w2", [32, 32, 3, 3])])
    folder = tempfile.mkdtemp(prefix="onnxcc-winograd-")
    problems = []
    try:
        model = os.path.join(folder, "m.onnx")
        save(m, model)
        x = rng.standard_normal([1, 24, 16, 16]).astype(np.float32)
        # U: 36 x 2 x 2 blocks (conv1: 2 x 2, conv2: 2 x 2) of 256 floats; direct: 9 taps
        for flags, calls, floats in ((), 2, 2 * 36 * 4 * 256), (("--no-winograd",), 0, 2 * 9 * 4 * 256):
            p = subprocess.run([onnxcc, model, "-o", os.path.join(folder, "net.c"), *flags], capture_output=True,
                               text=True)
            if p.returncode != 0:
                problems.append("compile %r exit %d: %s" % (flags, p.returncode, p.stderr.strip()))
                continue
            with open(os.path.join(folder, "net.c")) as f:
                code = f.read()
            n = code.count("rt_conv_f32_nchwc_winograd(")
            size = os.path.getsize(os.path.join(folder, "net.weights"))
            if n != calls:
                problems.append("%r: %d calls of rt_conv_f32_nchwc_winograd, want %d" % (flags, n, calls))
            # conv1 warms conv2's weights, by Winograd or not
            if code.count("in[RT_WARM_SLOT] = W + ") != 1:
                problems.append("%r: %d warm ranges, want 1" % (flags, code.count("in[RT_WARM_SLOT] = W + ")))
            if not floats * 4 <= size < floats * 4 + 4096:
                problems.append("%r: a blob of %d bytes, want %d and the bias and header" % (flags, size, floats * 4))
            sub = os.path.join(folder, "run" + "".join(flags))
            os.makedirs(sub)
            run_against_ort(onnxcc, cflags, model, x, sub, problems, flags)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.append(("3x3 convs run by Winograd, or directly with --no-winograd; the program agrees", problems, ""))


def check_lift_1d(onnxcc, cflags, results):
    """A 1-D CNN (a waveform's first conv of one channel, BatchNorm, Relu,
    MaxPool, a dilated conv, the global pool) goes 2-D in lift-1d and runs
    channel-blocked: `onnxcc info` shows the Reshapes lift-1d adds and two
    BlockedConvs after layout-nchwc, and its MACs line counts them (the
    blocked convs were once left out); the program gives ONNX Runtime's
    answer (under the given flags: sanitizers in the suite's second pass)."""
    rng = np.random.default_rng(1)

    def init(name, shape, scale=0.1, offset=0.0):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale + offset).astype(np.float32), name)
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[20], strides=[2],
                              pads=[9, 9]),
             helper.make_node("BatchNormalization", ["c1", "s", "t", "mu", "var"], ["n1"], name="bn1"),
             helper.make_node("Relu", ["n1"], ["r1"], name="relu1"),
             helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2], strides=[2]),
             helper.make_node("Conv", ["p1", "w2"], ["c2"], name="conv2", kernel_shape=[3], pads=[2, 2],
                              dilations=[2]),
             helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
             helper.make_node("GlobalAveragePool", ["r2"], ["y"], name="gap")]
    m = graph_model(nodes, [tv("x", [1, 1, 400])], [tv("y", [1, 32, 1])],
                    [init("w1", [16, 1, 20]), init("b1", [16]), init("s", [16], 0.1, 1.0), init("t", [16]),
                     init("mu", [16]), init("var", [16], 0.1, 1.5), init("w2", [32, 16, 3])])
    folder = tempfile.mkdtemp(prefix="onnxcc-lift-")
    problems = []
    try:
        model = os.path.join(folder, "m.onnx")
        save(m, model)
        p = subprocess.run([onnxcc, "info", model], capture_output=True, text=True)
        lines = {ln.split()[0]: ln for ln in p.stdout.splitlines() if ln.startswith("  ")}
        macs = [ln.split()[1] for ln in p.stdout.splitlines() if ln.startswith("MACs")]
        # conv1: 16 x 200 outputs of 20 taps; conv2: 32 x 100 outputs of 16 x 3
        want_macs = 16 * 200 * 20 + 32 * 100 * 16 * 3
        if p.returncode != 0:
            problems.append("info exit %d: %s" % (p.returncode, p.stderr.strip()))
        elif "Reshape 2" not in lines.get("lift-1d", "") or "BlockedConv 2" not in lines.get("layout-nchwc", ""):
            problems.append("lift-1d: %r, layout-nchwc: %r" % (lines.get("lift-1d"), lines.get("layout-nchwc")))
        elif macs != [str(want_macs)]:
            problems.append("MACs %r, want %d" % (macs, want_macs))
        run_against_ort(onnxcc, cflags, model, rng.standard_normal([1, 1, 400]).astype(np.float32), folder, problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results.append(("a 1-D CNN runs 2-D and channel-blocked; info counts its MACs; the program agrees", problems, ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnxcc", default=os.path.join(ROOT, "build", "onnxcc"))
    ap.add_argument("--cflags", default="", help="extra flags for building the blob test (e.g. sanitizers)")
    args = ap.parse_args()
    onnxcc = os.path.abspath(args.onnxcc)
    results = []
    for name, writer, words, *flags in BAD:
        check_bad(onnxcc, name, writer, words, results, *flags)
    check_good(onnxcc, args.cflags, results)
    check_weights_section(onnxcc, args.cflags, results)
    check_boxes(onnxcc, args.cflags, results)
    check_strings(onnxcc, args.cflags, results)
    check_profile(onnxcc, args.cflags, results)
    check_profile_threads(onnxcc, args.cflags, results)
    check_target(onnxcc, results)
    check_index32(onnxcc, results)
    check_warm(onnxcc, args.cflags, results)
    check_winograd(onnxcc, args.cflags, results)
    check_lift_1d(onnxcc, args.cflags, results)
    # usage errors exit 2
    p = subprocess.run([onnxcc, "--no-such-flag"], capture_output=True, text=True)
    results.append(("unknown flag exits 2", [] if p.returncode == 2 else ["exit %d" % p.returncode], ""))
    p = subprocess.run([onnxcc, "x.onnx"], capture_output=True, text=True)
    results.append(("missing -o exits 2", [] if p.returncode == 2 else ["exit %d" % p.returncode], ""))
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    try:
        model = os.path.join(folder, "m.onnx")
        save(relu_model(), model)
        # A 4 KiB constant through Relu folds by default; with a 1K budget
        # the Relu stays a node of the generated code.
        c = numpy_helper.from_array(np.ones([1024], np.float32), "c")
        fm = graph_model([helper.make_node("Relu", ["c"], ["r"], name="r1"),
                          helper.make_node("Add", ["x", "r"], ["y"], name="a1")],
                         [tv("x", [1024])], [tv("y", [1024])], [c])
        fmodel = os.path.join(folder, "fold.onnx")
        save(fm, fmodel)
        dumps = [subprocess.run([onnxcc, fmodel, "-o", os.path.join(folder, "f.c"), "--dump-after=infer"] + extra,
                                capture_output=True, text=True) for extra in ([], ["--fold-budget=1K"])]
        results.append(("--fold-budget=1K leaves a 4 KiB fold to the generated code",
                        [] if all(d.returncode == 0 for d in dumps) and "= Relu(" not in dumps[0].stderr
                        and "= Relu(" in dumps[1].stderr else
                        ["exits %s, Relu in dumps: %s" % ([d.returncode for d in dumps],
                                                          ["= Relu(" in d.stderr for d in dumps])], ""))
        p = subprocess.run([onnxcc, fmodel, "-o", os.path.join(folder, "f.c"), "--fold-budget=12X"],
                           capture_output=True, text=True)
        results.append(("malformed --fold-budget exits 2", [] if p.returncode == 2 else ["exit %d" % p.returncode], ""))
        p = subprocess.run([onnxcc, model, "-o", os.path.join(folder, "m.c"), "-O0", "--dump-after=dce"],
                           capture_output=True, text=True)
        results.append(("--dump-after of a pass -O0 skips says so",
                        [] if p.returncode == 0 and "dce: skipped at -O0" in p.stderr else
                        ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for bad in ("0", "65", "two"):
        p = subprocess.run([onnxcc, "x.onnx", "-o", "x.c", "--threads", bad], capture_output=True, text=True)
        results.append(("--threads %s exits 2 naming the range" % bad,
                        [] if p.returncode == 2 and "from 1 to 64" in p.stderr else
                        ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))
    p = subprocess.run([onnxcc, "x.onnx", "-o", "x.c", "--shape", "x=4xq"], capture_output=True, text=True)
    results.append(("malformed --shape exits 2 and quotes the whole value",
                    [] if p.returncode == 2 and "'x=4xq'" in p.stderr else
                    ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))
    return report(results)


def run_profile(onnxcc, cflags, words, timeout=300):
    """`onnxcc run --profile WORDS...` built with $CC = cc CFLAGS: (the
    process, its JSON line or None, the table's node rows: one list of
    cells per line between the heading and "by op type:")."""
    env = dict(os.environ, CC=("cc " + cflags).strip())
    p = subprocess.run([onnxcc, "run", *words, "--profile"], capture_output=True, text=True, env=env,
                       timeout=timeout)
    lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
    try:
        summary = json.loads(lines[-1])
    except (IndexError, ValueError):
        summary = None
    rows, inside = [], False
    for ln in p.stderr.splitlines():
        if ln.startswith("by op type:"):
            inside = False
        elif inside:
            rows.append(ln.split())
        elif ln.split()[:2] == ["rank", "median"]:
            inside = True
    return p, summary, rows


def check_profile_threads(onnxcc, cflags, results):
    """`onnxcc run --profile --threads 2`: each node's row adds its tasks'
    time on the thread running the model and on the other ("own_ms",
    "others_ms"); a conv big enough to split has both, each within the
    node's time; the Softmax of 10 values after it splits nothing (the
    table's two cells "-"); at one thread the fields are absent."""
    rng = np.random.default_rng(3)
    w = numpy_helper.from_array((rng.standard_normal((32, 16, 3, 3)) * 0.1).astype(np.float32), "w")
    wf = numpy_helper.from_array((rng.standard_normal((10, 32)) * 0.1).astype(np.float32), "wf")
    m = graph_model([helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
                     helper.make_node("GlobalAveragePool", ["c"], ["g"], name="pool"),
                     helper.make_node("Flatten", ["g"], ["f"], name="flat"),
                     helper.make_node("Gemm", ["f", "wf"], ["s"], name="fc", transB=1),
                     helper.make_node("Softmax", ["s"], ["y"], name="softmax")],
                    [tv("x", [1, 16, 64, 64])], [tv("y", None)], [w, wf])
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    try:
        path = os.path.join(folder, "split.onnx")
        save(m, path)
        problems = []
        p, summary, rows = run_profile(onnxcc, cflags, [path, "--threads", "2", "--runs", "50", "--warmup", "5"])
        prof = summary.get("profile") if summary else None
        if p.returncode != 0 or not prof:
            problems.append("exit %d, stderr %r" % (p.returncode, p.stderr[-400:]))
        else:
            by = {r["node"]: r for r in prof}
            if any("own_ms" not in r or "others_ms" not in r for r in prof):
                problems.append("rows without own_ms / others_ms: %s" % prof)
            conv, soft = by.get("conv"), by.get("softmax")
            if not conv or not conv["own_ms"] > 0 or not conv["others_ms"] > 0:
                problems.append("the conv's tasks did not run on both threads: %s" % conv)
            elif max(conv["own_ms"], conv["others_ms"]) > 1.5 * conv["median_ms"] + 1e-3:
                problems.append("a thread's share of the conv past its time: %s" % conv)
            if not soft or soft.get("others_ms") != 0:
                problems.append("the Softmax ran tasks on another thread: %s" % soft)
            cells = {r[-1]: r[-3:-1] for r in rows}
            if cells.get("softmax") != ["-", "-"] or "-" in cells.get("conv", ["-"]):
                problems.append("table cells %s" % cells)
        p, summary, rows = run_profile(onnxcc, cflags, [path, "--runs", "5"])
        prof = summary.get("profile") if summary else None
        if p.returncode != 0 or not prof or any("own_ms" in r for r in prof):
            problems.append("one thread: exit %d, profile %s" % (p.returncode, prof))
        results.append(("run --profile --threads 2: a node's task time on each thread, a split conv on both",
                        problems, ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_profile(onnxcc, cflags, results):
    """`onnxcc run --profile`: one row per node that runs (tests/models/mlp:
    its three Gemm, each with the Relu after it fused in, and its Softmax),
    named as the model names them, in the table and in the JSON; the node
    times add up to about the run (at most all of it); a view whose dims
    come from an input value runs its prepare kernel and is profiled under
    it; refused on a bare-metal --target before anything is built. The
    generated hooks themselves: a program of its own that defines the hook
    sees each node begin and end once, in order, and the table names them;
    without -DONNXCC_PROFILE the object is the size of one built from the
    same source with the hooks' lines taken out."""
    mlp = os.path.join(ROOT, "tests", "models", "mlp")
    model = onnx.load(os.path.join(mlp, "model.onnx"))
    op_of = {n.name: n.op_type for n in model.graph.node}
    p, summary, rows = run_profile(onnxcc, cflags, [os.path.join(mlp, "model.onnx"),
                                                    os.path.join(mlp, "test_data_set_0", "input_0.pb"),
                                                    "--runs", "200", "--warmup", "5"])
    problems = []
    if p.returncode != 0 or summary is None or "profile" not in summary:
        problems.append("exit %d, stdout %r, stderr %r" % (p.returncode, p.stdout[-300:], p.stderr[-300:]))
    else:
        prof = summary["profile"]
        if [r["op"] for r in prof] != ["Gemm", "Gemm", "Gemm", "Softmax"]:
            problems.append("profile ops %s" % [r["op"] for r in prof])
        if any(op_of.get(r["node"]) != r["op"] for r in prof):
            problems.append("profile rows that name no node of that op in the model: %s" % prof)
        if sorted(r[-1] for r in rows) != sorted(r["node"] for r in prof) or \
                sorted(r[5] for r in rows) != sorted(r["op"] for r in prof):
            problems.append("table rows %s do not match the JSON's nodes" % rows)
        # each run's nodes lie inside it: their means add up to at most the
        # mean run; a busy machine may stretch single runs, so the share
        # is checked on the medians, and with a wide margin
        medians = sum(r["median_ms"] for r in prof)
        means = sum(r["mean_ms"] for r in prof)
        if means > summary["mean_ms"] * 1.001 + 1e-5:
            problems.append("node means add up to %g ms, past the mean run's %g" % (means, summary["mean_ms"]))
        if not 0.5 * summary["median_ms"] <= medians <= 1.1 * summary["median_ms"] + 1e-5:
            problems.append("node medians add up to %g ms, the median run is %g" % (medians, summary["median_ms"]))
    results.append(("run --profile on mlp: one row per node, named as the model does, adding up to about the run",
                    problems, ""))

    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    try:
        # Reshape to a shape read from an input: a view whose only call is
        # its prepare kernel
        m = graph_model([helper.make_node("Relu", ["x"], ["r"], name="relu"),
                         helper.make_node("Reshape", ["r", "s"], ["t"], name="reshape"),
                         helper.make_node("Neg", ["t"], ["y"], name="neg")],
                        [tv("x", [6]), tv("s", [2], TensorProto.INT64)], [tv("y", None)])
        rs = os.path.join(folder, "reshape.onnx")
        save(m, rs)
        onnx.save_tensor(numpy_helper.from_array(np.arange(6, dtype=np.float32), "x"), os.path.join(folder, "x.pb"))
        onnx.save_tensor(numpy_helper.from_array(np.array([2, 3], np.int64), "s"), os.path.join(folder, "s.pb"))
        p, summary, rows = run_profile(onnxcc, cflags, [rs, os.path.join(folder, "x.pb"), os.path.join(folder, "s.pb"),
                                                        "--max-dynamic-dim", "16"])
        got = [(r["node"], r["kernel"]) for r in summary["profile"]] if summary and "profile" in summary else None
        results.append(("run --profile: a view that only runs its prepare kernel is profiled under it",
                        [] if got == [("relu", "rt_relu_f32"), ("reshape", "rt_reshape_prepare"),
                                      ("neg", "rt_neg_f32")] and len(rows) == 3 else
                        ["exit %d, profile %s, table rows %s, stderr %r" % (p.returncode, got, rows, p.stderr[-300:])],
                        ""))

        p = subprocess.run([onnxcc, "run", os.path.join(mlp, "model.onnx"), "--profile", "--target", "cortex-m4f"],
                           capture_output=True, text=True, timeout=60)
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        results.append(("run --profile --target cortex-m4f exits 2 in one line naming --profile",
                        [] if p.returncode == 2 and len(lines) == 1 and "--profile" in lines[0] else
                        ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))

        out = os.path.join(folder, "net.c")
        p = subprocess.run([onnxcc, os.path.join(mlp, "model.onnx"), "-o", out, "--name", "net"],
                           capture_output=True, text=True)
        cc, exe = build_program(onnxcc, cflags, folder, out, HOOK_PROGRAM, extra=["-DONNXCC_PROFILE"])
        problems = []
        if p.returncode != 0 or cc.returncode != 0:
            problems.append("compile %d, build: %s" % (p.returncode, cc.stderr[-500:]))
        else:
            r = subprocess.run([exe, os.path.join(folder, "net.weights")], capture_output=True, text=True)
            # every node but the Relus, which the Gemms before them take in
            want = ["%d:%s:%s" % (k, n.op_type, n.name) for k, n in
                    enumerate(n for n in model.graph.node if n.op_type != "Relu")]
            if r.returncode != 0 or r.stdout.split() != want + ["calls", "0B", "0E", "1B", "1E", "2B", "2E", "3B", "3E"]:
                problems.append("hook program printed %r (exit %d), expected %s" % (r.stdout, r.returncode, want))
        results.append(("-DONNXCC_PROFILE: the caller's hook sees each node begin and end, in order", problems, ""))

        # The same source with the hooks' lines taken out: objects of one size
        src = open(out).read()
        bare = "\n".join(ln for ln in src.splitlines()
                         if not ln.strip().startswith(("ONNXCC_PROF_BEGIN(", "ONNXCC_PROF_END(")))
        bare = bare.replace("ONNXCC_PROF_", "UNUSED_PROF_")  # the definitions stay, unused
        with open(os.path.join(folder, "bare.c"), "w") as f:
            f.write(bare)
        sizes = []
        for name in ("net.c", "bare.c"):
            obj = os.path.join(folder, name + ".o")
            c = subprocess.run(["cc", "-std=c99", "-O2", "-c", "-I" + os.path.join(ROOT, "runtime", "include"),
                                "-I" + folder, os.path.join(folder, name), "-o", obj], capture_output=True, text=True)
            z = subprocess.run(["size", obj], capture_output=True, text=True)
            sizes.append(z.stdout.splitlines()[-1].split()[:3] if c.returncode == 0 and z.returncode == 0 else
                         "build failed: " + c.stderr[-300:])
        results.append(("without -DONNXCC_PROFILE the hooks add nothing to the object (text, data, bss)",
                        [] if sizes[0] == sizes[1] and "ONNXCC_PROF_BEGIN(0);" in src else
                        ["sizes %s (with hooks) and %s (without)" % tuple(sizes)], ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Defines net_profile_hook: prints each profiled node as K:OP:NAME from the
# table, then the calls one run makes (KB begin, KE end).
HOOK_PROGRAM = r"""
#include <stdio.h>
#include <string.h>
#include "net.h"
static char calls[64][8];
static int n_calls;
void net_profile_hook(int node, int end) {
  if (n_calls < 64) snprintf(calls[n_calls++], sizeof calls[0], "%d%c", node, end ? 'E' : 'B');
}
int main(int argc, char **argv) {
  static unsigned char blob[NET_WEIGHTS_BYTES + 64] __attribute__((aligned(64)));
  static unsigned char arena[NET_ARENA_BYTES + 64] __attribute__((aligned(64)));
  static float x[4 * 64], y[4 * 10];
  const void *in[1] = {x};
  void *out[1] = {y};
  net_ctx ctx;
  int k;
  FILE *f = fopen(argv[argc - 1], "rb");
  size_t n = fread(blob, 1, sizeof blob, f);
  fclose(f);
  if (net_init(&ctx, blob, n, arena, sizeof arena) != RT_OK || net_run(&ctx, in, out) != RT_OK) return 1;
  for (k = 0; k < NET_PROFILE_NODES; k++)
    printf("%d:%s:%s\n", k, net_profile_nodes[k].op, net_profile_nodes[k].name);
  printf("calls");
  for (k = 0; k < n_calls; k++) printf(" %s", calls[k]);
  printf("\n");
  return 0;
}
"""


def check_target(onnxcc, results):
    """`onnxcc run --target`: an unknown triple is a usage error naming the
    known ones; a missing cross compiler or emulator exits 3 naming the
    Debian package, before anything is built."""
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    try:
        model = os.path.join(folder, "m.onnx")
        save(relu_model(), model)

        def run(triple, path=None):
            env = dict(os.environ)
            if path is not None:
                env["PATH"] = path
            return subprocess.run([onnxcc, "run", model, "--target", triple], capture_output=True, text=True,
                                  env=env, timeout=60)

        p = run("sparc-sun-solaris")
        results.append(("run --target with an unknown triple exits 2 and lists the known ones",
                        [] if p.returncode == 2 and "sparc-sun-solaris" in p.stderr
                        and "aarch64-linux-gnu" in p.stderr and "riscv64-linux-gnu" in p.stderr else
                        ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))
        # the host's own triple is a plain run: a missing model is then bad input (1), not a usage error
        p = subprocess.run([onnxcc, "run", os.path.join(folder, "none.onnx"), "--target",
                            platform.machine() + "-linux-gnu"], capture_output=True, text=True)
        results.append(("run --target with the host's triple is a plain run",
                        [] if p.returncode == 1 else ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))
        empty = os.path.join(folder, "empty-bin")
        os.mkdir(empty)
        for triple, package in (("aarch64-linux-gnu", "gcc-aarch64-linux-gnu"),
                                ("riscv64-linux-gnu", "gcc-riscv64-linux-gnu")):
            p = run(triple, empty)
            lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
            results.append(("run --target %s without its cross compiler exits 3 naming %s" % (triple, package),
                            [] if p.returncode == 3 and len(lines) == 1 and package in p.stderr else
                            ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))
        gcc = shutil.which("aarch64-linux-gnu-gcc")
        if gcc:
            # the compiler alone: the emulator is what is missing
            only_gcc = os.path.join(folder, "gcc-bin")
            os.mkdir(only_gcc)
            os.symlink(gcc, os.path.join(only_gcc, "aarch64-linux-gnu-gcc"))
            p = run("aarch64-linux-gnu", only_gcc)
            results.append(("run --target without qemu-aarch64 exits 3 naming qemu-user",
                            [] if p.returncode == 3 and "qemu-aarch64" in p.stderr and "qemu-user" in p.stderr else
                            ["exit %d, stderr %r" % (p.returncode, p.stderr)], ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_index32(onnxcc, results):
    """The generated code of a model with a buffer past RT_INDEX32_MAX
    (2^30 - 1) bytes fails to build against a runtime of 32-bit indices
    (-DONNXCC_RT_INDEX32), naming the tensor and the option; it builds
    without the option, and that of one float fewer builds with it."""
    folder = tempfile.mkdtemp(prefix="onnxcc-cli-")
    try:
        def syntax(n, define):
            model, out = os.path.join(folder, "m%d.onnx" % n), os.path.join(folder, "m%d.c" % n)
            save(graph_model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                             [tv("x", [n])], [tv("y", [n])]), model)
            p = subprocess.run([onnxcc, model, "-o", out], capture_output=True, text=True)
            if p.returncode:
                return p
            return subprocess.run(["cc", "-std=c99", "-fsyntax-only", *define,
                                   "-I" + os.path.join(ROOT, "runtime", "include"), out],
                                  capture_output=True, text=True)

        big, below = 1 << 28, (1 << 28) - 1   # floats: 2^30 bytes, and 4 fewer
        p = syntax(big, ["-DONNXCC_RT_INDEX32"])
        results.append(("a 2^30-byte input refuses a 32-bit index runtime at compile time",
                        [] if p.returncode and "#error" in p.stderr and "'x'" in p.stderr
                        and "runtime_index32" in p.stderr else
                        ["exit %d, stderr %r" % (p.returncode, p.stderr[-400:])], ""))
        for n, define in ((big, []), (below, ["-DONNXCC_RT_INDEX32"])):
            p = syntax(n, define)
            results.append(("%d floats build with %s" % (n, define or "64-bit indices"),
                            [] if p.returncode == 0 else ["exit %d, stderr %r" % (p.returncode, p.stderr[-400:])],
                            ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(results):
    """Prints one line per (name, problems[, message]) result and the
    closing "N passed, M failed" line; returns the exit status."""
    passed = failed = 0
    for name, problems, *msg in results:
        if problems:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
            if msg and msg[0]:
                print("     message: %s" % msg[0])
        else:
            passed += 1
            print("ok   %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
