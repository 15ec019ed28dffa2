#!/usr/bin/env bash
# The main job: installs what is missing, builds `focal` (release), trains a Focal USE-Net on
# the bundled nuclei tiles and evaluates it on the held-out test tiles. Outputs: out/quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product focal
.build/release/focal train --preset nuclei --output out/quickstart "$@"
