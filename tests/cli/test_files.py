#!/usr/bin/env python3
"""onnxcc's handling of files on hostile ground.

* Outputs are never written through a symlink planted at the output path or
  at any name in the output folder (the target's bytes stay the same), and
  get the usual 0666-minus-umask mode.
* OUT.c, OUT.h and OUT.weights are replaced as a set: when one cannot be
  written or renamed, the previous three stay byte-identical and no
  temporary file is left.
* An output that is the model file itself is refused (exit 2).
* `onnxcc run` uses no shell: a TMPDIR or CC holding quotes, `$(...)` or
  `;` runs nothing. SIGTERM and SIGINT while it builds leave no
  onnxcc-run-* folder and kill the compiler.
* `run` input problems exit 1 with one line naming the file.
* SIGTERM during a compile's output phase leaves no temporary file.

Run: .venv/bin/python tests/cli/test_files.py --onnxcc build/onnxcc
(for a sanitized build add --cc "cc -fsanitize=address,undefined")
Prints one line per case and ends with "N passed, M failed".
"""
import argparse
import glob
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ONNXCC = None
CC = "cc"  # the C compiler `run` builds with: a sanitized build needs its flags


# ---- models ----

def tv(name, shape, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, shape)


def save_model(path, nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    return path


def mul_model(path, scale=1.0, n=4):
    """y = x * w, w = scale * (1..n): the weights differ with scale."""
    w = numpy_helper.from_array((scale * np.arange(1, n + 1, dtype=np.float32)).reshape(1, n), "w")
    return save_model(path, [helper.make_node("Mul", ["x", "w"], ["y"], name="mul")],
                      [tv("x", [1, n])], [tv("y", [1, n])], [w])


def relu_chain(path, n):
    """Many nodes and one tiny weight: a long OUT.c, a small OUT.weights."""
    w = numpy_helper.from_array(np.ones((4,), np.float32), "w")
    nodes = [helper.make_node("Add", ["x", "w"], ["a0"], name="add")]
    for i in range(n):
        nodes.append(helper.make_node("Relu", ["a%d" % i], ["a%d" % (i + 1)], name="relu%d" % i))
    nodes.append(helper.make_node("Neg", ["a%d" % n], ["y"], name="neg"))
    return save_model(path, nodes, [tv("x", [4])], [tv("y", [4])], [w])


def write_pb(path, array, name="x"):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())
    return path


# ---- helpers ----

