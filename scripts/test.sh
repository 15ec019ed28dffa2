#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite (debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build --build-tests
swift test --skip-build
# Every swift snippet of the docs, and a downstream package that trains its own network.
./scripts/check-snippets.sh
