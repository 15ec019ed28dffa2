#!/usr/bin/env python3
"""The quick-start training job (`focal train`, preset `nuclei`) in idiomatic PyTorch eager.

Same job as `focal train --preset nuclei --no-augmentation`: the bundled nuclei tiles
(Sources/FocalData/Resources/nuclei, 176 grey 128x128 tiles), Focal's seeded 80/20 + 80/20
split (seed 0: 112 training, 28 validation, 36 test), each image z-scored on its own; the Focal
USE-Net (9 Focal SE blocks) with 16 base filters from Tools/pytorch_twin/focal_twin.py; the
asymmetric Unified Focal loss (lambda 0.5, delta 0.6, gamma 0.2) on the FDPT target
y' = y * clip(Phi, 1e-7, 1)^0.1 (Phi from SciPy's exact EDT, per image at every call, as
FocalLosses does); Adam 1e-3, ReduceLROnPlateau 0.1 / patience 3 / floor 1e-5; batch 1,
shuffled each epoch; validation every epoch (mean loss and foreground DSC), the best-validation
weights saved. Prints one JSON line with the training seconds (the epochs' loop, start-up,
data loading and network construction excluded, as Focal's `trainingSeconds`).

    /work/venv-torch/bin/python Tools/bench/pytorch_quickstart_job.py --threads 2 --epochs 8

Needs torch, numpy, pillow, scipy and safetensors (for focal_twin's imports). Not part of the
test suite; Tools/bench/quickstart_job_pair.sh alternates it with the Focal job.
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time

import numpy as np
import torch
from PIL import Image
from scipy.ndimage import distance_transform_edt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Tools", "pytorch_twin"))
from focal_twin import FocalUNet, preprocess  # noqa: E402  (the twin's networks, not a copy)

NUCLEI = os.path.join(ROOT, "Sources", "FocalData", "Resources", "nuclei")
EPS = 1e-7  # Keras epsilon(): the losses' clip and the Tversky smoothing


class RandomGenerator:
    """FocalCore's RandomGenerator (xoshiro256** seeded by SplitMix64), for Focal's split."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        s = seed
        self.state = []
        for _ in range(4):
            s = (s + 0x9E3779B97F4A7C15) & self.MASK
            z = s
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
            self.state.append(z ^ (z >> 31))

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & RandomGenerator.MASK

    def next(self):
        s = self.state
        result = (self.rotl((s[1] * 5) & self.MASK, 7) * 9) & self.MASK
        t = (s[1] << 17) & self.MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 45)
        return result

    def bounded(self, bound):
        limit = self.MASK - self.MASK % bound
        while True:
            x = self.next()
            if x < limit:
                return x % bound

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.bounded(i + 1)
            items[i], items[j] = items[j], items[i]


def split(count, seed=0, test_fraction=0.2, validation_fraction=0.2):
    """FocalData's DatasetSplitter.split: (train, validation, test) indices."""
    def held_out(n, f):
        return min(n, math.ceil(n * f - 1e-9))
    g = RandomGenerator(seed)
    order = list(range(count))
    g.shuffle(order)
    n_test = held_out(count, test_fraction)
    test, development = sorted(order[:n_test]), sorted(order[n_test:])
    g.shuffle(development)
    n_val = held_out(len(development), validation_fraction)
    return sorted(development[n_val:]), sorted(development[:n_val]), test


def load_tiles():
    """(stems, images [N,1,1,H,W] z-scored, one-hot targets [N,1,2,H,W]) sorted by stem."""
    stems = sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(NUCLEI, "images")) if f.endswith(".png"))
    images, targets = [], []
    for stem in stems:
        image = np.asarray(Image.open(os.path.join(NUCLEI, "images", stem + ".png")))
        mask = np.asarray(Image.open(os.path.join(NUCLEI, "masks", stem + ".png"))) != 0
        images.append(torch.from_numpy(preprocess(image)))
        targets.append(torch.from_numpy(np.stack([~mask, mask]).astype(np.float32)[None]))
    return stems, images, targets


