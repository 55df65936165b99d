#!/usr/bin/env bash
# Runs the whole test suite: installs missing system packages, checks formatting, builds, and runs `swift test`.
# Usage: Scripts/test.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
Scripts/lint.sh
swift build --build-tests
swift test --skip-build "$@"
Scripts/test-serve.sh
Scripts/test-web.sh
Scripts/fuzz-ci.sh
# The official TensorFlow Serving Python client against `registry serve`'s gRPC API (makes
# ~/tf-venv with Scripts/install-venv.sh when it is missing).
Scripts/test-grpc.sh
