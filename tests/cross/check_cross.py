#!/usr/bin/env python3
"""The runtime cross-built for every target of cross/, and models run under
qemu user mode on the Linux ones.

For each cross file cross/TARGET.ini:
  build TARGET   configures build-cross-TARGET (-Druntime_only=true
                 -Dwerror=true, so any warning of the project's flags,
                 -Wdouble-promotion included, fails the build) and builds
                 it; the compiler must print no warning either.
  float kernels TARGET   (bare-metal Arm only, where double arithmetic is
                 a call to a software routine) no float kernel calls a double
                 routine, itself or through the archive's functions it calls,
                 unless tests/cross/double_ok.txt lists it with its reason;
                 a line there that matches no such kernel fails too.
  64-bit division TARGET   (the same targets, whose cross files turn on
                 runtime_index32) no float kernel, f64 included, calls a
                 64-bit division routine (__aeabi_ldivmod and the like),
                 unless tests/cross/div64_ok.txt lists it with its reason.
For each cross file with an emulator ([properties] emulator: qemu-aarch64,
qemu-riscv64), and each data set of each model (default: every folder of
tests/models with a model.onnx but the expected failures of the conformance
runner's xfail.txt, models/NAME, reported as skipped; one with a dims.txt is
compiled for those --dim ranges and each data set runs at its own size):
  run TARGET MODEL/SET
                 compiles the model with the host onnxcc (weights file), builds
                 the generated code with `onnxcc run`'s driver
                 (templates/driver.c.in) against the cross-built runtime,
                 statically, with the target's compiler, runs it under the
                 emulator on the data set's inputs, and compares its outputs
                 with the reference ones as the conformance runner's models
                 suite does (max|actual - expected| <= 1e-4 * max|expected|,
                 other types exactly; strings pass as the generated code's
                 slots, tests/conformance/raw_io.py).

A cross compiler, its C library or the emulator that is missing makes its
checks "skip" with the reason (scripts/test installs them all, so there it
never skips); when every check is skipped the output starts with SKIP.
Closing line: N passed, M failed, K skipped.

    .venv/bin/python tests/cross/check_cross.py --onnxcc build/onnxcc [--target T ...] [--model DIR ...]
"""
from __future__ import annotations

import argparse
import ast
import configparser
import fnmatch
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "models"))
sys.path.insert(0, str(ROOT / "tests" / "conformance"))

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx"), __file__)   # re-runs under .venv without them

import raw_io  # noqa: E402  (the program's input and output files, string slots included)
import run as conformance  # noqa: E402  (the runner's tensor loading and comparison)
from onnx import numpy_helper  # noqa: E402

# Debian package of each tool the cross files name, for the skip message.
PACKAGES = {
    "arm-none-eabi-gcc": "gcc-arm-none-eabi",
    "aarch64-linux-gnu-gcc": "gcc-aarch64-linux-gnu",
    "riscv64-linux-gnu-gcc": "gcc-riscv64-linux-gnu",
    "qemu-aarch64": "qemu-user",
    "qemu-riscv64": "qemu-user",
}
LIBC_PACKAGES = {
    "arm-none-eabi-gcc": "libnewlib-arm-none-eabi",
    "aarch64-linux-gnu-gcc": "libc6-dev-arm64-cross",
    "riscv64-linux-gnu-gcc": "libc6-dev-riscv64-cross",
}
MODELS_REL = 1e-4   # as tests/conformance/run.py --models-rel
RUN_TIMEOUT_S = 120


