#!/usr/bin/env python3
"""Replays the fuzz regression corpus through an onnxcc binary.

Every file in tests/fuzz/regressions/ once crashed, tripped a sanitizer,
hung or exited with the wrong code. Each is compiled as

    onnxcc FILE -o TMPDIR/model.c --dim N=1

and passes only if onnxcc either compiles it (exit 0, nothing on stderr)
or rejects it (exit 1, exactly one stderr line starting 'onnxcc: error: ',
no file left in TMPDIR), with no sanitizer report, no signal and within
the time limit. Run it on a sanitizer build to catch memory errors:

    .venv/bin/python tests/fuzz/replay.py build-asan/onnxcc [--timeout 20] [--summary] [FILE|DIR ...]

Prints one line per file and ends with "N passed, M failed"; exits 1 when
any failed.
"""
import argparse
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "regressions")

# Any sanitizer finding ends the process with an error, so it cannot hide
# behind an exit code that happens to be right.
SANITIZER_ENV = {
    "ASAN_OPTIONS": "halt_on_error=1:abort_on_error=0:detect_leaks=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}

SANITIZER_MARKS = ("Sanitizer", "runtime error:")


def regression_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                full = os.path.join(p, name)
                if os.path.isfile(full) and not name.lower().startswith("readme"):
                    files.append(full)
        else:
            files.append(p)
    return files


def sanitizer_summary(stderr):
    """The first line of a sanitizer report, shortened to its kind and place."""
    for line in stderr.splitlines():
        m = re.search(r"ERROR: (\w+Sanitizer): ([\w-]+)", line)
        if m:
            where = re.search(r"#\d+ 0x[0-9a-f]+ in (\S+) (\S+)", stderr[stderr.find(line):])
            return "%s %s%s" % (m.group(1), m.group(2), " in %s (%s)" % where.groups() if where else "")
        m = re.search(r"(\S+:\d+:\d+): runtime error: (.*)", line)
        if m:
            return "UBSan %s at %s" % (m.group(2), m.group(1))
        if "Sanitizer" in line:
            return line.strip()
    return None


def check(onnxcc, path, timeout):
    """Returns None when `path` passes, else why it failed."""
    env = dict(os.environ, **SANITIZER_ENV)
    with tempfile.TemporaryDirectory(prefix="onnxcc-replay-") as out:
        try:
            r = subprocess.run([onnxcc, path, "-o", os.path.join(out, "model.c"), "--dim", "N=1"],
                               stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout after %gs" % timeout
        left = sorted(os.listdir(out))
    err = r.stderr.decode("utf-8", "replace")
    san = sanitizer_summary(err) if any(m in err for m in SANITIZER_MARKS) else None
    if san:
        return "sanitizer: " + san
    if r.returncode < 0:
        try:
            name = signal.Signals(-r.returncode).name
        except ValueError:
            name = "signal %d" % -r.returncode
        first = err.strip().splitlines()[:1]
        return "killed by %s%s" % (name, (": " + first[0][:160]) if first else "")
    lines = err.splitlines()
    if r.returncode == 0:
        return None if not err else "exit 0 but stderr: %s" % err.strip()[:160]
    if r.returncode == 1:
        if len(lines) != 1:
            return "exit 1 with %d stderr lines: %s" % (len(lines), err.strip().replace("\n", " | ")[:200])
        if not lines[0].startswith("onnxcc: error: "):
            return "exit 1 with a stderr line that is not an error line: %s" % lines[0][:160]
        if left:
            return "exit 1 but left files behind: %s" % ", ".join(left)
        return None
    return "exit %d: %s" % (r.returncode, err.strip().replace("\n", " | ")[:200])


def cause_group(reason):
    """A coarse cause for --summary: the reason without numbers and names."""
    g = re.sub(r"onnxcc: error: [^:]*: ", "onnxcc: error: FILE: ", reason)
    g = re.sub(r"0x[0-9a-f]+|\d+", "N", g)
    g = re.sub(r"'[^']*'", "'X'", g)
    return g[:150]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("onnxcc", help="the onnxcc binary to test")
    ap.add_argument("paths", nargs="*", default=[DEFAULT_DIR], help="files or folders (default: tests/fuzz/regressions)")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per file (default 20)")
    ap.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 1), help="files checked at once")
    ap.add_argument("--summary", action="store_true", help="also print the failures grouped by cause")
    args = ap.parse_args()

    onnxcc = os.path.abspath(args.onnxcc)
    if not os.access(onnxcc, os.X_OK):
        print("replay: %s is not an executable" % args.onnxcc, file=sys.stderr)
        return 2
    files = regression_files(args.paths)
    if not files:
        print("replay: no regression files found", file=sys.stderr)
        return 2
    passed = failed = 0
    groups = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = pool.map(lambda f: (f, check(onnxcc, f, args.timeout)), files)
        for f, why in results:
            name = os.path.basename(f)
            if why is None:
                passed += 1
                print("PASS %s" % name)
            else:
                failed += 1
                print("FAIL %s: %s" % (name, why))
                groups.setdefault(cause_group(why), []).append(name)
            sys.stdout.flush()
    if args.summary and groups:
        print("-- failures by cause --")
        for cause, names in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print("%3d  %s  [%s%s]" % (len(names), cause, ", ".join(names[:3]), ", ..." if len(names) > 3 else ""))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
