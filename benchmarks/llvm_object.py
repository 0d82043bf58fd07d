#!/usr/bin/env python3
"""What the object backend's specialisation gains: one model, three programs.

    .venv/bin/python benchmarks/llvm_object.py                  # the default five models
    .venv/bin/python benchmarks/llvm_object.py --models mlp,resnet18 --runs 20 --rounds 5

For each model, the same driver (`onnxcc run`'s, templates/driver.c.in) is
built three ways, all at -O3 with -march=native:
  gcc C     what `onnxcc run` builds today: the generated C and the runtime
            (built from its sources by the same cc, cached), linked
  clang C   the same with CC=clang (so that the next column compares
            compilers alike: `onnxcc run` with CC=clang)
  object    `onnxcc MODEL -o model.o --cpu native`: the generated C and the
            kernels it calls as one LLVM module, optimised together
The programs run in turns (the order rotates every round), each run timing
--runs calls of NAME_run after --warmup untimed ones; a column is the median
of its round medians. "spec" is clang C / object (what the one module gains
over linking the same compiler's prebuilt kernels), "vs gcc" gcc C / object;
above 1 the object is faster. The last row is their geometric mean.

A benchmark, not a test: it never fails on a timing. benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the model set, its export, tables)

ROOT = bench.ROOT
DEFAULT_MODELS = "mlp,audio_cnn1d,squeezenet1_1,mobilenet_v2,resnet18"
KINDS = ("gcc C", "clang C", "object")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--onnxcc", type=Path, default=ROOT / "build" / "onnxcc")
    p.add_argument("--models", default=DEFAULT_MODELS, help=f"comma-separated (default {DEFAULT_MODELS})")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--cache", type=Path, default=ROOT / "build" / "bench",
                   help="exported models, as benchmarks/run.py (default build/bench)")
    p.add_argument("--skip-build", action="store_true", help="export nothing")
    p.add_argument("--timeout", type=float, default=900)
    args = p.parse_args(argv)
    args.onnxcc = args.onnxcc.resolve()
    args.cache = args.cache.resolve()
    return args


def kept_program(args, model, inputs, cc) -> Path | str:
    """The folder `onnxcc run --keep` built with CC (prog, driver.c, in_*),
    or why not."""
    env = {**os.environ, "CC": cc}
    r = subprocess.run([str(args.onnxcc), "run", str(model), *map(str, inputs), "--keep"],
                       capture_output=True, text=True, env=env, timeout=args.timeout)
    m = re.search(r"kept build folder (\S+)", r.stderr)
    if r.returncode or not m:
        return f"onnxcc run (CC={cc}): " + bench.first_error_line(r.stderr or r.stdout)
    return Path(m.group(1))


def object_program(args, model, c_dir: Path, out: Path) -> str | None:
    """OUT/prog: the C path's driver linked with the object (and, last, the
    runtime archive, for the driver's own rt_status_str only)."""
    r = subprocess.run([str(args.onnxcc), str(model), "-o", str(out / "model.o"), "--cpu", "native"],
                       capture_output=True, text=True, timeout=args.timeout)
    if r.returncode:
        return "onnxcc -o model.o: " + bench.first_error_line(r.stderr)
    for f in c_dir.glob("in_*"):
        shutil.copy(f, out / f.name)
    lib = args.onnxcc.parent / "runtime" / "libonnxcc_rt.a"
    r = subprocess.run(["cc", "-O3", "-march=native", "-std=c99", f"-I{ROOT / 'runtime' / 'include'}", f"-I{out}",
                        str(c_dir / "driver.c"), str(out / "model.o"), str(lib), "-lm", "-o", str(out / "prog")],
                       capture_output=True, text=True)
    return "linking the object: " + bench.first_error_line(r.stderr) if r.returncode else None


def time_once(args, folder: Path, n_inputs: int) -> float:
    """The program's median ms over --runs calls: prog WEIGHTS RUNS WARMUP DIR INPUT..."""
    cmd = [folder / "prog", folder / "model.weights", args.runs, args.warmup, folder,
           *[folder / f"in_{i}.bin" for i in range(n_inputs)]]
    rc, out, err = bench.call(cmd, args.timeout)
    m = re.search(r"ONNXCC_TIMES (\S+)", out + err)
    if rc != 0 or not m:
        raise RuntimeError(f"{folder / 'prog'} exit {rc}: {(err or out).strip()[:200]}")
    return float(m.group(1))


