#!/usr/bin/env bash
# Makes sure DIR holds the benchmark models resnet50/ and resnet50_ft/, writing them with
# Scripts/bench-make-models.py and the TensorFlow venv at ${TF_VENV:-$HOME/tf-venv} when absent.
# Used by Scripts/bench-store.sh and Scripts/bench-remote.sh.
# Usage: Scripts/bench-models.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
models=$1
if [ ! -d "$models/resnet50" ] || [ ! -d "$models/resnet50_ft" ]; then
  venv=${TF_VENV:-$HOME/tf-venv}
  if [ ! -x "$venv/bin/python" ]; then
    echo "bench: no TensorFlow venv at $venv; run Scripts/make-fixtures.sh once to create it" >&2
    exit 1
  fi
  mkdir -p "$models"
  "$venv/bin/python" Scripts/bench-make-models.py "$models"
fi
