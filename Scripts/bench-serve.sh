#!/usr/bin/env bash
# `registry serve` against a TensorFlow baseline (Scripts/bench-serve-baseline.py: TensorFlow 2.21
# in Python behind a minimal HTTP handler doing the same JSON decode, signatures[...] call and
# encode; TensorFlow Serving's binary is not installable here), in the same run, on the same
# models, bodies and wrk load. For each model and each server: the time from process start to
# ready (the model's status AVAILABLE), one request whose answers must agree between the two
# servers, a wrk warm-up run, then the measured wrk run (requests per second, p50, p99), the
# resident memory (VmRSS) at ready, before and after the measured run, the peak (VmHWM), and the
# server's CPU time per request. Prints a Markdown table for docs/benchmarks.md and the machine.
#
#   Scripts/bench-serve.sh
#   DURATION=10s MODELS=mlp Scripts/bench-serve.sh
#
# DURATION (60s) and WARMUP (5s): wrk run lengths. MODELS: any of mlp (Fixtures/keras2_mlp,
# 8 rows of 4 floats), mobilenet_v2 (Fixtures/mobilenet_v2: alpha 0.1, 32x32x3, batch 1),
# mobilenet_v2_224 (keras.applications.MobileNetV2 at 224x224x3, random weights, batch 1; written
# to /tmp/registry-bench-models on first use, as Scripts/bench-inference.sh does); default all
# three. WRK_THREADS (2), WRK_CONNECTIONS (8). TF_VENV (~/tf-venv, Scripts/install-venv.sh).
# REGISTRY_BIN: a registry binary to use instead of building the release one. Servers listen on
# free loopback ports and are stopped on exit. Wrong, missing or failed numbers (wrk errors,
# non-2xx answers, answers that disagree) fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${DURATION:-60s}"
warmup="${WARMUP:-5s}"
models="${MODELS:-mlp mobilenet_v2 mobilenet_v2_224}"
threads="${WRK_THREADS:-2}"
connections="${WRK_CONNECTIONS:-8}"
venv="${TF_VENV:-$HOME/tf-venv}"
python="$venv/bin/python"
generated=/tmp/registry-bench-models

die() { echo "bench-serve: $*" >&2; exit 1; }
[ -x "$python" ] || die "no TensorFlow venv at $venv; run Scripts/install-venv.sh"
command -v wrk >/dev/null 2>&1 || die "wrk is missing (Scripts/install-deps.sh)"
if [ -n "${REGISTRY_BIN:-}" ]; then
  bin="$REGISTRY_BIN"
else
  swift build -c release --product registry >/dev/null
  bin="$(swift build -c release --show-bin-path)/registry"
fi
[ -x "$bin" ] || die "$bin is missing"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

# name -> model directory, input element shape, batch, label
model_info() {
  case "$1" in
    mlp) echo "Fixtures/keras2_mlp/model 4 8 MLP (keras2_mlp fixture), 8×4 floats" ;;
    mobilenet_v2) echo "Fixtures/mobilenet_v2/model 32,32,3 1 MobileNetV2 α 0.1 (fixture), 1×32×32×3" ;;
    mobilenet_v2_224) echo "$generated/mobilenet_v2_224 224,224,3 1 MobileNetV2 (Keras), 1×224×224×3" ;;
    *) die "unknown model $1 (mlp, mobilenet_v2, mobilenet_v2_224)" ;;
  esac
}
for model in $models; do model_info "$model" >/dev/null; done
case " $models " in
  *" mobilenet_v2_224 "*)
    if [ ! -e "$generated/mobilenet_v2_224/saved_model.pb" ]; then
      echo "bench-serve: writing $generated/mobilenet_v2_224 (first run only)" >&2
      "$python" - <<'PY'
import importlib.util
spec = importlib.util.spec_from_file_location("bench_inference", "Scripts/bench-inference.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.build_models(["mobilenet_v2_224"])
PY
    fi ;;
esac

cat >"$work/helper.py" <<'PY'
import json, os, re, sys, time, urllib.error, urllib.request

def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError):
        return None, b""

def post(url, data):
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")

def flat(x):
    return [v for item in x for v in flat(item)] if isinstance(x, list) else [x]

command = sys.argv[1]
if command == "body":
    # body SHAPE BATCH SEED OUT: {"instances": [...]} of BATCH elements of SHAPE, values rounded
    # to 4 decimals (standard normal for vectors, uniform in [-1, 1] for images, MobileNetV2's
    # preprocessed range); deterministic.
    import numpy as np
    shape = [int(d) for d in sys.argv[2].split(",")]
    batch, seed, out = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    rng = np.random.default_rng(seed)
    values = rng.standard_normal([batch] + shape) if len(shape) == 1 else rng.uniform(-1, 1, [batch] + shape)
    with open(out, "w") as f:
        json.dump({"instances": np.round(values, 4).tolist()}, f, separators=(",", ":"))
