#!/usr/bin/env bash
# Regenerates Sources/TFProto/Generated/*.pb.swift from our own schemas in Protos/.
#
# Usage: Scripts/generate-protos.sh   (from any directory)
#
# Needs `protoc` on PATH (Debian: protobuf-compiler). protoc-gen-swift is built from the
# swift-protobuf version pinned in Package.swift, so generated code always matches the runtime.
# If the root package cannot be built yet (e.g. a target folder is still missing), the plugin
# is built straight from the resolved checkout .build/checkouts/swift-protobuf instead; that is
# the same pinned version.
#
# Last run with: protoc 3.21.12 (libprotoc 3.21.12, Debian bookworm protobuf-compiler),
#                swift-protobuf 1.39.0 (protoc-gen-swift built by Swift 6.3.1).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

proto_dir="Protos"
out_dir="Sources/TFProto/Generated"

if ! command -v protoc >/dev/null 2>&1; then
  echo "error: protoc not found (apt-get install protobuf-compiler)" >&2
  exit 1
fi

echo "==> building protoc-gen-swift" >&2
if swift build --product protoc-gen-swift >&2; then
  plugin="$(swift build --show-bin-path)/protoc-gen-swift"
else
  echo "warning: root package did not build; building protoc-gen-swift from the resolved checkout" >&2
  swift package resolve >&2
  checkout=".build/checkouts/swift-protobuf"
  scratch=".build/protoc-gen-swift"
  swift build --package-path "$checkout" --scratch-path "$scratch" --product protoc-gen-swift >&2
  plugin="$(swift build --package-path "$checkout" --scratch-path "$scratch" --show-bin-path)/protoc-gen-swift"
fi

echo "==> $(protoc --version), swift-protobuf $("$plugin" --version 2>/dev/null || echo '?')" >&2

mkdir -p "$out_dir"
rm -f "$out_dir"/*.pb.swift

# One protoc run over every schema, so cross-file references resolve consistently.
mapfile -t protos < <(cd "$proto_dir" && find tensorflow -name '*.proto' | LC_ALL=C sort)
protoc \
  --proto_path="$proto_dir" \
  --plugin=protoc-gen-swift="$plugin" \
  --swift_out="$out_dir" \
  --swift_opt=Visibility=Public \
  --swift_opt=FileNaming=DropPath \
  "${protos[@]}"

echo "==> generated $(ls "$out_dir"/*.pb.swift | wc -l) files in $out_dir" >&2
