#!/usr/bin/env bash
# Times every page of the web catalog on the synthetic 10,000-version catalog of
# Scripts/bench-catalog.sh (built in DIR first if missing): serves it with registry-web-preview
# and fetches each page with curl, once to warm up and RUNS times; prints the median wall time,
# the server's CPU time per request (from /proc, fair on a busy machine) and the status of each. The synthetic catalog holds no objects, so the diff page (which reads tensor
# bytes) answers with the store's error; it is timed all the same.
# Usage: Scripts/bench-web.sh [DIR] [RUNS] [release|debug]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/registry-bench-catalog}
runs=${2:-10}
configuration=${3:-release}
swift build -c "$configuration" --product registry-web-preview >/dev/null
bin=$(swift build -c "$configuration" --show-bin-path)
# registry-bench builds the catalog when DIR has none; given one an older build made, it opens it
# for writing, which applies the migrations it lacks (the preview opens it read-only and cannot).
# Either way it then times the catalog's queries (seconds; longer on a cold page cache), unwanted here.
swift build -c "$configuration" --product registry-bench >/dev/null
"$bin/registry-bench" catalog "$dir" 10000 100 >/dev/null
mkdir -p "$dir/objects"

out=$(mktemp)
"$bin/registry-web-preview" --store "$dir" --port 0 >"$out" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$out"' EXIT
# Opening a 700 MB catalog on a busy machine can take more than a few seconds.
for _ in $(seq 1 600); do [[ -s "$out" ]] && break; sleep 0.1; done
base=$(head -n1 "$out")
[[ -n "$base" ]] || { echo "bench-web: registry-web-preview did not start within 60 s" >&2; exit 1; }
origin=${base%/ui/}

tick=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
echo "| page | wall median | CPU per request | status | bytes |"
echo "|---|---|---|---|---|"
for path in /ui/ '/ui/?q=op%3AEinsum' '/ui/?q=meta%3Ateam%3Dteam-3' /ui/models/model-7 '/ui/models/model-7?page=2' \
  /ui/models/model-7/versions/100 '/ui/models/model-7/versions/100?sort=size' /ui/diff/model-7/99..100 \
  /ui/events '/ui/events?model=model-7' '/ui/events?action=alias.set' /ui/store; do
  curl -s -o /dev/null "$origin$path"
  times=()
  before=$(cpu)
  for _ in $(seq 1 "$runs"); do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' "$origin$path")")
  done
  after=$(cpu)
  cpu_ms=$(awk -v a="$after" -v b="$before" -v t="$tick" -v n="$runs" 'BEGIN { printf "%.1f ms", (a - b) * 1000 / t / n }')
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f ms", a[int((NR + 1) / 2)] * 1000 }')
  # The newline ends the line `read` waits for; without it read fails at EOF and set -e stops the script.
  read -r status size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$origin$path")
  echo "| \`$path\` | $median | $cpu_ms | $status | $size |"
done
