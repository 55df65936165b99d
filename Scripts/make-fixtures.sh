#!/usr/bin/env bash
# Regenerate Fixtures/ (SavedModels written by real TensorFlow + reference data).
#
#   Scripts/make-fixtures.sh [--out DIR] [--only NAME ...]
#
# Creates a Python venv with the pinned TensorFlow at ${TF_VENV:-$HOME/tf-venv}
# if it is missing (never inside the repository), then runs make-fixtures.py.
# Needs python3.11 (or python3) with the venv module; downloads ~600 MB once.
set -euo pipefail

TF_VERSION=2.21.0
TF_VENV="${TF_VENV:-$HOME/tf-venv}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

case "$(realpath -m "$TF_VENV")/" in
  "$repo_root"/*) echo "TF_VENV must be outside the repository: $TF_VENV" >&2; exit 1 ;;
esac

if ! "$TF_VENV/bin/python" -c "import tensorflow as tf, tf_keras, numpy; assert tf.__version__ == '$TF_VERSION'" 2>/dev/null; then
  python="$(command -v python3.11 || command -v python3)"
  echo "Creating $TF_VENV with tensorflow-cpu==$TF_VERSION (using $python)" >&2
  "$python" -m venv "$TF_VENV"
  "$TF_VENV/bin/pip" install --upgrade pip
  "$TF_VENV/bin/pip" install "tensorflow-cpu==$TF_VERSION" "tf-keras==$TF_VERSION" numpy
fi

exec "$TF_VENV/bin/python" "$repo_root/Scripts/make-fixtures.py" "$@"
