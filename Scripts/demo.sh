#!/usr/bin/env bash
# The main job end to end on the bundled fixtures: installs what is missing, builds `registry`
# in release mode, then inspects and verifies every SavedModel under Fixtures/.
# Usage: Scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
swift build -c release --product registry
registry="$(swift build -c release --show-bin-path)/registry"

status=0
for model in Fixtures/*/model; do
  name=$(basename "$(dirname "$model")")
  echo "=== $name: registry inspect"
  "$registry" inspect "$model" | sed -n '1,12p'
  echo "    ..."
  echo "=== $name: registry verify"
  if ! "$registry" verify "$model" | tail -n 1; then status=1; fi
done
exit $status
