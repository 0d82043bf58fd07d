#!/usr/bin/env python3
"""Models on an emulated Cortex-M4 board: a bare-metal firmware image.

Builds one firmware image for QEMU's mps2-an386 machine (Cortex-M4 with its
FPU) from
  cross/firmware/      startup code, semihosting calls and the board's
                       linker script (what a user copies, docs/integration.md)
  tests/cross/firmware/main.c   runs each model and prints its outputs
  models.c             written here: each model's test_data_set_0 inputs as
                       const arrays, its output buffers, one shared arena
  the generated code   `onnxcc --embed-weights --weights-section
                       .onnxcc_weights` of each model (the linker script
                       keeps that section in flash)
  the runtime          cross-built for cross/cortex-m4f.ini into
                       build-cross-cortex-m4f (as tests/cross/check_cross.py)
runs it under `qemu-system-arm -M mps2-an386 -cpu cortex-m4` with
semihosting (output and exit code), and compares each printed output with
the data set's reference as the conformance runner's models suite does
(max|actual - expected| <= 1e-4 * max|expected|, other types exactly).

The runtime and the generated code use 32-bit indices (the cross file's
runtime_index32). Checks: "build firmware", "no 64-bit division in the
firmware" (the image links no __aeabi_ldivmod, __aeabi_uldivmod or
libgcc's __divdi3 family), then "run MODEL" for each model, then "info mlp
--target cortex-m4f": what `onnxcc info --target` measures for
tests/models/mlp, whose onnxcc code (generated code plus the runtime
kernels it links, -Os) must be at most 8 KiB (the issue's figure). Then
`onnxcc run --target cortex-m4f` itself (its own image: the driver's
semihosting file I/O, the runtime from its cache): "run --target MODEL" for
tests/models/{mlp,audio_cnn1d} on test_data_set_0 against its outputs
(--output-dir), the JSON line saying it was not timed; a string input
refused (exit 1, one line naming it); a model too big for the board's RAM
(exit 1, one line naming the sizes); no qemu-system-arm in PATH (exit 3
naming the package); cortex-m0plus refused (exit 2, no board); --threads 2
refused (exit 2: one core, no pool in the driver there). A missing
arm-none-eabi-gcc, newlib or qemu-system-arm makes the output start with
SKIP and the reason (scripts/test installs them).
Closing line: N passed, M failed, K skipped.

    .venv/bin/python tests/cross/check_firmware.py --onnxcc build/onnxcc [--model DIR ...] [--keep DIR]
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import check_cross  # noqa: E402  (Target, Report, build_runtime; it loads the runner and numpy)
from check_cross import ROOT, conformance, numpy_helper, tail  # noqa: E402

np = conformance.np
DEFAULT_MODELS = ["mlp", "audio_cnn1d", "pt_small_cnn"]
TARGET = "cortex-m4f"
SECTION = ".onnxcc_weights"
QEMU = ["qemu-system-arm", "-M", "mps2-an386", "-cpu", "cortex-m4", "-nographic", "-monitor", "none",
        "-semihosting-config", "enable=on,target=native"]
RUN_TIMEOUT_S = 300
FW = ROOT / "cross" / "firmware"
MLP_CODE_LIMIT = 8192


def c_bytes(data: bytes) -> str:
    return ",\n".join(",".join(str(b) for b in data[i:i + 32]) for i in range(0, len(data), 32)) or "0"


def model_source(name: str, ds: Path) -> tuple[str, list]:
    """The C of one model's entry in models.c, and its reference outputs."""
    ins = [numpy_helper.to_array(conformance.load_tensor(f)) for f in check_cross.numbered(ds, "input")]
    outs = [conformance.load_tensor(f) for f in check_cross.numbered(ds, "output")]
    c = [f'#include "{name}.h"']
    for i, x in enumerate(ins):
        # C order, little-endian as the target
        c.append(f"static const unsigned char {name}_in{i}[] FW_ALIGN = {{\n{c_bytes(x.tobytes())}}};")
    for k, t in enumerate(outs):
        c.append(f"static unsigned char {name}_out{k}[{max(numpy_helper.to_array(t).nbytes, 1)}] FW_ALIGN;")
    c.append(f"static const void *const {name}_ins[] = {{{', '.join(f'{name}_in{i}' for i in range(len(ins))) or '0'}}};")
    c.append(f"static void *const {name}_outs[] = {{{', '.join(f'{name}_out{k}' for k in range(len(outs)))}}};")
    c.append(f"static const unsigned char *const {name}_out_ptrs[] = "
             f"{{{', '.join(f'{name}_out{k}' for k in range(len(outs)))}}};")
    c.append(f"static const size_t {name}_out_bytes[] = "
             f"{{{', '.join(str(numpy_helper.to_array(t).nbytes) for t in outs)}}};")
    c.append(f"""static int run_{name}(void *arena, size_t arena_bytes) {{
  static {name}_ctx ctx;
  /* no weights pointer: the embedded blob */
  int st = {name}_init(&ctx, 0, 0, arena, arena_bytes);
  return st ? st : {name}_run(&ctx, {name}_ins, {name}_outs);
}}""")
    return "\n".join(c) + "\n", outs


