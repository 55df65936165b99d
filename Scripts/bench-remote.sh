#!/usr/bin/env bash
# Export and import of the ~207 MB ResNet50 over loopback to Debian's docker-registry, beside
# `skopeo copy` of the same artifact between an OCI layout and the registry (both directions),
# in the same run, best of 3; then the upload bytes of a fine-tune (only the head changed) with
# our format against `--format modelpack` (file per layer), as the registry's storage growth and
# as `export --json` reports it.
#
# Usage: Scripts/bench-remote.sh [MODELS_DIR]
# MODELS_DIR holds resnet50/ and resnet50_ft/ (Scripts/bench-make-models.py; generated into
# /tmp/registry-bench-models when absent, with the venv at ${TF_VENV:-$HOME/tf-venv}). Every
# timed export and skopeo upload goes to a registry started empty for it (filesystem storage in
# a temporary directory, a free loopback port), so each run sends every blob.
set -euo pipefail
cd "$(dirname "$0")/.."
models=${1:-/tmp/registry-bench-models}
Scripts/bench-models.sh "$models"
for tool in docker-registry skopeo python3; do
  command -v "$tool" >/dev/null || { echo "bench-remote: $tool is not installed (Scripts/install-deps.sh)" >&2; exit 1; }
done
nice -n 10 swift build -c release --product registry >/dev/null
registry="$(swift build -c release --show-bin-path)/registry"
work=$(mktemp -d /tmp/registry-bench-remote.XXXXXX)
server_pid=""
server_dir=""
port=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# start_server: a fresh docker-registry (empty storage) on a free loopback port.
start_server() {
  stop_server
  server_dir=$(mktemp -d "$work/registry.XXXXXX")
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$server_dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $server_dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  docker-registry serve "$server_dir/config.yml" >/dev/null 2>"$server_dir/registry.log" &
  server_pid=$!
  for _ in $(seq 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    sleep 0.05
  done
  echo "bench-remote: docker-registry did not start: $(cat "$server_dir/registry.log")" >&2
  exit 1
}
blob_bytes() { du -sb "$server_dir/storage/docker/registry/v2/blobs" 2>/dev/null | cut -f1 || echo 0; }

model="$models/resnet50"
bytes=$(find "$model" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
find "$model" "$models/resnet50_ft" -type f -exec cat {} + >/dev/null
store="$work/store"
"$registry" --store "$store" push "$model" --name resnet50 >/dev/null
"$registry" --store "$store" push "$models/resnet50_ft" --name resnet50 >/dev/null
"$registry" --store "$store" export resnet50:1 "oci-layout:$work/layout:1" >/dev/null

# best SETUP CMD...: sets $best_time to the best wall time of 3 runs of CMD (SETUP is eval'ed
# untimed before each run). Not in a subshell, so a server SETUP starts is stopped by the trap.
best() {
  local setup=$1
  best_time=""
  shift
  for _ in 1 2 3; do
    eval "$setup"
    local start end
    start=$(date +%s.%N)
    eval "$*" >/dev/null
    end=$(date +%s.%N)
    best_time=$(awk -v s="$start" -v e="$end" -v b="$best_time" 'BEGIN { t = e - s; if (b == "" || t < b) print t; else print b }')
  done
}
row() { awk -v n="$1" -v t="$2" -v b="$bytes" 'BEGIN { printf "| %-58s | %7.3f s | %6.1f MB/s |\n", n, t, b / t / 1e6 }'; }

echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ { print $2 }') GiB"
echo "load: $(uptime | sed 's/.*load average: //')"
echo "model: $model, $(find "$model" -type f | wc -l) files, $bytes bytes; docker-registry $(docker-registry --version 2>/dev/null | awk '{ print $NF }'), skopeo $(skopeo --version | awk '{ print $NF }')"
echo
echo "| what (loopback, plain HTTP) | time | throughput |"
echo "|---|---|---|"
best start_server '"$registry" --store "$store" export resnet50:1 "oci://127.0.0.1:$port/bench/r:1"'
row "registry export (store -> empty registry)" "$best_time"
best start_server 'skopeo copy --dest-tls-verify=false "oci:$work/layout:1" "docker://127.0.0.1:$port/bench/r:1"'
row "skopeo copy (oci layout -> empty registry)" "$best_time"
best start_server '"$registry" --store "$store" export resnet50:1 "oci://127.0.0.1:$port/bench/r:1" --format modelpack'
row "registry export --format modelpack (store -> empty registry)" "$best_time"
start_server
"$registry" --store "$store" export resnet50:1 "oci://127.0.0.1:$port/bench/ours:1" >/dev/null
"$registry" --store "$store" export resnet50:1 "oci://127.0.0.1:$port/bench/mp:1" --format modelpack >/dev/null
best 'rm -rf "$work/in"' '"$registry" --store "$work/in" import "oci://127.0.0.1:$port/bench/ours:1"'
row "registry import (registry -> new store)" "$best_time"
best 'rm -rf "$work/down"' 'skopeo copy --src-tls-verify=false "docker://127.0.0.1:$port/bench/ours:1" "oci:$work/down:1"'
row "skopeo copy (registry -> new oci layout)" "$best_time"
best 'rm -rf "$work/in"' '"$registry" --store "$work/in" import "oci://127.0.0.1:$port/bench/mp:1"'
row "registry import of the modelpack artifact (-> new store)" "$best_time"

echo
echo "Upload of the fine-tune (only the classifier head changed) after its base, each format on an empty registry:"
echo "| format | registry storage growth | uploaded_bytes (--json) | share of the fine-tune |"
echo "|---|---|---|---|"
ft_total=$(find "$models/resnet50_ft" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
for format in savedmodel modelpack; do
  start_server
  "$registry" --store "$store" export resnet50:1 "oci://127.0.0.1:$port/bench/r" --format "$format" >/dev/null
  before=$(blob_bytes)
  "$registry" --store "$store" export resnet50:2 "oci://127.0.0.1:$port/bench/r" --format "$format" --json \
    >"$work/ft-$format.json"
  after=$(blob_bytes)
  sent=$(python3 -c "import json; print(json.load(open('$work/ft-$format.json'))['uploaded_bytes'])")
  awk -v f="$format" -v g="$((after - before))" -v s="$sent" -v t="$ft_total" \
    'BEGIN { printf "| %s | %d | %d | %.2f%% |\n", f, g, s, 100 * s / t }'
done
stop_server
