#!/usr/bin/env bash
# CI's fuzz check: replays every committed corpus and crash-regression file (Tests/Fuzz/TARGET/)
# through the normal build's registry-fuzz (replay mode, no sanitizer build), so a reader that
# traps on an input it once survived fails CI. Then it fuzzes each target for
# REGISTRY_FUZZ_CI_SECONDS (default 20; 0 skips it) with Scripts/fuzz.sh, under libFuzzer and
# AddressSanitizer, from a debug build of its own (REGISTRY_FUZZ_CONFIGURATION, default debug
# here: it builds minutes faster than release on 2 cores); a new crash fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
swift build --product registry-fuzz >&2
binary="$(swift build --show-bin-path)/registry-fuzz"
status=0
for target in $("$binary" list); do
  if ! "$binary" replay "$target" "Tests/Fuzz/$target"; then
    status=1
    echo "fuzz-ci: $target failed; the inputs it ran, the last one first:" >&2
    REGISTRY_FUZZ_VERBOSE=1 "$binary" replay "$target" "Tests/Fuzz/$target" 2>&1 >/dev/null | tail -3 | tac >&2 || true
  fi
done
echo "fuzz-ci: corpora replayed in $(($(date +%s) - start)) s" >&2
seconds=${REGISTRY_FUZZ_CI_SECONDS:-20}
if [[ $status -eq 0 && $seconds -gt 0 ]]; then
  # A fresh working corpus, so the run starts from the committed corpus alone (crashes land there too).
  work=${REGISTRY_FUZZ_WORK:-$(mktemp -d /tmp/registry-fuzz-ci.XXXXXX)}
  REGISTRY_FUZZ_WORK=$work REGISTRY_FUZZ_CONFIGURATION=${REGISTRY_FUZZ_CONFIGURATION:-debug} \
    Scripts/fuzz.sh all "$seconds" || status=1
fi
exit $status
