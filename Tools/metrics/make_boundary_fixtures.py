#!/usr/bin/env python3
"""Writes Tests/FocalTrainingTests/Fixtures/boundary/boundary-metrics.json: label maps and their
boundary metrics (HD95, ASSD, NSD) computed independently of the Swift code with SciPy,
reproducing MONAI's definitions (monai.metrics: get_mask_edges, get_surface_distance,
compute_hausdorff_distance(percentile=95), compute_average_surface_distance(symmetric=True),
compute_surface_dice without sub-voxel edges). MONAI itself is not used (it needs torch).

MONAI pipeline reproduced per class c (binary masks pred == c, truth == c):
  1. crop both masks to the bounding box of (pred | truth) with a margin of 1, padding with
     background where the margin leaves the image (CropForegroundD(margin=1, allow_smaller=False));
  2. edges = mask ^ scipy.ndimage.binary_erosion(mask) with SciPy's default structuring element
     generate_binary_structure(2, 1) (4-connected cross) and border_value=0;
  3. d(pred -> truth) = distance_transform_edt(~edges_truth, sampling=spacing)[edges_pred], and
     the other direction likewise;
  4. hd95 = max(np.percentile(d_pt, 95), np.percentile(d_tp, 95));
     assd = mean(concatenate(d_pt, d_tp)); nsd = (#d_pt <= tau + #d_tp <= tau) / (|d_pt| + |d_tp|).
Empty cases follow Focal's convention (MONAI gives NaN/inf there): both empty -> hd95 0, assd 0,
nsd 1; exactly one empty -> hd95 and assd infinite (written null), nsd 0.

Run: python3 Tools/metrics/make_boundary_fixtures.py   (numpy, scipy)
"""
import json
import os

import numpy as np
from scipy import ndimage

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "FocalTrainingTests", "Fixtures", "boundary",
                   "boundary-metrics.json")
STRUCTURE = ndimage.generate_binary_structure(2, 1)


def crop_with_margin(pred, truth):
    union = pred | truth
    ys, xs = np.nonzero(union)
    y0, y1 = ys.min() - 1, ys.max() + 2
    x0, x1 = xs.min() - 1, xs.max() + 2
    pad = 1
    p = np.pad(pred, pad)[y0 + pad:y1 + pad, x0 + pad:x1 + pad]
    t = np.pad(truth, pad)[y0 + pad:y1 + pad, x0 + pad:x1 + pad]
    return p, t, (y0, x0)


def edges(mask):
    return ndimage.binary_erosion(mask, structure=STRUCTURE, border_value=0) ^ mask


def full_edges(mask):
    """The edges on the uncropped grid (for the MaskBoundary comparison)."""
    return np.nonzero(edges(mask).ravel())[0].tolist()


def class_metrics(pred, truth, spacing, tau):
    ep_full, et_full = full_edges(pred), full_edges(truth)
    if not (pred | truth).any():
        return dict(hd95=0.0, assd=0.0, nsd=1.0, predictionSurface=0, truthSurface=0,
                    predictionEdges=[], truthEdges=[])
    p, t, _ = crop_with_margin(pred, truth)
    ep, et = edges(p), edges(t)
    n_p, n_t = int(ep.sum()), int(et.sum())
    assert n_p == len(ep_full) and n_t == len(et_full), "cropping changed the edges"
    if n_p == 0 or n_t == 0:
        return dict(hd95=None, assd=None, nsd=0.0, predictionSurface=n_p, truthSurface=n_t,
                    predictionEdges=ep_full, truthEdges=et_full)
    d_pt = ndimage.distance_transform_edt(~et, sampling=spacing)[ep]
    d_tp = ndimage.distance_transform_edt(~ep, sampling=spacing)[et]
    hd95 = max(np.percentile(d_pt, 95), np.percentile(d_tp, 95))
    assd = np.concatenate([d_pt, d_tp]).mean()
    nsd = (np.sum(d_pt <= tau) + np.sum(d_tp <= tau)) / (len(d_pt) + len(d_tp))
    return dict(hd95=float(hd95), assd=float(assd), nsd=float(nsd), predictionSurface=n_p, truthSurface=n_t,
                predictionEdges=ep_full, truthEdges=et_full)


def blobs(rng, h, w, classes=2, sigma=2.5, fill=0.5):
    """A label map of smooth random regions: class k where the k-th smoothed noise field wins."""
    if classes == 2:
        f = ndimage.gaussian_filter(rng.standard_normal((h, w)), sigma)
        return (f > np.quantile(f, 1 - fill)).astype(np.int32)
    fields = np.stack([ndimage.gaussian_filter(rng.standard_normal((h, w)), sigma) for _ in range(classes)])
    return fields.argmax(0).astype(np.int32)


