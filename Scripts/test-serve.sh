#!/usr/bin/env bash
# End-to-end test of `registry serve` (docs/serve.md): the debug binary, a store in a temp
# directory, curl against the REST API, an alias moved under load, wrk for throughput, SIGTERM.
# Builds nothing: run `swift build` first (Scripts/test.sh does). Needs curl, python3 and wrk
# (Scripts/install-deps.sh installs them); under CI=true a missing tool fails the run.
# Usage: Scripts/test-serve.sh [wrk seconds, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"

bin="$(swift build --show-bin-path)/registry"
[ -x "$bin" ] || { echo "test-serve: $bin is missing; run swift build first" >&2; exit 1; }
for tool in curl python3 wrk; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test-serve: $tool is missing (Scripts/install-deps.sh)" >&2; exit 1; }
done

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

store="$work/store"
registry() { "$bin" --store "$store" "$@"; }
registry push Fixtures/finetune_base/model --name ft >/dev/null
registry push Fixtures/finetune_head/model --name ft >/dev/null
registry alias set ft@stable 1 >/dev/null
registry push Fixtures/tf1_builder/model --name tf1 >/dev/null

poll_ms=500
"$bin" --store "$store" serve --rest-port 0 --no-grpc --poll-interval "${poll_ms}ms" --workers 2 >"$work/stdout" 2>"$work/stderr" &
server=$!
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's/^serving [0-9]* versions of [0-9]* models on \(http:[^ ]*\).*$/\1/p' "$work/stdout")"
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/stderr" >&2; echo "test-serve: the server exited" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/stderr" >&2; echo "test-serve: no ready line after 120 s" >&2; exit 1; }
echo "test-serve: $(cat "$work/stdout")"

# Python without numpy: reads float32 .npy files, builds requests, compares answers.
cat >"$work/check.py" <<'PY'
import ast, json, struct, sys, time, urllib.request, urllib.error

def npy(path):
    data = open(path, "rb").read()
    assert data[:6] == b"\x93NUMPY", path
    header_len = struct.unpack("<H", data[8:10])[0] if data[6] == 1 else struct.unpack("<I", data[8:12])[0]
    start = (10 if data[6] == 1 else 12) + header_len
    header = ast.literal_eval(data[start - header_len:start].decode("latin1"))
    assert header["descr"] == "<f4" and not header["fortran_order"], header
    shape = header["shape"]
    count = 1
    for d in shape: count *= d
    values = list(struct.unpack("<%df" % count, data[start:start + 4 * count]))
    def nest(values, shape):
        if not shape: return values[0]
        step = len(values) // shape[0]
        return [nest(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]
    return nest(values, list(shape)), values

def flat(x):
    return [v for item in x for v in flat(item)] if isinstance(x, list) else [x]

def close(actual, expected):
    return len(actual) == len(expected) and all(abs(a - e) <= 1e-5 + 1e-4 * abs(e) for a, e in zip(actual, expected))

def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())

def fixture(name, kind, signature, tensor):
    return npy("Fixtures/%s/reference/%s/%s/%s.npy" % (name, kind, signature, tensor))

command, base = sys.argv[1], sys.argv[2]
features, _ = fixture("finetune_base", "inputs", "serving_default", "features")
_, base_out = fixture("finetune_base", "outputs", "serving_default", "head")
_, head_out = fixture("finetune_head", "outputs", "serving_default", "head")

if command == "predict":
    x, _ = fixture("tf1_builder", "inputs", "serving_default", "x")
    _, y = fixture("tf1_builder", "outputs", "serving_default", "y")
    for path, body, key, expected in [
        ("/v1/models/tf1:predict", {"instances": x}, "predictions", y),
        ("/v1/models/tf1/versions/1:predict", {"inputs": {"x": x}}, "outputs", y),
        ("/v1/models/ft:predict", {"instances": features}, "predictions", head_out),
        ("/v1/models/ft/labels/stable:predict", {"instances": features}, "predictions", base_out),
    ]:
        status, answer = post(base + path, body)
        assert status == 200 and close(flat(answer[key]), expected), (path, status, answer)
    print("predict: 4 requests match TensorFlow's reference outputs")
