#!/usr/bin/env bash
# `meson install` puts the compiler, the runtime library and its headers, the
# pkg-config file, the CMake package and the man page in place (the
# integration test, tests/integration/run.sh, builds projects against them).
#   usage: tests/cli/check_install.sh BUILD_DIR
set -uo pipefail
BUILD="$1"
DEST="$(mktemp -d)"
trap 'rm -rf "$DEST"' EXIT
pass=0
fail=0
result() { # ok?, name
  if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok   $2"; else fail=$((fail + 1)); echo "FAIL $2"; fi
}
DESTDIR="$DEST" meson install -C "$BUILD" --quiet >/dev/null 2>&1
result $? "meson install"
for f in bin/onnxcc libonnxcc_rt.a include/onnxcc/runtime.h include/onnxcc/kernels.h include/onnxcc/params.h \
         include/onnxcc/parallel.h include/onnxcc/threads.h \
         include/onnxcc/kernels/elementwise.h include/onnxcc/kernels/conv.h; do
  [ -n "$(find "$DEST" -path "*/$f" -print -quit)" ]
  result $? "installs $f"
done
for f in pkgconfig/onnxcc.pc cmake/onnxcc/onnxccConfig.cmake cmake/onnxcc/onnxccConfigVersion.cmake \
         share/man/man1/onnxcc.1 share/onnxcc/runtime/src/blob.c share/onnxcc/runtime/include/onnxcc/runtime.h \
         share/onnxcc/runtime/include/onnxcc/kernels/conv.h share/onnxcc/runtime/firmware/startup.c \
         share/onnxcc/runtime/firmware/mps2-an386.ld; do
  [ -n "$(find "$DEST" -path "*/$f" -print -quit)" ]
  result $? "installs $f"
done

# onnxcc.pc: cflags and libs of the runtime, and the compiler as a variable.
PC="$(find "$DEST" -name onnxcc.pc -print -quit)"
if [ -n "$PC" ] && command -v pkg-config >/dev/null 2>&1; then
  export PKG_CONFIG_PATH="$(dirname "$PC")" PKG_CONFIG_SYSROOT_DIR="$DEST"
  libs="$(pkg-config --libs onnxcc)"
  [[ " $libs " == *" -lonnxcc_rt "* && " $libs " == *" -lm "* ]]
  result $? "onnxcc.pc: libs are -lonnxcc_rt -lm ($libs)"
  inc="$(pkg-config --cflags-only-I onnxcc | tr -d " ")"
  [ -f "${inc#-I}/onnxcc/runtime.h" ]
  result $? "onnxcc.pc: cflags name the installed headers ($inc)"
  exe="$(pkg-config --variable=onnxcc onnxcc)"
  [ -x "$exe" ] && "$exe" --version >/dev/null 2>&1
  result $? "onnxcc.pc: variable onnxcc is the installed compiler ($exe)"
fi

# The CMake config finds the prefix from its own folder.
CONFIG="$(find "$DEST" -name onnxccConfig.cmake -print -quit)"
if [ -n "$CONFIG" ]; then
  grep -q 'CMAKE_CURRENT_LIST_DIR' "$CONFIG" && grep -q 'onnxcc_add_model' "$CONFIG"
  result $? "onnxccConfig.cmake is relocatable and defines onnxcc_add_model"
fi

# The man page is well-formed roff and names every flag of --help.
MAN="$(find "$DEST" -path '*/man1/onnxcc.1' -print -quit)"
EXE="$(find "$DEST" -path '*/bin/onnxcc' -print -quit)"
if [ -n "$MAN" ] && [ -n "$EXE" ]; then
  missing=""
  for flag in $("$EXE" --help | grep -oE -- '(^|[ ,\[])--?[A-Za-z][A-Za-z0-9-]*' | grep -oE -- '--?[A-Za-z][A-Za-z0-9-]*' | sort -u); do
    # roff writes a - as \-
    grep -qF -- "$(printf '%s' "$flag" | sed 's/-/\\-/g')" "$MAN" || missing="$missing $flag"
  done
  [ -z "$missing" ]
  result $? "onnxcc.1 documents every flag of --help${missing:+ (missing:$missing)}"
  if command -v groff >/dev/null 2>&1; then
    [ -z "$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)" ]
    result $? "onnxcc.1 formats without groff warnings"
  fi
fi
# `onnxcc run` from the install builds its runtime from the installed
# sources (bin/../share/onnxcc/runtime, found from the moved prefix).
EXE="$(find "$DEST" -path '*/bin/onnxcc' -print -quit)"
if [ -n "$EXE" ]; then
  ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
  "$EXE" run "$ROOT/tests/models/mlp/model.onnx" 2>/dev/null | tail -n 1 | grep -q '"median_ms"'
  result $? "the installed onnxcc run builds and runs a model"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