def run(args, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    if args and args[0] == ONNXCC and len(args) > 1 and args[1] == "run":
        env = dict(kw.get("env") or os.environ)
        if env.get("CC") == os.environ.get("CC"):  # the case did not pick one
            env["CC"] = CC
        kw["env"] = env
    return subprocess.run(args, **kw)


def snapshot(paths):
    out = {}
    for p in paths:
        with open(p, "rb") as f:
            out[p] = f.read()
    return out


def temps_in(folder):
    """Anything in the folder that is not one of the expected files."""
    return sorted(n for n in os.listdir(folder) if ".tmp" in n or n.startswith("."))


def err_lines(p):
    return [l for l in p.stderr.splitlines() if l.strip()]


class Case:
    def __init__(self, name):
        self.name = name
        self.problems = []
        self.skipped = None
        self.dir = tempfile.mkdtemp(prefix="onnxcc-files-")

    def check(self, cond, what):
        if not cond:
            self.problems.append(what if len(what) < 400 else what[:400] + "...")
        return cond

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def close(self):
        for root, dirs, files in os.walk(self.dir):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(self.dir, ignore_errors=True)


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def one_error_line(c, p, code, must_contain):
    lines = err_lines(p)
    c.check(p.returncode == code, "exit %d, expected %d (stderr %r)" % (p.returncode, code, p.stderr[-300:]))
    c.check(len(lines) == 1, "%d stderr lines, expected 1: %r" % (len(lines), lines))
    if lines:
        c.check(lines[0].startswith("onnxcc: error: "), "message does not start with 'onnxcc: error: '")
        for w in must_contain:
            c.check(w in lines[0], "message lacks %r: %r" % (w, lines[0]))


# ---- symlinks ----

@case
def symlink_at_outputs(c):
    """Symlinks at OUT.c, OUT.h and OUT.weights into another folder."""
    model = mul_model(c.path("model.onnx"))
    os.mkdir(c.path("out"))
    os.mkdir(c.path("elsewhere"))
    victims = {}
    for ext in (".c", ".h", ".weights"):
        v = c.path("elsewhere", "victim" + ext)
        with open(v, "wb") as f:
            f.write(b"precious " + ext.encode())
        os.symlink(v, c.path("out", "net" + ext))
        victims[v] = open(v, "rb").read()
    p = run([ONNXCC, model, "-o", c.path("out", "net.c")])
    c.check(p.returncode == 0, "compile failed: %s" % p.stderr.strip())
    c.check(snapshot(victims) == victims, "a symlink target was written through")
    for ext in (".c", ".h", ".weights"):
        c.check(not os.path.islink(c.path("out", "net" + ext)), "net%s is still a symlink" % ext)
    c.check(temps_in(c.path("out")) == [], "temporary files left: %s" % temps_in(c.path("out")))


@case
def symlinks_at_temp_names(c):
    """The old temp name NAME.tmp.PID (the shell's pid is onnxcc's after
    exec) and many other names in the output folder, all symlinks to one
    victim outside it."""
    model = mul_model(c.path("model.onnx"))
    out = c.path("out")
    os.mkdir(out)
    victim = c.path("victim")
    with open(victim, "wb") as f:
        f.write(b"do not touch")
    for i in range(200):
        for ext in (".c", ".h", ".weights"):
            os.symlink(victim, os.path.join(out, ".net%s.%d.tmp" % (ext, i)))
            os.symlink(victim, os.path.join(out, "net%s.tmp.%d" % (ext, i)))
    script = ('for e in c h weights; do ln -s "$1" "$2/net.$e.tmp.$$"; done; '
              'exec "$3" "$4" -o "$2/net.c"')
    p = run(["sh", "-c", script, "sh", victim, out, ONNXCC, model])
    c.check(p.returncode == 0, "compile failed: %s" % p.stderr.strip())
    c.check(open(victim, "rb").read() == b"do not touch", "the victim was written through a symlink")
    regular = [n for n in os.listdir(out) if not os.path.islink(os.path.join(out, n))]
    c.check(sorted(regular) == ["net.c", "net.h", "net.weights"], "unexpected files: %s" % sorted(regular))


@case
def output_mode_follows_umask(c):
    model = mul_model(c.path("model.onnx"))
    for mask in (0o022, 0o027):
        out = c.path("net%o.c" % mask)
        p = run([ONNXCC, model, "-o", out], preexec_fn=lambda m=mask: os.umask(m))
        c.check(p.returncode == 0, "compile failed: %s" % p.stderr.strip())
        for ext in (".c", ".h", ".weights"):
            f = out[:-2] + ext
            mode = stat.S_IMODE(os.stat(f).st_mode)
            c.check(mode == 0o666 & ~mask, "%s has mode %o with umask %03o" % (os.path.basename(f), mode, mask))


# ---- the output set ----

def first_compile(c):
    model = mul_model(c.path("model.onnx"), 1.0)
    out = c.path("out")
    os.mkdir(out)
    p = run([ONNXCC, model, "-o", os.path.join(out, "net.c")])
    c.check(p.returncode == 0, "first compile failed: %s" % p.stderr.strip())
    files = [os.path.join(out, "net" + e) for e in (".c", ".h", ".weights")]
    new_model = mul_model(c.path("model2.onnx"), 2.0)
    return new_model, out, files, snapshot(files)


@case
def set_kept_when_header_is_a_folder(c):
    new_model, out, files, before = first_compile(c)
    os.remove(files[1])
    os.mkdir(files[1])
    with open(os.path.join(files[1], "inside"), "w") as f:
        f.write("x")
    p = run([ONNXCC, new_model, "-o", files[0]])
    one_error_line(c, p, 3, ["net.h"])
    kept = {k: v for k, v in before.items() if k != files[1]}
    c.check(snapshot(kept) == kept, "net.c or net.weights changed although net.h failed")
    c.check(os.listdir(files[1]) == ["inside"], "the folder at net.h was changed")
    c.check(temps_in(out) == [], "temporary files left: %s" % temps_in(out))


@case
def set_kept_when_source_is_a_folder(c):
    """OUT.c is renamed last: weights and header must not be replaced first."""
    new_model, out, files, before = first_compile(c)
    os.remove(files[0])
    os.mkdir(files[0])
    with open(os.path.join(files[0], "inside"), "w") as f:
        f.write("x")
    p = run([ONNXCC, new_model, "-o", files[0]])
    one_error_line(c, p, 3, ["net.c"])
    kept = {k: v for k, v in before.items() if k != files[0]}
    c.check(snapshot(kept) == kept, "net.h or net.weights changed although net.c failed")
    c.check(temps_in(out) == [], "temporary files left: %s" % temps_in(out))


def limit_file_size(n):
    def f():
        # Writes past the limit fail with EFBIG instead of killing onnxcc.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
    return f


@case
def set_kept_when_a_write_fails(c):
    """A file-size limit that the weights and header pass and OUT.c does
    not: the write of the last temporary fails."""
    model = relu_chain(c.path("model.onnx"), 10)
    out = c.path("out")
    os.mkdir(out)
    files = [os.path.join(out, "net" + e) for e in (".c", ".h", ".weights")]
    p = run([ONNXCC, model, "-o", files[0]])
    c.check(p.returncode == 0, "first compile failed: %s" % p.stderr.strip())
    before = snapshot(files)
    sizes = [len(before[f]) for f in files]
    c.check(sizes[0] > max(sizes[1:]), "test setup: net.c (%d) is not the largest file" % sizes[0])
    model2 = relu_chain(c.path("model2.onnx"), 12)
    p = run([ONNXCC, model2, "-o", files[0]], preexec_fn=limit_file_size(max(sizes[1:]) + 64))
    one_error_line(c, p, 3, ["net.c"])
    c.check(snapshot(files) == before, "the old outputs changed")
    c.check(temps_in(out) == [], "temporary files left: %s" % temps_in(out))


def as_nobody():
    """Root ignores folder permissions: run the compiler as 'nobody' then."""
    os.setgid(65534)
    os.setuid(65534)


@case
def set_kept_in_read_only_folder(c):
    new_model, out, files, before = first_compile(c)
    os.chmod(out, 0o555)
    drop = None
    if os.geteuid() == 0:
        drop = as_nobody
        for d in (c.path(""), out):  # nobody must read the model and enter the folders
            os.chmod(d, 0o755 if d != out else 0o555)
        for f in os.listdir(c.path("")):
            if os.path.isfile(c.path(f)):
                os.chmod(c.path(f), 0o644)
    p = run([ONNXCC, new_model, "-o", files[0]], preexec_fn=drop)
    one_error_line(c, p, 3, ["net."])
    c.check(snapshot(files) == before, "the old outputs changed")
    c.check(temps_in(out) == [], "temporary files left: %s" % temps_in(out))


# ---- refusing to overwrite the model ----

@case
def refuses_to_overwrite_the_model(c):
    os.mkdir(c.path("foo"))
    tries = [
        ("foo/model.c", "foo/model.c"),             # OUT.c is the model
        ("foo/model.c", "foo/./model.c"),           # spelled differently
        ("foo/model.c", "foo/../foo/model.c"),
        ("foo/model.weights", "foo/model.c"),       # OUT.weights is the model
        ("foo/model.h", "foo/model.c"),             # OUT.h is the model
        ("foo/model.onnx", "foo/link.c"),           # OUT.c a symlink to it
    ]
    os.symlink("model.onnx", c.path("foo", "link.c"))
    for model_rel, out_rel in tries:
        model = mul_model(c.path(model_rel))
        before = open(model, "rb").read()
        listing = sorted(os.listdir(c.path("foo")))
        p = run([ONNXCC, model_rel, "-o", out_rel], cwd=c.dir)
        lines = err_lines(p)
        what = "%s -o %s" % (model_rel, out_rel)
        c.check(p.returncode == 2, "%s: exit %d, expected 2" % (what, p.returncode))
        c.check(len(lines) == 1 and lines[0].startswith(
            "onnxcc: error: %s: refusing to overwrite the input model with " % model_rel),
            "%s: message %r" % (what, lines))
        c.check(open(model, "rb").read() == before, "%s: the model changed" % what)
        c.check(sorted(os.listdir(c.path("foo"))) == listing, "%s: files were written" % what)
        os.remove(model)


@case
def embedded_weights_may_sit_beside_a_weights_model(c):
    """--embed-weights writes no OUT.weights, so that name is free."""
    os.mkdir(c.path("foo"))
    model = mul_model(c.path("foo", "model.weights"))
    p = run([ONNXCC, model, "-o", c.path("foo", "model.c"), "--embed-weights"])
    c.check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr.strip()))


