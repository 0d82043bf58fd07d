#!/usr/bin/env python3
"""onnxcc against ONNX Runtime on a fixed set of public models.

    .venv/bin/python benchmarks/run.py                       # everything
    .venv/bin/python benchmarks/run.py --models mlp,resnet18 --runs 10 --rounds 2
    .venv/bin/python benchmarks/run.py --peak                # FMA peak only
    .venv/bin/python benchmarks/run.py --shapes --models resnet18

A benchmark, not a test: it never fails on a timing, and scripts/test does
not run it. benchmarks/README.md says what it measures, how, and how to read
the tables.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]

TORCHVISION = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small",
               "efficientnet_b0", "squeezenet1_1", "shufflenet_v2_x1_0",
               "densenet121"]
# exported by this script from torch.nn modules
TORCH_NN = ["transformer_encoder", "lstm"]
# already in the repository, with their input
LOCAL = {"mlp": ROOT / "tests" / "models" / "mlp",
         "audio_cnn1d": ROOT / "tests" / "models" / "audio_cnn1d"}
ALL_MODELS = TORCHVISION + TORCH_NN + list(LOCAL)
SHAPE_MODELS = ["resnet18", "mobilenet_v2"]

# ops whose multiply-adds are counted (README: "MFLOPs")
COUNTED_OPS = {"Conv", "ConvTranspose", "Gemm", "MatMul", "LSTM", "GRU", "RNN"}
TIMED_SHAPE_OPS = {"Conv", "Gemm", "MatMul"}


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Time onnxcc against ONNX Runtime (see benchmarks/README.md).")
    p.add_argument("--models", help="comma list (default: all): " + ",".join(ALL_MODELS))
    p.add_argument("--onnxcc", type=Path, default=ROOT / "build" / "onnxcc",
                   help="compiler binary (default build/onnxcc)")
    p.add_argument("--runs", type=int, default=50, help="timed runs per round (default 50)")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs before each round's (default 5)")
    p.add_argument("--rounds", type=int, default=3,
                   help="alternating onnxcc/ORT rounds; the median of the round medians "
                        "is reported (default 3)")
    p.add_argument("--threads", default="1,2",
                   help="thread counts, one table each (default 1,2): ORT's intra-op "
                        "threads and onnxcc's --threads")
    p.add_argument("--cache", type=Path, default=ROOT / "build" / "bench",
                   help="exported models and built tools (default build/bench; reused)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the tables as JSON")
    p.add_argument("--skip-build", action="store_true",
                   help="export nothing: models missing from the cache are reported as such")
    p.add_argument("--shapes", action="store_true",
                   help="per-node GFLOP/s of each distinct Conv/Gemm/MatMul of "
                        + " and ".join(SHAPE_MODELS) + " (or --models) against the FMA peak")
    p.add_argument("--peak", action="store_true", help="print this core's FMA peak and stop")
    p.add_argument("--tol", type=float, default=1e-3,
                   help="outputs agree when max|onnxcc-ORT| <= TOL * max|ORT| (default 1e-3)")
    p.add_argument("--timeout", type=float, default=1800,
                   help="seconds allowed for one onnxcc call, compile included (default 1800)")
    args = p.parse_args(argv)
    try:
        args.thread_list = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        p.error("--threads takes a comma list of integers, e.g. 1,2")
    if not args.thread_list or min(args.thread_list) < 1:
        p.error("--threads: each count must be at least 1")
    if args.models:
        args.model_list = [m.strip() for m in args.models.split(",") if m.strip()]
        bad = [m for m in args.model_list if m not in ALL_MODELS]
        if bad:
            p.error(f"unknown model(s) {', '.join(bad)}; known: {', '.join(ALL_MODELS)}")
    else:
        args.model_list = SHAPE_MODELS if args.shapes else ALL_MODELS
    if args.runs < 1 or args.warmup < 0 or args.rounds < 1:
        p.error("--runs and --rounds must be at least 1, --warmup at least 0")
    args.onnxcc = args.onnxcc if args.onnxcc.is_absolute() else Path.cwd() / args.onnxcc
    args.cache = args.cache if args.cache.is_absolute() else Path.cwd() / args.cache
    return args


# ---- building the model set ------------------------------------------------

def torch_modules():
    """(torch, torchvision, check_torchvision) or an error string.

    The torchvision exports come from tests/models/check_torchvision.py so the
    benchmark runs the very graphs the correctness check runs."""
    try:
        import torch
        import torchvision
    except Exception as exc:  # noqa: BLE001 - any import failure: no torch
        return f"torch not available ({type(exc).__name__})"
    # check_torchvision re-executes its own script under .venv when an import
    # fails; it must never do that from inside this one.
    os.environ.setdefault("ONNXCC_TOOLS_REEXEC", "1")
    sys.path.insert(0, str(ROOT / "tests" / "models"))
    import check_torchvision  # noqa: E402
    return torch, torchvision, check_torchvision


def build_torch_model(name, folder: Path, mods):
    torch, torchvision, tv = mods
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    rng = np.random.default_rng(0)
    if name in TORCHVISION:
        model = tv.build_model(torch, torchvision, name)
        x = rng.standard_normal((1, 3, 224, 224)).astype(np.float32)
    elif name == "transformer_encoder":
        torch.manual_seed(0)
        # batch_first=False keeps torch 1.13 off its fused inference path,
        # which has no ONNX export; other sizes are torch's defaults.
        layer = torch.nn.TransformerEncoderLayer(d_model=256, nhead=4)
        model = torch.nn.TransformerEncoder(layer, num_layers=2).eval()
        x = rng.standard_normal((128, 1, 256)).astype(np.float32)  # seq, batch, d
    elif name == "lstm":
        torch.manual_seed(0)

        class Seq(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = torch.nn.LSTM(input_size=64, hidden_size=128, num_layers=2)

            def forward(self, x):
                return self.lstm(x)[0]  # the output sequence; h and c dropped

        model = Seq().eval()
        x = rng.standard_normal((50, 1, 64)).astype(np.float32)  # seq, batch, input
    else:
        raise ValueError(name)
    data = folder / "test_data_set_0"
    data.mkdir(parents=True, exist_ok=True)
    # written to a temporary name first: an interrupted export must not
    # leave a half model that later runs would take as built
    tmp = folder / "model.onnx.part"
    tv.export(torch, model, x, tmp)
    (data / "input_0.pb").write_bytes(numpy_helper.from_array(x, "input").SerializeToString())
    tmp.replace(folder / "model.onnx")


def model_files(name, args, mods_cache):
    """(model.onnx, [input .pb files]) or an error string for the table."""
    if name in LOCAL:
        folder = LOCAL[name]
    else:
        folder = args.cache / name
    model = folder / "model.onnx"
    inputs = sorted((folder / "test_data_set_0").glob("input_*.pb"),
                    key=lambda p: int(p.stem.split("_")[1]))
    if model.is_file() and inputs:
        return model, inputs
    if name in LOCAL:
        return f"missing {model} or its input"
    if args.skip_build:
        return "not in the cache (--skip-build)"
    if "mods" not in mods_cache:
        mods_cache["mods"] = torch_modules()
    mods = mods_cache["mods"]
    if isinstance(mods, str):
        return mods
    print(f"exporting {name} to {folder} ...", flush=True)
    try:
        build_torch_model(name, folder, mods)
    except Exception as exc:  # noqa: BLE001 - one bad export must not stop the rest
        return f"export failed: {type(exc).__name__}: {str(exc).splitlines()[0][:100] if str(exc) else ''}"
    return model_files(name, args, mods_cache)


# ---- FLOPs -----------------------------------------------------------------

def shape_table(model):
    """value name -> list of ints (None where a dim is unknown)."""
    inferred = shape_inference.infer_shapes(model)
    g = inferred.graph
    shapes = {}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        t = vi.type.tensor_type
        if t.HasField("shape"):
            shapes[vi.name] = [d.dim_value if d.HasField("dim_value") else None
                               for d in t.shape.dim]
    for init in g.initializer:
        shapes[init.name] = list(init.dims)
    return inferred, shapes


def _prod(xs):
    r = 1
    for x in xs:
        r *= x
    return r


def node_macs(node, shapes):
    """Multiply-adds of one node, or None when a shape it needs is unknown."""
    def known(name):
        s = shapes.get(name)
        return s if s is not None and all(d is not None for d in s) else None

    op = node.op_type
    if op in ("Conv", "ConvTranspose"):
        w = known(node.input[1])
        ref = known(node.output[0] if op == "Conv" else node.input[0])
        if w is None or ref is None:
            return None
        # Conv: every output element sums Cin/group * kernel products (W is
        # Cout x Cin/group x kernel); ConvTranspose: every input element
        # scatters into Cout/group * kernel ones (W is Cin x Cout/group x kernel)
        return _prod(ref) * _prod(w[1:])
    if op == "Gemm":
        a, y = known(node.input[0]), known(node.output[0])
        if a is None or y is None:
            return None
        trans_a = next((at.i for at in node.attribute if at.name == "transA"), 0)
        return _prod(y) * (a[0] if trans_a else a[1])
    if op == "MatMul":
        a, y = known(node.input[0]), known(node.output[0])
        if a is None or y is None:
            return None
        return _prod(y) * a[-1]
    if op in ("LSTM", "GRU", "RNN"):
        x, w, r = (known(node.input[i]) for i in range(3))
        if x is None or w is None or r is None:
            return None
        # per step and direction: gates x W^T and h R^T
        return x[0] * x[1] * w[0] * w[1] * (w[2] + r[2])
    return 0


def shapes_by_running(model, names, inputs):
    """Shapes of `names` from one ORT run (optimizations off), with them made
    graph outputs: for what onnx's shape inference leaves open, e.g. the
    dims after shufflenet's channel-shuffle Reshape, computed by Shape/Gather/
    Concat."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = {o.name for o in m.graph.output}
    for n in names:
        if n not in have:
            m.graph.output.append(helper.make_empty_tensor_value_info(n))
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    feeds = {i.name: numpy_helper.to_array(onnx.load_tensor(str(p)))
             for i, p in zip(sess.get_inputs(), inputs)}
    return {n: list(v.shape) for n, v in zip(names, sess.run(names, feeds))}


