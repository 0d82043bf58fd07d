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


def save_with_ort_sets(model, name: str, input_sets, out_root: Path, dims: str | None = None) -> None:
    """Saves MODEL (checked) as OUT_ROOT/NAME/model.onnx with one
    test_data_set_K per entry of INPUT_SETS (a list of input arrays in the
    graph's order), its outputs computed by ONNX Runtime; DIMS, when given,
    becomes dims.txt (the --dim ranges of tests/models/check_symbolic.py)."""
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    onnx.checker.check_model(model, full_check=True)
    d = out_root / name
    d.mkdir(parents=True, exist_ok=True)
    onnx.save(model, d / "model.onnx")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    for k, inputs in enumerate(input_sets):
        ds = d / f"test_data_set_{k}"
        ds.mkdir(exist_ok=True)
        outs = sess.run(None, dict(zip(names, inputs)))
        for i, (n, x) in enumerate(zip(names, inputs)):
            (ds / f"input_{i}.pb").write_bytes(numpy_helper.from_array(x, n).SerializeToString())
        for i, (o, y) in enumerate(zip(sess.get_outputs(), outs)):
            (ds / f"output_{i}.pb").write_bytes(numpy_helper.from_array(y, o.name).SerializeToString())
    if dims:
        (d / "dims.txt").write_text(dims + "\n")
    print(f"{name}: {len(input_sets)} data set(s) in {d}")
