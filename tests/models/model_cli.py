"""The command line the make_*_models.py scripts share: write every model
of the script's table, or only the one --only names, under --out (default:
tests/models)."""
from __future__ import annotations

import argparse
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(doc: str, names, write, argv) -> int:
    """names: the script's model names; write(name, out_root) makes one."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--only", choices=sorted(names))
    p.add_argument("--out", type=Path, default=HERE)
    args = p.parse_args(argv)
    for name in [args.only] if args.only else names:
        write(name, args.out)
    return 0
