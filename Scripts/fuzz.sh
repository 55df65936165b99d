#!/usr/bin/env bash
# Fuzzes the readers of untrusted bytes with libFuzzer (Sources/registry-fuzz).
#
# Usage: Scripts/fuzz.sh TARGET|all SECONDS [libFuzzer flags...]
#   Scripts/fuzz.sh npy 300                     five minutes on the .npy reader
#   Scripts/fuzz.sh all 60                      a minute on each target in turn
#   Scripts/fuzz.sh bundle 600 -fork=1 -ignore_crashes=1   keep going after a crash
#
# Builds registry-fuzz in release mode with -sanitize=fuzzer,address and -DFUZZING into its own
# scratch path (.build-fuzz; REGISTRY_FUZZ_SANITIZERS=fuzzer to leave AddressSanitizer out;
# REGISTRY_FUZZ_CONFIGURATION=debug for a build that takes minutes less and runs slower, as CI
# does, with a 60 s timeout per input instead of 10), then
# runs libFuzzer for SECONDS on Tests/Fuzz/TARGET/corpus (read only: new inputs go to a working
# corpus under $REGISTRY_FUZZ_WORK, default /tmp/registry-fuzz/TARGET/corpus, kept between runs)
# with Tests/Fuzz/TARGET.dict when there is one. Crashes, leaks, timeouts and out-of-memory inputs
# are written to /tmp/registry-fuzz/TARGET/crashes/. One summary line per target:
#   fuzz TARGET: N execs in S s, C corpus inputs, K new crash files (DIR)
# A crash found: minimise it (the binary with -minimize_crash=1 -runs=10000 CRASH), commit it as
# Tests/Fuzz/TARGET/crashes/NAME, fix the reader; Scripts/fuzz-ci.sh replays it from then on.
# Exits 1 if any target left a new crash file.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 2 ]]; then
  echo "usage: Scripts/fuzz.sh TARGET|all SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2
scratch=${REGISTRY_FUZZ_SCRATCH:-.build-fuzz}
sanitizers=${REGISTRY_FUZZ_SANITIZERS:-fuzzer,address}
configuration=${REGISTRY_FUZZ_CONFIGURATION:-release}
timeout=10
[[ "$configuration" == debug ]] && timeout=60
work=${REGISTRY_FUZZ_WORK:-/tmp/registry-fuzz}

echo "fuzz: building registry-fuzz ($configuration) with -sanitize=$sanitizers into $scratch" >&2
build_start=$(date +%s)
swift build -c "$configuration" --product registry-fuzz --scratch-path "$scratch" \
  -Xswiftc "-sanitize=$sanitizers" -Xswiftc -DFUZZING >&2
echo "fuzz: built in $(($(date +%s) - build_start)) s" >&2
binary="$(swift build -c "$configuration" --scratch-path "$scratch" --show-bin-path)/registry-fuzz"

# The replay build knows the names; the fuzz build has no main of its own.
targets=(savedmodel savedmodel-text bundle manifest object npy json regex example artifact)
if [[ "$target" == all ]]; then
  run=("${targets[@]}")
else
  [[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz: unknown target $target (${targets[*]})" >&2; exit 2; }
  run=("$target")
fi

# Longest input per target: graphs and indexes are large, the rest need little.
max_len() {
  case $1 in
    savedmodel) echo 262144 ;;
    savedmodel-text | bundle) echo 65536 ;;
    *) echo 8192 ;;
  esac
}

status=0
for name in "${run[@]}"; do
  corpus="$work/$name/corpus"
  crashes="$work/$name/crashes"
  mkdir -p "$corpus" "$crashes"
  log="$work/$name/last.log"
  before=$(find "$crashes" -type f ! -name "slow-unit-*" | wc -l)
  flags=(-max_total_time="$seconds" -artifact_prefix="$crashes/" -max_len="$(max_len "$name")" -timeout="$timeout" -report_slow_units="$timeout"
    -rss_limit_mb=2560 -print_final_stats=1)
  [[ -f "Tests/Fuzz/$name.dict" ]] && flags+=(-dict="Tests/Fuzz/$name.dict")
  start=$(date +%s)
  set +e
  # Swift's own crash backtracer would run inside ASan and report itself; libFuzzer prints the stack.
  REGISTRY_FUZZ_TARGET=$name ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} SWIFT_BACKTRACE=enable=no \
    "$binary" "${flags[@]}" "$@" "$corpus" "Tests/Fuzz/$name/corpus" >"$log" 2>&1
  code=$?
  set -e
  elapsed=$(($(date +%s) - start))
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)
  [[ -n "$execs" ]] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  found=$(($(find "$crashes" -type f ! -name "slow-unit-*" | wc -l) - before))
  inputs=$(find "$corpus" -type f | wc -l)
  echo "fuzz $name: ${execs:-0} execs in $elapsed s, $inputs corpus inputs, $found new crash files ($crashes), libFuzzer exit $code (log $log)"
  if [[ $found -gt 0 || $code -ne 0 ]]; then
    grep -E 'ERROR: |Fatal error|SUMMARY|Test unit written' "$log" | head -5 >&2 || true
    status=1
  fi
done
exit $status