def models_source(names: list[str], sources: list[str]) -> str:
    arena = " ".join(f"FW_MAX({n.upper()}_ARENA_BYTES," for n in names) + " 64" + ")" * len(names)
    table = "\n".join(f'  {{"{n}", run_{n}, {len(outs)}, {n}_out_ptrs, {n}_out_bytes}},'
                      for n, (_, outs) in zip(names, sources))
    return ("/* Written by tests/cross/check_firmware.py. */\n#include <stddef.h>\n\n#include \"fw_models.h\"\n\n"
            "#define FW_ALIGN __attribute__((aligned(64)))\n#define FW_MAX(a, b) ((a) > (b) ? (a) : (b))\n\n"
            + "".join(src for src, _ in sources)
            + f"\nunsigned char fw_arena[{arena}] FW_ALIGN;\nconst size_t fw_arena_bytes = sizeof fw_arena;\n"
            + f"const fw_model fw_models[] = {{\n{table}\n}};\n"
            + f"const int fw_n_models = {len(names)};\n")


def c_name(model_dir: Path) -> str:
    return re.sub(r"\W", "_", model_dir.name)


def build(t: check_cross.Target, build_dir: Path, models: list[Path], onnxcc: str, work: Path):
    """The firmware image in WORK (fw.elf) and each model's reference
    outputs; raises RuntimeError with why it did not build."""
    srcs, names = [], []
    for m in models:
        name = c_name(m)
        r = subprocess.run([onnxcc, str(m / "model.onnx"), "-o", str(work / f"{name}.c"), "--name", name,
                            "--embed-weights", "--weights-section", SECTION], capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"onnxcc {m.name}: exit {r.returncode}: {tail(r.stderr)}")
        names.append(name)
        srcs.append(model_source(name, m / "test_data_set_0"))
    (work / "models.c").write_text(models_source(names, srcs))
    # the generated code is built as the runtime was (the cross file's
    # runtime_index32), so its guard of RT_INDEX32_MAX holds
    index32 = ["-DONNXCC_RT_INDEX32"] if t.options.get("runtime_index32") == "true" else []
    cflags = [*t.c_args, *index32, "-Os", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
              "-ffunction-sections", "-fdata-sections",
              f"-I{ROOT / 'runtime' / 'include'}", f"-I{FW}", f"-I{HERE / 'firmware'}", f"-I{work}"]
    files = [FW / "startup.c", FW / "semihost.c", HERE / "firmware" / "main.c", work / "models.c",
             *(work / f"{n}.c" for n in names)]
    cmd = [t.cc, *cflags, *map(str, files), str(build_dir / "runtime" / "libonnxcc_rt.a"),
           "-nostartfiles", f"-T{FW / 'mps2-an386.ld'}", "-Wl,--gc-sections", "--specs=nosys.specs",
           "-lm", "-o", str(work / "fw.elf")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{t.cc} failed: {tail(r.stderr)}")
    return dict(zip(names, (outs for _, outs in srcs)))


def div64_linked(t: check_cross.Target, elf: Path) -> str | None:
    """None when the image links no 64-bit division routine (with
    runtime_index32 its kernels divide indices in 32 bits, and none of the
    three models divides int64 data), else which ones."""
    nm = re.sub(r"gcc$", "nm", t.cc)
    r = subprocess.run([nm, str(elf)], capture_output=True, text=True)
    if r.returncode:
        return f"{nm} failed: {tail(r.stderr)}"
    found = sorted({ln.split()[-1] for ln in r.stdout.splitlines()
                    if ln.split() and check_cross.DIV64_CALL.match(ln.split()[-1])})
    return f"the image links {', '.join(found)}" if found else None


def parse(stdout: str) -> dict:
    """model name -> (status, [output bytes])"""
    got: dict = {}
    cur = None
    for line in stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[0] == "model" and f[2] == "status":
            cur = got[f[1]] = (int(f[3]), [])
        elif len(f) == 3 and f[0] == "output" and cur:
            cur[1].append(bytearray())
        elif cur and cur[1] and re.fullmatch(r"[0-9a-f]+", line.strip()):
            cur[1][-1] += bytes.fromhex(line.strip())
    return got


def compare(name: str, got: dict, refs: list) -> str | None:
    if name not in got:
        return "the firmware printed nothing for it"
    st, outs = got[name]
    if st:
        return f"init or run returned status {st}"
    if len(outs) != len(refs):
        return f"{len(outs)} outputs printed, expected {len(refs)}"
    tol = conformance.Tolerance(max_rel=check_cross.MODELS_REL)
    for k, (raw, want_t) in enumerate(zip(outs, refs)):
        want = numpy_helper.to_array(want_t)
        if len(raw) != want.nbytes:
            return f"output {k}: {len(raw)} bytes printed, expected {want.nbytes}"
        got_t = numpy_helper.from_array(np.frombuffer(bytes(raw), dtype=want.dtype).reshape(want.shape))
        why = conformance.compare_arrays(want_t, got_t, k, tol)
        if why:
            return why
    return None


def check_info(onnxcc: str) -> str | None:
    """None when `onnxcc info mlp --target cortex-m4f` prints its table with
    the onnxcc code at most MLP_CODE_LIMIT bytes."""
    model = ROOT / "tests" / "models" / "mlp" / "model.onnx"
    r = subprocess.run([onnxcc, "info", str(model), "--target", TARGET], capture_output=True, text=True)
    if r.returncode:
        return f"exit {r.returncode}: {tail(r.stderr)}"
    print("\n".join(r.stdout.splitlines()[r.stdout.splitlines().index(next(
        line for line in r.stdout.splitlines() if line.startswith("target"))):]), flush=True)
    m = re.search(r"^  onnxcc code\s+(\d+)", r.stdout, re.M)
    if not m or not re.search(r"^  stack\s+[1-9]\d*", r.stdout, re.M):
        return f"no onnxcc code or stack line in: {tail(r.stdout, 800)}"
    if int(m.group(1)) > MLP_CODE_LIMIT:
        return f"onnxcc code {m.group(1)} bytes > {MLP_CODE_LIMIT}"
    return None


RUN_TARGET_MODELS = ["mlp", "audio_cnn1d"]


def run_target(onnxcc: str, model: Path, work: Path) -> str | None:
    """None when `onnxcc run --target cortex-m4f` on the model's
    test_data_set_0 gives its outputs and an untimed JSON line."""
    ds = model / "test_data_set_0"
    out = work / f"run-{model.name}"
    try:
        r = subprocess.run([onnxcc, "run", "--target", TARGET, str(model / "model.onnx"),
                            *map(str, check_cross.numbered(ds, "input")), "--output-dir", str(out), "--runs", "2"],
                           capture_output=True, text=True, timeout=RUN_TIMEOUT_S + 600)
    except subprocess.TimeoutExpired:
        return "no result"
    if r.returncode:
        return f"exit {r.returncode}: {tail(r.stderr)}"
    if '"median_ms": null' not in r.stdout or "not timed on an emulated board" not in r.stdout:
        return f"the JSON line does not say it was not timed: {tail(r.stdout, 300)}"
    tol = conformance.Tolerance(max_rel=check_cross.MODELS_REL)
    for k, want in enumerate(check_cross.numbered(ds, "output")):
        got = out / f"output_{k}.pb"
        if not got.exists():
            return f"no {got.name}"
        why = conformance.compare_arrays(conformance.load_tensor(want), conformance.load_tensor(got), k, tol)
        if why:
            return why
    return None


def one_line_error(r, code: int, *words: str) -> str | None:
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    if r.returncode == code and len(lines) == 1 and all(w in r.stderr for w in words):
        return None
    return f"exit {r.returncode} (expected {code}), stderr {tail(r.stderr, 400)!r}"


def run_target_refusals(onnxcc: str, work: Path, rep: check_cross.Report):
    """A string input, a missing emulator and the Cortex-M0+, each refused
    with one clear line before anything is built."""
    import onnx
    from onnx import TensorProto, helper
    g = helper.make_graph([helper.make_node("Identity", ["s"], ["y"], name="id")], "strings",
                          [helper.make_tensor_value_info("s", TensorProto.STRING, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.STRING, [2])])
    model = work / "strings.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), str(model))
    r = subprocess.run([onnxcc, "run", "--target", TARGET, str(model)], capture_output=True, text=True, timeout=120)
    rep.check("run --target: a string input is refused", one_line_error(r, 1, "'s'", "strings"))
    # 4 MiB in and 4 MiB out: more than the board's RAM
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "big",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1024, 1024])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1024, 1024])])
    big = work / "big.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), str(big))
    r = subprocess.run([onnxcc, "run", "--target", TARGET, str(big)], capture_output=True, text=True, timeout=300)
    rep.check("run --target: a model too big for the board names the sizes",
              one_line_error(r, 1, "does not fit", "inputs and outputs 8388608 bytes", "region `RAM' overflowed by"))
    # the compiler alone in PATH (plus what env and timeout need): the emulator is what is missing
    only_gcc = work / "gcc-bin"
    only_gcc.mkdir()
    (only_gcc / "arm-none-eabi-gcc").symlink_to(shutil.which("arm-none-eabi-gcc"))
    r = subprocess.run([onnxcc, "run", "--target", TARGET, str(ROOT / "tests" / "models" / "mlp" / "model.onnx")],
                       capture_output=True, text=True, timeout=120, env={"PATH": str(only_gcc)})
    rep.check("run --target without qemu-system-arm names its package",
              one_line_error(r, 3, "qemu-system-arm", "install Debian package qemu-system-arm"))
    r = subprocess.run([onnxcc, "run", "--target", "cortex-m0plus", str(model)], capture_output=True, text=True,
                       timeout=60)
    rep.check("run --target cortex-m0plus says why there is no board", one_line_error(r, 2, "microbit"))
    r = subprocess.run([onnxcc, "run", "--target", TARGET, "--threads", "2", str(model)], capture_output=True,
                       text=True, timeout=60)
    rep.check("run --target with --threads 2 says the board has no pool", one_line_error(r, 2, "--threads 2",
                                                                                        "parallel_for"))


