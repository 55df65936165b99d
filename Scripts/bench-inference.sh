#!/usr/bin/env bash
# registry run against TensorFlow 2.21 on the same models and inputs (Scripts/bench-inference.py).
# Needs the TensorFlow venv at ${TF_VENV:-$HOME/tf-venv} (created by Scripts/make-fixtures.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${TF_VENV:-$HOME/tf-venv}
[ -x "$venv/bin/python" ] || { echo "bench-inference: no TensorFlow venv at $venv; run Scripts/make-fixtures.sh once" >&2; exit 1; }
# BENCH_COLD=0 (steady state only) does not need the registry binary's release build.
[ "${BENCH_COLD:-1}" = 0 ] || swift build -c release --product registry >/dev/null
swift build -c release --product registry-bench >/dev/null
bin=$(swift build -c release --show-bin-path)
echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$venv/bin/python" Scripts/bench-inference.py "$bin/registry" "$bin/registry-bench"