elif command == "ready":
    # ready STDOUT PID MODEL T0_NS: waits for the "... on http://HOST:PORT" line, then polls
    # GET /v1/models/MODEL until it is 200 with state AVAILABLE; prints "URL MS" (MS from T0_NS).
    stdout, pid, model, t0 = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    url, deadline = None, time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit(f"the server (pid {pid}) exited before it was ready")
        if url is None:
            match = re.search(r"\bon (http://[^\s,()]+)", open(stdout).read())
            url = match and match.group(1)
        if url is not None:
            status, body = get(f"{url}/v1/models/{model}")
            if status == 200 and json.loads(body)["model_version_status"][0]["state"] == "AVAILABLE":
                print(url, "%.0f" % ((time.time_ns() - t0) / 1e6))
                sys.exit(0)
        time.sleep(0.005)
    sys.exit("not ready within 600 s")
elif command == "compare":
    # compare BODY URL_OURS URL_BASELINE MODEL: the same request to both; the predictions must
    # agree within max|Δ| <= 1e-4 max|baseline|. Prints the relative difference.
    data = open(sys.argv[2], "rb").read()
    answers = []
    for url in sys.argv[3:5]:
        status, answer = post(f"{url}/v1/models/{sys.argv[5]}:predict", data)
        if status != 200 or not isinstance(answer, dict) or "predictions" not in answer:
            sys.exit(f"{url} answered {status}: {str(answer)[:500]}")
        answers.append([float(v) for v in flat(answer["predictions"])])
    ours, baseline = answers
    if len(ours) != len(baseline) or not baseline:
        sys.exit(f"the answers differ in size: {len(ours)} values from registry, {len(baseline)} from TensorFlow")
    scale = max(abs(v) for v in baseline) or 1.0
    difference = max(abs(a - b) for a, b in zip(ours, baseline)) / scale
    if not difference <= 1e-4:
        sys.exit(f"the answers differ: max|Δ| / max|TF| = {difference:.3g} (registry {ours[:5]}..., TensorFlow {baseline[:5]}...)")
    print("%.1e" % difference)
elif command == "wrk":
    # wrk FILE: "REQ_PER_S P50_MS P99_MS REQUESTS" from wrk --latency output; fails on errors or
    # missing lines.
    text = open(sys.argv[2]).read()
    def one(pattern):
        match = re.search(pattern, text, re.MULTILINE)
        if not match:
            sys.exit(f"no {pattern!r} in the wrk output:\n{text}")
        return match.group(1)
    def ms(value):
        number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", value).groups()
        return float(number) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[unit]
    if re.search(r"Non-2xx|Socket errors", text):
        sys.exit(f"wrk saw errors:\n{text}")
    rps, requests = float(one(r"^Requests/sec:\s+([0-9.]+)")), int(one(r"^\s*(\d+) requests in"))
    if requests <= 0 or rps <= 0:
        sys.exit(f"no requests answered:\n{text}")
    print(rps, ms(one(r"^\s+50%\s+(\S+)")), ms(one(r"^\s+99%\s+(\S+)")), requests)
PY
helper() { "$python" "$work/helper.py" "$@"; }

status_kb() { # status_kb PID FIELD: VmRSS or VmHWM in kB, or fail
  local value
  value="$(awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status")"
  [[ "$value" =~ ^[0-9]+$ ]] || die "no $2 for pid $1"
  echo "$value"
}
cpu_ticks() { # utime + stime of PID, in clock ticks
  local stat
  stat="$(cat "/proc/$1/stat")"
  stat="${stat##*) }"
  awk '{print $12 + $13}' <<<"$stat"
}
ticks_per_second="$(getconf CLK_TCK)"
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f", kb / 1024}'; }

store="$work/store"
results="$work/results"
: >"$results"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A pid_of url_of ready_of rss_ready_of
wrk_run() { # wrk_run LUA URL DURATION OUT
  wrk -t"$threads" -c"$connections" -d"$3" --timeout 30s --latency -s "$1" "$2" >"$4" 2>&1 \
    || { cat "$4" >&2; die "wrk failed"; }
}

for model in $models; do
  read -r dir shape batch label <<<"$(model_info "$model")"
  [ -e "$dir/saved_model.pb" ] || die "$dir is not a SavedModel"
  "$bin" --store "$store" push "$dir" --name "$model" >/dev/null
  body="$work/$model.json"
  helper body "$shape" "$batch" 0 "$body"
  cat >"$work/$model.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("$body", "rb"))
