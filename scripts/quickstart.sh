#!/usr/bin/env bash
# The main job: installs what is missing, builds `focal` (release) and runs the paper's attention
# selection on the bundled nuclei tiles: a probe USE-Net with 9 Focal SE blocks, every ε started
# at 0; modules whose ε stays below 0.2 are removed; the pruned Focal network is retrained from
# scratch (ε started at 1); both are evaluated on the held-out test tiles. Outputs: out/quickstart
# (selection.md, focal-weights.svg/.png = the paper's Fig. 4, probe/, retrained/). Run again to
# continue a killed run; a finished one is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product focal
.build/release/focal select --preset nuclei --output out/quickstart "$@"
