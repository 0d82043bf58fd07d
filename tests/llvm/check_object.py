#!/usr/bin/env python3
"""The object backend: `onnxcc MODEL.onnx -o OUT.o` (Clang, one module).

For the host, for each model (default: tests/models mlp and audio_cnn1d):
  run MODEL      builds the model to model.o, checks that it links with libm
                 alone (a shared object, no undefined symbol), links it with
                 the driver `onnxcc run` uses (templates/driver.c.in; the
                 runtime archive last, from which only the driver's own
                 rt_status_str may be taken), runs it on every data set and compares
                 with the reference outputs and with the C path's program
                 (model.c + libonnxcc_rt.a, same driver) output by output;
                 the first model also at -O0 (LLVM's -O1).
  symbols MODEL  the object's global symbols (nm -g --defined-only) are
                 among those model.h declares (also with --embed-weights,
                 which writes no weights file).
Then, on mlp:
  emit-llvm      --emit-llvm -o model.ll is IR llvm-as accepts; model.bc is
                 bitcode ('BC' magic).
  target T       --target thumbv7em-none-eabihf and aarch64-linux-gnu
                 write a relocatable ELF object for that machine.
  errors         an unknown --target and --emit-llvm with .o are usage
                 errors (exit 2); no clang in PATH names Debian package clang,
                 clang without llvm-link names package llvm (exit 3); a
                 failing Clang step (an unknown --cpu) leaves the previous
                 outputs as they were and no new file beside them.

With --onnxcc naming an ASan build (and --cflags=-fsanitize=address,undefined
for the driver, which links that build's runtime archive), the compiler itself
runs under the sanitizers. No clang in PATH: every check is skipped (SKIP line).

    .venv/bin/python tests/llvm/check_object.py --onnxcc build/onnxcc [--cflags ...] [--model DIR ...]

Closing line: N passed, M failed.
"""
from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "models"))

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx"), __file__)

import check_symbolic  # noqa: E402  (the driver build's run-and-compare of one data set)
import numpy as np  # noqa: E402
import onnx  # noqa: E402

CLANG_NAMES = ["clang"] + [f"clang-{v}" for v in range(20, 10, -1)]
ELF_MACHINES = {"thumbv7em-none-eabihf": (1, 40), "aarch64-linux-gnu": (2, 183)}  # (ELF class, e_machine)


def tool(name: str) -> str | None:
    """NAME of the Clang that onnxcc would pick ("llvm-as" -> "llvm-as-14")."""
    for c in CLANG_NAMES:
        if shutil.which(c) and shutil.which("llvm-link" + c[5:]):
            return shutil.which(name + c[5:])
    return None


def onnxcc(exe: str, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True, env=env)


CFLAGS: list[str] = []  # --cflags: the driver's build (a sanitized runtime archive needs the sanitizers)


def link(tmp: Path, objs: list[str]) -> str | None:
    """tmp/prog from the driver and OBJS; None on success, else why not."""
    driver = (ROOT / "templates" / "driver.c.in").read_text().replace("{{VERSION}}", "check_object")
    (tmp / "driver.c").write_text(driver)
    r = subprocess.run(["cc", *CFLAGS, "-O2", "-std=c99", f"-I{ROOT / 'runtime' / 'include'}", f"-I{tmp}",
                        str(tmp / "driver.c"), *objs, "-lm", f"-Wl,-Map={tmp / 'prog.map'}", "-o", str(tmp / "prog")],
                       capture_output=True, text=True)
    return f"linking failed: {r.stderr.strip()[:2000]}" if r.returncode else None


def runtime_lib(exe: str) -> str:
    return str(Path(exe).resolve().parent / "runtime" / "libonnxcc_rt.a")


def self_contained(tmp: Path) -> str | None:
    """model.o links with libm alone (a shared object with no undefined
    symbol left), and the driver took from the runtime archive only what
    the driver itself calls (rt_status_str, from <onnxcc/runtime.h>)."""
    r = subprocess.run(["cc", "-shared", str(tmp / "model.o"), "-lm", "-Wl,--no-undefined", "-o", str(tmp / "m.so")],
                       capture_output=True, text=True)
    if r.returncode:
        return f"model.o does not link with libm alone: {r.stderr.strip()[:1000]}"
    pulled = re.findall(r"libonnxcc_rt\.a\((\S+)\)\s*\n?\s*(\S+) \((\w+)\)", (tmp / "prog.map").read_text())
    wrong = [p for p in pulled if p[1].endswith("model.o") or p[2] != "rt_status_str"]
    return f"the program took runtime members for the object: {wrong}" if wrong else None


