#!/usr/bin/env bash
# Regenerates the Swift of our own schemas in Protos/:
#   Protos/tensorflow/**          -> Sources/TFProto/Generated/*.pb.swift
#   Protos/tensorflow_serving/**  -> Sources/ServingProto/Generated/*.pb.swift (messages, which
#                                    import TFProto for the tensorflow.* types) and *.grpc.swift
#                                    (grpc-swift 2 service and client code)
#
# Usage: Scripts/generate-protos.sh   (from any directory)
#
# Needs `protoc` on PATH (Debian: protobuf-compiler). protoc-gen-swift and protoc-gen-grpc-swift-2
# are built from the swift-protobuf and grpc-swift-protobuf versions pinned in Package.swift, so
# generated code always matches the runtime. The generated files are committed: CI never builds
# the plugins.
# If the root package cannot be built yet (e.g. a target folder is still missing), the plugin
# is built straight from the resolved checkout .build/checkouts/swift-protobuf instead; that is
# the same pinned version.
#
# Last run with: protoc 3.21.12 (libprotoc 3.21.12, Debian bookworm protobuf-compiler),
#                swift-protobuf 1.39.0 (protoc-gen-swift built by Swift 6.3.1),
#                grpc-swift-protobuf 2.4.1 (protoc-gen-grpc-swift-2 built by Swift 6.3.1).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

proto_dir="Protos"
out_dir="Sources/TFProto/Generated"

if ! command -v protoc >/dev/null 2>&1; then
  echo "error: protoc not found (apt-get install protobuf-compiler)" >&2
  exit 1
fi

echo "==> building protoc-gen-swift and protoc-gen-grpc-swift-2" >&2
if swift build --product protoc-gen-swift >&2 && swift build --product protoc-gen-grpc-swift-2 >&2; then
  plugin="$(swift build --show-bin-path)/protoc-gen-swift"
  grpc_plugin="$(swift build --show-bin-path)/protoc-gen-grpc-swift-2"
else
  echo "warning: root package did not build; building protoc-gen-swift from the resolved checkout" >&2
  swift package resolve >&2
  checkout=".build/checkouts/swift-protobuf"
  scratch=".build/protoc-gen-swift"
  swift build --package-path "$checkout" --scratch-path "$scratch" --product protoc-gen-swift >&2
  plugin="$(swift build --package-path "$checkout" --scratch-path "$scratch" --show-bin-path)/protoc-gen-swift"
  checkout=".build/checkouts/grpc-swift-protobuf"
  scratch=".build/protoc-gen-grpc-swift-2"
  swift build --package-path "$checkout" --scratch-path "$scratch" --product protoc-gen-grpc-swift-2 >&2
  grpc_plugin="$(swift build --package-path "$checkout" --scratch-path "$scratch" --show-bin-path)/protoc-gen-grpc-swift-2"
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

# TensorFlow Serving's API: its messages refer to tensorflow.* messages, which live in TFProto, so
# protoc-gen-swift is told (ProtoPathModuleMappings) to import TFProto instead of generating them
# again.
serving_dir="Sources/ServingProto/Generated"
mkdir -p "$serving_dir"
rm -f "$serving_dir"/*.pb.swift "$serving_dir"/*.grpc.swift
mappings="$(mktemp)"
trap 'rm -f "$mappings"' EXIT
{
  echo "mapping {"
  echo "  module_name: \"TFProto\""
  for proto in "${protos[@]}"; do echo "  proto_file_path: \"$proto\""; done
  echo "}"
} >"$mappings"
mapfile -t serving_protos < <(cd "$proto_dir" && find tensorflow_serving -name '*.proto' | LC_ALL=C sort)
protoc \
  --proto_path="$proto_dir" \
  --plugin=protoc-gen-swift="$plugin" \
  --swift_out="$serving_dir" \
  --swift_opt=Visibility=Public \
  --swift_opt=FileNaming=DropPath \
  --swift_opt=ProtoPathModuleMappings="$mappings" \
  "${serving_protos[@]}"
# Service code only for the files that declare a service (the plugin writes an empty file for
# every other one).
mapfile -t service_protos < <(cd "$proto_dir" && grep -l '^service ' "${serving_protos[@]}")
protoc \
  --proto_path="$proto_dir" \
  --plugin=protoc-gen-grpc-swift-2="$grpc_plugin" \
  --grpc-swift-2_out="$serving_dir" \
  --grpc-swift-2_opt=Visibility=Public \
  --grpc-swift-2_opt=FileNaming=DropPath \
  --grpc-swift-2_opt=Server=true \
  --grpc-swift-2_opt=Client=true \
  "${service_protos[@]}"

echo "==> generated $(ls "$serving_dir"/*.swift | wc -l) files in $serving_dir" >&2