# ---- run without a shell ----

def pwned_anywhere(c, extra=()):
    found = []
    for top in [c.dir, os.getcwd()] + list(extra):
        for root, dirs, files in os.walk(top):
            found += [os.path.join(root, f) for f in files + dirs if f == "PWNED"]
    return found


@case
def run_with_hostile_tmpdir(c):
    model = mul_model(c.path("model.onnx"))
    work = c.path("work")
    os.mkdir(work)
    for name in ["q'x", "$(touch PWNED)", ";touch PWNED;", "a'; touch PWNED; '", "`touch PWNED`"]:
        tmp = c.path("tmp", name)
        os.makedirs(tmp)
        p = run([ONNXCC, "run", model], cwd=work, env=dict(os.environ, TMPDIR=tmp))
        c.check(p.returncode == 0, "TMPDIR=%r: exit %d: %s" % (name, p.returncode, p.stderr.strip()[-300:]))
        c.check('"median_ms"' in p.stdout, "TMPDIR=%r: no JSON line" % name)
        c.check(os.listdir(tmp) == [], "TMPDIR=%r: left %s" % (name, os.listdir(tmp)))
    # A TMPDIR that does not exist fails cleanly: exit 3, one line.
    p = run([ONNXCC, "run", model], cwd=work, env=dict(os.environ, TMPDIR=c.path("nope'$(touch PWNED)")))
    one_error_line(c, p, 3, ["temporary folder"])
    c.check(pwned_anywhere(c) == [], "a command ran: %s" % pwned_anywhere(c))


