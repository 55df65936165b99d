#!/usr/bin/env bash
# Times CRC32C, SHA-256 and FarmHash over the same random file as `sha256sum`, in one run.
# Usage: Scripts/bench-checksums.sh [MiB]   (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
file=$(mktemp /tmp/registry-bench.XXXXXX)
trap 'rm -f "$file"' EXIT
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$file"
swift build -c release --product registry-bench >/dev/null
bench=$(swift build -c release --show-bin-path)/registry-bench

echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cat "$file" >/dev/null  # warm the page cache so both sides read from memory
times=""
for _ in 1 2 3; do
  start=$(date +%s.%N); sha256sum "$file" >/dev/null; end=$(date +%s.%N)
  times="$times $start $end"
done
echo "$times" | awk -v bytes="$((size_mib * 1048576))" '{
  best = 0; for (i = 1; i < NF; i += 2) { t = $(i + 1) - $i; if (best == 0 || t < best) best = t }
  printf "%-34s %7.2f GB/s\n", "sha256sum (coreutils, best of 3)", bytes / best / 1e9 }'
"$bench" checksums "$file" 5
