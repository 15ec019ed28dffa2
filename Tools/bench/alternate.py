#!/usr/bin/env python3
"""Focal against PyTorch eager and torch.compile, run alternately for N rounds.

    /work/venv-torch/bin/python Tools/bench/alternate.py --focal .build/release/focal \
        [--rounds 3] [--works paper,small] [--networks unet,use-net,attention-unet] \
        [--passes train,forward,predict] [--images 100] [--markdown bench.md]

Builds nothing: --focal is a release `focal` built beforehand. In every round, for every row (a
network at one amount of work: `focal bench --work`), it runs Focal, PyTorch eager and PyTorch
torch.compile one after another, in an order that alternates from round to round (Focal first in
even rounds, last in odd ones), each in its own process with 2 threads (FOCAL_NUM_THREADS=2,
torch.set_num_threads(2)), and reads each side's JSON. Passes:

- train: median training step (`focal bench --mode all`, Tools/bench/pytorch_unet_bench.py);
- forward: median forward pass, eval, no tape / no_grad (the same runs);
- predict: images/s of `focal predict` on --images generated 256x256 RGB PNGs, end to end (the
  whole process: start, model load, read, z-score, forward, argmax, write the mask PNG), against
  Tools/bench/pytorch_predict_bench.py with the same model file loaded by the PyTorch twin (the
  loop over the images, file I/O included; imports, model load and compilation not counted). The
  model is a 1-step `focal train` of the paper network on generated images and masks.

It prints every round's figures and Focal/PyTorch ratios (time ratios: below 1 means Focal is
faster; for predict the ratio of PyTorch's to Focal's images/s, so below 1 also means Focal is
faster), then the median ratio over the rounds with the per-round range, and writes the summary
as a Markdown table to --markdown. Peak RSS: each child's own high-water mark (getrusage in the
bench processes, /usr/bin/time -f %M around `focal predict`).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from one_line_parser import OneLineParser

HERE = os.path.dirname(os.path.abspath(__file__))
PYTORCH_BENCH = os.path.join(HERE, "pytorch_unet_bench.py")
PYTORCH_PREDICT = os.path.join(HERE, "pytorch_predict_bench.py")
NETWORKS = ("unet", "use-net", "attention-unet")
# focal bench --work: (filters, input channels, size, batch); the same numbers go to PyTorch.
WORKS = {"paper": (32, 3, 256, 1), "small": (16, 1, 128, 1), "large": (32, 3, 512, 1), "batch4": (32, 3, 256, 4)}
PASSES = ("train", "forward", "predict")
SIDES = ("focal", "eager", "compile")
THREADS = 2


def fail(message):
    print(f"alternate.py: {message}", file=sys.stderr)
    sys.exit(64)


def names(text, valid, option):
    items = [t.strip() for t in text.split(",") if t.strip()]
    for t in items:
        if t not in valid:
            fail(f"unknown {option} entry '{t}' (use {', '.join(valid)})")
    if not items:
        fail(f"{option} is empty")
    return items


def run_json(command, env=None):
    """Runs `command`, returns (its JSON on standard output, seconds)."""
    t = time.perf_counter()
    p = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SystemExit(f"alternate.py: {' '.join(command[:3])} … failed ({p.returncode}): {tail}")
    return json.loads(p.stdout), seconds


def environment():
    env = dict(os.environ, FOCAL_NUM_THREADS=str(THREADS), OMP_NUM_THREADS=str(THREADS))
    return env


def bench_row(side, args, work, network):
    """{'train': ms, 'forward': ms, 'rss': MiB} of one side for one row."""
    filters, channels, size, batch = WORKS[work]
    if side == "focal":
        cmd = [args.focal, "bench", "--work", work, "--networks", network, "--mode", "all", "--threads", str(THREADS),
               "--repeats", str(args.repeats), "--warmup", str(args.warmup), "--json", "-"]
        report, _ = run_json(cmd, environment())
        row = report["rows"][0]
        if row.get("failure"):
            raise SystemExit(f"alternate.py: focal bench {network} {work} failed: {row['failure']}")
        if (row["baseFilters"], row["inChannels"], row["size"], row["batch"]) != WORKS[work]:
            raise SystemExit(f"alternate.py: focal's --work {work} is {row['baseFilters']} filters, {row['inChannels']} channels, "
                             f"{row['size']}², batch {row['batch']}; WORKS here says {WORKS[work]}: update WORKS")
        return {"train": row["trainStep"]["milliseconds"], "forward": row["forward"]["milliseconds"],
                "rss": row["peakResidentMiB"], "sgemm": report["sgemmLimit"]}
    cmd = [sys.executable, PYTORCH_BENCH, "--networks", network, "--filters", str(filters), "--in-channels", str(channels),
           "--size", str(size), "--batch", str(batch), "--mode", "all", "--threads", str(THREADS),
           "--repeats", str(args.repeats), "--warmup", str(args.warmup), "--json", "-"]
    if side == "compile":
        cmd.append("--compile")
    report, _ = run_json(cmd, environment())
    row = report["rows"][0]
    return {"train": row["trainStep"]["milliseconds"], "forward": row["forward"]["milliseconds"],
            "rss": row["peakResidentMiB"], "compileSeconds": row["compileSeconds"]}


def make_images(folder, count, size, seed=0):
    """`count` RGB PNGs of `size`² (discs on noise) in folder/images, binary masks in folder/masks."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(seed)
    images, masks = os.path.join(folder, "images"), os.path.join(folder, "masks")
    os.makedirs(images)
    os.makedirs(masks)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(count):
        cy, cx, r = rng.integers(size // 4, 3 * size // 4, 2).tolist() + [int(rng.integers(size // 10, size // 4))]
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        rgb = rng.normal(80, 20, (size, size, 3)) + disc[..., None] * np.array([90, 60, 30])
        Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").save(os.path.join(images, f"img{i:03d}.png"))
        Image.fromarray((disc * 255).astype(np.uint8), "L").save(os.path.join(masks, f"img{i:03d}.png"))
    return images, masks


def train_model(args, network, data, folder):
    """A Focal model file of `network` (the dsb2018 preset: 32 filters, 3 channels, 256²) after one training step."""
    out = os.path.join(folder, f"model-{network}")
    cmd = [args.focal, "train", "--images", os.path.join(data, "images"), "--masks", os.path.join(data, "masks"),
           "--preset", "dsb2018", "--network", network, "--size", "256", "--epochs", "1", "--max-steps-per-epoch", "1",
           "--threads", str(THREADS), "--output", out]
    p = subprocess.run(cmd, capture_output=True, text=True, env=environment())
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SystemExit(f"alternate.py: focal train for the predict model failed ({p.returncode}): {tail}")
    return os.path.join(out, "best.safetensors")


def predict_row(side, args, model, images, folder):
    """{'predict': images/s, 'rss': MiB} of one side on the image folder."""
    out = os.path.join(folder, f"masks-{side}")
    shutil.rmtree(out, ignore_errors=True)
    count = len(os.listdir(images))
    if side == "focal":
        rss_file = os.path.join(folder, "time.txt")
        cmd = [args.focal, "predict", "--model", model, "--input", images, "--output", out]
        if os.path.exists("/usr/bin/time"):
            cmd = ["/usr/bin/time", "-o", rss_file, "-f", "%M"] + cmd
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, env=environment())
        seconds = time.perf_counter() - t
        if p.returncode != 0:
            tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise SystemExit(f"alternate.py: focal predict failed ({p.returncode}): {tail}")
        rss = float(open(rss_file).read().split()[-1]) / 1024 if cmd[0] == "/usr/bin/time" else float("nan")
        return {"predict": count / seconds, "rss": rss}
    cmd = [sys.executable, PYTORCH_PREDICT, "--model", model, "--input", images, "--output", out,
           "--threads", str(THREADS), "--json", "-"]
    if side == "compile":
        cmd.append("--compile")
    result, _ = run_json(cmd, environment())
    return {"predict": result["imagesPerSecond"], "rss": result["peakResidentMiB"], "compileSeconds": result["compileSeconds"]}