class Target:
    """What check_cross needs from one Meson cross file."""

    def __init__(self, ini: Path):
        cp = configparser.ConfigParser()
        cp.read(ini)
        # Meson's machine files hold Python-like literals.
        val = lambda sec, key, default: (ast.literal_eval(cp.get(sec, key))  # noqa: E731
                                         if cp.has_option(sec, key) else default)
        self.name = ini.stem
        self.ini = ini
        self.cc = val("binaries", "c", None)
        # the toolchain: every program the file names but the emulator
        self.tools = [val("binaries", k, None) for k in cp.options("binaries") if k != "exe_wrapper"]
        self.wrapper = val("properties", "emulator", None)
        if isinstance(self.wrapper, str):
            self.wrapper = [self.wrapper]
        self.c_args = val("built-in options", "c_args", [])
        self.link_args = val("built-in options", "c_link_args", [])
        self.cpu_family = val("host_machine", "cpu_family", None)
        # the project's own options the file sets (runtime_index32 = true),
        # as meson spells their values on its command line
        self.options = {k: cp.get("project options", k).strip().strip("'") for k in
                        (cp.options("project options") if cp.has_section("project options") else [])}
        self.system = val("host_machine", "system", None)

    def missing(self) -> str | None:
        """Why this target's runtime cannot be built here, or None."""
        for tool in self.tools:
            if not shutil.which(tool):
                return f"{tool} not found (Debian package {PACKAGES.get(self.cc, '?')})"
        # The C library: -print-file-name answers the bare name when absent.
        r = subprocess.run([self.cc, *self.c_args, "-print-file-name=libc.a"],
                           capture_output=True, text=True)
        if r.returncode or not Path(r.stdout.strip()).is_absolute():
            return f"{self.cc} has no C library (Debian package {LIBC_PACKAGES.get(self.cc, '?')})"
        return None


class Report:
    def __init__(self):
        self.passed = self.failed = 0
        self.skips: list[str] = []

    def check(self, name: str, why: str | None):
        if why:
            self.failed += 1
            print(f"FAIL {name}: {why}", flush=True)
        else:
            self.passed += 1
            print(f"ok   {name}", flush=True)

    def skip(self, name: str, why: str):
        self.skips.append(why)
        print(f"skip {name}: {why}", flush=True)


def tail(text: str, n: int = 1500) -> str:
    text = text.strip()
    return text if len(text) <= n else "..." + text[-n:]


def build_runtime(t: Target, build_dir: Path, jobs: int) -> str | None:
    """Configures (once) and builds the runtime for T; None when it built
    without a warning, else why not."""
    opts = ["-Druntime_only=true", "-Dwerror=true"]
    # the cross file's project options again: reconfiguring a folder set up
    # before the file gained one does not read the file
    opts += [f"-D{k}={v}" for k, v in t.options.items()]
    if (build_dir / "build.ninja").exists():
        # the same options on an existing folder; --reconfigure also reads a
        # meson_options.txt that gained an option since it was set up (which
        # `meson configure` refuses as unknown)
        cmd = ["meson", "setup", "--reconfigure", str(build_dir), *opts]
    else:
        cmd = ["meson", "setup", str(build_dir), "--cross-file", str(t.ini), *opts]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode:
        return f"{' '.join(cmd[:2])} failed: {tail(r.stdout + r.stderr)}"
    r = subprocess.run(["ninja", "-C", str(build_dir), f"-j{jobs}"], capture_output=True, text=True)
    out = r.stdout + r.stderr
    if r.returncode:
        return f"ninja failed: {tail(out)}"
    warnings = [line for line in out.splitlines() if "warning:" in line]
    if warnings:
        return f"{len(warnings)} warning(s), first: {warnings[0].strip()}"
    return None


# What a double-precision operation becomes on an Arm core without a double
# FPU: a call to one of the run-time ABI's routines, or to libm's double
# functions.
DOUBLE_CALL = re.compile(r"^(__aeabi_(d[a-z0-9]+|[lu]*i?2d|f2d|ul2d|l2d))$|^(exp|expm1|log|log1p|log2|log10|pow|"
                         r"sqrt|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|erf|"
                         r"floor|ceil|round|nearbyint|rint|trunc|fmod|fabs|lrint|llrint|lround|llround)$")
FLOAT_KERNEL = re.compile(r"^rt_\w*_(f32|f16|bf16)(_|$)")


