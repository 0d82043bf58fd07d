#!/usr/bin/env python3
"""Finds, for every op of compiler/ops/ops.def, the element types of its
first input that onnxcc compiles, and writes compiler/ops/dtypes.def, which
`onnxcc ops --markdown` prints as the "Element types" column of
docs/operators.md.

How: onnxcc refuses at compile time every type an op's kernels lack (see
docs/design.md, "One op, one place"), so acceptance is the fact to record,
and asking the compiler is the only way that cannot drift from the code.
For each op, the passing one-node models of the conformance data (Debian's
node tests, the onnx wheel's generated node tests, the models suite) serve
as probes: each is re-typed to every type the op's schema allows for the
type variable of its first input (every graph input, output and initializer
bound to that variable changes with it) and compiled, not run. An op with
no one-node probe gets the types its first input has in the passing
multi-node models that use it (ONNX shape inference gives them).

    .venv-onnx-new/bin/python scripts/gen_op_dtypes.py [--onnxcc build/onnxcc]
    .venv-onnx-new/bin/python scripts/gen_op_dtypes.py --check   # fails if stale

Needs the onnx 1.23 wheel (the schemas of scripts/gen_op_schema.py) and the
conformance data (every suite of tests/conformance/run.py).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "compiler/ops/dtypes.def"
DOMAIN_OF_TAG = {"": "", "ml": "ai.onnx.ml", "training": "ai.onnx.preview.training",
                 "preview": "ai.onnx.preview", "ms": "com.microsoft"}
# The order types are printed in: floats, then integers, then the rest.
TYPE_ORDER = ["float", "double", "float16", "bfloat16", "float8e4m3fn", "float8e4m3fnuz", "float8e5m2",
              "float8e5m2fnuz", "float8e8m0", "float4e2m1", "int8", "int16", "int32", "int64", "uint8", "uint16",
              "uint32", "uint64", "int4", "uint4", "int2", "uint2", "bool", "string", "complex64", "complex128"]
ELEM_OF_NAME = {n: getattr(onnx.TensorProto, n.upper()) for n in TYPE_ORDER if hasattr(onnx.TensorProto, n.upper())}
NAME_OF_ELEM = {v: k for k, v in ELEM_OF_NAME.items()}


def ops_of_table() -> list[tuple[str, str]]:
    """(domain, op) of every line of ops.def, the compiler's own ops left out."""
    ops = []
    for line in (ROOT / "compiler/ops/ops.def").read_text().splitlines():
        m = re.match(r"\s*OP\((\w+),", line)
        if m:
            ops.append(("", m.group(1)))
            continue
        m = re.match(r"\s*OPD\((\w+),\s*(\w+),", line)
        if m and m.group(1) in DOMAIN_OF_TAG:
            ops.append((DOMAIN_OF_TAG[m.group(1)], m.group(2)))
    return ops


def opset_of(model: onnx.ModelProto, domain: str) -> int:
    for o in model.opset_import:
        if (o.domain or "") == domain or (domain == "" and o.domain == "ai.onnx"):
            return o.version
    return 1


def schema_of(op: str, domain: str, version: int):
    try:
        return onnx.defs.get_schema(op, version, domain)
    except Exception:
        return None


def formal(params, i: int):
    """The schema's formal parameter that actual position i binds to."""
    if i < len(params):
        return params[i]
    if params and params[-1].option == onnx.defs.OpSchema.FormalParameterOption.Variadic:
        return params[-1]
    return None


def elem_of_type_str(t: str) -> str | None:
    m = re.fullmatch(r"(?:seq\()?tensor\((\w+)\)\)?", t)
    return m.group(1) if m else None


def retype_value(vi: onnx.ValueInfoProto, elem: int) -> None:
    t = vi.type
    if t.HasField("tensor_type"):
        t.tensor_type.elem_type = elem
    elif t.HasField("sequence_type") and t.sequence_type.elem_type.HasField("tensor_type"):
        t.sequence_type.elem_type.tensor_type.elem_type = elem


def retype_initializer(init: onnx.TensorProto, name: str) -> onnx.TensorProto | None:
    """The initializer's values in type `name`; None where numpy cannot say it."""
    np_type = {"float": np.float32, "double": np.float64, "float16": np.float16, "int8": np.int8,
               "int16": np.int16, "int32": np.int32, "int64": np.int64, "uint8": np.uint8, "uint16": np.uint16,
               "uint32": np.uint32, "uint64": np.uint64, "bool": np.bool_}.get(name)
    if np_type is None or init.data_type == onnx.TensorProto.STRING:
        return None
    arr = numpy_helper.to_array(init)
    return numpy_helper.from_array(arr.astype(np_type), init.name)


