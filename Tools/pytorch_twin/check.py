"""Compares the PyTorch twin of a Focal model with its ONNX export in ONNX Runtime and, when
given, with Focal's own probabilities.

    python Tools/pytorch_twin/check.py --model out/best.safetensors --onnx model.onnx \
        [--images Sources/FocalData/Resources/nuclei/images] [--limit 8] [--probabilities FOLDER] [--tolerance 1e-4]

For each image (PNG/TIFF/JPEG/GIF read with Pillow, alpha dropped, in the file's own value range,
z-scored as Focal's training protocol does; H and W must be multiples of 2^depth) it prints the
max |dp| between the twin's probabilities and ONNX Runtime's and, with --probabilities, between
each of them and FOLDER/<stem>.npy (float32 [C, H, W], as `focal predict --probabilities` writes).
Exits 1 when a difference exceeds --tolerance, 64 for a bad command line.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def image_array(path, channels):
    """The image as float64 [C, H, W] in its own value range, alpha dropped."""
    from PIL import Image
    with Image.open(path) as im:
        if im.mode in ("RGBA", "LA", "P", "PA"):
            im = im.convert("RGB" if channels == 3 else "L")
        x = np.asarray(im, dtype=np.float64)
    x = x[None] if x.ndim == 2 else np.transpose(x[..., :channels], (2, 0, 1))
    if x.shape[0] != channels:
        raise SystemExit(f"check.py: {path} has {x.shape[0]} channels; the model expects {channels}")
    return x


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="Focal model file (best.safetensors)")
    parser.add_argument("--onnx", required=True, help="its export (focal export --model ... --output model.onnx)")
    parser.add_argument("--images", default=os.path.join(ROOT, "Sources", "FocalData", "Resources", "nuclei", "images"), help="folder of images")
    parser.add_argument("--limit", type=int, default=8, help="at most this many images (sorted by name)")
    parser.add_argument("--probabilities", help="folder of Focal's <stem>.npy probabilities [C, H, W]")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest max |dp| accepted")
    args = parser.parse_args()
    for path, what in [(args.model, "--model"), (args.onnx, "--onnx")]:
        if not os.path.isfile(path):
            parser.exit(64, f"check.py: {what} '{path}' does not exist\n")
    if not os.path.isdir(args.images):
        parser.exit(64, f"check.py: --images '{args.images}' is not a folder\n")
    if args.probabilities and not os.path.isdir(args.probabilities):
        parser.exit(64, f"check.py: --probabilities '{args.probabilities}' is not a folder\n")

    import onnxruntime as ort
    import torch
    from focal_twin import load, preprocess

    twin = load(args.model)
    session = ort.InferenceSession(args.onnx, providers=["CPUExecutionProvider"])
    channels = twin.configuration["inChannels"]
    multiple = 1 << twin.configuration["depth"]
    names = sorted(n for n in os.listdir(args.images) if n.lower().endswith((".png", ".tif", ".tiff", ".jpg", ".jpeg", ".gif")))
    if not names:
        parser.exit(64, f"check.py: no images in '{args.images}'\n")
    worst = {}
    print(f"model {args.model}: {twin.configuration['depth']} levels, {twin.configuration['normalization']} norm, "
          f"plan {[e['position'] + ('+focal' if e['focal'] else '') for e in twin.configuration['plan']] or 'none'}")
    for name in names[: args.limit]:
        x = preprocess(image_array(os.path.join(args.images, name), channels))
        if x.shape[2] % multiple or x.shape[3] % multiple:
            print(f"{name}: skipped, {x.shape[2]}x{x.shape[3]} is not a multiple of {multiple}")
            continue
        with torch.no_grad():
            p_twin = twin(torch.from_numpy(x)).numpy()[0]
        p_onnx = session.run(None, {session.get_inputs()[0].name: x})[0][0]
        row = {"twin vs ONNX Runtime": float(np.abs(p_twin - p_onnx).max())}
        if args.probabilities:
            stem = os.path.splitext(name)[0]
            path = os.path.join(args.probabilities, stem + ".npy")
            if not os.path.isfile(path):
                parser.exit(64, f"check.py: {path} does not exist (Focal's probabilities for {name})\n")
            p_focal = np.load(path).astype(np.float32)
            if p_focal.shape != p_twin.shape:
                parser.exit(65, f"check.py: {path} is {list(p_focal.shape)}, the twin gives {list(p_twin.shape)}\n")
            row["twin vs Focal"] = float(np.abs(p_twin - p_focal).max())
            row["ONNX Runtime vs Focal"] = float(np.abs(p_onnx - p_focal).max())
        print(f"{name} {x.shape[2]}x{x.shape[3]}: " + ", ".join(f"{k} {v:.2e}" for k, v in row.items()))
        for k, v in row.items():
            worst[k] = max(worst.get(k, 0.0), v)
    if not worst:
        parser.exit(65, "check.py: no image could be compared\n")
    print("max |dp| over the images: " + ", ".join(f"{k} {v:.2e}" for k, v in worst.items()))
    if max(worst.values()) > args.tolerance:
        print(f"check.py: a difference exceeds the tolerance {args.tolerance}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
