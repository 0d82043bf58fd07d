#!/usr/bin/env python3
"""Writes the node tests of an onnx wheel that ships their generators but
not their data (onnx 1.19 and later) in the layout of the older wheels:
OUT/node/<test>/model.onnx and test_data_set_<k>/{input,output}_<j>.pb.

Run it with the interpreter of the venv that holds the pinned onnx
(tests/requirements-onnx-new.txt); tests/conformance/run.py reads the
result as the suite onnx-new/node. The generators draw inputs from numpy's
global random stream, so the stream is seeded first: the same wheel then
gives the same files every time.

  .venv-onnx-new/bin/python tests/conformance/gen_node_data.py OUT
"""
import os
import shutil
import sys
import warnings

import numpy as np


def value_bytes(vi, value):
    """A test value as the proto its declared type calls for."""
    from onnx import TensorProto, numpy_helper
    t = vi.type
    if t.HasField("map_type"):
        return numpy_helper.from_dict(value, vi.name).SerializeToString()
    if t.HasField("sequence_type"):
        return numpy_helper.from_list(value, vi.name).SerializeToString()
    if t.HasField("optional_type"):
        return numpy_helper.from_optional(value, vi.name).SerializeToString()
    if isinstance(value, TensorProto):
        return value.SerializeToString()
    return numpy_helper.from_array(value, vi.name).SerializeToString()


def write_case(case, root):
    folder = os.path.join(root, case.kind, case.name)
    os.makedirs(folder)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    for k, (inputs, outputs) in enumerate(case.data_sets):
        ds = os.path.join(folder, f"test_data_set_{k}")
        os.makedirs(ds)
        for what, values, infos in (("input", inputs, case.model.graph.input),
                                    ("output", outputs, case.model.graph.output)):
            for j, value in enumerate(values):
                with open(os.path.join(ds, f"{what}_{j}.pb"), "wb") as f:
                    f.write(value_bytes(infos[j], value))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    np.random.seed(0)
    warnings.simplefilter("ignore")  # the generators' own overflow warnings
    import onnx
    import onnx.backend.test.case.node as node_cases
    cases = node_cases.collect_testcases(None)
    tmp = out + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    for case in cases:
        write_case(case, tmp)
    with open(os.path.join(tmp, "VERSION"), "w") as f:
        f.write(f"onnx {onnx.__version__}, {len(cases)} node tests\n")
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    print(f"{len(cases)} node tests of onnx {onnx.__version__} in {out}")


if __name__ == "__main__":
    main()
