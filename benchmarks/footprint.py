#!/usr/bin/env python3
"""How much code a model's program links: the footprint table.

For each model: compile it with onnxcc, build the runtime's sources and the
generated code with `-Os -ffunction-sections -fdata-sections`, link them with
a minimal main (init + run) using `-Wl,--gc-sections`, and report the
program's `.text` bytes, the part that comes from the runtime's kernels, and
the largest runtime functions left in it (from `nm --size-sort`).

    .venv/bin/python benchmarks/footprint.py tests/models/mlp/model.onnx \\
        /tmp/tv/resnet18/model.onnx [--onnxcc build/onnxcc] [--cc cc] [--nm 20]

Prints one table row per model and, with --nm N, the N largest `rt_`
symbols of each. Nothing is timed, so the figures do not depend on load,
and --limit NAME=BYTES (NAME: the model's folder name) turns a row into a
check: the last line is "N passed, M failed" and the exit status 1 when a
program's .text is over its limit (scripts/test uses this).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MAIN_C = r"""
#include <stdlib.h>
#include "model.h"
/* Only reference the entry points: what the linker keeps is what a real
 * program keeps. */
int main(int argc, char **argv) {
  static model_ctx ctx;
  static unsigned char arena[16] __attribute__((aligned(64)));
  (void)argv;
  if (model_init(&ctx, 0, 0, arena, (size_t)argc) != 0) return 1;
  return model_run(&ctx, (const void *const *)0, (void *const *)0);
}
"""


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"footprint: {' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")
    return r.stdout


def measure(model: Path, args, tmp: Path):
    out = tmp / model.parent.name
    out.mkdir()
    run([args.onnxcc, str(model), "-o", str(out / "model.c")])
    (out / "main.c").write_text(MAIN_C)
    srcs = sorted((ROOT / "runtime" / "src").glob("*.c"))
    flags = ["-std=c99", "-Os", "-ffunction-sections", "-fdata-sections",
             "-I", str(ROOT / "runtime" / "include"), "-I", str(out)]
    objs = []
    for s in srcs + [out / "model.c", out / "main.c"]:
        o = out / (s.stem + ("_rt" if s.parent.name == "src" else "") + ".o")
        run([args.cc, *flags, "-c", str(s), "-o", str(o)])
        objs.append(str(o))
    exe = out / "prog"
    run([args.cc, "-Os", "-Wl,--gc-sections", "-o", str(exe), *objs, "-lm"])
    sizes = run(["size", "-A", str(exe)])
    text = 0
    for line in sizes.splitlines():
        f = line.split()
        if f and f[0] == ".text":
            text = int(f[1])
    syms = []
    for line in run(["nm", "--size-sort", "-S", str(exe)]).splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tT" and f[3].startswith("rt_"):
            syms.append((int(f[1], 16), f[3]))
    syms.sort(reverse=True)
    return text, sum(s for s, _ in syms), syms


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="+", type=Path)
    p.add_argument("--onnxcc", default=str(ROOT / "build" / "onnxcc"))
    p.add_argument("--cc", default=os.environ.get("CC", "cc"))
    p.add_argument("--nm", type=int, default=0, help="list the N largest rt_ symbols")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=BYTES",
                   help="fail when model NAME's program has more .text bytes")
    p.add_argument("--skip-missing", action="store_true",
                   help="print SKIP and stop when a model file does not exist (an export that was skipped)")
    args = p.parse_args(argv)
    missing = [m for m in args.models if not m.exists()]
    if missing and args.skip_missing:
        print(f"SKIP: {missing[0]} does not exist")
        return 0
    limits = {}
    for item in args.limit:
        name, _, value = item.partition("=")
        limits[name] = int(value)
    rows = []
    with tempfile.TemporaryDirectory(prefix="onnxcc-footprint-") as t:
        for m in args.models:
            text, rt, syms = measure(m.resolve(), args, Path(t))
            rows.append((m, text, rt, len(syms), syms))
    print(f"{'model':40} {'.text bytes':>12} {'rt_ bytes':>10} {'rt_ funcs':>9}")
    for m, text, rt, n, _ in rows:
        print(f"{str(m):40} {text:>12} {rt:>10} {n:>9}")
    if args.nm:
        for m, _, _, _, syms in rows:
            print(f"\n{m}: largest runtime functions")
            for size, name in syms[: args.nm]:
                print(f"  {size:>8}  {name}")
    if limits:
        passed = failed = 0
        for m, text, _, _, _ in rows:
            name = m.resolve().parent.name
            if name not in limits:
                continue
            ok = text <= limits[name]
            print(f"{'ok  ' if ok else 'FAIL'} {name}: .text {text} bytes, limit {limits[name]}")
            passed += ok
            failed += not ok
        missing = set(limits) - {m.resolve().parent.name for m, *_ in rows}
        for name in sorted(missing):
            print(f"FAIL {name}: no such model given")
            failed += 1
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