def main(argv) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--onnxcc", default=str(ROOT / "build" / "onnxcc"), help="the host compiler")
    p.add_argument("--model", action="append", type=Path,
                   help=f"a model folder with test_data_set_0 (default: tests/models/{{{','.join(DEFAULT_MODELS)}}})")
    p.add_argument("--build-root", type=Path, default=ROOT, help="where build-cross-cortex-m4f goes")
    p.add_argument("--keep", type=Path, help="build the image in this folder and leave it there")
    p.add_argument("-j", "--jobs", type=int, default=2)
    args = p.parse_args(argv)
    models = [m.resolve() for m in (args.model or [ROOT / "tests" / "models" / n for n in DEFAULT_MODELS])]
    rep = check_cross.Report()
    t = check_cross.Target(ROOT / "cross" / f"{TARGET}.ini")
    why = t.missing() or (None if shutil.which(QEMU[0]) else f"{QEMU[0]} not found (Debian package qemu-system-arm)")
    if why:
        print(f"SKIP {why}")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    build_dir = args.build_root / f"build-cross-{TARGET}"
    with tempfile.TemporaryDirectory(prefix="onnxcc-fw-") as td:
        work = args.keep or Path(td)
        work.mkdir(parents=True, exist_ok=True)
        why = check_cross.build_runtime(t, build_dir, args.jobs)
        refs = {}
        if not why:
            try:
                refs = build(t, build_dir, models, args.onnxcc, work)
            except RuntimeError as exc:
                why = str(exc)
        rep.check("build firmware", why)
        rep.check("no 64-bit division in the firmware",
                  why and "the firmware did not build" or div64_linked(t, work / "fw.elf"))
        got, how = {}, why and "the firmware did not build"
        if not why:
            try:
                r = subprocess.run([*QEMU, "-kernel", str(work / "fw.elf")], capture_output=True, text=True,
                                   timeout=RUN_TIMEOUT_S)
                # semihosting's console is QEMU's stderr or stdout, depending on its version
                text = r.stdout + r.stderr
                got = parse(text)
                if "done" not in text.split():
                    how = f"{QEMU[0]} exit {r.returncode} before the end: {tail(text, 500)}"
            except subprocess.TimeoutExpired:
                how = f"no result within {RUN_TIMEOUT_S} s under {QEMU[0]}"
        for m in models:
            name = c_name(m)
            rep.check(f"run {m.name}", how or compare(name, got, refs[name]))
    rep.check(f"info mlp --target {TARGET}", check_info(args.onnxcc))
    with tempfile.TemporaryDirectory(prefix="onnxcc-fw-run-") as td:
        for name in RUN_TARGET_MODELS:
            rep.check(f"run --target {TARGET} {name}", run_target(args.onnxcc, ROOT / "tests" / "models" / name,
                                                                   Path(td)))
        run_target_refusals(args.onnxcc, Path(td), rep)
    print(f"{rep.passed} passed, {rep.failed} failed, {len(rep.skips)} skipped")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
