#!/usr/bin/env python3
"""The docs follow the code: docs/operators.md is what `onnxcc ops --markdown`
prints, and every flag in `onnxcc --help` is documented in docs/usage.md.

Run: .venv/bin/python tests/cli/check_docs.py --onnxcc build/onnxcc
Ends with "N passed, M failed".
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnxcc", default=os.path.join(ROOT, "build", "onnxcc"))
    args = ap.parse_args()
    results = []

    md = subprocess.run([args.onnxcc, "ops", "--markdown"], capture_output=True, text=True).stdout
    with open(os.path.join(ROOT, "docs", "operators.md")) as f:
        committed = f.read()
    results.append(("docs/operators.md is up to date (regenerate: onnxcc ops --markdown > docs/operators.md)",
                    md == committed))

    help_text = subprocess.run([args.onnxcc, "--help"], capture_output=True, text=True).stdout
    with open(os.path.join(ROOT, "docs", "usage.md")) as f:
        usage = f.read()
    flags = sorted(set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", help_text)))
    for flag in flags:
        results.append(("docs/usage.md documents %s" % flag, flag in usage))

    passed = sum(1 for _, ok in results if ok)
    for name, ok in results:
        print("%s %s" % ("ok  " if ok else "FAIL", name))
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