def build_c(exe: str, model: Path, tmp: Path) -> str | None:
    r = onnxcc(exe, model, "-o", tmp / "model.c")
    if r.returncode:
        return f"onnxcc exit {r.returncode}: {r.stderr.strip()}"
    return link(tmp, [str(tmp / "model.c"), runtime_lib(exe)])


def build_object(exe: str, model: Path, tmp: Path, *extra: str) -> str | None:
    r = onnxcc(exe, model, "-o", tmp / "model.o", "--cpu", "native", *extra)
    if r.returncode:
        return f"onnxcc exit {r.returncode}: {r.stderr.strip()}"
    # the archive last: the driver's own rt_status_str comes from there
    return link(tmp, [str(tmp / "model.o"), runtime_lib(exe)]) or self_contained(tmp)


def same_outputs(a: Path, b: Path, model: Path) -> str | None:
    """The two programs' outputs of one data set agree (floats to 1e-5 of
    the largest magnitude: Clang and GCC may contract a*b+c differently)."""
    outs = onnx.load(str(model), load_external_data=False).graph.output
    for k, o in enumerate(outs):
        dt = onnx.helper.tensor_dtype_to_np_dtype(o.type.tensor_type.elem_type)
        x = np.frombuffer((a / f"output_{k}.bin").read_bytes(), dtype=dt)
        y = np.frombuffer((b / f"output_{k}.bin").read_bytes(), dtype=dt)
        if x.shape != y.shape:
            return f"output {k}: {y.size} values, the C path's program {x.size}"
        tol = 1e-5 * max(1.0, float(np.abs(x).max())) if x.dtype.kind == "f" and x.size else 0
        if x.size and np.abs(x.astype(np.float64) - y.astype(np.float64)).max() > tol:
            return f"output {k} differs from the C path's by {np.abs(x - y).max():.3g}"
    return None


def check_run(exe: str, model_dir: Path, base: Path, *extra: str) -> str | None:
    model = model_dir / "model.onnx"
    a, b = base / "c", base / "obj"
    a.mkdir()
    b.mkdir()
    why = build_c(exe, model, a) or build_object(exe, model, b, *extra)
    maps = {}
    for ds in sorted(model_dir.glob("test_data_set_*")):
        why = why or check_symbolic.run_set(ds, a, maps) or check_symbolic.run_set(ds, b, maps)
        why = why or same_outputs(a / ds.name, b / ds.name, model)
    return why


def header_symbols(h: Path) -> set[str]:
    """The names model.h declares: its functions and extern objects."""
    text = re.sub(r"/\*.*?\*/", "", h.read_text(), flags=re.S)
    names = set(re.findall(r"\b(\w+)\s*\(", text)) | set(re.findall(r"\bextern\b[^;(]*?\b(\w+)\s*(?:\[[^;]*)?;", text))
    return {n for n in names if not n.isupper()}


def global_symbols(obj: Path) -> set[str]:
    r = subprocess.run(["nm", "-g", "--defined-only", str(obj)], capture_output=True, text=True, check=True)
    return {line.split()[-1] for line in r.stdout.splitlines() if line.strip()}


def check_symbols(exe: str, model: Path, base: Path, embed: bool) -> str | None:
    out = base / ("embed.o" if embed else "model.o")
    r = onnxcc(exe, model, "-o", out, *(["--embed-weights"] if embed else []))
    if r.returncode:
        return f"onnxcc exit {r.returncode}: {r.stderr.strip()}"
    got = global_symbols(out)
    declared = header_symbols(out.with_suffix(".h"))
    if not got or not got <= declared:
        return f"global symbols not in the header: {sorted(got - declared)} (header: {sorted(declared)})"
    if out.with_suffix(".weights").exists() == embed:
        return "the weights file is " + ("written although embedded" if embed else "missing")
    return None


def check_emit_llvm(exe: str, model: Path, base: Path) -> str | None:
    r = onnxcc(exe, model, "--emit-llvm", "-o", base / "m.ll")
    if r.returncode:
        return f"onnxcc exit {r.returncode}: {r.stderr.strip()}"
    llvm_as = tool("llvm-as")
    if llvm_as:
        v = subprocess.run([llvm_as, str(base / "m.ll"), "-o", os.devnull], capture_output=True, text=True)
        if v.returncode:
            return f"llvm-as rejects the IR: {v.stderr.strip()[:500]}"
    r = onnxcc(exe, model, "--emit-llvm", "-o", base / "m.bc")
    if r.returncode or (base / "m.bc").read_bytes()[:2] != b"BC":
        return f"no bitcode written: {r.stderr.strip()}"
    return None


