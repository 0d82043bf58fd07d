"""Lets the tools in this folder be started through their shebang.

A plain `python3` may lack numpy/onnx/onnxruntime/torch; then the script is
re-run, once, under the repository's .venv (made by scripts/test).
"""
import importlib
import os
import sys
from pathlib import Path


def ensure(modules, script):
    """Import `modules`; if any fails, re-exec `script` under .venv's python."""
    try:
        for name in modules:
            importlib.import_module(name)
        return
    except Exception:  # noqa: BLE001 - any failure: try the venv
        pass
    venv_py = Path(script).resolve().parents[2] / ".venv" / "bin" / "python"
    if venv_py.is_file() and not os.environ.get("ONNXCC_TOOLS_REEXEC"):
        os.environ["ONNXCC_TOOLS_REEXEC"] = "1"
        os.execv(str(venv_py), [str(venv_py), script, *sys.argv[1:]])
