#!/usr/bin/env bash
# Writes docs/ops.md, the op coverage page, from `registry ops --markdown` (the op registry
# itself), so the page is generated, never hand-edited. OpCoverageTests fails when it is stale.
# Usage: Scripts/make-ops-doc.sh   (builds the debug `registry` if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product registry >/dev/null
"$(swift build --show-bin-path)/registry" ops --markdown >docs/ops.md.tmp
mv docs/ops.md.tmp docs/ops.md
echo "docs/ops.md: $(grep -c '^| `' docs/ops.md) rows"