def count_mflops(model, inputs=None):
    """(MFLOPs = 2 * counted MACs / 1e6, True when every counted node's shapes
    were known). With the model's input files, shapes that inference cannot
    tell are taken from running it once."""
    _, shapes = shape_table(model)
    if inputs:
        counted = [n for n in model.graph.node if n.op_type in COUNTED_OPS]
        open_names = sorted({v for n in counted if node_macs(n, shapes) is None
                             for v in list(n.input) + list(n.output)
                             if v and (shapes.get(v) is None or None in shapes[v])})
        if open_names:
            try:
                shapes.update(shapes_by_running(model, open_names, inputs))
            except Exception:  # noqa: BLE001 - the count stays marked inexact
                pass
    total, exact = 0, True
    for node in model.graph.node:
        if node.op_type not in COUNTED_OPS:
            continue
        m = node_macs(node, shapes)
        if m is None:
            exact = False
        else:
            total += m
    return 2.0 * total / 1e6, exact


# ---- timing ------------------------------------------------------------------

def first_error_line(text):
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    line = next((ln for ln in lines if "error:" in ln), lines[0] if lines else "no message")
    return line.replace("onnxcc: error:", "").strip()[:140]


def call(cmd, timeout):
    """(returncode, stdout, stderr); a timeout kills the whole process group."""
    proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, "", f"timeout after {timeout:g} s"
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


