#!/usr/bin/env bash
# Regenerate Fixtures/ (SavedModels written by real TensorFlow + reference data).
#
#   Scripts/make-fixtures.sh [--out DIR] [--only NAME ...]
#
# Makes sure the TensorFlow venv exists (Scripts/install-venv.sh, at ${TF_VENV:-$HOME/tf-venv},
# never inside the repository), then runs make-fixtures.py.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_VENV="$("$repo_root/Scripts/install-venv.sh")"

exec "$TF_VENV/bin/python" "$repo_root/Scripts/make-fixtures.py" "$@"
