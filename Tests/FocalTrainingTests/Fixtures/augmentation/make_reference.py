"""Reference values for Focal's augmentation tests, from SciPy (what batchgenerators calls).

Run with python3 (NumPy, SciPy): writes scipy_reference.json next to this file.
- map_coordinates(order=3/1/0, mode="constant", cval=0) of a random 9x11 plane at random
  positions (inside, on the edges and outside the plane),
- gaussian_filter(mode="constant", cval=0, truncate=4) of a random 12x15 field, sigma 2.3.
"""
import json
import os

import numpy as np
import scipy
from scipy.ndimage import gaussian_filter, map_coordinates

rng = np.random.default_rng(20220314)
h, w = 9, 11
plane = rng.standard_normal((h, w))
n = 200
rows = rng.uniform(-1.5, h + 0.5, n)
cols = rng.uniform(-1.5, w + 0.5, n)
# Positions on the edges and at integer pixels.
rows[:8] = [0, h - 1, 0, h - 1, 0.25, h - 1.25, 4, 4.5]
cols[:8] = [0, w - 1, w - 1, 0, 0.75, w - 1.5, 0, w - 1]
coords = np.stack([rows, cols])
out = {
    "scipy": scipy.__version__,
    "height": h,
    "width": w,
    "plane": plane.ravel().tolist(),
    "rows": rows.tolist(),
    "cols": cols.tolist(),
}
for order in (3, 1, 0):
    out[f"order{order}"] = map_coordinates(plane, coords, order=order, mode="constant", cval=0.0).tolist()

gh, gw, sigma = 12, 15, 2.3
field = rng.uniform(-1, 1, (gh, gw))
out["gaussian"] = {
    "height": gh,
    "width": gw,
    "sigma": sigma,
    "input": field.ravel().tolist(),
    "output": gaussian_filter(field, sigma, mode="constant", cval=0.0, truncate=4.0).ravel().tolist(),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "scipy_reference.json"), "w") as f:
    json.dump(out, f)