class OnnxccProgram:
    """One model timed through `onnxcc run`, the documented way: it compiles
    the model, builds the program with -O3 -march=native against the runtime,
    runs it (warm-ups, then timed runs around NAME_run only) and prints a JSON
    line with the median. Each round calls it again: the compile is the same
    every time (about a second for resnet18 here) and is not in the timing.
    The first call also writes the outputs, for the comparison with ORT."""

    def __init__(self, args, model: Path, inputs, out_dir: Path):
        self.args, self.model, self.inputs, self.out_dir = args, model, inputs, out_dir
        self.error = None
        self.outputs = None
        self.threads = 1  # onnxcc run --threads, set per table

    def time(self, runs, warmup):
        """median ms of `runs` runs, or None (self.error says why)."""
        cmd = [self.args.onnxcc, "run", self.model, *self.inputs, "--runs", runs,
               "--warmup", warmup]
        if self.threads > 1:
            cmd += ["--threads", str(self.threads)]
        first = self.outputs is None
        if first:
            shutil.rmtree(self.out_dir, ignore_errors=True)
            cmd += ["--output-dir", self.out_dir]
        rc, out, err = call(cmd, self.args.timeout)
        if rc != 0:
            self.error = (f"exit {rc}: " if rc is not None else "") + first_error_line(err or out)
            return None
        try:
            summary = json.loads([ln for ln in out.splitlines() if ln.strip()][-1])
            ms = float(summary["median_ms"])
        except (IndexError, ValueError, KeyError, TypeError):
            self.error = "onnxcc run printed no JSON timing line"
            return None
        if first:
            files = sorted(self.out_dir.glob("output_*.pb"),
                           key=lambda p: int(p.stem.split("_")[1]))
            self.outputs = [numpy_helper.to_array(onnx.load_tensor(str(f))) for f in files]
        return ms


def ort_reference(model: Path, inputs):
    """ORT's outputs with graph optimizations off: the reference both
    onnxcc's and the timed (optimized) session's outputs are checked against.
    Optimized ORT is not always right itself: on tests/models/audio_cnn1d,
    ORT 1.20.1 at ORT_ENABLE_ALL is off by 1.7 % of the largest output."""
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    arrays = [numpy_helper.to_array(onnx.load_tensor(str(p))) for p in inputs]
    return sess.run(None, dict(zip(names, arrays)))


