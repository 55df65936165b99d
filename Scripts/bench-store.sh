#!/usr/bin/env bash
# Push and pull throughput on a ~200 MB SavedModel beside `cp -r`, `sha256sum` and
# `openssl dgst -sha256` of the same files, in the same run, each with its speed relative to
# `sha256sum`, plus the dedup of a fine-tune pair against whole-file dedup.
#
# Usage: Scripts/bench-store.sh [MODELS_DIR]
# MODELS_DIR holds resnet50/ and resnet50_ft/ (written by Scripts/bench-make-models.py with
# TensorFlow; generated on the fly into /tmp/registry-bench-models when absent, using the venv at
# ${TF_VENV:-$HOME/tf-venv}). Page cache is warm for every side; best of 3 runs each.
set -euo pipefail
cd "$(dirname "$0")/.."
models=${1:-/tmp/registry-bench-models}
Scripts/bench-models.sh "$models"
swift build -c release --product registry >/dev/null
registry="$(swift build -c release --show-bin-path)/registry"
work=$(mktemp -d /tmp/registry-bench-store.XXXXXX)
trap 'rm -rf "$work"' EXIT
model="$models/resnet50"
bytes=$(find "$model" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
find "$model" "$models/resnet50_ft" -type f -exec cat {} + >/dev/null

# best TIME_CMD...: best wall time of 3 runs of a command (setup in $before runs untimed first).
best() {
  local best_time=""
  for _ in 1 2 3; do
    if [ -n "${before:-}" ]; then eval "$before"; fi
    local start end
    start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N)
    best_time=$(awk -v s="$start" -v e="$end" -v b="$best_time" 'BEGIN { t = e - s; if (b == "" || t < b) print t; else print b }')
  done
  echo "$best_time"
}
# row NAME TIME: a table row; the last column is sha256sum's time over TIME ($baseline).
row() {
  awk -v n="$1" -v t="$2" -v b="$bytes" -v s="${baseline:-$2}" \
    'BEGIN { printf "| %-44s | %7.3f s | %6.2f GB/s | %5.2fx |\n", n, t, b / t / 1e9, s / t }'
}

echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ { print $2 }') GiB"
echo "model: $model, $(find "$model" -type f | wc -l) files, $bytes bytes"
echo
echo "| what | time | throughput | vs sha256sum |"
echo "|---|---|---|---|"
baseline=$(best sh -c "find '$model' -type f -print0 | xargs -0 sha256sum")
row "sha256sum of every file" "$baseline"
if command -v openssl >/dev/null; then
  row "openssl dgst -sha256 of every file" "$(best sh -c "find '$model' -type f -print0 | xargs -0 openssl dgst -sha256")"
fi
row "cp -r" "$(before="rm -rf $work/copy" best cp -r "$model" "$work/copy")"
row "registry push (new store)" "$(before="rm -rf $work/store" best "$registry" --store "$work/store" push "$model" --name resnet50)"
"$registry" --store "$work/store" push "$model" --name resnet50 >/dev/null 2>&1 || true
row "registry push (identical, already stored)" "$(best "$registry" --store "$work/store" push "$model" --name resnet50)"
row "registry pull (verified)" "$(before="rm -rf $work/pulled" best "$registry" --store "$work/store" pull resnet50 --to "$work/pulled")"
row "registry verify (CRC32C + fingerprint)" "$(best "$registry" verify "$model")"

echo
echo "Dedup of a fine-tune that changes only the classifier head:"
rm -rf "$work/dedup"
"$registry" --store "$work/dedup" push "$model" --name r --json >"$work/base.json"
"$registry" --store "$work/dedup" push "$models/resnet50_ft" --name r --json >"$work/ft.json"
ft_new=$(python3 -c "import json; print(json.load(open('$work/ft.json'))['new_bytes'])")
ft_total=$(python3 -c "import json; print(json.load(open('$work/ft.json'))['logical_bytes'])")
whole_file=$(cd "$model" && find . -type f | while read -r f; do
  if ! cmp -s "$f" "$models/resnet50_ft/$f"; then stat -c %s "$models/resnet50_ft/$f"; fi
done | awk '{ s += $1 } END { print s + 0 }')
store_bytes=$(du -sb "$work/dedup/objects" | cut -f1)
echo "| | bytes | share of the fine-tune |"
echo "|---|---|---|"
awk -v n="$ft_new" -v w="$whole_file" -v t="$ft_total" -v s="$store_bytes" 'BEGIN {
  printf "| fine-tune size | %d | 100%% |\n", t
  printf "| new bytes stored by registry (tensor-aware) | %d | %.2f%% |\n", n, 100 * n / t
  printf "| new bytes with whole-file dedup | %d | %.2f%% |\n", w, 100 * w / t
  printf "| store on disk for both versions | %d | |\n", s }'
