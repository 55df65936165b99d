#!/usr/bin/env bash
# Builds a synthetic catalog (default 10,000 versions x 100 tensors = 1,000,000 tensor rows) and
# times every provenance query on it. The catalog is kept in DIR so later runs skip the build.
# Usage: Scripts/bench-catalog.sh [DIR] [VERSIONS] [TENSORS_PER_VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product registry-bench >/dev/null
"$(swift build -c release --show-bin-path)/registry-bench" catalog "${1:-/tmp/registry-bench-catalog}" "${2:-10000}" "${3:-100}"
