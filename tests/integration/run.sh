#!/usr/bin/env bash
# Integration test: the installed package in a user's build.
#   usage: tests/integration/run.sh BUILD_DIR        (e.g. build)
# Installs BUILD_DIR with `meson install --destdir` into a temporary folder,
# then builds two sample projects against that staged prefix only: cmake/
# (find_package(onnxcc) + onnxcc_add_model) and meson/ (dependency('onnxcc') +
# custom_target). Each is app/main.c linking two models side by side (mlp with
# a weights file and --dim, convnet with --embed-weights); its output must match
# models/reference.txt (ONNX Runtime, within 1e-4 of the largest magnitude).
# Then: a second build does nothing, touching one model regenerates that model
# only (the compiler runs once, the other model's .c keeps its timestamp), and
# touching the compiler regenerates both. The projects are copied out of the
# source tree first, and no compile command may name the source tree.
# Prints one line per check and ends with "N passed, M failed"; without cmake
# it prints "SKIP cmake is not installed" and exits 0.
set -uo pipefail
if [ $# -ne 1 ] || [ ! -f "$1/build.ninja" ]; then
  echo "usage: $0 BUILD_DIR (a configured and built onnxcc build folder)" >&2
  exit 2
fi
if ! command -v cmake >/dev/null 2>&1; then
  echo "SKIP cmake is not installed"
  exit 0
fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "$1" && pwd)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/onnxcc-integration-XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
REF="$HERE/models/reference.txt"

pass=0
fail=0
result() { # status (0 = ok), description
  if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "ok   $2"; else fail=$((fail + 1)); echo "FAIL $2"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
}
show() { # file: the tail of a log, indented, after a failure
  sed -e 's/^/     | /' "$1" | tail -n 20
}

# Output of the app against the reference: same layout ("NAME COUNT", then
# COUNT values per model), every value within 1e-4 of the model's largest
# reference magnitude.
matches_reference() { # output file
  awk -v out="$1" '
    function abs(v) { return v < 0 ? -v : v }
    BEGIN {
      while ((getline line < out) > 0) got[++m] = line
    }
    { want[++n] = $0 }
    END {
      if (n != m) { print "     | " m " lines, expected " n; exit 1 }
      i = 1
      while (i <= n) {
        split(want[i], h, " "); split(got[i], g, " ")
        if (h[1] != g[1] || h[2] != g[2]) { print "     | line " i ": \"" got[i] "\", expected \"" want[i] "\""; exit 1 }
        big = 0
        for (j = 1; j <= h[2]; j++) if (abs(want[i + j] + 0) > big) big = abs(want[i + j] + 0)
        for (j = 1; j <= h[2]; j++) {
          v = got[i + j]
          if (v !~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ || abs(v - want[i + j]) > 1e-4 * big) {
            print "     | " h[1] "[" j - 1 "] = " v ", expected " want[i + j]; exit 1
          }
        }
        i += h[2] + 1
      }
    }' "$REF"
}

mtime() { stat -c %y "$1" 2>/dev/null || echo missing; }

# ---- install into a staging folder ----
STAGE="$TMP/stage"
DESTDIR="$STAGE" meson install -C "$BUILD" --quiet >"$TMP/install.log" 2>&1
st=$?
result $st "meson install --destdir"
[ $st = 0 ] || { show "$TMP/install.log"; finish; }
PC="$(find "$STAGE" -name onnxcc.pc -print -quit)"
CONFIG="$(find "$STAGE" -name onnxccConfig.cmake -print -quit)"
ONNXCC="$(find "$STAGE" -path '*/bin/onnxcc' -print -quit)"
for f in PC CONFIG ONNXCC; do
  [ -n "${!f}" ]
  result $? "installed $f file"
done
[ -n "$PC" ] && [ -n "$CONFIG" ] && [ -n "$ONNXCC" ] || finish
PREFIX="${ONNXCC%/bin/onnxcc}"   # staging folder + configured prefix

# A copy of a sample project, out of the source tree.
make_project() { # kind -> folder
  local src="$TMP/src-$1"
  mkdir -p "$src/models"
  cp "$HERE/$1/"* "$src/"
  cp "$HERE/app/main.c" "$src/"
  cp "$HERE/models/mlp.onnx" "$HERE/models/convnet.onnx" "$src/models/"
  echo "$src"
}