def mask_agreement(folder):
    """Fraction of mask pixels on which Focal's and PyTorch eager's masks agree (same weights, same input)."""
    import numpy as np
    from PIL import Image
    ours, theirs = os.path.join(folder, "masks-focal"), os.path.join(folder, "masks-eager")
    same = total = 0
    for name in sorted(os.listdir(theirs)):
        a = np.asarray(Image.open(os.path.join(ours, name)))
        b = np.asarray(Image.open(os.path.join(theirs, name)))
        same, total = same + int((a == b).sum()), total + a.size
    return same / total


def median_range(values):
    return statistics.median(values), min(values), max(values)


def main():
    ap = OneLineParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--focal", required=True, help="path of a release `focal` (swift build -c release --product focal)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--works", default="paper,small", help=f"rows' amounts of work: {', '.join(WORKS)}")
    ap.add_argument("--networks", default=",".join(NETWORKS))
    ap.add_argument("--passes", default=",".join(PASSES))
    ap.add_argument("--images", type=int, default=100, help="images for the predict pass")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--markdown", default="bench-alternate.md", help="file for the summary table")
    args = ap.parse_args()
    if not (os.path.isfile(args.focal) and os.access(args.focal, os.X_OK)):
        fail(f"--focal '{args.focal}' is not an executable file; build it with `swift build -c release --product focal`")
    for option in ("rounds", "images", "repeats", "warmup"):
        if getattr(args, option) < 1:
            fail(f"--{option} must be at least 1")
    works = names(args.works, WORKS, "--works")
    networks = names(args.networks, NETWORKS, "--networks")
    passes = names(args.passes, PASSES, "--passes")
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.markdown))):
        fail(f"--markdown '{args.markdown}': its folder does not exist")

    folder = tempfile.mkdtemp(prefix="focal-alternate-")
    models, images = {}, None
    if "predict" in passes:
        data = os.path.join(folder, "data")
        images, _ = make_images(data, args.images, 256)
        train_data = os.path.join(folder, "train")
        make_images(train_data, 8, 256, seed=1)
        for n in networks:
            models[n] = train_model(args, n, train_data, folder)
        print(f"{args.images} RGB PNGs of 256x256 in {images}; models: {', '.join(models.values())}")

    rows = [(w, n) for w in works for n in networks if {"train", "forward"} & set(passes)]
    # results[(kind, work, network)][side] = list over rounds of {'train', 'forward', 'predict', 'rss', ...}
    results = {}
    for r in range(args.rounds):
        order = SIDES if r % 2 == 0 else tuple(reversed(SIDES))
        print(f"\nround {r + 1}/{args.rounds}, order {' → '.join(order)}")
        for w, n in rows:
            figures = {side: bench_row(side, args, w, n) for side in order}
            results.setdefault(("bench", w, n), {s: [] for s in SIDES})
            for side in SIDES:
                results[("bench", w, n)][side].append(figures[side])
            line = f"  {n} {w}:"
            for p in ("train", "forward"):
                if p in passes:
                    f, e, c = (figures[s][p] for s in SIDES)
                    line += f" {p} ms focal {f:.1f} eager {e:.1f} compile {c:.1f} (ratio {f / e:.2f} / {f / c:.2f});"
            print(line + f" peak RSS MiB {figures['focal']['rss']:.0f} / {figures['eager']['rss']:.0f} / {figures['compile']['rss']:.0f}")
        if "predict" in passes:
            for n in networks:
                figures = {side: predict_row(side, args, models[n], images, folder) for side in order}
                results.setdefault(("predict", "paper", n), {s: [] for s in SIDES})
                for side in SIDES:
                    results[("predict", "paper", n)][side].append(figures[side])
                f, e, c = (figures[s]["predict"] for s in SIDES)
                if r == 0:
                    print(f"  {n} predict: Focal's and PyTorch eager's masks agree on {100 * mask_agreement(folder):.3f}% of pixels")
                print(f"  {n} predict images/s focal {f:.2f} eager {e:.2f} compile {c:.2f} (ratio {e / f:.2f} / {c / f:.2f});"
                      f" peak RSS MiB {figures['focal']['rss']:.0f} / {figures['eager']['rss']:.0f} / {figures['compile']['rss']:.0f}")

    lines = [f"{args.rounds} rounds, {THREADS} threads, order alternated per round; medians over the rounds, per-round range in brackets; "
             "ratio = Focal time / PyTorch time (predict: PyTorch images/s / Focal images/s), taken per round.", "",
             "| network | work | pass | Focal | PyTorch eager | torch.compile | ratio vs eager | ratio vs compile | peak RSS MiB Focal / eager / compile |",
             "|---|---|---|---|---|---|---|---|---|"]

    def cell(values, digits=1):
        m, lo, hi = median_range(values)
        return f"{m:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"

    print("\nsummary")
    for (kind, w, n), sides in results.items():
        for p in (("train", "forward") if kind == "bench" else ("predict",)):
            if p not in passes:
                continue
            f, e, c = ([x[p] for x in sides[s]] for s in SIDES)
            if p == "predict":
                re = [b / a for a, b in zip(f, e)]
                rc = [b / a for a, b in zip(f, c)]
                unit = "images/s"
            else:
                re = [a / b for a, b in zip(f, e)]
                rc = [a / b for a, b in zip(f, c)]
                unit = "ms"
            rss = " / ".join(f"{statistics.median([x['rss'] for x in sides[s]]):.0f}" for s in SIDES)
            digits = 2 if p == "predict" else 1
            lines.append(f"| {n} | {w} | {p} {unit} | {cell(f, digits)} | {cell(e, digits)} | {cell(c, digits)} | "
                         f"{cell(re, 2)} | {cell(rc, 2)} | {rss} |")
            print(f"  {n} {w} {p}: ratio vs eager {cell(re, 2)}, vs compile {cell(rc, 2)}")
    compile_times = [x["compileSeconds"] for sides in results.values() for x in sides["compile"]]
    if compile_times:
        lines += ["", f"torch.compile's compilation (warm-up, not in the figures): {cell(compile_times)} s per process."]
    with open(args.markdown, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"\nwrote {args.markdown}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
