#!/usr/bin/env python3
"""Models compiled once with variable dims, run at several sizes.

For each folder of tests/models with a dims.txt (the --dim ranges, e.g.
"batch=1..4 seq=1..32"): compiles model.onnx once with those ranges,
builds one program (the generated code, the runtime, and the driver that
`onnxcc run` uses, which calls NAME_run_dims), then runs that program on
every test_data_set_N, whose inputs have different sizes, and compares
each output's dims and values with the expected ones (onnxruntime's).
With --cflags the program is built with them (e.g. sanitizers).

    .venv/bin/python tests/models/check_symbolic.py --onnxcc build/onnxcc [--cc cc] [--cflags ...]

Closing line: N passed, M failed (one test per data set).
"""
from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import repo_venv  # noqa: E402

repo_venv.ensure(("numpy", "onnx"), __file__)

import numpy as np  # noqa: E402
import onnx  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))
import raw_io  # noqa: E402  (the program's input and output files)
import run as conformance  # noqa: E402  (map inputs' files as two arrays)
from onnx import numpy_helper  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def build(model_dir: Path, onnxcc: str, cc: list[str], tmp: Path) -> str | None:
    """Compiles and links once; None on success, else why not."""
    dims = (model_dir / "dims.txt").read_text().split()
    flags = []
    for d in dims:
        flags += ["--dim", d]
    r = subprocess.run([onnxcc, str(model_dir / "model.onnx"), "-o", str(tmp / "model.c")] + flags,
                       capture_output=True, text=True)
    if r.returncode:
        return f"onnxcc exit {r.returncode}: {r.stderr.strip()}"
    driver = (ROOT / "templates" / "driver.c.in").read_text().replace("{{VERSION}}", "check_symbolic")
    (tmp / "driver.c").write_text(driver)
    build_dir = Path(onnxcc).resolve().parent
    r = subprocess.run(cc + ["-O2", "-std=c99", f"-I{ROOT / 'runtime' / 'include'}", f"-I{tmp}",
                             str(tmp / "model.c"), str(tmp / "driver.c"),
                             str(build_dir / "runtime" / "libonnxcc_rt.a"), "-lm", "-o", str(tmp / "prog")],
                       capture_output=True, text=True)
    if r.returncode:
        return f"building failed: {r.stderr.strip()[:2000]}"
    return None


def run_set(ds: Path, tmp: Path, maps: dict) -> str | None:
    """MAPS: conformance.map_input_positions of the model (a map input is
    two inputs of the program, its keys and its values)."""
    run_dir = tmp / ds.name
    run_dir.mkdir()
    inputs = sorted(ds.glob("input_*.pb"), key=lambda p: int(p.stem.split("_")[1]))
    arrays = []
    for k, f in enumerate(inputs):
        arrays += conformance.map_file_arrays(f) if k in maps else [numpy_helper.to_array(onnx.load_tensor(str(f)))]
    args = raw_io.write_inputs(arrays, run_dir)
    r = subprocess.run([str(tmp / "prog"), str(tmp / "model.weights"), "1", "0", str(run_dir)] + args,
                       capture_output=True, text=True)
    if r.returncode:
        return f"program exit {r.returncode}: {(r.stdout + r.stderr).strip()[:500]}"
    for k, f in enumerate(sorted(ds.glob("output_*.pb"), key=lambda p: int(p.stem.split("_")[1]))):
        want = numpy_helper.to_array(onnx.load_tensor(str(f)))
        got, why = raw_io.read_output(run_dir, k, want)
        if why:
            return why
        if want.dtype.kind in "OSU":
            if not raw_io.strings_equal(got, want):
                return f"output {k}: strings differ"
        elif not np.allclose(got, want, rtol=1e-4, atol=1e-4):
            return f"output {k} differs, max abs diff {np.abs(got - want).max():.3g}"
    return None


def main(argv) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--onnxcc", default=str(ROOT / "build" / "onnxcc"))
    p.add_argument("--cc", default="cc")
    p.add_argument("--cflags", default="")
    args = p.parse_args(argv)
    cc = shlex.split(args.cc) + shlex.split(args.cflags)
    passed = failed = 0
    for model_dir in sorted(d for d in HERE.iterdir() if (d / "dims.txt").exists()):
        sets = sorted(model_dir.glob("test_data_set_*"))
        maps = conformance.map_input_positions(model_dir / "model.onnx")
        with tempfile.TemporaryDirectory(prefix="onnxcc-symmodel-") as t:
            tmp = Path(t)
            why = build(model_dir, args.onnxcc, cc, tmp)
            for ds in sets:
                res = why or run_set(ds, tmp, maps)
                if res:
                    failed += 1
                    print(f"FAIL {model_dir.name}/{ds.name}: {res}")
                else:
                    passed += 1
                    print(f"ok   {model_dir.name}/{ds.name}")
    print(f"{passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