def main_param(schema, node: onnx.NodeProto):
    """(is_input, position, type variable) of the parameter whose types the
    column lists: the first input whose variable allows several types (Where's
    X, not its bool condition), else the first input, else the first output
    (the random generators, Constant)."""
    constraints = {c.type_param_str: c.allowed_type_strs for c in schema.type_constraints}
    for i, name in enumerate(node.input):
        f = formal(schema.inputs, i)
        if name and f is not None and len(constraints.get(f.type_str, [])) > 1:
            return True, i, f.type_str, f.name
    if node.input and node.input[0] and schema.inputs:
        return True, 0, schema.inputs[0].type_str, schema.inputs[0].name
    if schema.outputs:
        return False, 0, schema.outputs[0].type_str, schema.outputs[0].name
    return None


def probe_models(model: onnx.ModelProto, domain: str) -> list[tuple[str, onnx.ModelProto | None]]:
    """The model re-typed to each type its schema allows for the main
    parameter's variable (None where it cannot be re-typed)."""
    node = model.graph.node[0]
    schema = schema_of(node.op_type, domain, opset_of(model, domain))
    main = main_param(schema, node) if schema is not None else None
    dtype_attr = [a for a in node.attribute if a.name == "dtype"]
    if main is None or not (main[0] or dtype_attr):
        return []
    var = main[2]
    constraints = {c.type_param_str: c.allowed_type_strs for c in schema.type_constraints}
    names = [n for n in (elem_of_type_str(a) for a in constraints.get(var, [var])) if n in ELEM_OF_NAME]
    bound = set()
    for i, name in enumerate(node.input):
        f = formal(schema.inputs, i)
        if name and f is not None and f.type_str == var:
            bound.add(name)
    for i, name in enumerate(node.output):
        f = formal(schema.outputs, i)
        if name and f is not None and f.type_str == var:
            bound.add(name)
    out = []
    for name in names:
        m = onnx.ModelProto()
        m.CopyFrom(model)
        ok = True
        for vi in list(m.graph.input) + list(m.graph.output):
            if vi.name in bound:
                retype_value(vi, ELEM_OF_NAME[name])
        for k, init in enumerate(m.graph.initializer):
            if init.name in bound:
                new = retype_initializer(init, name)
                if new is None:
                    ok = False
                    break
                m.graph.initializer[k].CopyFrom(new)
        for a in m.graph.node[0].attribute:
            if a.name == "dtype" and not main[0]:
                a.i = ELEM_OF_NAME[name]
        out.append((name, m if ok else None))
    return out