class OrtSession:
    """ONNX Runtime on the CPU provider, configured as the README says."""

    def __init__(self, model: Path, inputs, threads):
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.sess = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
        names = [i.name for i in self.sess.get_inputs()]
        arrays = [numpy_helper.to_array(onnx.load_tensor(str(p))) for p in inputs]
        self.feeds = dict(zip(names, arrays))
        self.outputs = self.sess.run(None, self.feeds)
        # Timed through IOBinding with the outputs allocated once: onnxcc's
        # program times NAME_run on buffers it allocated beforehand, so ORT
        # should not pay for allocating outputs or converting numpy each run.
        # What remains is one Python -> C call per run (a few microseconds:
        # visible only on the smallest models; the README says so).
        try:
            b = self.sess.io_binding()
            # the binding holds raw pointers: these OrtValues (and the arrays
            # they wrap) must live as long as it does
            self.bound = []
            for name, arr in self.feeds.items():
                self.bound.append(ort.OrtValue.ortvalue_from_numpy(arr))
                b.bind_ortvalue_input(name, self.bound[-1])
            for o, ref in zip(self.sess.get_outputs(), self.outputs):
                self.bound.append(ort.OrtValue.ortvalue_from_numpy(np.empty_like(ref)))
                b.bind_ortvalue_output(o.name, self.bound[-1])
            self.sess.run_with_iobinding(b)
            self.binding = b
        except Exception:  # noqa: BLE001 - fall back to plain run
            self.binding = None

    def _once(self):
        if self.binding is not None:
            self.sess.run_with_iobinding(self.binding)
        else:
            self.sess.run(None, self.feeds)

    def time(self, runs, warmup):
        for _ in range(warmup):
            self._once()
        ts = []
        for _ in range(runs):
            t0 = time.perf_counter()
            self._once()
            ts.append((time.perf_counter() - t0) * 1e3)
        return statistics.median(ts)


def agreement(got, want, tol):
    """'ok', or a warning naming the worst output."""
    if got is None:
        return "-"
    if len(got) != len(want):
        return f"WARN {len(got)} outputs, ORT {len(want)}"
    for k, (g, w) in enumerate(zip(got, want)):
        if g.shape != w.shape:
            return f"WARN output {k} shape {list(g.shape)} != ORT {list(w.shape)}"
        if g.size == 0:
            continue
        if not np.issubdtype(w.dtype, np.floating):
            if not np.array_equal(g, w):
                return f"WARN output {k} differs"
            continue
        diff = float(np.max(np.abs(g.astype(np.float64) - w.astype(np.float64))))
        scale = float(np.max(np.abs(w.astype(np.float64))))
        if not math.isfinite(diff) or diff > tol * scale:
            rel = diff / scale if scale > 0 else diff
            return f"WARN output {k} max err {diff:.2g} (rel {rel:.2g})"
    return "ok"


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


# ---- tables -----------------------------------------------------------------

def print_table(heads, rows):
    """heads: [(key, title)], rows: dicts; every cell left aligned."""
    widths = {k: max([len(t)] + [len(str(r.get(k, ""))) for r in rows]) for k, t in heads}

    def line(cells):
        return "  ".join(f"{c:<{widths[k]}}" for c, (k, _) in zip(cells, heads)).rstrip()
    print(line([t for _, t in heads]))
    print(line(["-" * widths[k] for k, _ in heads]))
    for r in rows:
        print(line([str(r.get(k, "")) for k, _ in heads]))


def fmt_ms(x):
    return "-" if x is None else f"{x:.4g}"


def machine_info():
    cpu = platform.processor() or platform.machine()
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                             capture_output=True, text=True).stdout.strip()
    except OSError:
        rev = ""
    return {"cpu": cpu, "cpus": os.cpu_count(), "load": list(os.getloadavg()),
            "onnxcc_rev": rev, "onnxruntime": ort.__version__, "onnx": onnx.__version__,
            "python": platform.python_version()}


# ---- the FMA peak --------------------------------------------------------------

def run_tool(args, name, flags):
    """The JSON line that benchmarks/NAME.c prints, built with $CC and
    flags into the cache once (again when the source is newer), or
    {"error": ...}."""
    src = ROOT / "benchmarks" / f"{name}.c"
    exe = args.cache / name
    args.cache.mkdir(parents=True, exist_ok=True)
    cc = os.environ.get("CC", "cc").split()
    if not exe.is_file() or exe.stat().st_mtime < src.stat().st_mtime:
        r = subprocess.run([*cc, *flags, "-std=c99", str(src), "-o", str(exe)], capture_output=True, text=True)
        if r.returncode != 0:
            return {"error": f"cc {name}.c: " + first_error_line(r.stderr)}
    r = subprocess.run([str(exe)], capture_output=True, text=True)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": f"{name} printed no JSON line"}


def fma_peak(args):
    """{"gflops": ..., "isa": ...} from benchmarks/peak.c, or {"error": ...}."""
    return run_tool(args, "peak", ["-O3", "-march=native"])


def core_link(args):
    """{"round_trip_ns": ..., "read_mib_us": ...} between the first two
    CPUs, from benchmarks/core_link.c, or {"error": ...}."""
    return run_tool(args, "core_link", ["-O2", "-pthread"])


# ---- whole models ----------------------------------------------------------------

def one_round(args, rd, prog, sess):
    """One round of onnxcc's and ORT's timings (a list of one median each, empty
    for a side that could not run), in turns: who goes first alternates with
    the round, so a slow drift of the machine's load favours neither."""
    cc_t, ort_t = [], []
    for who in (("cc", "ort") if rd % 2 == 0 else ("ort", "cc")):
        if who == "cc" and prog.error is None:
            ms = prog.time(args.runs, args.warmup)
            if ms is not None:
                cc_t.append(ms)
        elif who == "ort" and sess is not None:
            ort_t.append(sess.time(args.runs, args.warmup))
    return cc_t, ort_t