@case
def run_with_hostile_cc(c):
    """CC is split on blanks, never given to a shell."""
    model = mul_model(c.path("model.onnx"))
    work = c.path("work")
    os.mkdir(work)
    tmp = c.path("tmp")
    os.mkdir(tmp)
    for cc in ["cc;touch PWNED", "cc $(touch PWNED)", "cc `touch PWNED`"]:
        p = run([ONNXCC, "run", model], cwd=work, env=dict(os.environ, TMPDIR=tmp, CC=cc))
        c.check(p.returncode == 3, "CC=%r: exit %d, expected 3" % (cc, p.returncode))
        c.check(os.listdir(tmp) == [], "CC=%r: left %s" % (cc, os.listdir(tmp)))
    # Words with flags work.
    p = run([ONNXCC, "run", model], cwd=work, env=dict(os.environ, TMPDIR=tmp, CC="  %s   -O1  -Wall " % CC))
    c.check(p.returncode == 0, "CC with flags: exit %d: %s" % (p.returncode, p.stderr.strip()[-300:]))
    c.check(pwned_anywhere(c) == [], "a command ran: %s" % pwned_anywhere(c))


SLOW_CC = """#!/bin/sh
echo $$ > "$MARK.tmp" && mv "$MARK.tmp" "$MARK"
sleep 60
exec cc "$@"
"""


