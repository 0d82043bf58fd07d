#!/usr/bin/env bash
# Fuzzes the compiler for SECONDS with the fuzz_compile binary of an
# already configured build (-Dfuzz=true; see tests/fuzz/README.md). It
# builds nothing. Seeds: the repository's models (make_corpus.sh) and the
# regression corpus; new inputs go to a fresh temporary work corpus, so
# the seed folders are never modified.
#
#   tests/fuzz/run_fuzz.sh SECONDS [BUILD_DIR] [-- EXTRA_LIBFUZZER_FLAGS...]
#
# Ends with "1 passed, 0 failed" when libFuzzer found nothing, or
# "0 passed, 1 failed" when it found a crash, sanitizer report, leak,
# out-of-memory or timeout; the input that triggered it is kept under
# $ONNXCC_FUZZ_ARTIFACTS (default BUILD_DIR/fuzz-artifacts/) with the log.
set -uo pipefail

secs=${1:?usage: run_fuzz.sh SECONDS [BUILD_DIR] [-- LIBFUZZER_FLAGS...]}
shift
build=build-fuzz
if [ $# -gt 0 ] && [ "$1" != "--" ]; then build=$1; shift; fi
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
# ONNXCC_FUZZ_HARNESS=fuzz_blob fuzzes the generated init with damaged
# weight blobs instead of the compiler with damaged models.
harness=${ONNXCC_FUZZ_HARNESS:-fuzz_compile}
fuzzer=$build/tests/fuzz/$harness
if [ ! -x "$fuzzer" ]; then
  echo "run_fuzz: $fuzzer not found; build it first:" >&2
  echo "  CC=clang meson setup $build -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug && ninja -C $build" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
artifacts=${ONNXCC_FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/onnxcc-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/seed"
if [ "$harness" = fuzz_blob ]; then
  # Seed: the real blob of the model the harness links.
  cp "$build/tests/fuzz/fuzz_model.weights" "$work/seed/"
  inputs=("$work/corpus" "$work/seed")
  flags=(-max_len=65536)
else
  "$here/make_corpus.sh" "$work/seed" >&2
  # -max_len: the seeds are up to 64 KiB, real models much larger; 256 KiB
  # lets mutations grow tensors without slowing every execution down.
  inputs=("$work/corpus" "$work/seed" "$here/regressions")
  flags=(-max_len=262144 -dict="$here/onnx.dict")
fi

# Sanitizer findings must stop the run (UBSan only prints by default);
# stack traces name the culprit. Leaks are reported by libFuzzer itself.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

log=$artifacts/fuzz-$(date +%Y%m%d-%H%M%S).log
echo "run_fuzz: $fuzzer for ${secs}s; log $log" >&2
# -timeout: one input may take 20 s (the 100k-node regressions must
# compile in a few seconds even under ASan).
"$fuzzer" "${inputs[@]}" \
  -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048 "${flags[@]}" \
  -timeout=20 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$@" >"$log" 2>&1
rc=$?

# libFuzzer's own summary lines: executions, speed, coverage.
stats=$(grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" | tr '\n' ' ')
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
echo "run_fuzz: exit $rc; ${stats}"
echo "run_fuzz: last status: ${last:-none}"
found=$(grep -E '^(==[0-9]+== ?ERROR|SUMMARY: |.*runtime error:|.*-- (crash|leak|oom|timeout)|artifact_prefix=.*Test unit written to)' "$log" | head -8)
if [ $rc -ne 0 ] || [ -n "$found" ]; then
  echo "run_fuzz: libFuzzer found a problem:"
  echo "${found:-(see the log)}" | sed 's/^/  /'
  # The top frames of the first report, past the sanitizer's and libFuzzer's own.
  grep -A40 -m1 -E '^==[0-9]+== ?ERROR|runtime error:' "$log" | grep -E '^ +#[0-9]+ ' |
    grep -vE ' in (__sanitizer|__asan|__ubsan|__interceptor|fuzzer::|__lsan|malloc|calloc|realloc)' | head -6 | sed 's/^/  /'
  echo "run_fuzz: the input is in $artifacts (replay: $fuzzer FILE), log $log"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
