#!/usr/bin/env bash
# End-to-end check of the gRPC API with the official TensorFlow Serving Python client
# (Scripts/grpc_client_check.py) against a server on a free loopback port.
#
#   Scripts/test-grpc.sh                   against `registry serve` over a fresh store of fixtures
#   Scripts/test-grpc.sh --fixture-server  against serving-fixture-server, the services alone over
#                                          fixture directories (no store, no `serve` command)
#
# The client needs TensorFlow, so this runs outside `swift test`. The venv with the pinned
# packages is Scripts/install-venv.sh's, made at ${TF_VENV:-$HOME/tf-venv} when it lacks them.
# The server is always stopped, whatever happens.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
fixtures=(keras2_mlp module_two_signatures string_lookup example_classifier)

mode=serve
if [[ "${1:-}" == "--fixture-server" ]]; then mode=fixture; fi

TF_VENV="$(Scripts/install-venv.sh)"

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
  # Debug level: one log line per request, checked below.
  LOG_LEVEL=debug "$bin" --store "$store" serve --host 127.0.0.1 --grpc-port 0 --rest-port 0 >"$work/server.log" 2>&1 &
  server_pid=$!
  # Both ports are picked by the system; the ready line names them.
  port=""
  for _ in $(seq 1 1200); do
    port="$(sed -n 's/^serving .* (gRPC 127\.0\.0\.1:\([0-9]*\))$/\1/p' "$work/server.log")"
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "error: the server exited" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { cat "$work/server.log" >&2; echo "error: the server did not report its gRPC port" >&2; exit 1; }
fi

echo "==> gRPC server on 127.0.0.1:$port ($mode)" >&2
status=0
for name in "${fixtures[@]}"; do
  echo "==> $name" >&2
  "$TF_VENV/bin/python" Scripts/grpc_client_check.py "127.0.0.1:$port" "$name" "Fixtures/$name" --wait 120 || status=1
  "$TF_VENV/bin/python" Scripts/grpc_client_check.py "127.0.0.1:$port" "$name" "Fixtures/$name" --label stable || status=1
done
if [[ "$mode" == serve ]]; then
  # The gRPC calls are counted and logged as REST requests are.
  rest_port="$(sed -n 's/^serving .* on http:\/\/127\.0\.0\.1:\([0-9]*\) (gRPC .*$/\1/p' "$work/server.log")"
  metrics="$(curl -fsS "http://127.0.0.1:$rest_port/monitoring/prometheus/metrics")"
  for expected in \
    'registry_serving_request_count{model_name="keras2_mlp",version="1",signature_name="serving_default",API="predict",entrypoint="gRPC",status="OK"}' \
    'registry_serving_request_count{model_name="",version="",signature_name="",API="predict",entrypoint="gRPC",status="NOT_FOUND"}' \
    'registry_serving_request_latency_seconds_count{model_name="keras2_mlp",version="1",signature_name="",API="metadata",entrypoint="gRPC",status="OK"}'; do
    if ! grep -qF "$expected" <<<"$metrics"; then
      echo "error: the metrics have no $expected" >&2
      grep 'entrypoint="gRPC"' <<<"$metrics" >&2 || true
      status=1
    fi
  done
  if ! grep -qE 'gRPC predict keras2_mlp:1 \[serving_default\] OK in [0-9.]+ ms' "$work/server.log"; then
    echo "error: the server logged no debug line for a gRPC predict" >&2
    status=1
  fi
fi
if [[ $status -ne 0 ]]; then
  echo "==> server log:" >&2
  cat "$work/server.log" >&2
fi
exit $status
