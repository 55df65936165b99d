#!/usr/bin/env bash
# Random models checked against TensorFlow (Scripts/conformance.py, whose docstring lists the kinds).
# Usage: Scripts/conformance.sh [COUNT] [SEED] [--kinds dense,conv,recurrent,transformer,text] [--tf-only]
# Needs the TensorFlow venv (Scripts/make-fixtures.sh). --tf-only runs TensorFlow alone and skips the Swift build.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${TF_VENV:-$HOME/tf-venv}
[ -x "$venv/bin/python" ] || { echo "conformance: no TensorFlow venv at $venv; run Scripts/make-fixtures.sh once" >&2; exit 1; }
registry=none
if [[ " $* " != *" --tf-only "* ]]; then
  swift build -c release --product registry >/dev/null
  registry="$(swift build -c release --show-bin-path)/registry"
fi
"$venv/bin/python" Scripts/conformance.py "$registry" "$@"
