#!/usr/bin/env bash
# Runs the test suite under a sanitizer, in its own scratch path.
#
# Usage: Scripts/sanitize.sh address|thread [swift test arguments...]
#   Scripts/sanitize.sh address                                   the whole suite under ASan (.build-asan)
#   Scripts/sanitize.sh thread --filter "Stress|Reliability|Lifecycle|Collect"   the store's concurrency tests under TSan (.build-tsan)
#
# Prints the sanitizer's reports with the test output and fails when a test fails or a sanitizer
# reports (ASan and TSan abort the test process on their first report: halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  address) scratch=.build-asan ;;
  thread) scratch=.build-tsan ;;
  *)
    echo "usage: Scripts/sanitize.sh address|thread [swift test arguments...]" >&2
    exit 2
    ;;
esac
sanitizer=$1
shift
# Locked (RegistryCore) locks with a pthread mutex under TSan, which sees it; Mutex's futexes it
# cannot see (docs/security.md).
flags=()
if [[ "$sanitizer" == thread ]]; then flags=(-Xswiftc -DREGISTRY_TSAN); fi
Scripts/install-deps.sh
start=$(date +%s)
# LeakSanitizer is off: the Swift runtime's and Foundation's caches live until exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1}
# Reports in code that is not ours and that TSan cannot see ordered are suppressed, each with why.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1}:suppressions=$PWD/Scripts/tsan-suppressions.txt
# Tests that cap the binary's memory with `prlimit --as` use the sanitizer's own limits instead
# (its shadow memory needs terabytes of address space), and count a sanitizer report as a crash.
export REGISTRY_TEST_SANITIZER=$sanitizer
swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" "${flags[@]}"
echo "sanitize: $sanitizer build took $(($(date +%s) - start)) s" >&2
test_start=$(date +%s)
status=0
swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "${flags[@]}" "$@" || status=$?
echo "sanitize: $sanitizer tests took $(($(date +%s) - test_start)) s, exit $status" >&2
exit $status