def outputs_agree(a: Path, b: Path) -> str:
    """'ok', or the largest difference of the float32 outputs (the object
    is Clang's code, the C path GCC's: last bits may differ)."""
    worst = 0.0
    for fa in sorted(a.glob("output_*.bin")):
        x = np.frombuffer(fa.read_bytes(), dtype=np.uint8)
        y = np.frombuffer((b / fa.name).read_bytes(), dtype=np.uint8)
        if x.size != y.size:
            return f"WARN {fa.name} sizes differ"
        if x.size % 4 == 0 and not np.array_equal(x, y):
            xf, yf = x.view(np.float32), y.view(np.float32)
            worst = max(worst, float(np.abs(xf - yf).max() / max(1e-30, float(np.abs(xf).max()))))
    return "ok" if worst <= 1e-4 else f"WARN rel diff {worst:.2g}"


def bench_model(args, name, mods_cache, tmp: Path) -> dict:
    row = {"model": name}
    files = bench.model_files(name, args, mods_cache)
    if isinstance(files, str):
        row["note"] = files
        return row
    model, inputs = files
    dirs = {}
    try:
        for kind, cc in (("gcc C", "cc"), ("clang C", "clang")):
            d = kept_program(args, model, inputs, cc)
            if isinstance(d, str):
                row["note"] = d
                return row
            dirs[kind] = d
        dirs["object"] = tmp / name
        dirs["object"].mkdir()
        why = object_program(args, model, dirs["gcc C"], dirs["object"])
        if why:
            row["note"] = why
            return row
        times = {k: [] for k in KINDS}
        for rd in range(args.rounds):
            order = KINDS[rd % 3:] + KINDS[:rd % 3]
            for k in order:
                times[k].append(time_once(args, dirs[k], len(inputs)))
        med = {k: statistics.median(v) for k, v in times.items()}
        row.update({k: bench.fmt_ms(med[k]) for k in KINDS})
        row["spec"] = f"{med['clang C'] / med['object']:.2f}"
        row["vs gcc"] = f"{med['gcc C'] / med['object']:.2f}"
        row["_ratios"] = (med["clang C"] / med["object"], med["gcc C"] / med["object"])
        row["outputs"] = outputs_agree(dirs["gcc C"], dirs["object"])
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        row["note"] = str(exc)[:160]
    finally:
        for k in ("gcc C", "clang C"):
            if k in dirs:
                shutil.rmtree(dirs[k], ignore_errors=True)
    return row


def main(argv):
    args = parse_args(argv)
    info = bench.machine_info()
    print(f"{info['cpu']}, {info['cpus']} CPUs, load {info['load'][0]:.2f}; onnxcc {info['onnxcc_rev']}; "
          f"{args.runs} runs x {args.rounds} rounds, ms per NAME_run (median of round medians)", flush=True)
    if not args.onnxcc.is_file():
        print(f"onnxcc binary not found: {args.onnxcc} (build it, or pass --onnxcc)")
        return 2
    rows, mods_cache = [], {}
    with tempfile.TemporaryDirectory(prefix="onnxcc-llvm-bench-") as t:
        for name in args.models.split(","):
            rows.append(bench_model(args, name, mods_cache, Path(t)))
            print(f"  {name}: done", flush=True)
    ratios = [r["_ratios"] for r in rows if "_ratios" in r]
    if ratios:
        rows.append({"model": "geomean", "spec": f"{bench.geomean([a for a, _ in ratios]):.2f}",
                     "vs gcc": f"{bench.geomean([b for _, b in ratios]):.2f}"})
    heads = [("model", "model")] + [(k, f"{k} ms") for k in KINDS] + [
        ("spec", "spec"), ("vs gcc", "vs gcc"), ("outputs", "outputs"), ("note", "note")]
    bench.print_table(heads, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