def fdpt_weight(mask, epsilon=0.1):
    """clip(Phi, 1e-7, 1)^epsilon, Phi the Caliva/SegLoss distance map (FocalLosses.DistancePenalty)."""
    fg = mask.astype(bool)
    phi = np.zeros(fg.shape)
    if fg.any() and (~fg).any():
        for side in (fg, ~fg):
            d = distance_transform_edt(side)
            d = (d[side].max() - d) * side
            m = d.max()
            if m > 0:
                phi += d / m
    return np.clip(phi, EPS, 1.0).astype(np.float32) ** np.float32(epsilon)


def asymmetric_unified_focal(p, y, weight=0.5, delta=0.6, gamma=0.2):
    """FocalLosses' AsymmetricUnifiedFocalLoss (code 411c9c5) on [N, 2, H, W]: weight on the
    asymmetric focal Tversky term, 1 - weight on the asymmetric focal (CE) term."""
    pc = torch.clamp(p, EPS, 1 - EPS)
    ce = -y * torch.log(pc)
    back = (1 - delta) * torch.pow(1 - pc[:, 0], gamma) * ce[:, 0]
    fore = delta * ce[:, 1]
    focal = (back + fore).mean()
    tp = (y * pc).sum(dim=(2, 3))
    fn = (y * (1 - pc)).sum(dim=(2, 3))
    fp = ((1 - y) * pc).sum(dim=(2, 3))
    ti = (tp + EPS) / (tp + delta * fn + (1 - delta) * fp + EPS)
    tversky = torch.stack([1 - ti[:, 0], torch.pow(1 - ti[:, 1], 1 - gamma)], -1).mean()
    return weight * tversky + (1 - weight) * focal


def penalized_loss(p, y):
    """The loss on the FDPT target, Phi computed from the target at every call (as Focal does)."""
    w = np.stack([fdpt_weight(m) for m in (y[:, 1] > y[:, 0]).numpy()])[:, None]
    return asymmetric_unified_focal(p, y * torch.from_numpy(w))


def foreground_dsc(p, y):
    pred, truth = p.argmax(1) == 1, y.argmax(1) == 1
    denominator = pred.sum() + truth.sum()
    return 1.0 if denominator == 0 else float(2 * (pred & truth).sum() / denominator)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--base-filters", type=int, default=16)
    ap.add_argument("--learning-rate", type=float, default=1e-3)
    ap.add_argument("--output", default=None, help="folder for best.pt (default: a temporary folder)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    stems, images, targets = load_tiles()
    train, validation, test = split(len(stems))
    positions = ["enc0", "enc1", "enc2", "enc3", "bottleneck", "dec0", "dec1", "dec2", "dec3"]
    configuration = {"inChannels": 1, "classes": 2, "baseFilters": args.base_filters, "depth": 4,
                     "plan": [{"position": p, "focal": True} for p in positions]}
    model = FocalUNet(configuration, {})
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.1, patience=3, min_lr=1e-5)
    output = args.output or tempfile.mkdtemp(prefix="pytorch-quickstart-")
    os.makedirs(output, exist_ok=True)
    generator = torch.Generator().manual_seed(0)

    started = time.perf_counter()
    best, epochs = math.inf, []
    for epoch in range(1, args.epochs + 1):
        epoch_start = time.perf_counter()
        model.train()
        total = 0.0
        for k in torch.randperm(len(train), generator=generator).tolist():
            i = train[k]
            optimizer.zero_grad()
            loss = penalized_loss(model(images[i]), targets[i])
            loss.backward()
            optimizer.step()
            total += loss.item()
        model.eval()
        losses, dscs = [], []
        with torch.no_grad():
            for i in validation:
                p = model(images[i])
                losses.append(penalized_loss(p, targets[i]).item())
                dscs.append(foreground_dsc(p, targets[i]))
        val_loss = sum(losses) / len(losses)
        if val_loss < best:
            best = val_loss
            torch.save(model.state_dict(), os.path.join(output, "best.pt"))
        plateau.step(val_loss)
        epochs.append({"epoch": epoch, "trainLoss": total / len(train), "validationLoss": val_loss,
                       "validationDSC": sum(dscs) / len(dscs), "seconds": time.perf_counter() - epoch_start})
    seconds = time.perf_counter() - started
    print(json.dumps({"job": "pytorch-eager", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "train": len(train), "validation": len(validation), "test": len(test),
                      "parameters": sum(p.numel() for p in model.parameters()),
                      "trainingSeconds": round(seconds, 3), "bestValidationLoss": best, "epochs": epochs}))


if __name__ == "__main__":
    main()
