#!/usr/bin/env bash
# Regenerates Sources/FocalExport/Generated/onnx.pb.swift from Tools/onnx/onnx.proto (ONNX 1.23.2,
# Apache-2.0: LICENSE.onnx-Apache-2.0.txt). Run by hand after replacing onnx.proto; the build
# never runs it (the generated file is committed, so neither protoc nor the plugin is needed to
# build Focal).
#
# Needs protoc (Debian: apt-get install protobuf-compiler) and protoc-gen-swift of the same
# swift-protobuf release as Package.swift's dependency, built once outside the repository:
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
# Set PROTOC_GEN_SWIFT to the plugin if it is elsewhere.
set -euo pipefail
cd "$(dirname "$0")"
plugin="${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}"
command -v protoc >/dev/null || { echo "generate.sh: protoc not found; install it with: apt-get install protobuf-compiler" >&2; exit 1; }
[ -x "$plugin" ] || { echo "generate.sh: protoc-gen-swift not found at $plugin; build it as the comment at the top says, or set PROTOC_GEN_SWIFT" >&2; exit 1; }
out=../../Sources/FocalExport/Generated
mkdir -p "$out"
# Public visibility: FocalExport's API returns Onnx_ModelProto.
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_out="$out" onnx.proto
echo "wrote $out/onnx.pb.swift"
