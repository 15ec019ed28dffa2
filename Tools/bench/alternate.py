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
- predict: images/s of `focal predict` on --images generated 256x256 RGB PNGs (its own figure for
  the loop over the images: read, z-score, forward, argmax, write the mask PNG; process start and
  model load not counted), against Tools/bench/pytorch_predict_bench.py with the same model file
  loaded by the PyTorch twin (the same loop, file I/O included; imports, model load and
  compilation not counted). The model is a 1-step `focal train` of the paper network on generated
  images and masks.

It prints every round's figures and Focal/PyTorch ratios (time ratios: below 1 means Focal is
faster; for predict the ratio of PyTorch's to Focal's images/s, so below 1 also means Focal is
faster), then the median ratio over the rounds with the per-round range, and writes the summary
as a Markdown table to --markdown. A side that fails in a round (its process exits non-zero, prints no
JSON or reports a failed row) prints "<side>: failed: <its error>" in that round; the row's other
sides still count, a ratio's median is taken over the rounds where both of its sides succeeded,
and the Markdown summary lists the failures (round, row, side, message). Peak RSS: each child's own high-water mark (getrusage in the
bench processes, /usr/bin/time -f %M around `focal predict`).
"""
import json
import os
import re
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


class SideFailure(Exception):
    """One side of one row failed in one round; its message is one line."""


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


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Failed|Interrupt)\b")


def error_line(text, limit=240):
    """The one line that says what went wrong in a failed child's standard error: the first line of
    its last Python exception (not 'Traceback …' nor Dynamo's closing hints), else its last line."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    exceptions = [line for line in lines if EXCEPTION_LINE.match(line)]
    line = (exceptions or lines or ["(no output)"])[-1]
    return line if len(line) <= limit else line[:limit - 1] + "…"


def run_json(command, env=None):
    """Runs `command`, returns (its JSON on standard output, seconds); raises SideFailure if it fails."""
    t = time.perf_counter()
    try:
        p = subprocess.run(command, capture_output=True, text=True, env=env)
    except OSError as error:
        raise SideFailure(f"{command[0]}: {error.strerror or error}") from None
    seconds = time.perf_counter() - t
    if p.returncode != 0:
        raise SideFailure(f"exit status {p.returncode}: {error_line(p.stderr)}")
    try:
        return json.loads(p.stdout), seconds
    except json.JSONDecodeError as error:
        raise SideFailure(f"no JSON on standard output ({error}): {error_line(p.stderr or p.stdout)}") from None


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
            raise SideFailure(f"focal bench reports: {error_line(row['failure'])}")
        if (row["baseFilters"], row["inChannels"], row["size"], row["batch"]) != WORKS[work]:
            raise SystemExit(f"alternate.py: focal's --work {work} is {row['baseFilters']} filters, {row['inChannels']} channels, "
                             f"{row['size']}², batch {row['batch']}; WORKS here says {WORKS[work]}: update WORKS")
        return {"train": row["trainStep"]["milliseconds"], "forward": row["forward"]["milliseconds"],
                "rss": row["peakResidentMiB"], "sgemm": report["sgemmLimit"]}
    cmd = [sys.executable, args.pytorch_bench, "--networks", network, "--filters", str(filters), "--in-channels", str(channels),
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
        raise SideFailure(f"focal train for the predict model: exit status {p.returncode}: {error_line(p.stderr)}")
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
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, env=environment())
        except OSError as error:
            raise SideFailure(f"{cmd[0]}: {error.strerror or error}") from None
        seconds = time.perf_counter() - t
        if p.returncode != 0:
            raise SideFailure(f"exit status {p.returncode}: {error_line(p.stderr)}")
        rss = float(open(rss_file).read().split()[-1]) / 1024 if cmd[0] == "/usr/bin/time" else float("nan")
        # focal predict's own figure for its loop over the images (file I/O included, loading the
        # model not), the span PyTorch's side times; the process's wall time as a fallback.
        loop = re.search(r"^(\d+) images? in ([0-9.]+) s:", p.stdout, re.M)
        if loop and float(loop.group(2)) > 0:
            return {"predict": int(loop.group(1)) / float(loop.group(2)), "rss": rss, "processImagesPerSecond": count / seconds}
        return {"predict": count / seconds, "rss": rss}
    cmd = [sys.executable, args.pytorch_predict, "--model", model, "--input", images, "--output", out,
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


def run_sides(order, run, round_number, label, failures):
    """{side: figures or None} of one row in one round; a failed side prints its error and is
    recorded in `failures` as (round, row, side, message)."""
    figures = {}
    for side in order:
        try:
            figures[side] = run(side)
        except SideFailure as error:
            figures[side] = None
            failures.append((round_number, label, side, str(error)))
            print(f"  {label}: {side}: failed: {error}", flush=True)
    return figures


def side_figure(figures, side, key, digits=1):
    return "failed" if figures[side] is None else f"{figures[side][key]:.{digits}f}"


def round_ratio(figures, a, b, key, digits=2):
    """figures[a][key] / figures[b][key] as text, or 'n/a' if a side failed."""
    if figures[a] is None or figures[b] is None:
        return "n/a"
    return f"{figures[a][key] / figures[b][key]:.{digits}f}"


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
    ap.add_argument("--pytorch-bench", default=PYTORCH_BENCH,
                    help="the PyTorch side of train and forward (default: pytorch_unet_bench.py beside this script)")
    ap.add_argument("--pytorch-predict", default=PYTORCH_PREDICT,
                    help="the PyTorch side of predict (default: pytorch_predict_bench.py beside this script)")
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
    # failures: (round or '—', row, side, message); a failed side is None in results.
    failures = []
    models, images = {}, None
    if "predict" in passes:
        data = os.path.join(folder, "data")
        images, _ = make_images(data, args.images, 256)
        train_data = os.path.join(folder, "train")
        make_images(train_data, 8, 256, seed=1)
        for n in networks:
            try:
                models[n] = train_model(args, n, train_data, folder)
            except SideFailure as error:
                failures.append(("—", f"{n} paper predict", "all", str(error)))
                print(f"  {n} predict: all sides skipped: {error}", flush=True)
        print(f"{args.images} RGB PNGs of 256x256 in {images}; models: {', '.join(models.values()) or 'none'}")

    rows = [(w, n) for w in works for n in networks if {"train", "forward"} & set(passes)]
    # results[(kind, work, network)][side] = list over rounds of {'train', 'forward', 'predict', 'rss', ...} or None
    results = {}
    for r in range(args.rounds):
        order = SIDES if r % 2 == 0 else tuple(reversed(SIDES))
        print(f"\nround {r + 1}/{args.rounds}, order {' → '.join(order)}", flush=True)
        for w, n in rows:
            figures = run_sides(order, lambda side: bench_row(side, args, w, n), r + 1, f"{n} {w}", failures)
            results.setdefault(("bench", w, n), {s: [] for s in SIDES})
            for side in SIDES:
                results[("bench", w, n)][side].append(figures[side])
            line = f"  {n} {w}:"
            for p in ("train", "forward"):
                if p in passes:
                    f, e, c = (side_figure(figures, s, p) for s in SIDES)
                    line += (f" {p} ms focal {f} eager {e} compile {c}"
                             f" (ratio {round_ratio(figures, 'focal', 'eager', p)} / {round_ratio(figures, 'focal', 'compile', p)});")
            rss = " / ".join(side_figure(figures, s, "rss", 0) for s in SIDES)
            print(line + f" peak RSS MiB {rss}", flush=True)
        if "predict" in passes:
            for n in networks:
                if n not in models:
                    continue
                figures = run_sides(order, lambda side: predict_row(side, args, models[n], images, folder), r + 1,
                                    f"{n} paper predict", failures)
                results.setdefault(("predict", "paper", n), {s: [] for s in SIDES})
                for side in SIDES:
                    results[("predict", "paper", n)][side].append(figures[side])
                if r == 0 and figures["focal"] is not None and figures["eager"] is not None:
                    print(f"  {n} predict: Focal's and PyTorch eager's masks agree on {100 * mask_agreement(folder):.3f}% of pixels")
                f, e, c = (side_figure(figures, s, "predict", 2) for s in SIDES)
                rss = " / ".join(side_figure(figures, s, "rss", 0) for s in SIDES)
                print(f"  {n} predict images/s focal {f} eager {e} compile {c}"
                      f" (ratio {round_ratio(figures, 'eager', 'focal', 'predict')} / {round_ratio(figures, 'compile', 'focal', 'predict')});"
                      f" peak RSS MiB {rss}", flush=True)

    lines = [f"{args.rounds} rounds, {THREADS} threads, order alternated per round; medians over the rounds, per-round range in brackets; "
             "ratio = Focal time / PyTorch time (predict: PyTorch images/s / Focal images/s), taken per round over the rounds "
             "where both of its sides succeeded (a side's own figure: over the rounds where it succeeded).", "",
             "| network | work | pass | Focal | PyTorch eager | torch.compile | ratio vs eager | ratio vs compile | peak RSS MiB Focal / eager / compile |",
             "|---|---|---|---|---|---|---|---|---|"]

    def cell(values, digits=1):
        if not values:
            return "failed"
        m, lo, hi = median_range(values)
        return f"{m:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"

    def ratios(sides, numerator, denominator, p):
        return [a[p] / b[p] for a, b in zip(sides[numerator], sides[denominator]) if a is not None and b is not None]

    print("\nsummary")
    for (kind, w, n), sides in results.items():
        for p in (("train", "forward") if kind == "bench" else ("predict",)):
            if p not in passes:
                continue
            f, e, c = ([x[p] for x in sides[s] if x is not None] for s in SIDES)
            if p == "predict":
                re_, rc = ratios(sides, "eager", "focal", p), ratios(sides, "compile", "focal", p)
                unit = "images/s"
            else:
                re_, rc = ratios(sides, "focal", "eager", p), ratios(sides, "focal", "compile", p)
                unit = "ms"
            rss = " / ".join(f"{statistics.median(v):.0f}" if (v := [x["rss"] for x in sides[s] if x is not None]) else "—"
                             for s in SIDES)
            digits = 2 if p == "predict" else 1
            lines.append(f"| {n} | {w} | {p} {unit} | {cell(f, digits)} | {cell(e, digits)} | {cell(c, digits)} | "
                         f"{cell(re_, 2)} | {cell(rc, 2)} | {rss} |")
            print(f"  {n} {w} {p}: ratio vs eager {cell(re_, 2)}, vs compile {cell(rc, 2)}")
    compile_times = [x["compileSeconds"] for sides in results.values() for x in sides["compile"] if x is not None]
    if compile_times:
        lines += ["", f"torch.compile's compilation (warm-up, not in the figures): {cell(compile_times)} s per process."]
    if failures:
        lines += ["", "### Failures", "", "| round | row | side | message |", "|---|---|---|---|"]
        bar = "\\|"
        lines += [f"| {r} | {row} | {side} | {message.replace('|', bar)} |" for r, row, side, message in failures]
        print(f"\n{len(failures)} failed side(s):")
        for r, row, side, message in failures:
            print(f"  round {r}, {row}, {side}: {message}")
    with open(args.markdown, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"\nwrote {args.markdown}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
