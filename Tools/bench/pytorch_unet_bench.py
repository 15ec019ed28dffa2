#!/usr/bin/env python3
"""Focal's U-Net, USE-Net (9 Focal SE) and Attention U-Net (4 Focal AG) in PyTorch, timed the
way `focal bench` times Focal's: median forward (eval, no_grad) and train step (forward,
asymmetric unified focal loss, backward, Adam) after warm-up, eager or under torch.compile.

The networks are the PyTorch twin's (Tools/pytorch_twin/focal_twin.py: Focal's modules, names and
architecture facts), built from the same configuration `focal bench` uses, randomly initialised.

    /work/venv-torch/bin/python Tools/bench/pytorch_unet_bench.py --threads 2 [--compile] \
        [--networks unet,use-net,attention-unet] [--filters 32] [--in-channels 3] [--size 256] [--batch 1] \
        [--mode train|inference|all] [--json FILE|-]

With --compile, warm-up (which compiles) is excluded from the timings and reported as
`compileSeconds` (the first call of each pass). Not part of the test suite.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pytorch_twin"))
from focal_twin import FocalUNet  # noqa: E402
from one_line_parser import OneLineParser  # noqa: E402

NETWORKS = ("unet", "use-net", "attention-unet")


def plan(network, depth):
    """Focal's attention plan of `network` (all modules Focal), as the model files record it."""
    if network == "unet":
        positions = []
    elif network == "use-net":
        positions = [f"enc{i}" for i in range(depth)] + ["bottleneck"] + [f"dec{i}" for i in reversed(range(depth))]
    else:
        positions = [f"skip{i}" for i in range(depth)]
    return [{"position": p, "focal": True} for p in positions]


def configuration(network, filters, in_channels, depth=4):
    return {"inChannels": in_channels, "classes": 2, "baseFilters": filters, "depth": depth,
            "normalization": "instance", "seReduction": 8, "plan": plan(network, depth)}


def asym_unified_focal(p, y, weight=0.5, delta=0.6, gamma=0.5, eps=1e-7):
    p = torch.clamp(p, eps, 1 - eps)
    ce = -y * torch.log(p)
    back = (1 - delta) * torch.pow(1 - p[:, 0], gamma) * ce[:, 0]
    fore = delta * ce[:, 1]
    afl = (back + fore).mean()
    tp = (y * p).sum(dim=(2, 3))
    fn = (y * (1 - p)).sum(dim=(2, 3))
    fp = ((1 - y) * p).sum(dim=(2, 3))
    ti = (tp + eps) / (tp + delta * fn + (1 - delta) * fp + eps)
    aftl = ((1 - ti[:, 0]) + (1 - ti[:, 1]) * torch.pow(1 - ti[:, 1], -gamma)).mean() / 2
    return weight * aftl + (1 - weight) * afl


def measure(network, args):
    """One row: {'forward': {...}, 'trainStep': {...}, ...} as far as --mode asks."""
    torch.manual_seed(1)
    s, b = args.size, args.batch
    model = FocalUNet(configuration(network, args.filters, args.in_channels), {})
    x = torch.randn(b, args.in_channels, s, s)
    yy, xx = torch.meshgrid(torch.arange(s), torch.arange(s), indexing="ij")
    fg = (((yy - s // 2) ** 2 + (xx - s // 2) ** 2) < s * s // 16).float()
    y = torch.stack([1 - fg, fg])[None].expand(b, -1, -1, -1).contiguous()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    row = {"network": network, "baseFilters": args.filters, "inChannels": args.in_channels, "size": s, "batch": b,
           "parameters": sum(p.numel() for p in model.parameters()), "compiled": args.compile, "compileSeconds": 0.0}
    run = torch.compile(model) if args.compile else model

    def forward():
        model.eval()
        t = time.perf_counter()
        with torch.no_grad():
            run(x)
        return time.perf_counter() - t

    def step():
        model.train()
        t = time.perf_counter()
        loss = asym_unified_focal(run(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return time.perf_counter() - t

    passes = []
    if args.mode in ("inference", "all"):
        passes.append(("forward", forward))
    if args.mode in ("train", "all"):
        passes.append(("trainStep", step))
    for name, fn in passes:
        first = fn()
        if args.compile:
            row["compileSeconds"] += first
        for _ in range(max(0, args.warmup - 1)):
            fn()
        times = [fn() for _ in range(args.repeats)]
        ms = statistics.median(times) * 1000
        row[name] = {"milliseconds": ms, "imagesPerSecond": b / (ms / 1000)}
    row["peakResidentMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main():
    ap = OneLineParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--networks", default=",".join(NETWORKS))
    ap.add_argument("--filters", type=positive, default=32)
    ap.add_argument("--in-channels", type=positive, default=3)
    ap.add_argument("--size", type=positive, default=256)
    ap.add_argument("--batch", type=positive, default=1)
    ap.add_argument("--mode", choices=("train", "inference", "all"), default="all")
    ap.add_argument("--compile", action="store_true", help="torch.compile(model); compile time reported apart")
    ap.add_argument("--repeats", type=positive, default=5)
    ap.add_argument("--warmup", type=positive, default=2, help="untimed calls per pass (the first compiles)")
    ap.add_argument("--threads", type=positive, default=None)
    ap.add_argument("--json", help="write the report as JSON to this file ('-': standard output)")
    args = ap.parse_args()
    networks = args.networks.split(",")
    for n in networks:
        if n not in NETWORKS:
            ap.error(f"unknown network '{n}' (networks: {', '.join(NETWORKS)})")
    if args.size % 16:
        ap.error(f"--size {args.size} is not a multiple of 16 (the depth-4 networks halve it 4 times)")
    if args.threads:
        torch.set_num_threads(args.threads)
    log = sys.stderr if args.json == "-" else sys.stdout
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, {'torch.compile' if args.compile else 'eager'}", file=log)
    rows = []
    for n in networks:
        r = measure(n, args)
        rows.append(r)
        figures = ", ".join(f"{k} {r[k]['milliseconds']:.1f} ms" for k in ("forward", "trainStep") if k in r)
        print(f"{n} {args.size}x{args.size} batch {args.batch}: {figures}, compile {r['compileSeconds']:.1f} s, "
              f"peak RSS {r['peakResidentMiB']:.0f} MiB", file=log)
    report = {"torch": torch.__version__, "threads": torch.get_num_threads(), "compiled": args.compile, "rows": rows}
    if args.json == "-":
        print(json.dumps(report))
    elif args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
