#!/usr/bin/env bash
# Random models of the supported kinds, checked against TensorFlow (Scripts/conformance.py).
# Usage: Scripts/conformance.sh [COUNT] [SEED]. Needs the TensorFlow venv (Scripts/make-fixtures.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${TF_VENV:-$HOME/tf-venv}
[ -x "$venv/bin/python" ] || { echo "conformance: no TensorFlow venv at $venv; run Scripts/make-fixtures.sh once" >&2; exit 1; }
swift build -c release --product registry >/dev/null
"$venv/bin/python" Scripts/conformance.py "$(swift build -c release --show-bin-path)/registry" "$@"