def routine_users(t: Target, build_dir: Path, routine: re.Pattern) -> dict | str:
    """Each function of T's runtime archive that calls a routine matching
    ROUTINE, itself or through the archive's functions it calls: {name:
    the routines}; a str says why it could not be read."""
    objdump = re.sub(r"gcc$", "objdump", t.cc)
    r = subprocess.run([objdump, "-r", str(build_dir / "runtime" / "libonnxcc_rt.a")],
                       capture_output=True, text=True)
    if r.returncode:
        return f"{objdump} failed: {tail(r.stderr)}"
    # per function (its own section, -ffunction-sections): the routines it
    # calls, and the functions of the archive it calls
    direct: dict[tuple, set] = {}
    calls: dict[tuple, set] = {}
    obj = section = ""
    for line in r.stdout.splitlines():
        m = re.match(r"^(\S+\.o):\s+file format", line)
        if m:
            obj, section = m.group(1), ""
            continue
        m = re.match(r"^RELOCATION RECORDS FOR \[\.text\.([\w.]+)\]:", line)
        if m or line.startswith("RELOCATION RECORDS"):
            section = m.group(1) if m else ""
            direct.setdefault((obj, section), set())
            continue
        parts = line.split()
        if section and len(parts) == 3:
            sym = parts[2]
            (direct if routine.match(sym) else calls).setdefault((obj, section), set()).add(sym)

    def callee(o: str, name: str):
        """The archive's function NAME as called from object O: a static
        one of O first, else a global one of any object."""
        if (o, name) in direct:
            return (o, name)
        return next((k for k in direct if k[1] == name), None)

    def reach(fn: tuple) -> set:
        seen, todo, out = {fn}, [fn], set()
        while todo:
            f = todo.pop()
            out |= direct.get(f, set())
            for name in calls.get(f, ()):
                c = callee(f[0], name)
                if c and c not in seen:
                    seen.add(c)
                    todo.append(c)
        return out

    using = {name: reach((o, name)) for (o, name) in direct}
    return {k: v for k, v in using.items() if v}


def unlisted_kernels(kernels: dict, allow: str, what: str) -> str | None:
    """None when every kernel of KERNELS ({name: routines}) matches a
    pattern of tests/cross/ALLOW and every pattern there matches one, else
    why not (WHAT: what the kernels do)."""
    patterns = [line.split("#")[0].strip() for line in (HERE / allow).read_text().splitlines()]
    patterns = [pat for pat in patterns if pat]
    new = sorted(k for k in kernels if not any(fnmatch.fnmatchcase(k, pat) for pat in patterns))
    if new:
        return (f"{len(new)} float kernel(s) {what}: "
                + ", ".join(f"{k} ({' '.join(sorted(kernels[k]))})" for k in new[:5]))
    stale = [pat for pat in patterns if not any(fnmatch.fnmatchcase(k, pat) for k in kernels)]
    if stale:
        return f"tests/cross/{allow}: {', '.join(stale)} match no float kernel that does: delete"
    return None


def double_in_float_kernels(t: Target, build_dir: Path) -> str | None:
    """None when every float kernel of T's runtime that calls a double
    routine, itself or through the functions it calls, is in
    tests/cross/double_ok.txt and every pattern there still matches one,
    else why not."""
    using = routine_users(t, build_dir, DOUBLE_CALL)
    if isinstance(using, str):
        return using
    kernels = {k: v for k, v in using.items() if FLOAT_KERNEL.match(k) and "f64" not in k}
    return unlisted_kernels(kernels, "double_ok.txt", "do double arithmetic")


# What a 64-bit integer division or modulo becomes on a 32-bit core: a call
# to the run-time ABI's routine (Arm) or libgcc's.
DIV64_CALL = re.compile(r"^(__aeabi_ldivmod|__aeabi_uldivmod|__divdi3|__udivdi3|__moddi3|__umoddi3)$")
# the float kernels, double ones included: their divisions are of indices
INDEX_KERNEL = re.compile(r"^rt_\w*_(f32|f16|bf16|f64)(_|$)")


def div64_in_float_kernels(t: Target, build_dir: Path) -> str | None:
    """None when every float kernel of T's runtime (built with
    runtime_index32) that calls a 64-bit division routine, itself or
    through the functions it calls, is in tests/cross/div64_ok.txt and
    every pattern there still matches one, else why not."""
    using = routine_users(t, build_dir, DIV64_CALL)
    if isinstance(using, str):
        return using
    kernels = {k: v for k, v in using.items() if INDEX_KERNEL.match(k)}
    return unlisted_kernels(kernels, "div64_ok.txt", "divide in 64 bits")


def compile_model(model_dir: Path, onnxcc: str, out: Path) -> str | None:
    """The generated code of MODEL_DIR in OUT (model.c, model.h, model.weights)."""
    out.mkdir(parents=True)
    # a model with variable dims (dims.txt, as tests/models/check_symbolic.py)
    # is compiled once for their ranges; each data set runs at its own size
    dims = model_dir / "dims.txt"
    flags = [f for d in (dims.read_text().split() if dims.exists() else []) for f in ("--dim", d)]
    try:
        r = subprocess.run([onnxcc, str(model_dir / "model.onnx"), "-o", str(out / "model.c"), *flags],
                           capture_output=True, text=True)
    except OSError as exc:
        return f"cannot run {onnxcc}: {exc}"
    if r.returncode:
        return f"onnxcc exit {r.returncode}: {tail(r.stderr)}"
    driver = (ROOT / "templates" / "driver.c.in").read_text().replace("{{VERSION}}", "check_cross")
    (out / "driver.c").write_text(driver)
    return None


