#!/usr/bin/env bash
# End-to-end check of the gRPC API with the official TensorFlow Serving Python client
# (Scripts/grpc_client_check.py) against a server on a free loopback port.
#
#   Scripts/test-grpc.sh                   against `registry serve` over a fresh store of fixtures
#   Scripts/test-grpc.sh --fixture-server  against serving-fixture-server, the services alone over
#                                          fixture directories (no store, no `serve` command)
#
# The client needs TensorFlow, so this runs outside `swift test`. A venv with the pinned
# packages is made at ${TF_VENV:-$HOME/tf-venv} when it lacks them (never inside the repository).
# The server is always stopped, whatever happens.
set -euo pipefail

TF_VERSION=2.21.0
TF_VENV="${TF_VENV:-$HOME/tf-venv}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
fixtures=(keras2_mlp module_two_signatures string_lookup)

mode=serve
if [[ "${1:-}" == "--fixture-server" ]]; then mode=fixture; fi

if ! "$TF_VENV/bin/python" -c "import tensorflow, grpc, tensorflow_serving.apis.prediction_service_pb2_grpc" 2>/dev/null; then
  echo "==> creating $TF_VENV with tensorflow-cpu==$TF_VERSION and tensorflow-serving-api==$TF_VERSION" >&2
  python="$(command -v python3.11 || command -v python3)"
  "$python" -m venv "$TF_VENV"
  "$TF_VENV/bin/pip" install --quiet --upgrade pip
  "$TF_VENV/bin/pip" install --quiet "tensorflow-cpu==$TF_VERSION"
  "$TF_VENV/bin/pip" install --quiet --no-deps "tensorflow-serving-api==$TF_VERSION"
  "$TF_VENV/bin/pip" install --quiet grpcio
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [[ "$mode" == fixture ]]; then
  swift build --product serving-fixture-server >&2
  bin="$(swift build --show-bin-path)/serving-fixture-server"
  args=()
  for name in "${fixtures[@]}"; do args+=("$name=Fixtures/$name/model"); done
  "$bin" --host 127.0.0.1 --port 0 "${args[@]}" >"$work/server.log" 2>&1 &
  server_pid=$!
  port=""
  for _ in $(seq 1 600); do
    port="$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/server.log")"
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "error: the server exited" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { cat "$work/server.log" >&2; echo "error: the server did not report its port" >&2; exit 1; }
else
  swift build --product registry >&2
  bin="$(swift build --show-bin-path)/registry"
  if ! "$bin" serve --help >/dev/null 2>&1; then
    echo "error: this build of registry has no serve command (run with --fixture-server to check the services alone)" >&2
    exit 1
  fi
  store="$work/store"
  for name in "${fixtures[@]}"; do
    "$bin" --store "$store" push "Fixtures/$name/model" --name "$name" --alias stable >/dev/null
  done
  port="$(free_port)"
  "$bin" --store "$store" serve --host 127.0.0.1 --grpc-port "$port" --rest-port "$(free_port)" >"$work/server.log" 2>&1 &
  server_pid=$!
fi

echo "==> gRPC server on 127.0.0.1:$port ($mode)" >&2
status=0
for name in "${fixtures[@]}"; do
  echo "==> $name" >&2
  "$TF_VENV/bin/python" Scripts/grpc_client_check.py "127.0.0.1:$port" "$name" "Fixtures/$name" --wait 120 || status=1
  "$TF_VENV/bin/python" Scripts/grpc_client_check.py "127.0.0.1:$port" "$name" "Fixtures/$name" --label stable || status=1
done
if [[ $status -ne 0 ]]; then
  echo "==> server log:" >&2
  cat "$work/server.log" >&2
fi
exit $status
