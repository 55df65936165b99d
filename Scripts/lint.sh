#!/usr/bin/env bash
# Checks formatting against .swift-format: `swift format lint --strict` over every Swift file of
# Package.swift, Sources/, Tests/ and Benchmarks/ except generated code. Fix drift with: Scripts/lint.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <({ echo Package.swift; find Sources Tests Benchmarks -name '*.swift' -not -path '*/Generated/*' | sort; })
if [[ ${#files[@]} -eq 0 ]]; then
  echo "lint: no Swift files found" >&2
  exit 1
fi
if [[ "${1:-}" == "--fix" ]]; then
  swift format format --in-place --parallel "${files[@]}"
fi
swift format lint --strict --parallel "${files[@]}"
echo "lint: ${#files[@]} files formatted as .swift-format says"
