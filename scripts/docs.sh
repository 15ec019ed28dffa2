#!/usr/bin/env bash
# Builds the API reference (DocC) of the six libraries as static websites in .build-docs/reference/<Target>
# (git-ignored). Open .build-docs/reference/FocalCore/documentation/focalcore/index.html through a web server,
# or pass a different output folder as the first argument. With --strict (CI) a DocC warning
# (a broken symbol link, a stale topic, an undocumented parameter) fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
strict=0
if [ "${1:-}" = "--strict" ]; then strict=1; shift; fi
out="${1:-.build-docs/reference}"
warnings=0
mkdir -p "$out" 2>/dev/null || { echo "docs: cannot create the output folder $out; pass a writable folder" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in FocalCore FocalNets FocalLosses FocalData FocalTraining FocalExport; do
    if ! swift package --scratch-path .build-docs --allow-writing-to-directory "$out" \
        generate-documentation --target "$target" --output-path "$out/$target" \
        --transform-for-static-hosting --hosting-base-path "$target" >"$log" 2>&1; then
        grep -v '^\[' "$log" | tail -40 >&2
        echo "docs: the reference of $target failed to build (errors above)" >&2
        exit 1
    fi
    grep 'warning:' "$log" || true
    count=$(grep -c 'warning:' "$log" || true)
    warnings=$((warnings + count))
    echo "docs: $target: $count warnings"
done
echo "docs: reference written to $out"
if [ "$strict" = 1 ] && [ "$warnings" -gt 0 ]; then
    echo "docs: $warnings DocC warnings (listed above); fix them" >&2
    exit 1
fi