# The checks both build systems share. $1: name; $2: build folder; $3: app;
# $4, $5: the generated mlp.c and convnet.c; $6: compile_commands.json;
# build_cmd: the build command (verbose, so compiler runs can be counted).
rebuild_checks() {
  local name="$1" bld="$2" app="$3" mlp_c="$4" conv_c="$5" cc_json="$6" src="$7"
  local log="$TMP/$name-build.log"
  if "${build_cmd[@]}" >"$log" 2>&1; then result 0 "$name: first build"; else result 1 "$name: first build"; show "$log"; return; fi
  [ -f "$mlp_c" ] && [ -f "$conv_c" ]
  result $? "$name: generated sources in the build folder"
  ! grep -qF "$ROOT/" "$cc_json"
  result $? "$name: no compile command names the source tree ($ROOT)"
  grep -qF -- "-I$PREFIX/include" "$cc_json" || grep -qF -- "-isystem $PREFIX/include" "$cc_json"
  result $? "$name: runtime headers come from the installed prefix"
  (cd "$TMP" && "$app") >"$TMP/$name.out" 2>&1
  result $? "$name: app runs"
  matches_reference "$TMP/$name.out"
  result $? "$name: outputs match ONNX Runtime"

  "${build_cmd[@]}" >"$log" 2>&1 && grep -q "no work to do" "$log"
  result $? "$name: building again does nothing"
  [ $? = 0 ] || show "$log"

  local mlp_before conv_before runs
  mlp_before="$(mtime "$mlp_c")"
  conv_before="$(mtime "$conv_c")"
  sleep 0.05
  touch "$src/models/mlp.onnx"
  "${build_cmd[@]}" >"$log" 2>&1
  result $? "$name: build after touching mlp.onnx"
  runs=$(grep -cF "$ONNXCC " "$log")
  [ "$runs" = 1 ]
  result $? "$name: touching mlp.onnx runs the compiler once (ran $runs times)"
  [ "$(mtime "$mlp_c")" != "$mlp_before" ]
  result $? "$name: touching mlp.onnx regenerates mlp.c"
  [ "$(mtime "$conv_c")" = "$conv_before" ]
  result $? "$name: touching mlp.onnx leaves convnet.c alone"
  grep -qE "(^|[ /])app( |$)" "$log"
  result $? "$name: touching mlp.onnx relinks the app"
  (cd "$TMP" && "$app") >"$TMP/$name.out" 2>&1 && matches_reference "$TMP/$name.out"
  result $? "$name: outputs still match after the rebuild"
  "${build_cmd[@]}" >"$log" 2>&1 && grep -q "no work to do" "$log"
  result $? "$name: then building again does nothing"

  sleep 0.05
  touch "$ONNXCC"
  "${build_cmd[@]}" >"$log" 2>&1
  runs=$(grep -cF "$ONNXCC " "$log")
  [ "$runs" = 2 ]
  result $? "$name: touching the compiler regenerates both models (ran $runs times)"
}

# ---- CMake ----
if command -v ninja >/dev/null 2>&1; then
  src="$(make_project cmake)"
  bld="$TMP/build-cmake"
  # CMAKE_PREFIX_PATH is the staged prefix; CMake finds lib*/cmake/onnxcc there.
  cmake -S "$src" -B "$bld" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Wpedantic -Werror" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    >"$TMP/cmake-config.log" 2>&1
  st=$?
  result $st "cmake: configure finds onnxcc in the staged prefix"
  if [ $st = 0 ]; then
    grep -qF "onnxcc_DIR:PATH=$(dirname "$CONFIG")" "$bld/CMakeCache.txt"
    result $? "cmake: onnxcc_DIR is the staged package"
    build_cmd=(cmake --build "$bld" --verbose)
    rebuild_checks cmake "$bld" "$bld/app" "$bld/onnxcc/mlp.c" "$bld/onnxcc/convnet.c" \
      "$bld/compile_commands.json" "$src"
  else
    show "$TMP/cmake-config.log"
  fi
else
  echo "SKIP ninja is not installed"
  exit 0
fi

# ---- Meson ----
# pkg-config reads the staged onnxcc.pc; its paths name the configured prefix,
# so PKG_CONFIG_SYSROOT_DIR puts the staging folder in front of them (after a
# real `meson install`, PKG_CONFIG_PATH alone, or nothing, is enough).
export PKG_CONFIG_PATH="$(dirname "$PC")"
export PKG_CONFIG_SYSROOT_DIR="$STAGE"
src="$(make_project meson)"
bld="$TMP/build-meson"
meson setup "$bld" "$src" -Dwerror=true >"$TMP/meson-config.log" 2>&1
st=$?
result $st "meson: setup finds dependency('onnxcc') in the staged prefix"
if [ $st = 0 ]; then
  build_cmd=(ninja -C "$bld" -v)
  rebuild_checks meson "$bld" "$bld/app" "$bld/mlp.c" "$bld/convnet.c" \
    "$bld/compile_commands.json" "$src"
else
  show "$TMP/meson-config.log"
fi
finish