def interleaved(args, prog, sess):
    """All the rounds of one_round: onnxcc's and ORT's round medians."""
    cc_t, ort_t = [], []
    for rd in range(args.rounds):
        c, o = one_round(args, rd, prog, sess)
        cc_t += c
        ort_t += o
    return cc_t, ort_t


def median_or_none(xs):
    return statistics.median(xs) if xs else None


def bench_models(args):
    mods_cache = {}
    prepared = []  # name, mflops, program or None, error
    for name in args.model_list:
        files = model_files(name, args, mods_cache)
        if isinstance(files, str):
            prepared.append({"model": name, "error": files})
            continue
        model_path, inputs = files
        entry = {"model": name, "path": model_path, "inputs": inputs}
        try:
            mf, exact = count_mflops(onnx.load(str(model_path)), inputs)
            entry["mflops"] = mf
            entry["mflops_cell"] = f"{mf:.2f}" if mf < 10 else f"{mf:.0f}"
            if not exact:
                entry["mflops_cell"] += "+?"  # some node's shapes unknown
        except Exception as exc:  # noqa: BLE001
            entry["mflops"], entry["mflops_cell"] = None, f"? ({type(exc).__name__})"
        prepared.append(entry)

    work = Path(tempfile.mkdtemp(prefix="onnxcc-bench-"))
    tables = {threads: [] for threads in args.thread_list}
    try:
        print(f"\n== {args.rounds} round(s) over all models, each round at {', '.join(map(str, args.thread_list))} "
              f"thread(s) in turns: {args.runs} runs after {args.warmup} warm-up(s) per side ==", flush=True)
        # Round-major: each round times every model once, so a model's rounds
        # lie a whole round (a minute or more) apart and the median of its
        # round medians outlasts a slow spell of the shared machine shorter
        # than that; run model by model, one slow minute took all the rounds
        # of a model or two (README, "Reading the table"). Within a round a
        # model's thread counts are timed back to back, in the reverse order
        # every other round, so a speed-up is still the ratio of times taken
        # in the same minutes.
        live = []
        for e in prepared:
            rows = {}
            for threads in args.thread_list:
                rows[threads] = {"model": e["model"], "mflops": e.get("mflops"),
                                 "mflops_cell": e.get("mflops_cell", "-"), "cc_threads": threads,
                                 "onnxcc_ms": None, "ort_ms": None, "ratio": None, "check": "-",
                                 "note": e.get("error", "")}
                tables[threads].append(rows[threads])
            if "path" not in e:
                continue
            progs, sessions = {}, {}
            for threads in args.thread_list:
                progs[threads] = OnnxccProgram(args, e["path"], e["inputs"], work / f"{e['model']}-{threads}")
                progs[threads].threads = threads
                try:
                    sessions[threads] = OrtSession(e["path"], e["inputs"], threads)
                except Exception as exc:  # noqa: BLE001
                    sessions[threads] = None
                    rows[threads]["note"] = "ORT: " + (str(exc).splitlines() or [type(exc).__name__])[0][:120]
            live.append({"e": e, "rows": rows, "progs": progs, "sessions": sessions,
                         "cc_t": {t: [] for t in args.thread_list},
                         "ort_t": {t: [] for t in args.thread_list},
                         "links": {t: [] for t in args.thread_list}})
        for rd in range(args.rounds):
            for m in live:
                for threads in (args.thread_list if rd % 2 == 0 else args.thread_list[::-1]):
                    # the link between the cores, just before and after each
                    # multi-thread round: a VM's vCPUs move between caches
                    before = core_link(args) if threads > 1 else None
                    c, o = one_round(args, rd, m["progs"][threads], m["sessions"][threads])
                    m["cc_t"][threads] += c
                    m["ort_t"][threads] += o
                    if threads > 1:
                        m["links"][threads] += [before, core_link(args)]
            print(f"  round {rd + 1} of {args.rounds} done", flush=True)
        for m in live:
            e, rows, progs, sessions = m["e"], m["rows"], m["progs"], m["sessions"]
            cc_t, ort_t, links = m["cc_t"], m["ort_t"], m["links"]
            for threads in args.thread_list:
                row, prog, sess = rows[threads], progs[threads], sessions[threads]
                if threads > 1:
                    row["core_link"] = links[threads]
                row["onnxcc_ms"], row["ort_ms"] = median_or_none(cc_t[threads]), median_or_none(ort_t[threads])
                if prog.error:
                    # onnxcc's refusal first: it is what the row is about
                    row["note"] = ("onnxcc: " + prog.error + "; " + row["note"]).rstrip("; ")
                if row["onnxcc_ms"] and row["ort_ms"]:
                    row["ratio"] = row["onnxcc_ms"] / row["ort_ms"]
                if "ref" not in e:
                    try:
                        e["ref"] = ort_reference(e["path"], e["inputs"])
                    except Exception:  # noqa: BLE001 - then the timed session's
                        e["ref"] = sess.outputs if sess is not None else None
                if e["ref"] is not None and prog.outputs is not None:
                    row["check"] = agreement(prog.outputs, e["ref"], args.tol)
                if e["ref"] is not None and sess is not None:
                    ort_check = agreement(sess.outputs, e["ref"], args.tol)
                    if ort_check != "ok":
                        row["note"] = (row["note"] + " optimized ORT itself: "
                                       + ort_check.replace("WARN ", "")).strip()
                row["rounds_onnxcc_ms"], row["rounds_ort_ms"] = cc_t[threads], ort_t[threads]
                print(f"  {e['model']} ({threads} thr): onnxcc {fmt_ms(row['onnxcc_ms'])} ms, "
                      f"ORT {fmt_ms(row['ort_ms'])} ms {row['note']}".rstrip(), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    summary = {}
    for threads, rows in tables.items():
        for r in rows:
            r["onnxcc_cell"] = fmt_ms(r["onnxcc_ms"])
            r["ort_cell"] = fmt_ms(r["ort_ms"])
            r["ratio_cell"] = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"\nthreads: {threads} (ORT intra-op threads, onnxcc --threads)")
        print_table([("model", "model"), ("mflops_cell", "MFLOPs"),
                     ("onnxcc_cell", "onnxcc ms"), ("ort_cell", "ORT ms"),
                     ("ratio_cell", "onnxcc/ORT"), ("cc_threads", "onnxcc thr"),
                     ("check", "outputs"), ("note", "note")], rows)
        all_g = geomean([r["ratio"] for r in rows])
        small_rows = [r for r in rows if r["mflops"] is not None and r["mflops"] < 1]
        small_g = geomean([r["ratio"] for r in small_rows])
        n_all = sum(1 for r in rows if r["ratio"])
        n_small = sum(1 for r in small_rows if r["ratio"])
        print(f"geomean onnxcc/ORT: all {('%.2f' % all_g) if all_g else '-'} ({n_all} models); "
              f"under 1 MFLOP {('%.2f' % small_g) if small_g else '-'} ({n_small} models)")
        summary[str(threads)] = {"geomean_all": all_g, "models_all": n_all,
                                 "geomean_under_1_mflop": small_g, "models_under_1_mflop": n_small}
    speedups = print_speedups(tables)
    return {"tables": {str(t): [{k: v for k, v in r.items() if not k.endswith("_cell")}
                                for r in rows] for t, rows in tables.items()},
            "geomean": summary, "speedup": speedups}