elif command == "load":
    # Sends requests to ft/labels/stable until `seconds` pass, recording when answers switch
    # from version 1's outputs to version 2's; the alias is moved by the shell meanwhile.
    seconds, moved_file = float(sys.argv[3]), sys.argv[4]
    failures, count, first_head, last_base = 0, 0, None, None
    end = time.time() + seconds
    while time.time() < end:
        status, answer = post(base + "/v1/models/ft/labels/stable:predict", {"instances": features})
        count += 1
        now = time.time()
        if status != 200:
            failures += 1
            print("load: failed request:", status, answer, file=sys.stderr)
            continue
        values = flat(answer["predictions"])
        if close(values, head_out):
            first_head = first_head or now
        elif close(values, base_out):
            last_base = now
            if first_head: failures += 1; print("load: an answer went back to version 1", file=sys.stderr)
        else:
            failures += 1
            print("load: an answer matching neither version", file=sys.stderr)
    moved = float(open(moved_file).read())
    switch = (first_head - moved) if first_head else None
    print("load: %d requests, %d failed, answers switched %s after the alias moved" %
          (count, failures, "%.3f s" % switch if switch is not None else "never"))
    assert failures == 0, "failed requests under load"
    assert switch is not None and switch <= float(sys.argv[5]), "answers did not switch within the poll interval"
PY

python3 "$work/check.py" predict "$url"

code=$(curl -s -o "$work/body" -w '%{http_code}' -X POST "$url/v1/models/nope:predict" -d '{"instances":[1]}')
[ "$code" = 404 ] && grep -q 'Servable not found for request: Latest(nope)' "$work/body" \
  || { echo "test-serve: unknown model gave $code $(cat "$work/body")" >&2; exit 1; }
code=$(curl -s -o "$work/body" -w '%{http_code}' -X POST "$url/v1/models/ft/labels/canary:predict" -d '{"instances":[1]}')
[ "$code" = 400 ] || { echo "test-serve: unknown label gave $code" >&2; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")
[ "$code" = 200 ] || { echo "test-serve: /readyz gave $code" >&2; exit 1; }
printf '{"instances": [[1.0, 2.0, 3.0]]}' | gzip -c >"$work/body.gz"
code=$(curl -s -o "$work/body" -w '%{http_code}' -X POST -H 'Content-Encoding: gzip' --data-binary @"$work/body.gz" \
  "$url/v1/models/tf1:predict")
[ "$code" = 200 ] || { echo "test-serve: a gzip body gave $code $(cat "$work/body")" >&2; exit 1; }
echo "test-serve: errors, readiness and gzip answered as expected"

# Move the alias while a load loop runs: no request may fail, and answers must switch within
# the poll interval (plus the time to answer one request and a margin for a busy machine).
python3 "$work/check.py" load "$url" 6 "$work/moved" 3 &
loader=$!
sleep 2
date +%s.%N >"$work/moved"
registry alias set ft@stable 2 >/dev/null
wait "$loader"

rss() { awk '/^VmRSS/ {print $2 " kB"}' "/proc/$server/status"; }
rss_before="$(rss)"
body='{"instances": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}'
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA
wrk -t2 -c8 -d"${seconds}s" --latency -s "$work/post.lua" "$url/v1/models/tf1:predict" >"$work/wrk" 2>&1
rss_after="$(rss)"
throughput="$(awk '/Requests\/sec/ {print $2}' "$work/wrk")"
p50="$(awk '$1 == "50%" {print $2}' "$work/wrk")"
p99="$(awk '$1 == "99%" {print $2}' "$work/wrk")"
errors="$(grep -E 'Non-2xx|Socket errors' "$work/wrk" || true)"
echo "test-serve: wrk ${seconds}s, 8 connections, tf1 predict: ${throughput} req/s, p50 ${p50}, p99 ${p99}; RSS ${rss_before} before, ${rss_after} after"
[ -z "$errors" ] || { cat "$work/wrk" >&2; echo "test-serve: wrk saw errors" >&2; exit 1; }

kill -TERM "$server"
status=0
wait "$server" || status=$?
server=""
[ "$status" = 0 ] || { cat "$work/stderr" >&2; echo "test-serve: exit status $status after SIGTERM" >&2; exit 1; }
echo "test-serve: SIGTERM: exit 0"
echo "test-serve: passed"
