#!/usr/bin/env bash
# The quick-start training job, Focal against PyTorch eager, alternated N rounds (issue 18).
#
#   Tools/bench/quickstart_job_pair.sh [ROUNDS] [EPOCHS]      (defaults: 3 rounds, 8 epochs)
#
# Each round runs `focal train --preset nuclei --no-augmentation` (fresh output folder) and
# Tools/bench/pytorch_quickstart_job.py with the same settings, the order swapped every round,
# and prints both jobs' training seconds (Focal's summary.json `trainingSeconds`: the trainer's
# epochs with validation, checkpoints and logs; PyTorch's the same loop) and their ratio; then
# the medians. Environment: FOCAL (the focal executable; default .build/release/focal), PYTHON
# (default /work/venv-torch/bin/python), THREADS (default 2, both jobs). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
epochs=${2:-8}
focal=${FOCAL:-.build/release/focal}
python=${PYTHON:-/work/venv-torch/bin/python}
threads=${THREADS:-2}
[[ -x "$focal" ]] || { echo "no focal executable at $focal (swift build -c release, or set FOCAL)" >&2; exit 64; }
"$python" -c 'import numpy, scipy, torch, PIL' 2>/dev/null || {
    echo "$python lacks numpy, scipy, torch or Pillow (the PyTorch job needs them): $python -m pip install numpy scipy torch pillow" >&2; exit 64; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_focal() {
    rm -rf "$work/focal"
    "$focal" train --preset nuclei --epochs "$epochs" --no-augmentation --threads "$threads" --output "$work/focal" > "$work/focal.log" 2>&1
    "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["trainingSeconds"])' "$work/focal/summary.json"
}

run_pytorch() {
    "$python" Tools/bench/pytorch_quickstart_job.py --epochs "$epochs" --threads "$threads" --output "$work/pytorch" \
        | "$python" -c 'import json, sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["trainingSeconds"])'
}

focal_times=() pytorch_times=() ratios=()
echo "round | order | Focal s | PyTorch s | ratio"
for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then
        f=$(run_focal); p=$(run_pytorch); order="Focal first"
    else
        p=$(run_pytorch); f=$(run_focal); order="PyTorch first"
    fi
    ratio=$("$python" -c "print(f'{$f / $p:.3f}')")
    focal_times+=("$f") pytorch_times+=("$p") ratios+=("$ratio")
    printf '%d | %s | %.1f | %.1f | %s\n' "$r" "$order" "$f" "$p" "$ratio"
done
"$python" - "${focal_times[*]}" "${pytorch_times[*]}" "${ratios[*]}" <<'EOF'
import statistics, sys
f, p, r = ([float(v) for v in a.split()] for a in sys.argv[1:4])
print(f"median of {len(r)} rounds: Focal {statistics.median(f):.1f} s, PyTorch {statistics.median(p):.1f} s, "
      f"ratio per round {statistics.median(r):.3f} (range {min(r):.3f}-{max(r):.3f})")
EOF