def build_program(t: Target, gen: Path, build_dir: Path, prog: Path) -> str | None:
    """Links the generated code, the driver and T's runtime into one static
    program for T."""
    cmd = [t.cc, *t.c_args, *t.link_args, "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror",
           f"-I{ROOT / 'runtime' / 'include'}", f"-I{gen}", str(gen / "model.c"), str(gen / "driver.c"),
           str(build_dir / "runtime" / "libonnxcc_rt.a"), "-lm", "-static", "-o", str(prog)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        return f"{t.cc} failed: {tail(r.stderr)}"
    return None


def numbered(folder: Path, prefix: str) -> list[Path]:
    return sorted(folder.glob(f"{prefix}_*.pb"), key=lambda p: int(p.stem.split("_")[1]))


def map_output_keys(model_path: Path) -> dict:
    """{K: labels} for each graph output K that is ZipMap's sequence of
    maps: the program writes it as the dense [N, C] float tensor of the
    maps' values, columns in label order (docs/api.md, "Map outputs")."""
    import onnx
    g = onnx.load(str(model_path), load_external_data=False).graph
    made_by = {o: n for n in g.node for o in n.output}
    found = {}
    for k, vi in enumerate(g.output):
        n = made_by.get(vi.name)
        if n is None or n.op_type != "ZipMap":
            continue
        attrs = {a.name: a for a in n.attribute}
        found[k] = (list(attrs["classlabels_int64s"].ints) if "classlabels_int64s" in attrs
                    else list(attrs["classlabels_strings"].strings))
    return found


def dense_maps(path: Path, labels: list, rank: int):
    """The expected sequence of maps at PATH as that dense tensor, of RANK
    2 ([N, C]) or 1 (one map, [C])."""
    seq = conformance.SequenceProto()
    seq.ParseFromString(path.read_bytes())
    rows = []
    for m in seq.map_values:
        d = dict(zip(conformance.map_keys(m), conformance.map_values(m).tolist()))
        rows.append([d[key] for key in labels])
    dense = conformance.np.array(rows, dtype=conformance.np.float32)
    return numpy_helper.from_array(dense.reshape(-1) if rank == 1 else dense)


def input_arrays(path: Path, is_map: bool) -> list:
    """The program's inputs from one input file: a tensor, or a map's keys
    and values (docs/api.md, "Map inputs": two inputs; string keys are
    slots: raw_io.to_raw)."""
    if not is_map:
        return [numpy_helper.to_array(conformance.load_tensor(path))]
    return conformance.map_file_arrays(path)


def run_set(t: Target, prog: Path, gen: Path, ds: Path, work: Path, map_keys: dict, map_inputs: set) -> str | None:
    """Runs PROG under T's emulator on data set DS; None when every output
    matches its reference (MAP_KEYS: map_output_keys of the model,
    MAP_INPUTS: the positions of its map inputs)."""
    work.mkdir(parents=True)
    arrays = []
    for k, f in enumerate(numbered(ds, "input")):
        arrays += input_arrays(f, k in map_inputs)
    args = raw_io.write_inputs(arrays, work)
    cmd = [*t.wrapper, str(prog), str(gen / "model.weights"), "1", "0", str(work), *args]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"no result within {RUN_TIMEOUT_S} s under {t.wrapper[0]}"
    if r.returncode:
        return f"program exit {r.returncode} under {t.wrapper[0]}: {tail(r.stdout + r.stderr, 500)}"
    tol = conformance.Tolerance(max_rel=MODELS_REL)
    for k, f in enumerate(numbered(ds, "output")):
        labels = map_keys.get(k)
        rank = int((work / f"output_{k}.dims").read_text().split()[0])
        # one map from a 1-D ZipMap input is a row of its own
        want_t = dense_maps(f, labels, rank) if labels is not None else conformance.load_tensor(f)
        got, why = raw_io.read_output(work, k, numpy_helper.to_array(want_t))
        if why:
            return why
        why = conformance.compare_arrays(want_t, numpy_helper.from_array(got), k, tol)
        if why:
            return why
    return None


def run_models(t: Target, models: list[Path], gens: dict, build_dir: Path, tmp: Path, rep: Report):
    for model_dir in models:
        sets = sorted(model_dir.glob("test_data_set_*"))
        label = lambda ds: f"run {t.name} {model_dir.name}/{ds.name}"  # noqa: E731
        why = gens[model_dir]
        prog = tmp / t.name / model_dir.name / "prog"
        if not why:
            prog.parent.mkdir(parents=True)
            why = build_program(t, tmp / "gen" / model_dir.name, build_dir, prog)
        for ds in sets:
            rep.check(label(ds), why or run_set(t, prog, tmp / "gen" / model_dir.name, ds,
                                                prog.parent / ds.name, map_output_keys(model_dir / "model.onnx"),
                                                conformance.map_input_positions(model_dir / "model.onnx")))


def default_models(rep: Report) -> list[Path]:
    """Every model folder of tests/models but those the conformance runner
    expects to fail (models/NAME in its xfail.txt: onnxcc refuses them, a
    missing op), which are reported as skipped."""
    xfail = conformance.XfailList.load(ROOT / "tests" / "conformance" / "xfail.txt").entries
    models = []
    for d in sorted(m.parent for m in (ROOT / "tests" / "models").glob("*/model.onnx")):
        why = xfail.get(f"models/{d.name}")
        if why is not None:
            rep.skip(f"run {d.name}", f"expected failure (tests/conformance/xfail.txt): {why}")
        else:
            models.append(d)
    return models


def main(argv) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--onnxcc", default=str(ROOT / "build" / "onnxcc"), help="the host compiler")
    p.add_argument("--target", action="append", help="a cross file's name (default: every cross/*.ini)")
    p.add_argument("--model", action="append", type=Path,
                   help="a model folder (model.onnx, test_data_set_*); default: all of tests/models")
    p.add_argument("--build-root", type=Path, default=ROOT, help="where build-cross-TARGET go")
    p.add_argument("-j", "--jobs", type=int, default=2)
    args = p.parse_args(argv)
    inis = sorted((ROOT / "cross").glob("*.ini"))
    if args.target:
        known = {i.stem: i for i in inis}
        unknown = [n for n in args.target if n not in known]
        if unknown:
            p.error(f"no cross/{unknown[0]}.ini")
        inis = [known[n] for n in args.target]
    rep = Report()
    models = [m.resolve() for m in (args.model or default_models(rep))]
    with tempfile.TemporaryDirectory(prefix="onnxcc-cross-") as td:
        tmp = Path(td)
        gens: dict = {}   # model folder -> None or why it did not compile
        for ini in inis:
            t = Target(ini)
            why = t.missing()
            if why:
                rep.skip(f"build {t.name}", why)
                if t.wrapper:
                    rep.skip(f"run {t.name}", why)
                continue
            build_dir = args.build_root / f"build-cross-{t.name}"
            why = build_runtime(t, build_dir, args.jobs)
            rep.check(f"build {t.name}", why)
            if t.cpu_family == "arm" and t.system == "none":
                rep.check(f"float kernels {t.name}",
                          why and "the runtime did not build" or double_in_float_kernels(t, build_dir))
                rep.check(f"64-bit division {t.name}",
                          why and "the runtime did not build" or div64_in_float_kernels(t, build_dir))
            if not t.wrapper:
                continue   # bare metal: runs under qemu-system, not here
            if why:
                rep.check(f"run {t.name}", "the runtime did not build")
                continue
            if not shutil.which(t.wrapper[0]):
                rep.skip(f"run {t.name}",
                         f"{t.wrapper[0]} not found (Debian package {PACKAGES.get(t.wrapper[0], '?')})")
                continue
            for m in models:
                if m not in gens:
                    gens[m] = compile_model(m, args.onnxcc, tmp / "gen" / m.name)
            run_models(t, models, gens, build_dir, tmp, rep)
    if rep.skips and not rep.passed and not rep.failed:
        print(f"SKIP {rep.skips[0]}")
    print(f"{rep.passed} passed, {rep.failed} failed, {len(rep.skips)} skipped")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