def check_target(exe: str, model: Path, base: Path, triple: str) -> str | None:
    out = base / f"{triple}.o"
    r = onnxcc(exe, model, "-o", out, "--target", triple)
    if r.returncode:
        return f"onnxcc exit {r.returncode}: {r.stderr.strip()}"
    head = out.read_bytes()[:20]
    cls, machine = ELF_MACHINES[triple]
    e_type, e_machine = struct.unpack("<HH", head[16:20])
    if head[:4] != b"\x7fELF" or head[4] != cls or e_type != 1 or e_machine != machine:
        return f"not a relocatable ELF object for {triple}: {head!r}"
    got, declared = global_symbols(out), header_symbols(out.with_suffix(".h"))
    return None if got <= declared else f"global symbols not in the header: {sorted(got - declared)}"


def expect_error(r: subprocess.CompletedProcess, code: int, words: str) -> str | None:
    if r.returncode != code or words not in r.stderr:
        return f"exit {r.returncode} (want {code}), stderr without '{words}': {r.stderr.strip()[:300]}"
    return None


def check_errors(exe: str, model: Path, base: Path) -> str | None:
    clang = next(shutil.which(c) for c in CLANG_NAMES if shutil.which(c))
    only_clang = base / "only-clang"
    only_clang.mkdir()
    os.symlink(clang, only_clang / "clang")
    why = (expect_error(onnxcc(exe, model, "-o", base / "x.o", "--target", "vax-dec-ultrix"), 2, "unknown --target")
           or expect_error(onnxcc(exe, model, "-o", base / "x.o", "--emit-llvm"), 2, "--emit-llvm writes LLVM IR")
           or expect_error(onnxcc(exe, model, "-o", base / "x.c", "--target", "aarch64-linux-gnu"), 2, "object output")
           or expect_error(onnxcc(exe, model, "-o", base / "x.o", env={**os.environ, "PATH": str(base / "none")}),
                           3, "install Debian package clang")
           or expect_error(onnxcc(exe, model, "-o", base / "x.o", env={**os.environ, "PATH": str(only_clang)}),
                           3, "install Debian package llvm"))
    if why:
        return why
    out = base / "keep.o"
    out.write_bytes(b"previous")
    before = sorted(p.name for p in base.iterdir())
    r = onnxcc(exe, model, "-o", out, "--cpu", "no-such-cpu")
    if r.returncode == 0:
        return "an unknown --cpu built an object"
    if out.read_bytes() != b"previous" or sorted(p.name for p in base.iterdir()) != before:
        return f"a failed build changed the outputs: {sorted(p.name for p in base.iterdir())} (was {before})"
    return None


def main(argv) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--onnxcc", default=str(ROOT / "build" / "onnxcc"))
    p.add_argument("--model", action="append", help="a model folder (default: tests/models mlp and audio_cnn1d)")
    p.add_argument("--cflags", default="", help="flags for the driver's build, e.g. -fsanitize=address,undefined")
    args = p.parse_args(argv)
    CFLAGS[:] = shlex.split(args.cflags)
    if not any(shutil.which(c) for c in CLANG_NAMES):
        print("SKIP: no clang in PATH (install Debian packages clang and llvm)")
        print("0 passed, 0 failed")
        return 0
    exe = str(Path(args.onnxcc).resolve())
    models = [Path(m) for m in args.model] if args.model else [ROOT / "tests" / "models" / n
                                                                 for n in ("mlp", "audio_cnn1d")]
    mlp = models[0] / "model.onnx"
    checks = []
    for m in models:
        checks.append((f"run {m.name}", lambda b, m=m: check_run(exe, m, b)))
        checks.append((f"symbols {m.name}", lambda b, m=m: check_symbols(exe, m / "model.onnx", b, False)))
    checks.append((f"run {models[0].name} -O0", lambda b: check_run(exe, models[0], b, "-O0")))
    checks.append(("symbols --embed-weights", lambda b: check_symbols(exe, mlp, b, True)))
    checks.append(("emit-llvm", lambda b: check_emit_llvm(exe, mlp, b)))
    for triple in ELF_MACHINES:
        checks.append((f"target {triple}", lambda b, t=triple: check_target(exe, mlp, b, t)))
    checks.append(("errors", lambda b: check_errors(exe, mlp, b)))
    passed = failed = 0
    for name, fn in checks:
        with tempfile.TemporaryDirectory(prefix="onnxcc-llvm-") as t:
            why = fn(Path(t))
        print(f"{'FAIL' if why else 'ok  '} {name}{': ' + why if why else ''}", flush=True)
        passed += not why
        failed += bool(why)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