def signal_while_building(c, sig):
    model = mul_model(c.path("model.onnx"))
    tmp = c.path("tmp")
    os.mkdir(tmp)
    cc = c.path("slow-cc")
    with open(cc, "w") as f:
        f.write(SLOW_CC)
    os.chmod(cc, 0o755)
    mark = c.path("mark")
    # onnxcc keeps a signal ignored when whoever started it ignores it (a
    # shell's background job ignores SIGINT): give it the default, as a
    # terminal would, so the case tests onnxcc and not how the suite started
    p = subprocess.Popen([ONNXCC, "run", model], env=dict(os.environ, TMPDIR=tmp, CC=cc, MARK=mark),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(sig, signal.SIG_DFL))
    deadline = time.time() + 60
    while not os.path.exists(mark) and time.time() < deadline and p.poll() is None:
        time.sleep(0.02)
    if not c.check(os.path.exists(mark), "the compiler never started"):
        p.kill()
        p.wait()
        return
    c.check(len(glob.glob(os.path.join(tmp, "onnxcc-run-*"))) == 1, "no build folder while building")
    cc_pid = int(open(mark).read())
    p.send_signal(sig)
    try:
        p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        c.check(False, "onnxcc did not stop")
    c.check(p.returncode == -sig, "exit status %r, expected death by signal %d" % (p.returncode, sig))
    c.check(os.listdir(tmp) == [], "left in TMPDIR: %s" % os.listdir(tmp))
    alive = True
    for _ in range(100):
        try:
            os.kill(cc_pid, 0)
        except ProcessLookupError:
            alive = False
            break
        time.sleep(0.02)
    if alive:
        os.kill(cc_pid, signal.SIGKILL)
    c.check(not alive, "the C compiler (pid %d) was left running" % cc_pid)


@case
def run_sigterm_while_building(c):
    signal_while_building(c, signal.SIGTERM)


@case
def run_sigint_while_building(c):
    signal_while_building(c, signal.SIGINT)


# ---- run's input files ----

@case
def run_input_problems_exit_1(c):
    model = mul_model(c.path("model.onnx"))
    two = save_model(c.path("two.onnx"), [helper.make_node("Add", ["a", "b"], ["y"], name="add")],
                     [tv("a", [1, 4]), tv("b", [1, 4])], [tv("y", [1, 4])])
    good = write_pb(c.path("good.pb"), np.ones((1, 4), np.float32))
    bad = {
        "dtype.pb": write_pb(c.path("dtype.pb"), np.ones((1, 4), np.int32)),
        "shape.pb": write_pb(c.path("shape.pb"), np.ones((1, 5), np.float32)),
        "rank.pb": write_pb(c.path("rank.pb"), np.ones((4,), np.float32)),
        "junk.pb": c.path("junk.pb"),
        "empty_dir.pb": c.path("empty_dir.pb"),
        "missing.pb": c.path("missing.pb"),
    }
    with open(bad["junk.pb"], "wb") as f:
        f.write(b"\xff\xff\xff\xffnot a tensor")
    # dims [2^40] with 16 bytes of data: must be refused before allocating 4 TiB
    huge = TensorProto()
    huge.name, huge.data_type, huge.raw_data = "x", TensorProto.FLOAT, b"\0" * 16
    huge.dims.extend([1 << 40])
    bad["huge_dims.pb"] = c.path("huge_dims.pb")
    with open(bad["huge_dims.pb"], "wb") as f:
        f.write(huge.SerializeToString())
    # a SequenceProto where a TensorProto belongs (once an abort asking for 1.5 TB)
    seq = helper.make_sequence("x", onnx.SequenceProto.TENSOR,
                               [numpy_helper.from_array(np.ones((1, 4), np.float32)),
                                numpy_helper.from_array(np.ones((2, 4), np.float32))])
    bad["sequence.pb"] = c.path("sequence.pb")
    with open(bad["sequence.pb"], "wb") as f:
        f.write(seq.SerializeToString())
    os.mkdir(bad["empty_dir.pb"])
    tries = [([model, bad[k]], k) for k in sorted(bad)]
    tries.append(([model, good, c.path("extra.pb")], "extra.pb"))
    write_pb(c.path("extra.pb"), np.ones((1, 4), np.float32))
    tries.append(([two, good], "two.onnx"))
    if os.geteuid() != 0:
        unreadable = write_pb(c.path("unreadable.pb"), np.ones((1, 4), np.float32))
        os.chmod(unreadable, 0)
        tries.append(([model, unreadable], "unreadable.pb"))
    tmp = c.path("tmp")
    os.mkdir(tmp)
    for args, name in tries:
        p = run([ONNXCC, "run"] + args, env=dict(os.environ, TMPDIR=tmp))
        lines = err_lines(p)
        c.check(p.returncode == 1, "%s: exit %d, expected 1 (%r)" % (name, p.returncode, lines))
        c.check(len(lines) == 1 and lines[0].startswith("onnxcc: error: ") and name in lines[0],
                "%s: message %r" % (name, lines))
    c.check(os.listdir(tmp) == [], "left in TMPDIR: %s" % os.listdir(tmp))
    # and a good file still works
    p = run([ONNXCC, "run", model, good], env=dict(os.environ, TMPDIR=tmp))
    c.check(p.returncode == 0, "good input: exit %d: %s" % (p.returncode, p.stderr.strip()[-300:]))