def square(h, w, y, x, size):
    m = np.zeros((h, w), np.int32)
    m[y:y + size, x:x + size] = 1
    return m


def main():
    rng = np.random.default_rng(20240611)
    cases = []

    def add(name, pred, truth, classes=2, spacing=(1.0, 1.0), tau=1.0):
        pred, truth = np.asarray(pred, np.int32), np.asarray(truth, np.int32)
        assert pred.shape == truth.shape
        per_class = []
        for c in range(1, classes):
            m = class_metrics(pred == c, truth == c, spacing, tau)
            m["classIndex"] = c
            per_class.append(m)
        cases.append(dict(name=name, height=int(pred.shape[0]), width=int(pred.shape[1]), classes=classes,
                          spacing=[float(spacing[0]), float(spacing[1])], tolerance=float(tau),
                          prediction=pred.ravel().tolist(), truth=truth.ravel().tolist(), perClass=per_class))

    for i in range(4):
        h, w = [(32, 32), (24, 40), (40, 24), (48, 48)][i]
        truth = blobs(rng, h, w)
        pred = ndimage.binary_dilation(truth, iterations=1 + i % 2) if i % 2 == 0 else blobs(rng, h, w)
        pred = np.asarray(pred, np.int32)
        # Flip a few random pixels so the prediction is not a clean morphological copy.
        flips = rng.integers(0, h * w, size=6)
        pred.ravel()[flips] = 1 - pred.ravel()[flips]
        add(f"random blobs {i}", pred, truth, tau=[1.0, 1.0, 2.0, 0.0][i])
    z = np.zeros((16, 16), np.int32)
    p, t = z.copy(), z.copy()
    p[3, 4] = 1
    t[10, 12] = 1
    add("single pixels apart", p, t)
    p, t = z.copy(), z.copy()
    p[7, 7] = 1
    t[7, 7] = 1
    add("single pixel, same place", p, t)
    p, t = z.copy(), z.copy()
    p[5, 2:14] = 1
    t[6, 1:13] = 1
    add("thin horizontal lines", p, t)
    p, t = z.copy(), z.copy()
    for k in range(12):
        p[2 + k, 2 + k] = 1
    t[2:14, 8] = 1
    add("diagonal vs vertical line", p, t, tau=2.0)
    p, t = z.copy(), z.copy()
    p[:, :5] = 1
    t[:, :7] = 1
    t[0, :] = 1
    add("touching the image border", p, t)
    add("whole image both", np.ones((9, 11), np.int32), np.ones((9, 11), np.int32))
    p = np.ones((9, 11), np.int32)
    t = np.ones((9, 11), np.int32)
    t[4, 5] = 0
    add("whole image vs one hole", p, t)
    add("empty prediction", z, square(16, 16, 4, 4, 6))
    add("empty truth", square(16, 16, 2, 3, 5), z)
    add("both empty", z, z)
    add("squares offset by 3 columns", square(20, 20, 5, 8, 6), square(20, 20, 5, 5, 6))
    truth = blobs(rng, 30, 30)
    pred = np.asarray(ndimage.binary_erosion(truth, iterations=1), np.int32)
    add("anisotropic spacing 0.5x2", pred, truth, spacing=(0.5, 2.0), tau=1.0)
    truth = blobs(rng, 28, 36)
    pred = blobs(rng, 28, 36)
    add("anisotropic spacing 1.3x0.7", pred, truth, spacing=(1.3, 0.7), tau=1.5)
    add("anisotropic squares offset", square(20, 20, 4, 6, 7), square(20, 20, 6, 4, 7), spacing=(0.8, 1.7), tau=2.0)
    add("multi-class 3", blobs(rng, 32, 32, classes=3), blobs(rng, 32, 32, classes=3), classes=3)
    truth = blobs(rng, 36, 28, classes=4)
    pred = truth.copy()
    pred[pred == 3] = 0  # class 3 missing from the prediction
    pred[10:14, 4:20] = 2
    add("multi-class 4, a class missing", pred, truth, classes=4, spacing=(1.0, 0.6), tau=1.0)
    row_p = np.zeros((1, 30), np.int32)
    row_t = np.zeros((1, 30), np.int32)
    row_p[0, 3:12] = 1
    row_t[0, 6:20] = 1
    add("one-row image", row_p, row_t)

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(dict(generator="Tools/metrics/make_boundary_fixtures.py", numpy=np.__version__,
                       scipy=__import__("scipy").__version__, cases=cases), f, separators=(",", ":"))
        f.write("\n")
    print(f"{len(cases)} cases -> {os.path.relpath(OUT)}")
    for c in cases:
        print(c["name"], [(m["classIndex"], m["hd95"], m["assd"], m["nsd"]) for m in c["perClass"]])


if __name__ == "__main__":
    main()