def print_speedups(tables):
    """Per model, the 1-thread time over each larger thread count's, for
    onnxcc and for ORT (the rows of each model were timed back to back);
    {"T": [{"model", "onnxcc", "ort"}]}."""
    out = {}
    if 1 not in tables:
        return out
    for threads, rows in tables.items():
        if threads == 1:
            continue
        res = []
        for one, many in zip(tables[1], rows):
            cc = one["onnxcc_ms"] / many["onnxcc_ms"] if one["onnxcc_ms"] and many["onnxcc_ms"] else None
            ort = one["ort_ms"] / many["ort_ms"] if one["ort_ms"] and many["ort_ms"] else None
            link = many.get("core_link") or []
            trips = [x["round_trip_ns"] for x in link if x and "error" not in x]
            res.append({"model": one["model"], "onnxcc": cc, "ort": ort, "core_link": link,
                        "onnxcc_cell": "-" if cc is None else f"{cc:.2f}",
                        "ort_cell": "-" if ort is None else f"{ort:.2f}",
                        "link_cell": f"{min(trips):.0f} / {max(trips):.0f}" if trips else "-"})
        print(f"\nspeed-up at {threads} threads (1-thread time / {threads}-thread time, the model's rounds at each"
              " count in turns; core link: benchmarks/core_link.c's round trip between the first two CPUs,"
              f" least / most of its readings before and after each {threads}-thread round)")
        print_table([("model", "model"), ("onnxcc_cell", "onnxcc"), ("ort_cell", "ORT"),
                     ("link_cell", "core link ns")], res)
        out[str(threads)] = [{k: v for k, v in r.items() if not k.endswith("_cell")} for r in res]
    return out


# ---- one node at a time ------------------------------------------------------------

def describe(node, shapes):
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    x, w = shapes.get(node.input[0]), shapes.get(node.input[1])
    if node.op_type == "Conv":
        k = "x".join(str(d) for d in w[2:])
        s = attrs.get("strides", [1])
        stride = s[0] if len(set(s)) == 1 else "x".join(map(str, s))
        g = attrs.get("group", 1)
        return (f"{'x'.join(map(str, x[1:]))}->{w[0]} k{k} s{stride}"
                + (f" g{g}" if g != 1 else ""))
    return f"{'x'.join(map(str, x))} @ {'x'.join(map(str, w))}" + \
        (" T" if attrs.get("transB") else "")


