#!/usr/bin/env python3
"""Reference values for ResizeTests: `scipy.ndimage.map_coordinates(order=3, mode="mirror")`
(cubic B-spline with SciPy's exact prefilter and whole-sample mirror boundary) sampled at
Focal's resize positions: output pixel i reads input position (i + 0.5)·in/out − 0.5, clamped
to [0, in − 1]. Writes resize_reference.json. Run: python3 make_resize_reference.py
"""
import json

import numpy as np
from scipy import ndimage

rng = np.random.default_rng(5)
cases = []
for (h, w), (oh, ow) in [((6, 7), (10, 4)), ((5, 5), (15, 15)), ((9, 12), (4, 5))]:
    image = np.round(rng.uniform(-10, 10, (h, w)), 3)
    ry = np.clip((np.arange(oh) + 0.5) * h / oh - 0.5, 0, h - 1)
    rx = np.clip((np.arange(ow) + 0.5) * w / ow - 0.5, 0, w - 1)
    yy, xx = np.meshgrid(ry, rx, indexing="ij")
    out = ndimage.map_coordinates(image.astype(np.float64), [yy, xx], order=3, mode="mirror")
    cases.append({"height": h, "width": w, "outHeight": oh, "outWidth": ow,
                  "input": image.reshape(-1).tolist(), "output": out.reshape(-1).tolist()})
with open("resize_reference.json", "w") as f:
    json.dump({"scipy": __import__("scipy").__version__, "cases": cases}, f)
    f.write("\n")