wrk.body = f:read("*a")
f:close()
LUA

  pid_of=() url_of=() ready_of=() rss_ready_of=()
  for server in registry tensorflow; do
    out="$work/$model.$server.stdout"
    t0="$(date +%s%N)"
    if [ "$server" = registry ]; then
      "$bin" --store "$store" serve --rest-port 0 --no-grpc --no-ui --model "$model" >"$out" 2>"$work/$model.$server.stderr" &
    else
      "$python" Scripts/bench-serve-baseline.py "$dir" "$model" 0 >"$out" 2>"$work/$model.$server.stderr" &
    fi
    pid_of[$server]=$!
    pids+=("${pid_of[$server]}")
    line="$(helper ready "$out" "${pid_of[$server]}" "$model" "$t0")" \
      || { tail -20 "$work/$model.$server.stderr" >&2; die "$server did not get ready serving $model"; }
    read -r url ready <<<"$line"
    url_of[$server]="$url"
    ready_of[$server]="$ready"
    rss_ready_of[$server]="$(status_kb "${pid_of[$server]}" VmRSS)"
  done

  difference="$(helper compare "$body" "${url_of[registry]}" "${url_of[tensorflow]}" "$model")" \
    || die "$model: registry and TensorFlow disagree on the same request (above)"
  echo "bench-serve: $model: both servers ready, answers agree (max|Δ| / max|TF| = $difference)" >&2

  for server in registry tensorflow; do
    pid="${pid_of[$server]}"
    target="${url_of[$server]}/v1/models/$model:predict"
    wrk_run "$work/$model.lua" "$target" "$warmup" "$work/wrk.warmup"
    helper wrk "$work/wrk.warmup" >/dev/null || die "$model, $server: the warm-up run failed (above)"
    rss_before="$(status_kb "$pid" VmRSS)"
    cpu_before="$(cpu_ticks "$pid")"
    echo "bench-serve: $model, $server: wrk -t$threads -c$connections -d$duration" >&2
    wrk_run "$work/$model.lua" "$target" "$duration" "$work/wrk.out"
    cpu_after="$(cpu_ticks "$pid")"
    rss_after="$(status_kb "$pid" VmRSS)"
    peak="$(status_kb "$pid" VmHWM)"
    line="$(helper wrk "$work/wrk.out")" || die "$model, $server: the measured run failed (above)"
    read -r rps p50 p99 requests <<<"$line"
    cpu_ms="$(awk -v t=$((cpu_after - cpu_before)) -v hz="$ticks_per_second" -v n="$requests" 'BEGIN {printf "%.2f", t / hz * 1000 / n}')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$server" "${ready_of[$server]}" "$rps" "$p50" "$p99" \
      "${rss_ready_of[$server]}" "$rss_before" "$rss_after" "$peak" "$cpu_ms" "$requests" >>"$results"
  done

  for server in registry tensorflow; do
    pid="${pid_of[$server]}"
    kill -TERM "$pid"
    status=0
    wait "$pid" || status=$?
    [ "$status" = 0 ] || { tail -20 "$work/$model.$server.stderr" >&2; die "$server serving $model exited with $status after SIGTERM"; }
    if [ "$server" = registry ] && grep -qi 'error' "$work/$model.$server.stderr"; then
      echo "bench-serve: registry serve logged errors serving $model:" >&2
      grep -i 'error' "$work/$model.$server.stderr" | head -20 >&2
    fi
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "Machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
  "$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release), $(date +%Y-%m-%d)."
echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
echo "TensorFlow $("$python" -c 'import os; os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"; import tensorflow as tf; print(tf.__version__)' 2>/dev/null)," \
  "registry at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo ' (modified)'), wrk -t$threads -c$connections -d$duration (after a $warmup warm-up run), one request body per model."
echo
echo "| model, request | server | start to ready | req/s | p50 | p99 | RSS at ready | RSS before → after the run | peak RSS | server CPU per request |"
echo "|---|---|---|---|---|---|---|---|---|---|"
growth=""
while IFS=$'\t' read -r label server ready rps p50 p99 rss_ready rss_before rss_after peak cpu_ms _; do
  name='TensorFlow (Python)'
  # shellcheck disable=SC2016 # backquotes for Markdown
  if [ "$server" = registry ]; then name='`registry serve`'; fi
  printf '| %s | %s | %s ms | %.1f | %.2f ms | %.2f ms | %s MB | %s → %s MB | %s MB | %s ms |\n' \
    "$label" "$name" "$ready" "$rps" "$p50" "$p99" "$(mb "$rss_ready")" "$(mb "$rss_before")" "$(mb "$rss_after")" "$(mb "$peak")" "$cpu_ms"
  if [ $((rss_after - rss_before)) -gt 1024 ]; then
    growth+="$label, $server: RSS grew by $(mb $((rss_after - rss_before))) MB during the run"$'\n'
  fi
done <"$results"
[ -z "$growth" ] || printf '\n%s' "$growth"