def compiles(onnxcc: str, model: onnx.ModelProto, work: Path, tag: str) -> bool:
    path = work / f"{tag}.onnx"
    onnx.save(model, str(path))
    r = subprocess.run([onnxcc, str(path), "-o", str(work / f"{tag}.c"), "--max-dynamic-dim", "64"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    return r.returncode == 0


def test_models() -> list[Path]:
    """The model of every case of every conformance suite on this machine
    (tests/conformance/run.py's list) but its expected failures."""
    sys.path.insert(0, str(ROOT / "tests/conformance"))
    import run as conformance
    xfail = set()
    for line in (ROOT / "tests/conformance/xfail.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            xfail.add(line.split("\t")[0])
    found = []
    for suite in conformance.ALL_SUITES:
        found += [c.model for c in conformance.discover(suite) or [] if c.key not in xfail]
    return found


def node_domain(node: onnx.NodeProto) -> str:
    return "" if node.domain in ("", "ai.onnx") else node.domain


def elem_name(t: onnx.TypeProto) -> str | None:
    """A tensor's element type; a sequence's or optional's element's; a
    map's as map(key,value)."""
    if t.HasField("sequence_type"):
        t = t.sequence_type.elem_type
    if t.HasField("optional_type"):
        t = t.optional_type.elem_type
    if t.HasField("map_type"):
        value = elem_name(t.map_type.value_type)
        key = NAME_OF_ELEM.get(t.map_type.key_type)
        return f"map({key},{value})" if key and value else None
    return NAME_OF_ELEM.get(t.tensor_type.elem_type) if t.HasField("tensor_type") else None


def type_rank(name: str) -> tuple[int, str]:
    """Sort key: TYPE_ORDER, then the rest (maps) by name."""
    return (TYPE_ORDER.index(name), "") if name in TYPE_ORDER else (len(TYPE_ORDER), name)


def used_types(model: onnx.ModelProto, param_of: dict[tuple[str, str], str]) -> dict[tuple[str, str], set[str]]:
    """Per (domain, op), the element types its nodes' main parameter has in
    this model (ONNX shape inference gives those of inner values); records
    the parameter's name in param_of."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:
        inferred = model
    g = inferred.graph
    types = {vi.name: elem_name(vi.type) for vi in list(g.input) + list(g.value_info) + list(g.output)}
    for init in g.initializer:
        types[init.name] = NAME_OF_ELEM.get(init.data_type)
    seen: dict[tuple[str, str], set[str]] = {}
    for node in g.node:
        domain = node_domain(node)
        schema = schema_of(node.op_type, domain, opset_of(model, domain))
        main = main_param(schema, node) if schema is not None else None
        if main is None:
            continue
        if main[3]:
            param_of.setdefault((domain, node.op_type), main[3])
        names = node.input if main[0] else node.output
        if main[1] < len(names) and types.get(names[main[1]]):
            seen.setdefault((domain, node.op_type), set()).add(types[names[main[1]]])
    return seen


def schemaless_types(models: list[onnx.ModelProto], param_of) -> dict[tuple[str, str], set[str]]:
    """For ops onnx has no schema for (com.microsoft): per op, the types of
    the input position whose types vary most across the models (the
    quantized data, not a float scale), named "input K"."""
    per_pos: dict[tuple[str, str], dict[int, set[str]]] = {}
    for model in models:
        g = model.graph
        types = {vi.name: elem_name(vi.type) for vi in g.input}
        types.update({t.name: NAME_OF_ELEM.get(t.data_type) for t in g.initializer})
        for node in g.node:
            domain = node_domain(node)
            if schema_of(node.op_type, domain, opset_of(model, domain)) is not None:
                continue
            slots = per_pos.setdefault((domain, node.op_type), {})
            for k, name in enumerate(node.input):
                if types.get(name):
                    slots.setdefault(k, set()).add(types[name])
    out = {}
    for key, slots in per_pos.items():
        if slots:
            k = max(sorted(slots), key=lambda i: len(slots[i]))
            out[key] = slots[k]
            param_of[key] = "input %d" % k
    return out


def one_node(op: str, domain: str, inputs: list[tuple[str, int, list[int]]], n_out: int = 1,
             **attrs) -> onnx.ModelProto:
    """A one-node model whose inputs are graph inputs (name, type, shape); a
    name that starts with "seq" is a sequence of such tensors."""
    vis = [helper.make_tensor_sequence_value_info(n, t, d) if n.startswith("seq") else
           helper.make_tensor_value_info(n, t, d) for n, t, d in inputs]
    outs = ["y%d" % k for k in range(n_out)]
    node = helper.make_node(op, [n for n, _, _ in inputs], outs, domain=domain, **attrs)
    graph = helper.make_graph([node], op, vis,
                              [helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None) for o in outs])
    opsets = [helper.make_opsetid("", 22)] + ([helper.make_opsetid(domain, 5 if domain == "ai.onnx.ml" else 1)]
                                               if domain else [])
    return helper.make_model(graph, opset_imports=opsets)


def extra_models() -> list[onnx.ModelProto]:
    """One-node models the conformance data lacks: ONNX Runtime's quantized
    contrib ops, as tests/models/check_msquant.py builds and checks them,
    and probes of ops no conformance test uses (onnxcc's unit tests check
    their numbers)."""
    sys.path.insert(0, str(ROOT / "tests/models"))
    import msquant_cases
    f = onnx.TensorProto.FLOAT
    probes = [
        one_node("GlobalLpPool", "", [("x", f, [1, 2, 3, 3])], p=2),
        one_node("RandomNormal", "", [], shape=[2, 3], dtype=f, seed=1.0),
        one_node("RandomUniform", "", [], shape=[2, 3], dtype=f, seed=1.0),
        one_node("RandomNormalLike", "", [("x", f, [2, 3])], seed=1.0),
        one_node("RandomUniformLike", "", [("x", f, [2, 3])], seed=1.0),
        one_node("Bernoulli", "", [("x", f, [2, 3])], seed=1.0),
        one_node("Multinomial", "", [("x", f, [2, 3])], sample_size=4, seed=1.0),
        one_node("Imputer", "ai.onnx.ml", [("x", f, [2, 3])], imputed_value_floats=[0.5],
                 replaced_value_float=0.0),
        one_node("Optional", "", [("x", f, [2])]),
        one_node("SequenceConstruct", "", [("x", f, [2]), ("x2", f, [2])]),
        one_node("SequenceLength", "", [("seq", f, [2])]),
        one_node("SequenceAt", "", [("seq", f, [2]), ("pos", onnx.TensorProto.INT64, [])]),
        one_node("SequenceErase", "", [("seq", f, [2])]),
        one_node("SequenceInsert", "", [("seq", f, [2]), ("x", f, [2])]),
        one_node("ConcatFromSequence", "", [("seq", f, [2])], axis=0),
        one_node("LinearClassifier", "ai.onnx.ml", [("x", f, [2, 2])], 2, coefficients=[1.0, 2.0, 3.0, 4.0],
                 intercepts=[0.5, -0.5], classlabels_ints=[0, 1]),
        one_node("Normalizer", "ai.onnx.ml", [("x", f, [2, 3])], norm="L1"),
        one_node("Scaler", "ai.onnx.ml", [("x", f, [2, 3])], offset=[0.5], scale=[2.0]),
        one_node("OneHotEncoder", "ai.onnx.ml", [("x", onnx.TensorProto.INT64, [2, 3])], cats_int64s=[1, 2, 3]),
    ]
    return [m for _, m, _, _ in msquant_cases.cases()] + probes


def generate(onnxcc: str, jobs: int) -> str:
    table = ops_of_table()
    wanted = set(table)
    one_node: dict[tuple[str, str], list[onnx.ModelProto]] = {}
    used: dict[tuple[str, str], set[str]] = {}
    param_of: dict[tuple[str, str], str] = {}
    models = []
    for path in test_models():
        try:
            models.append(onnx.load(str(path)))
        except Exception:
            continue
    for model in models + extra_models():
        if len(model.graph.node) == 1 and not model.functions:
            node = model.graph.node[0]
            key = (node_domain(node), node.op_type)
            if key in wanted and len(one_node.setdefault(key, [])) < 3:
                one_node[key].append(model)
        for key, names in used_types(model, param_of).items():
            used.setdefault(key, set()).update(names)
    for key, names in schemaless_types(models + extra_models(), param_of).items():
        used.setdefault(key, set()).update(names)
    accepted: dict[tuple[str, str], set[str]] = {k: set() for k in table}
    jobs_list = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for key, models in one_node.items():
            for mi, model in enumerate(models):
                variants = probe_models(model, key[0])
                for name, m in variants:
                    if m is not None:
                        jobs_list.append((key, name, m, f"{key[1]}_{mi}_{name}"))
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            results = pool.map(lambda j: (j[0], j[1], compiles(onnxcc, j[2], work, j[3])), jobs_list)
            for key, name, ok in results:
                if ok:
                    accepted[key].add(name)
    lines = ["/* Generated by scripts/gen_op_dtypes.py; do not edit. For each op of",
             " * ops.def, the element types onnxcc compiles for one parameter (the",
             " * first input whose type variable allows several types, else the first",
             " * input, else the first output): probed by re-typing the conformance",
             " * data's one-node models and compiling them (probed), and the types",
             " * that parameter has in the passing models that use the op (all an op",
             " * with no one-node model has: seen); none: no model uses the op.",
             " * DTYPES(\"domain\", OpType, how, \"parameter\", \"types\") */"]
    for key in table:
        types = accepted.get(key, set()) | used.get(key, set())
        how = "probed" if accepted.get(key) else "seen" if types else "none"
        text = " ".join(sorted(types, key=type_rank))
        lines.append(f'DTYPES("{key[0]}", {key[1]}, {how}, "{param_of.get(key, "")}", "{text}")')
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnxcc", default=str(ROOT / "build/onnxcc"))
    ap.add_argument("--check", action="store_true", help="fail if compiler/ops/dtypes.def is stale")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    text = generate(args.onnxcc, args.jobs)
    if args.check:
        if OUT.read_text() != text:
            print("FAIL compiler/ops/dtypes.def is stale: run scripts/gen_op_dtypes.py; the difference:")
            sys.stdout.writelines(difflib.unified_diff(OUT.read_text().splitlines(True), text.splitlines(True),
                                                       "compiler/ops/dtypes.def", "what onnxcc compiles now"))
            print("0 passed, 1 failed, 0 skipped")
            return 1
        print("PASS compiler/ops/dtypes.def matches what onnxcc compiles")
        print("1 passed, 0 failed, 0 skipped")
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
