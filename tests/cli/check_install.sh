#!/usr/bin/env bash
# `meson install` puts the compiler, the runtime library and its headers in
# place.   usage: tests/cli/check_install.sh BUILD_DIR
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
         include/onnxcc/kernels/elementwise.h include/onnxcc/kernels/conv.h; do
  [ -n "$(find "$DEST" -path "*/$f" -print -quit)" ]
  result $? "installs $f"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
