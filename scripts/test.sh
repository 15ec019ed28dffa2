#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite (debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Python for the ONNX export tests (Tests/FocalExportTests): a private venv in the repository,
# made once and reused; only the missing packages are installed.
[ -x .venv-test/bin/python ] || python3 -m venv .venv-test
missing=()
for pkg in numpy onnxruntime onnx; do
    .venv-test/bin/python -c "import $pkg" 2>/dev/null || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} into .venv-test ..."
    .venv-test/bin/pip install -q --disable-pip-version-check "${missing[@]}"
fi
export FOCAL_TEST_PYTHON="$PWD/.venv-test/bin/python"
swift build --build-tests
swift test --skip-build
# Every swift snippet of the docs, and a downstream package that trains its own network.
./scripts/check-snippets.sh
