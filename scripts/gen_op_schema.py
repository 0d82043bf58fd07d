#!/usr/bin/env python3
"""Writes compiler/ops/schema.def: the ONNX operator schemas of every op in
compiler/ops/ops.def, every version of each, as an X-macro table that
compiler/ops/schema_check.c expands into static arrays.

Three facts of a schema are not in onnx's Python API: the allowed sets of
input/output counts inside [min, max] (BatchNormalization takes 1 or 5
outputs, not 2), and whether unknown attributes are allowed
(LayerNormalization-17). They are probed from onnx.checker.check_node,
which runs the same OpSchema::Verify as ONNX Runtime.

Run:   .venv-onnx-new/bin/python scripts/gen_op_schema.py           (rewrites the file)
Check: .venv-onnx-new/bin/python scripts/gen_op_schema.py --check   (exit 1 if stale)

The table is committed so that building onnxcc never needs Python or onnx;
the facts come from the onnx package pinned in
tests/requirements-onnx-new.txt (the newest; scripts/test makes its venv).
--check ends with "N passed, M failed" like the other test parts.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPS_DEF = os.path.join(ROOT, "compiler", "ops", "ops.def")
SCHEMA_DEF = os.path.join(ROOT, "compiler", "ops", "schema.def")

# The newest opset the table covers, per domain; schemas introduced later
# are left out so that a newer onnx package does not silently change the
# table. ai.onnx.ml: onnx.defs.onnx_ml_opset_version() of onnx 1.17.
MAX_OPSET = 28
MAX_ML_OPSET = 5
# Versions of the default domain up to here were implemented against
# their spec. A newer version counts as implemented only when it changes
# nothing but the type lists (onnxcc refuses types it lacks anyway) or
# when a person has read the change and the op handles it (REVIEWED);
# the others are marked unreviewed and refused when a model selects them.
IMPLEMENTED_OPSET = 22
REVIEWED = {
    "BitCast": [26],         # new op: bitcast.c, every type onnxcc has but string, equal widths
    "Mod": [28],             # fmod=0 on floats becomes valid: binary.c computes it (floor_mod)
    "BitShift": [28],        # signed types: arithmetic right shift, counts out of range keep the sign (binary.c)
    "Range": [27],           # stash_type acts on float16/bfloat16 only, which widen_half.c computes in float, the default; another stash_type is refused
    "SpaceToDepth": [28],    # mode DCR or CRD: tensor.c block_view
    "QuantizeLinear": [23, 24, 25, 28],    # precision: quant.c refuses one unlike the scale's type
    "DequantizeLinear": [23, 24, 25, 28],  # output_dtype: quant.c refuses one unlike the scale's type
    # round_mode acts on float8e8m0 only (half_internal.h's float_to_e8m0);
    # the saturation table now sends infinities to the largest value in
    # every float8 type, which is what float_to_f8 already did; 25 adds
    # int2 / uint2
    "Cast": [24, 25, 28],
    "CastLike": [24, 25],
    # 24 adds nonpad_kv_seqlen, 25 the sliding window (left/right_window_size):
    # attention.c handles both, and refuses head counts given with 4-D inputs at 25
    "Attention": [23, 24, 25],
    "LinearAttention": [27],  # new ops, implemented against their spec
    "CausalConvWithState": [27],
    "CumProd": [26],
    "TensorScatter": [24],
    # new ops, implemented against these versions' specs
    "RMSNormalization": [23],
    "RotaryEmbedding": [23],
    "Swish": [24],
    "SwiGLU": [28],
}
# ai.onnx.preview.training: its one version in onnx 1.17.
MAX_TRAINING_OPSET = 1

# ops.def's domain tags (OP_DOMAINS in compiler/ops/ops.h): tag -> (ONNX
# domain name, newest version covered).
# ai.onnx.preview: its one version in onnx 1.23.2 (FlexAttention).
MAX_PREVIEW_OPSET = 1
DOMAINS = {"ml": ("ai.onnx.ml", MAX_ML_OPSET), "training": ("ai.onnx.preview.training", MAX_TRAINING_OPSET),
           "preview": ("ai.onnx.preview", MAX_PREVIEW_OPSET)}
# The compiler's own ops (OP_DOMAIN_onnxcc): no ONNX schema.
INTERNAL_DOMAIN = "onnxcc"

# ONNX Runtime's contrib domain (tag ms): the onnx package has no schemas
# for it, so its ops' version-1 signatures are written here, as ONNX
# Runtime 1.20 declares them (onnxruntime's get_all_operator_schema()):
# name -> (min_in, max_in, input options, output options, [(attribute,
# TYPE, required)]). The output options give the output counts (S
# required, O optional: DynamicQuantizeLSTM's three may all be left out,
# as LSTM's). The options keep ONNX
# Runtime's order, where optional zero points may come before required
# inputs (schema_check.c counts an empty optional entry as present, so
# such nodes pass).
MS_DOMAIN_TAG, MS_DOMAIN = "ms", "com.microsoft"
MS_SCHEMAS = {
    "DynamicQuantizeLSTM": (12, 12, "SSSOOOOOSSSS", "OOO",
                            [("activation_alpha", "FLOATS", 0), ("activation_beta", "FLOATS", 0),
                             ("activations", "STRINGS", 0), ("clip", "FLOAT", 0), ("direction", "STRING", 0),
                             ("hidden_size", "INT", 0), ("input_forget", "INT", 0)]),
    "DynamicQuantizeMatMul": (3, 5, "SSSOO", "S", []),
    "MatMulIntegerToFloat": (4, 7, "SSSSOOO", "S", []),
    "QGemm": (6, 9, "SSSSSSOOO", "S", [("alpha", "FLOAT", 0), ("transA", "INT", 0), ("transB", "INT", 0)]),
    "QLinearAdd": (7, 8, "SSOSSOSO", "S", []),
    "QLinearConcat": (3, 2**31 - 1, "SSV", "S", [("axis", "INT", 1)]),
    "QLinearGlobalAveragePool": (5, 5, "SSSSS", "S", [("channels_last", "INT", 0)]),
    "QLinearLeakyRelu": (4, 5, "SSOSO", "S", [("alpha", "FLOAT", 0)]),
    "QLinearMul": (7, 8, "SSOSSOSO", "S", []),
    "QLinearSigmoid": (4, 5, "SSOSO", "S", []),
}

# Attribute types the IR can hold (IR_ATTR_TYPES in compiler/ir.h).
IR_ATTR_TYPES = {"FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS", "TYPE_PROTO",
                 "TENSORS", "GRAPHS", "SPARSE_TENSOR"}

# schema_check.c keeps the attributes seen on a node in a 64-bit mask.
MAX_ATTRS = 64

INT_MAX = 2**31 - 1


class GenError(Exception):
    pass


def read_ops():
    """(C op token, ONNX name, domain, newest version) of each op of
    ops.def, in file order (ops.def is the one list of ops): OP(Name, f)
    is ("Name", "Name", "", MAX_OPSET); OPD(ml, Name, f) is ("ml_Name",
    "Name", "ai.onnx.ml", MAX_ML_OPSET), the token being the op id's
    suffix (OP_ml_Name)."""
    with open(OPS_DEF) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    ops = []
    for m in re.finditer(r"^\s*(?:OP\(\s*(\w+)\s*,|OPD\(\s*(\w+)\s*,\s*(\w+)\s*,)", text, flags=re.M):
        if m.group(2) == INTERNAL_DOMAIN:
            continue  # made by the compiler's passes, never checked against ONNX
        if m.group(1):
            ops.append((m.group(1), m.group(1), "", MAX_OPSET))
        elif m.group(2) == MS_DOMAIN_TAG:
            ops.append(("%s_%s" % (m.group(2), m.group(3)), m.group(3), MS_DOMAIN, 1))
        elif m.group(2) in DOMAINS:
            domain, top = DOMAINS[m.group(2)]
            ops.append(("%s_%s" % (m.group(2), m.group(3)), m.group(3), domain, top))
        else:
            raise GenError("ops.def names domain tag %s, which this script does not know" % m.group(2))
    if not ops:
        raise GenError("no OP(...) lines found in %s" % OPS_DEF)
    return ops


REFUSED_DEF = os.path.join(os.path.dirname(OPS_DEF), "refused.def")


def read_refused():
    """(domain, name) of each REFUSED("domain", Name, "why") of refused.def."""
    with open(REFUSED_DEF) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    return [(m.group(1), m.group(2)) for m in re.finditer(r'^REFUSED\("([\w.]*)",\s*(\w+),', text, flags=re.M)]


def check_coverage(onnx_defs, ops):
    """Every op of the covered domains (up to their opsets) is in ops.def or
    in refused.def, and none is in both: docs/operators.md then names every
    op onnxcc refuses, with the reason."""
    tops = {"": MAX_OPSET}
    tops.update({domain: top for domain, top in DOMAINS.values()})
    listed = {(domain, op) for _, op, domain, _ in ops}
    refused = set(read_refused())
    schema_ops = {(s.domain, s.name) for s in onnx_defs.get_all_schemas_with_history()
                  if s.domain in tops and s.since_version <= tops[s.domain]}
    both = sorted(listed & refused)
    if both:
        raise GenError("refused.def lists ops that ops.def implements: %s" % both)
    missing = sorted(schema_ops - listed - refused)
    if missing:
        raise GenError("onnx has ops that are in neither ops.def nor refused.def (add each, with the reason, "
                       "to compiler/ops/refused.def): %s" % missing)
    stale = sorted(refused - schema_ops)
    if stale:
        raise GenError("refused.def lists ops onnx does not have in those domains and opsets: %s" % stale)


def option_letters(params):
    """One letter per formal parameter: S single (must be present),
    O optional (may be an empty name), V variadic (the last one only)."""
    letters = []
    for p in params:
        opt = p.option
        if opt == opt.Single:
            letters.append("S")
        elif opt == opt.Optional:
            letters.append("O")
        elif opt == opt.Variadic:
            letters.append("V")
        else:
            raise GenError("unknown formal parameter option %r" % (opt,))
    return "".join(letters)


def arity(n):
    # onnx spells "unbounded" as 2^31-1; C spells it INT_MAX.
    return "INT_MAX" if n >= INT_MAX else str(n)


def schema_versions(onnx_defs, op, domain, top):
    """Every schema of `op` in `domain` with since_version <= top, oldest
    first."""
    found = [s for s in onnx_defs.get_all_schemas_with_history()
             if s.domain == domain and s.name == op and s.since_version <= top]
    if not found:
        raise GenError("ops.def lists %s, but onnx has no schema for it in domain '%s' "
                       "(a non-standard op needs its own checking)" % (op, domain))
    return sorted(found, key=lambda s: s.since_version)


# Counts past min + PROBE_SPAN are not probed; an unbounded range must allow
# every probed count, or the table could not say which it allows.
PROBE_SPAN = 16


def probe(onnx, s, n_in, n_out, extra_attr=False):
    """onnx.checker.check_node's complaint about a node of schema `s` with
    n_in/n_out (named) inputs/outputs, or "" if it accepts the node."""
    from onnx import helper
    node = helper.make_node(s.name, ["i%d" % k for k in range(n_in)],
                            ["o%d" % k for k in range(n_out)], name="probe", domain=s.domain)
    if extra_attr:
        node.attribute.append(helper.make_attribute("zz_probe_unknown", 1))
    ctx = onnx.checker.C.CheckerContext()
    ctx.ir_version = onnx.IR_VERSION
    ctx.opset_imports = {s.domain: s.since_version}
    try:
        onnx.checker.check_node(node, ctx)
        return ""
    except Exception as e:  # onnx raises ValidationError; any complaint is data here
        return str(e)


def allowed_counts(onnx, s, what):
    """Bitmask of the allowed `what` ("input"/"output") counts, or 0 when
    every count in [min, max] is allowed. OpSchema::Verify checks counts
    before anything else, so other complaints about the probe node do not
    hide a count complaint."""
    lo, hi = (s.min_input, s.max_input) if what == "input" else (s.min_output, s.max_output)
    refused = []
    for k in range(lo, min(hi, lo + PROBE_SPAN) + 1):
        n_in, n_out = (k, s.min_output) if what == "input" else (s.min_input, k)
        if ("%s size" % what) in probe(onnx, s, n_in, n_out):
            refused.append(k)
    if not refused:
        return 0
    if hi > 63:
        raise GenError("%s-%d refuses %s counts %s inside [%d, %d]; the table can only list counts up to 63"
                       % (s.name, s.since_version, what, refused, lo, hi))
    return sum(1 << k for k in range(lo, hi + 1) if k not in refused)


def allows_unknown_attrs(onnx, s):
    return "Unrecognized attribute" not in probe(onnx, s, s.min_input, s.min_output, extra_attr=True)


def signature(s):
    """What a version says besides its type lists."""
    params = [[(p.name, str(p.option)) for p in s.inputs], [(p.name, str(p.option)) for p in s.outputs]]
    attrs = sorted((a.name, a.type.name, a.required, a.default_value.SerializeToString())
                   for a in s.attributes.values())
    return params, attrs, s.doc


def reviewed_flags(versions, domain):
    """1 for each version onnxcc implements (see REVIEWED), else 0."""
    flags, prev_ok = [], True
    for k, s in enumerate(versions):
        if domain or s.since_version <= IMPLEMENTED_OPSET:
            ok = True
        elif s.since_version in REVIEWED.get(s.name, []):
            ok = True
        else:
            ok = prev_ok and k > 0 and signature(s) == signature(versions[k - 1])
        flags.append(int(ok))
        prev_ok = ok
    return flags


def emit_schema(onnx, s, token, reviewed):
    ins, outs = option_letters(s.inputs), option_letters(s.outputs)
    # schema_check.c counts present inputs against min_input; that is only
    # what ONNX means when no optional input comes before a required one.
    if re.search(r"O.*S", ins):
        raise GenError("%s-%d has an optional input before a required one (%s); "
                       "schema_check.c's present-count rule would reject valid nodes"
                       % (s.name, s.since_version, ins))
    attrs = sorted(s.attributes.values(), key=lambda a: a.name)
    if len(attrs) > MAX_ATTRS:
        raise GenError("%s-%d has %d attributes; schema_check.c handles at most %d"
                       % (s.name, s.since_version, len(attrs), MAX_ATTRS))
    if s.deprecated:
        # check_node refuses a deprecated op before looking at the node, so
        # there is nothing to probe; deprecated schemas are refused anyway.
        in_counts = out_counts = any_attrs = 0
    else:
        in_counts, out_counts = allowed_counts(onnx, s, "input"), allowed_counts(onnx, s, "output")
        any_attrs = int(allows_unknown_attrs(onnx, s))
    lines = ['SCHEMA(%s, %d, %d, %s, %d, %s, "%s", "%s", %s, %s, %d, %d, %d, %d)'
             % (token, s.since_version, s.min_input, arity(s.max_input), s.min_output,
                arity(s.max_output), ins, outs, hex(in_counts), hex(out_counts), int(s.deprecated),
                any_attrs, reviewed, len(attrs))]
    for a in attrs:
        tname = a.type.name
        if tname not in IR_ATTR_TYPES:
            raise GenError("%s-%d attribute %s has type %s, which compiler/ir.h cannot hold"
                           % (s.name, s.since_version, a.name, tname))
        lines.append("ATTR(%s, %s, %d)" % (a.name, tname, 1 if a.required else 0))
    return lines


def emit_ms_schema(token, op):
    """The SCHEMA line of a com.microsoft op, from MS_SCHEMAS."""
    if op not in MS_SCHEMAS:
        raise GenError("ops.def lists com.microsoft %s, which MS_SCHEMAS does not describe" % op)
    min_in, max_in, ins, outs, attrs = MS_SCHEMAS[op]
    lines = ['SCHEMA(%s, 1, %d, %s, %d, %d, "%s", "%s", 0x0, 0x0, 0, 0, 1, %d)'
             % (token, min_in, arity(max_in), outs.count("S"), len(outs), ins, outs, len(attrs))]
    lines.extend("ATTR(%s, %s, %d)" % a for a in sorted(attrs))
    return lines


def generate():
    import onnx
    from onnx import defs as onnx_defs

    out = [
        "/* GENERATED by scripts/gen_op_schema.py from onnx %s; do not edit." % onnx.__version__,
        " * Regenerate: .venv-onnx-new/bin/python scripts/gen_op_schema.py",
        " * Check:      .venv-onnx-new/bin/python scripts/gen_op_schema.py --check",
        " *",
        " * Every ONNX schema version (default domain, since_version <= %d;" % MAX_OPSET,
        " * ai.onnx.ml, since_version <= %d; ai.onnx.preview.training," % MAX_ML_OPSET,
        " * since_version <= %d; ai.onnx.preview, since_version <= %d;" % (MAX_TRAINING_OPSET, MAX_PREVIEW_OPSET),
        " * com.microsoft, written by hand in the script's MS_SCHEMAS) of every",
        " * op in ops.def, in ops.def",
        " * order, oldest version first (Op is the op id's suffix: ml_Binarizer",
        " * for ai.onnx.ml's Binarizer, OP_ml_Binarizer):",
        " *   SCHEMA(Op, since_version, min_in, max_in, min_out, max_out,",
        " *          \"input options\", \"output options\", in_counts, out_counts,",
        " *          deprecated, any_attrs, reviewed, n_attrs)",
        " * followed by its n_attrs attributes, sorted by name:",
        " *   ATTR(name, TYPE, required)",
        " * Options are one letter per formal parameter: S single (must be",
        " * present), O optional, V variadic (repeats; always the last one).",
        " * Unbounded maxima (onnx's 2^31-1) are INT_MAX. in_counts/out_counts:",
        " * 0 if every count in [min, max] is allowed, else a mask of the allowed",
        " * counts (bit k: k values). deprecated: onnx refuses the op at this",
        " * version. any_attrs: onnx accepts attributes the schema does not list.",
        " * reviewed: onnxcc implements this version (scripts/gen_op_schema.py,",
        " * REVIEWED); a node that selects an unreviewed one is refused. */",
    ]
    ops = read_ops()
    check_coverage(onnx_defs, ops)
    for token, op, domain, top in ops:
        if domain == MS_DOMAIN:
            out.extend(emit_ms_schema(token, op))
            continue
        versions = schema_versions(onnx_defs, op, domain, top)
        for s, reviewed in zip(versions, reviewed_flags(versions, domain)):
            out.extend(emit_schema(onnx, s, token, reviewed))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the committed file differs")
    args = ap.parse_args()
    try:
        text = generate()
    except GenError as e:
        print("gen_op_schema: error: %s" % e, file=sys.stderr)
        return 1
    try:
        with open(SCHEMA_DEF) as f:
            old = f.read()
    except FileNotFoundError:
        old = None
    if args.check:
        ok = text == old
        print("%s compiler/ops/schema.def is up to date (regenerate: "
              ".venv-onnx-new/bin/python scripts/gen_op_schema.py)" % ("ok  " if ok else "FAIL"))
        print("%d passed, %d failed" % (int(ok), int(not ok)))
        return 0 if ok else 1
    if text != old:
        with open(SCHEMA_DEF + ".tmp", "w") as f:
            f.write(text)
        os.replace(SCHEMA_DEF + ".tmp", SCHEMA_DEF)
    return 0


if __name__ == "__main__":
    sys.exit(main())
