#!/usr/bin/env bash
# Gathers the seed corpus for fuzz_compile into DEST (created if missing):
# the repository's test and example models, plus a sample of the small
# models of Debian's libonnx-testdata when it is installed. The copies are
# made at run time so the repository does not carry hundreds of them.
#
#   tests/fuzz/make_corpus.sh DEST [SAMPLE]     SAMPLE: testdata models (default 200)
set -euo pipefail
dest=${1:?usage: make_corpus.sh DEST [SAMPLE]}
sample=${2:-200}
root=$(cd "$(dirname "$0")/../.." && pwd)
testdata=/usr/share/libonnx-testdata/data
mkdir -p "$dest"

n=0
copy() { # copy SRC NAME: flat names, so models from different folders don't collide
  cp "$1" "$dest/$2"
  n=$((n + 1))
}

for f in "$root"/tests/models/*/model.onnx "$root"/examples/*/model.onnx; do
  [ -f "$f" ] || continue
  rel=${f#"$root"/}
  copy "$f" "${rel//\//_}"
done

if [ -d "$testdata" ] && [ "$sample" -gt 0 ]; then
  # Models under 64 KiB (larger ones slow every execution down), every
  # k-th of the sorted list so the sample spreads over all op families and
  # is the same on every run.
  mapfile -t small < <(find "$testdata" -name '*.onnx' -size -64k | LC_ALL=C sort)
  if [ "${#small[@]}" -gt 0 ]; then
    step=$(( (${#small[@]} + sample - 1) / sample ))
    for ((i = 0; i < ${#small[@]}; i += step)); do
      rel=${small[$i]#"$testdata"/}
      copy "${small[$i]}" "testdata_${rel//\//_}"
    done
  fi
else
  echo "make_corpus: $testdata not found (apt-get install libonnx-testdata for a larger corpus)" >&2
fi
echo "make_corpus: $n models in $dest"
