#!/usr/bin/env python3
"""Inference throughput of the PyTorch twin of a Focal model on a folder of images, end to end as
`focal predict` does it: read each PNG, z-score it over the whole image (Focal's preprocessing,
focal_twin.preprocess), run the network (eval, no_grad), argmax over the classes, write the mask
PNG (label · 255/(classes − 1), as Focal writes it).

    /work/venv-torch/bin/python Tools/bench/pytorch_predict_bench.py --model best.safetensors \
        --input IMAGES --output MASKS [--compile] [--threads 2] [--json FILE|-]

The network is Tools/pytorch_twin/focal_twin.py's, loaded strictly from the Focal model file, so
both sides run the same weights. Timed: the loop over every image (file I/O included); not timed:
imports and model loading; with --compile, the first image (which compiles) is run once before the
loop and reported as `compileSeconds`. Not part of the test suite.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pytorch_twin"))
from focal_twin import load, preprocess  # noqa: E402
from one_line_parser import OneLineParser  # noqa: E402


def segment(run, path, out, channels, classes):
    with Image.open(path) as im:
        im = im.convert("RGB" if channels == 3 else "L")
        x = np.asarray(im)
    x = x if x.ndim == 2 else np.transpose(x, (2, 0, 1))
    with torch.no_grad():
        p = run(torch.from_numpy(preprocess(x)))
    labels = torch.argmax(p[0], dim=0).numpy().astype(np.uint8)
    scale = 255 // max(1, classes - 1)
    Image.fromarray(labels * scale, mode="L").save(os.path.join(out, os.path.splitext(os.path.basename(path))[0] + ".png"))


def main():
    ap = OneLineParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="Focal model file (best.safetensors)")
    ap.add_argument("--input", required=True, help="folder of PNG images")
    ap.add_argument("--output", required=True, help="folder for the masks (created)")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", help="write the result as JSON to this file ('-': standard output)")
    args = ap.parse_args()
    if not os.path.isfile(args.model):
        ap.error(f"--model '{args.model}' does not exist")
    if not os.path.isdir(args.input):
        ap.error(f"--input '{args.input}' is not a folder")
    files = sorted(os.path.join(args.input, f) for f in os.listdir(args.input) if f.lower().endswith(".png"))
    if not files:
        ap.error(f"no .png images in '{args.input}'")
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.output, exist_ok=True)
    net = load(args.model)
    channels, classes = net.configuration["inChannels"], net.configuration["classes"]
    run = torch.compile(net) if args.compile else net
    compile_seconds = 0.0
    if args.compile:
        t = time.perf_counter()
        segment(run, files[0], args.output, channels, classes)
        compile_seconds = time.perf_counter() - t
    t = time.perf_counter()
    for path in files:
        segment(run, path, args.output, channels, classes)
    seconds = time.perf_counter() - t
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "compiled": args.compile,
              "images": len(files), "seconds": seconds, "imagesPerSecond": len(files) / seconds,
              "compileSeconds": compile_seconds,
              "peakResidentMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    text = json.dumps(result)
    if args.json == "-":
        print(text)
    else:
        print(f"{len(files)} images in {seconds:.2f} s: {result['imagesPerSecond']:.2f} images/s "
              f"({'torch.compile' if args.compile else 'eager'}, compile {compile_seconds:.1f} s)")
        if args.json:
            with open(args.json, "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
