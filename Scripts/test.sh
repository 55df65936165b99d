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
# The official TensorFlow Serving Python client against the gRPC services (makes ~/tf-venv when
# it is missing; the services alone until `registry serve` serves gRPC, then without the flag).
Scripts/test-grpc.sh --fixture-server
