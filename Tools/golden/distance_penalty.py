#!/usr/bin/env python3
"""Golden distance transforms and distance-penalty maps for FocalLosses' FDPT.

Writes Tests/FocalLossesTests/Fixtures/distance-penalty-golden.json, read by
DistancePenaltyTests. For each mask (2-D and 3-D, random and shaped, with the guard cases of
spec §1.8) it stores:
  - `edt`: scipy.ndimage.distance_transform_edt(mask) (unit spacing; distance of every
    non-zero element to the nearest zero element), only when the mask has a zero element;
  - `phi`: the Caliva/SegLoss distance-penalty map (JunMa11/SegLoss@71b1490
    losses_pytorch/boundary_loss.py compute_edts_forPenalizedLoss, re-written here) with the
    NaN guards of spec Part A: a side with no pixels, or whose maximum after the inversion is 0,
    contributes 0.

Usage: python3 Tools/golden/distance_penalty.py   (from the repository root; numpy + scipy)
"""
import json
import os

import numpy as np
from scipy.ndimage import distance_transform_edt, gaussian_filter

rng = np.random.RandomState(20221028)


def phi(fg):
    fg = fg.astype(bool)
    bg = ~fg
    out = np.zeros(fg.shape)
    if not fg.any() or not bg.any():
        return out
    for side in (fg, bg):
        d = distance_transform_edt(side)
        d = (np.max(d) - d) * side
        m = np.max(d)
        if m > 0:
            out += d / m
    return out


def blob(shape, sigma, threshold):
    field = gaussian_filter(rng.uniform(-1, 1, size=shape), sigma)
    return (field > threshold).astype(np.uint8)


masks = []
# The spec §1.8 example: 6x6, foreground rows 1-3 x cols 1-4.
m = np.zeros((6, 6), np.uint8); m[1:4, 1:5] = 1
masks.append(("spec_6x6", m))
masks.append(("random_2d_13x17", (rng.uniform(size=(13, 17)) < 0.35).astype(np.uint8)))
masks.append(("blob_2d_24x20", blob((24, 20), 2.0, 0.02)))
yy, xx = np.mgrid[:21, :21]
masks.append(("disk_2d_21x21", (((yy - 10) ** 2 + (xx - 9) ** 2) <= 36).astype(np.uint8)))
v = np.zeros((12, 12), np.uint8); v[:, 5] = 1; v[6, :] = 1
masks.append(("thin_vessels_2d_12x12", v))          # every fg pixel touches bg: fg side guarded
masks.append(("single_pixel_2d_9x9", (lambda a: (a.__setitem__((4, 6), 1), a)[1])(np.zeros((9, 9), np.uint8))))
masks.append(("empty_2d_5x7", np.zeros((5, 7), np.uint8)))
masks.append(("full_2d_5x7", np.ones((5, 7), np.uint8)))
masks.append(("random_3d_5x7x6", (rng.uniform(size=(5, 7, 6)) < 0.4).astype(np.uint8)))
masks.append(("blob_3d_8x9x10", blob((8, 9, 10), 1.5, 0.02)))
zz, yy, xx = np.mgrid[:9, :11, :10]
masks.append(("ball_3d_9x11x10", (((zz - 4) ** 2 + (yy - 5) ** 2 + (xx - 4) ** 2) <= 12).astype(np.uint8)))

records = []
for name, mask in masks:
    rec = {"name": name, "shape": list(mask.shape), "mask": [int(x) for x in mask.reshape(-1)],
           "phi": [float(x) for x in phi(mask).reshape(-1)]}
    if (mask == 0).any():
        rec["edt"] = [float(x) for x in distance_transform_edt(mask).reshape(-1)]
    records.append(rec)

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
path = os.path.join(root, "Tests", "FocalLossesTests", "Fixtures", "distance-penalty-golden.json")
import scipy
with open(path, "w") as f:
    json.dump({"generator": "Tools/golden/distance_penalty.py", "numpy": np.__version__, "scipy": scipy.__version__,
               "masks": records}, f)
print("wrote", path, len(records), "masks")