def one_node_model(node, shapes, inits, graph_opset):
    """The node alone: activations become graph inputs, initializers keep their
    shapes with new random values (the speed of a kernel does not depend on
    the values; denormals aside, which normal random data avoids)."""
    rng = np.random.default_rng(1)
    g_inputs, g_inits = [], []
    for i, name in enumerate(node.input):
        if not name:
            continue
        if name in inits:
            t = inits[name]
            arr = (rng.standard_normal(list(t.dims)) * 0.1).astype(
                onnx.helper.tensor_dtype_to_np_dtype(t.data_type))
            g_inits.append(numpy_helper.from_array(arr, f"p{i}"))
        else:
            g_inputs.append(helper.make_tensor_value_info(f"x{i}", onnx.TensorProto.FLOAT,
                                                          shapes[name]))
    renamed = [(f"p{i}" if name in inits else f"x{i}") if name else ""
               for i, name in enumerate(node.input)]
    n = helper.make_node(node.op_type, renamed, ["y"], name=node.name or node.op_type)
    n.attribute.extend(node.attribute)
    out = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, shapes[node.output[0]])
    g = helper.make_graph([n], "one_node", g_inputs, [out], g_inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", graph_opset)])
    m.ir_version = 8
    return m


def in_model_profile(args, model_path, inputs):
    """Each node of the whole model as it runs there (one thread), from
    `onnxcc run --profile`: {node name: (median ms, kernel)}, the median of
    --rounds rounds' per-node medians; or a string saying why not."""
    per_node, kernels = {}, {}
    for _ in range(args.rounds):
        rc, out, err = call([args.onnxcc, "run", model_path, *inputs, "--runs", args.runs,
                             "--warmup", args.warmup, "--profile"], args.timeout)
        if rc != 0:
            return (f"exit {rc}: " if rc is not None else "") + first_error_line(err or out)
        try:
            summary = json.loads([ln for ln in out.splitlines() if ln.strip()][-1])
            for e in summary["profile"]:
                per_node.setdefault(e["node"], []).append(float(e["median_ms"]))
                kernels[e["node"]] = e["kernel"]
        except (IndexError, ValueError, KeyError, TypeError):
            return "onnxcc run --profile printed no JSON profile"
    return {n: (statistics.median(v), kernels[n]) for n, v in per_node.items()}


def bench_shapes(args, peak):
    mods_cache = {}
    peak_g = peak.get("gflops")
    results = {}
    work = Path(tempfile.mkdtemp(prefix="onnxcc-shapes-"))
    try:
        for name in args.model_list:
            files = model_files(name, args, mods_cache)
            if isinstance(files, str):
                print(f"\n{name}: {files}")
                results[name] = {"error": files}
                continue
            model = onnx.load(str(files[0]))
            opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
            _, shapes = shape_table(model)
            inits = {t.name: t for t in model.graph.initializer}
            distinct = {}  # key -> row
            for node in model.graph.node:
                if node.op_type not in TIMED_SHAPE_OPS:
                    continue
                macs = node_macs(node, shapes)
                if macs is None or any(i and i not in shapes for i in node.input):
                    continue
                key = (node.op_type, tuple(tuple(shapes[i]) if i else () for i in node.input),
                       tuple(sorted((a.name, str(helper.get_attribute_value(a)))
                                    for a in node.attribute)),
                       tuple(bool(i in inits) for i in node.input))
                if key in distinct:
                    distinct[key]["count"] += 1
                    distinct[key]["names"].append(node.name)
                    continue
                distinct[key] = {"node": node.name, "op": node.op_type,
                                 "shape": describe(node, shapes), "mflops": 2.0 * macs / 1e6,
                                 "count": 1, "proto": node, "names": [node.name]}
            rows = list(distinct.values())
            print(f"\n{name}: {len(rows)} distinct Conv/Gemm/MatMul shapes "
                  f"({sum(r['count'] for r in rows)} nodes), timing ...", flush=True)
            for k, r in enumerate(rows):
                path = work / f"{name}_{k}.onnx"
                onnx.save(one_node_model(r.pop("proto"), shapes, inits, opset), str(path))
                # a random input file, so onnxcc and ORT see the same data
                m1 = onnx.load(str(path))
                in_files = []
                rng = np.random.default_rng(2)
                for j, gi in enumerate(m1.graph.input):
                    dims = [d.dim_value for d in gi.type.tensor_type.shape.dim]
                    arr = rng.standard_normal(dims).astype(np.float32)
                    f = work / f"{name}_{k}_in{j}.pb"
                    f.write_bytes(numpy_helper.from_array(arr, gi.name).SerializeToString())
                    in_files.append(f)
                prog = OnnxccProgram(args, path, in_files, work / f"{name}_{k}_out")
                try:
                    sess = OrtSession(path, in_files, 1)
                except Exception:  # noqa: BLE001
                    sess = None
                cc_t, ort_t = interleaved(args, prog, sess)
                r["onnxcc_ms"], r["ort_ms"] = median_or_none(cc_t), median_or_none(ort_t)
                r["note"] = prog.error or ""
                for who in ("onnxcc", "ort"):
                    ms = r[f"{who}_ms"]
                    gf = r["mflops"] / ms if ms else None  # MFLOP per ms = GFLOP/s
                    r[f"{who}_gflops"] = gf
                    r[f"{who}_gflops_cell"] = "-" if gf is None else f"{gf:.1f}"
                    r[f"{who}_pct_cell"] = "-" if gf is None or not peak_g else \
                        f"{100 * gf / peak_g:.0f}%"
                    r[f"{who}_cell"] = fmt_ms(ms)
                r["mflops_cell"] = f"{r['mflops']:.1f}"
                if prog.outputs is not None:
                    chk = agreement(prog.outputs, ort_reference(path, in_files), args.tol)
                    if chk != "ok":
                        r["note"] = (r["note"] + " " + chk).strip()
            print(f"{name}: the whole model, --profile ...", flush=True)
            prof = in_model_profile(args, files[0], files[1])
            for r in rows:
                got = [prof[n] for n in r.pop("names") if n] if isinstance(prof, dict) else []
                ms = statistics.median(t for t, _ in got) if got else None
                gf = r["mflops"] / ms if ms else None
                r["model_ms"], r["model_gflops"] = ms, gf
                r["model_kernel"] = ",".join(sorted({k for _, k in got})) if got else "-"
                r["model_cell"] = fmt_ms(ms)
                r["model_gflops_cell"] = "-" if gf is None else f"{gf:.1f}"
                r["model_pct_cell"] = "-" if gf is None or not peak_g else f"{100 * gf / peak_g:.0f}%"
            if isinstance(prof, str):
                print(f"{name}: no in-model figures: {prof}")
            print(f"\n{name}: per-node speed, 1 thread (peak {peak_g} GFLOP/s = 100%)")
            print_table([("node", "node"), ("op", "op"), ("shape", "shape"), ("count", "n"),
                         ("mflops_cell", "MFLOPs"), ("onnxcc_cell", "onnxcc ms"),
                         ("onnxcc_gflops_cell", "GFLOP/s"), ("onnxcc_pct_cell", "% peak"),
                         ("ort_cell", "ORT ms"), ("ort_gflops_cell", "ORT GFLOP/s"),
                         ("ort_pct_cell", "ORT % peak"), ("model_cell", "in model ms"),
                         ("model_gflops_cell", "GFLOP/s"), ("model_pct_cell", "% peak"),
                         ("model_kernel", "kernel in model"), ("note", "note")], rows)
            tot = sum(r["mflops"] * r["count"] for r in rows)
            cc_all = [r for r in rows if r["onnxcc_ms"]]
            if cc_all and len(cc_all) == len(rows):
                cc_ms = sum(r["onnxcc_ms"] * r["count"] for r in rows)
                line = f"all {sum(r['count'] for r in rows)} nodes: {tot:.0f} MFLOPs, " \
                       f"onnxcc {cc_ms:.2f} ms ({tot / cc_ms:.1f} GFLOP/s)"
                if all(r["ort_ms"] for r in rows):
                    o_ms = sum(r["ort_ms"] * r["count"] for r in rows)
                    line += f", ORT {o_ms:.2f} ms ({tot / o_ms:.1f} GFLOP/s)"
                if all(r["model_ms"] for r in rows):
                    m_ms = sum(r["model_ms"] * r["count"] for r in rows)
                    line += f"; in the model, onnxcc {m_ms:.2f} ms ({tot / m_ms:.1f} GFLOP/s)"
                print(line)
            results[name] = [{k: v for k, v in r.items() if not k.endswith("_cell")} for r in rows]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main(argv):
    args = parse_args(argv)
    info = machine_info()
    print(f"{info['cpu']}, {info['cpus']} CPUs, load {info['load'][0]:.2f}; onnxcc "
          f"{info['onnxcc_rev']} ({args.onnxcc}), onnxruntime {info['onnxruntime']}", flush=True)
    report = {"machine": info,
              "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}}
    need_peak = args.peak or args.shapes
    if need_peak:
        peak = fma_peak(args)
        report["peak"] = peak
        if "error" in peak:
            print(f"FMA peak: {peak['error']}")
        else:
            print(f"FMA peak, one core: {peak['gflops']:.1f} GFLOP/s ({peak['isa']}, "
                  f"{peak['floats']} floats x {peak['chains']} chains)", flush=True)
    if not args.peak:
        if not (args.onnxcc.is_file() and os.access(args.onnxcc, os.X_OK)):
            print(f"onnxcc binary not found: {args.onnxcc} (build it, or pass --onnxcc)")
            return 2
        if args.shapes:
            report["shapes"] = bench_shapes(args, report.get("peak", {}))
        else:
            report.update(bench_models(args))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n")
        print(f"(written to {args.json})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
