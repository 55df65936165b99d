#!/usr/bin/env bash
# Times a dry and a real garbage collection on a synthetic store (default 100,000 objects and
# 1,000 versions, 30% of them removed, everything older than the grace period).
# Usage: Scripts/bench-gc.sh [DIR] [OBJECTS] [VERSIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product registry-bench >/dev/null
"$(swift build -c release --show-bin-path)/registry-bench" gc "${1:-/tmp/registry-bench-gc}" "${2:-100000}" "${3:-1000}"
