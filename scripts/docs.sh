#!/usr/bin/env bash
# Builds the API reference (DocC) of the four libraries as static websites in .build-docs/reference/<Target>
# (git-ignored). Open .build-docs/reference/FocalCore/documentation/focalcore/index.html through a web server,
# or pass a different output folder as the first argument.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.build-docs/reference}"
mkdir -p "$out"
for target in FocalCore FocalNets FocalLosses FocalTraining; do
    swift package --scratch-path .build-docs --allow-writing-to-directory "$out" \
        generate-documentation --target "$target" --output-path "$out/$target" \
        --transform-for-static-hosting --hosting-base-path "$target" 2>&1 | grep -v '^\[' || true
done
echo "docs: reference written to $out"
