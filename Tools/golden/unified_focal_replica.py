#!/usr/bin/env python3
"""NumPy replica of the Unified Focal loss family (mlyg/unified-focal-loss@411c9c5
loss_functions.py, channels last), checked against the project's loss vectors.

FocalLosses' formulas were pinned down with this script before they were written in Swift:
it recomputes every record of Tests/FocalLossesTests/Fixtures/loss-vectors.json (values of the
original Keras code, float64 run) and prints the worst relative error per loss, then prints the
spec §1.7 two-by-two example (including MIScnn's dice_crossentropy). The Swift tests never run
it; LossVectorTests compares the Swift losses to the same file directly.

Usage: python3 Tools/golden/unified_focal_replica.py [path/to/loss-vectors.json]   (numpy only)
"""
import json
import os
import sys

import numpy as np

E = 1e-7  # Keras epsilon()


def clip(p):
    return np.clip(p, E, 1 - E)


def stats(y, p):
    ax = tuple(range(1, y.ndim - 1))  # spatial axes of (B, spatial..., C)
    return (y * p).sum(ax), (y * (1 - p)).sum(ax), ((1 - y) * p).sum(ax)


def ti(y, p, delta, s):
    tp, fn, fp = stats(y, p)
    return (tp + s) / (tp + delta * fn + (1 - delta) * fp + s)


def dice_loss(y, p, delta=.5, smooth=1e-6): return np.mean(1 - ti(y, p, delta, smooth))
def tversky_loss(y, p, delta=.7, smooth=1e-6): return np.mean(1 - ti(y, p, delta, smooth))
def dice_coefficient(y, p, delta=.5, smooth=1e-6): return np.mean(ti(y, p, delta, smooth))
def focal_tversky_loss(y, p, delta=.7, gamma=.75, smooth=1e-6): return np.mean((1 - ti(y, clip(p), delta, smooth)) ** gamma)


def focal_loss(y, p, alpha=None, gamma_f=2.):
    pc = clip(p)
    a = 1 if alpha is None else alpha
    return np.mean(np.sum(a * (1 - pc) ** gamma_f * (-y * np.log(pc)), -1))


def combo_loss(y, p, alpha=.5, beta=.5):
    d = dice_coefficient(y, p)
    ce = -y * np.log(clip(p))
    if beta is not None:
        ce = ce * np.array([beta, 1 - beta])
    cem = np.mean(np.sum(ce, -1))  # summed over the channels (checked against the vectors)
    return alpha * cem - (1 - alpha) * d if alpha is not None else cem - d


def sym_asym_focal(y, p, delta=.7, gamma=2., asym=False):
    pc = clip(p)
    ce = -y * np.log(pc)
    back = (1 - delta) * (1 - pc[..., 0]) ** gamma * ce[..., 0]
    fore = delta * (1 if asym else (1 - pc[..., 1]) ** gamma) * ce[..., 1]
    return np.mean(back + fore)


def sym_asym_focal_tversky(y, p, delta=.7, gamma=.75, asym=False):
    t = ti(y, clip(p), delta, E)  # smoothing = epsilon
    back = (1 - t[:, 0]) if asym else (1 - t[:, 0]) ** (1 - gamma)
    fore = (1 - t[:, 1]) ** (1 - gamma)
    return np.mean(np.stack([back, fore], -1))


def unified(y, p, weight=.5, delta=.6, gamma=.5, asym=False):
    ftl = sym_asym_focal_tversky(y, p, delta, gamma, asym)
    fl = sym_asym_focal(y, p, delta, gamma, asym)
    return ftl + fl if weight is None else weight * ftl + (1 - weight) * fl


def dice_crossentropy(y, p, smooth=1e-5):
    ax = tuple(range(1, y.ndim - 1))
    dice = np.mean((2 * (y * p).sum(ax) + smooth) / (y.sum(ax) + p.sum(ax) + smooth))
    q = clip(p / p.sum(-1, keepdims=True))
    return (1 - dice) + np.mean(-(y * np.log(q)).sum(-1))


LOSSES = {
    "dice_loss": dice_loss, "tversky_loss": tversky_loss, "dice_coefficient": dice_coefficient,
    "focal_tversky_loss": focal_tversky_loss, "focal_loss": focal_loss, "combo_loss": combo_loss,
    "symmetric_focal_loss": lambda y, p, **k: sym_asym_focal(y, p, **k),
    "asymmetric_focal_loss": lambda y, p, **k: sym_asym_focal(y, p, asym=True, **k),
    "symmetric_focal_tversky_loss": lambda y, p, **k: sym_asym_focal_tversky(y, p, **k),
    "asymmetric_focal_tversky_loss": lambda y, p, **k: sym_asym_focal_tversky(y, p, asym=True, **k),
    "sym_unified_focal_loss": lambda y, p, **k: unified(y, p, **k),
    "asym_unified_focal_loss": lambda y, p, **k: unified(y, p, asym=True, **k),
}

if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Tests", "FocalLossesTests", "Fixtures", "loss-vectors.json")
    data = json.load(open(path))
    cases = {c["id"]: c for c in data["cases"]}
    worst = {}
    for r in data["losses"]:
        c = cases[r["case"]]
        y = np.array(c["y_true"]).reshape(c["shape"])
        p = np.array(c["y_pred"]).reshape(c["shape"])
        v = LOSSES[r["loss"]](y, p, **r["hyperparameters"])
        worst[r["loss"]] = max(worst.get(r["loss"], 0.0), abs(v - r["value"]) / max(abs(r["value"]), 1e-300))
    for name, err in worst.items():
        print(f"{name:32s} worst relative error vs the Keras float64 run: {err:.2e}")
    fg = np.array([[1, 0], [0, 0]], float)
    pf = np.array([[.8, .3], [.1, .2]])
    y = np.stack([1 - fg, fg], -1)[None]
    p = np.stack([1 - pf, pf], -1)[None]
    print("spec §1.7:", {n: round(float(LOSSES[n](y, p)), 6) for n in LOSSES}, "dice_crossentropy",
          round(float(dice_crossentropy(y, p)), 6))