@case
def run_refuses_huge_random_input(c):
    model = save_model(c.path("huge.onnx"), [helper.make_node("Relu", ["x"], ["y"], name="r")],
                       [tv("x", [1 << 19, 1 << 10])], [tv("y", [1 << 19, 1 << 10])])  # 2 GiB
    tmp = c.path("tmp")
    os.mkdir(tmp)
    p = run([ONNXCC, "run", model], env=dict(os.environ, TMPDIR=tmp))
    one_error_line(c, p, 1, ["huge.onnx", "'x'"])
    c.check(os.listdir(tmp) == [], "left in TMPDIR: %s" % os.listdir(tmp))


@case
def run_machine_failures_exit_3(c):
    model = mul_model(c.path("model.onnx"))
    with open(c.path("a_file"), "w") as f:
        f.write("x")
    p = run([ONNXCC, "run", model, "--output-dir", c.path("a_file", "sub")])
    one_error_line(c, p, 3, ["a_file"])
    p = run([ONNXCC, "run", model], env=dict(os.environ, CC="/nonexistent/cc"))
    one_error_line(c, p, 3, ["/nonexistent/cc"])


# ---- signals during a compile ----

@case
def sigterm_during_compile_output(c):
    """A model with a 256 MiB weight: its temporary OUT.weights exists long
    enough to be seen; SIGTERM is sent as soon as a temporary file appears.
    A try where the compile finished first is repeated."""
    n = 64 << 20
    w = numpy_helper.from_array(np.zeros((n,), np.float32), "w")
    model = save_model(c.path("big.onnx"), [helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                       [tv("x", [n])], [tv("y", [n])], [w])
    del w
    out = c.path("out")
    os.mkdir(out)
    for attempt in range(4):
        for f in os.listdir(out):
            os.remove(os.path.join(out, f))
        p = subprocess.Popen([ONNXCC, model, "-o", os.path.join(out, "big.c")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seen = None
        while p.poll() is None:
            tmps = temps_in(out)
            if tmps:
                seen = tmps
                p.send_signal(signal.SIGTERM)
                break
        p.communicate(timeout=120)
        if seen and p.returncode == -signal.SIGTERM:
            c.check(temps_in(out) == [], "temporary files left: %s" % temps_in(out))
            return
    c.skipped = "the compile always finished before a temporary file was seen"


def main():
    global ONNXCC, CC
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnxcc", default=os.path.join(ROOT, "build", "onnxcc"))
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"),
                    help="CC for `onnxcc run` (a sanitized build: 'cc -fsanitize=address,undefined')")
    args = ap.parse_args()
    ONNXCC = os.path.abspath(args.onnxcc)
    CC = args.cc
    passed = failed = skipped = 0
    for fn in CASES:
        c = Case(fn.__name__.replace("_", " "))
        try:
            fn(c)
        except Exception as e:  # a crash of the test is a failure of the case
            c.problems.append("%s: %s" % (type(e).__name__, e))
        finally:
            c.close()
        if c.skipped and not c.problems:
            skipped += 1
            print("skip %s: %s" % (c.name, c.skipped))
        elif c.problems:
            failed += 1
            print("FAIL %s: %s" % (c.name, "; ".join(c.problems)))
        else:
            passed += 1
            print("ok   %s" % c.name)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
