#!/usr/bin/env bash
# Creates (or completes) the Python venv that the scripts needing TensorFlow use, at
# ${TF_VENV:-$HOME/tf-venv}, never inside the repository, and prints its path.
#
#   Scripts/install-venv.sh
#
# It holds tensorflow-cpu and tf-keras (fixture and benchmark generators, the conformance runs)
# and the official TF Serving client, tensorflow-serving-api, with grpcio (the gRPC tests).
# tensorflow-serving-api is installed without its dependencies: it asks for the `tensorflow`
# wheel, a second copy of what tensorflow-cpu already provides. Downloads ~600 MB the first time;
# quiet and quick when everything is present. `swift test` never needs it.
set -euo pipefail

TF_VERSION=2.21.0
TF_VENV="${TF_VENV:-$HOME/tf-venv}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

case "$(realpath -m "$TF_VENV")/" in
  "$repo_root"/*) echo "install-venv: TF_VENV must be outside the repository: $TF_VENV" >&2; exit 1 ;;
esac

check="import tensorflow as tf, tf_keras, numpy, grpc, requests
import tensorflow_serving.apis.prediction_service_pb2_grpc
assert tf.__version__ == '$TF_VERSION', tf.__version__"
if ! "$TF_VENV/bin/python" -c "$check" >/dev/null 2>&1; then
  python="$(command -v python3.11 || command -v python3)"
  echo "install-venv: setting up $TF_VENV (tensorflow-cpu==$TF_VERSION, tensorflow-serving-api)" >&2
  [ -x "$TF_VENV/bin/python" ] || "$python" -m venv "$TF_VENV"
  "$TF_VENV/bin/pip" install -q "tensorflow-cpu==$TF_VERSION" "tf-keras==$TF_VERSION" numpy grpcio requests
  "$TF_VENV/bin/pip" install -q --no-deps "tensorflow-serving-api==$TF_VERSION"
  "$TF_VENV/bin/python" -c "$check"
fi
echo "$TF_VENV"
