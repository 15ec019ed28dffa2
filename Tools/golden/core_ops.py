#!/usr/bin/env python3
"""Golden forward values for FocalCore's convolution, pooling, resampling, normalisation and
linear ops, from direct loop-based NumPy reference implementations (PyTorch semantics).

Writes Tests/FocalCoreTests/Fixtures/core_ops_golden.json, read by the FocalCoreTests suites
(ConvolutionTests, PoolingTests, NormalizationTests). Inputs are float32 values drawn from a
fixed seed and stored in the file; references are computed in float64 from those values.

Usage: python3 Tools/golden/core_ops.py   (from the repository root; needs numpy only)
"""
import json
import os

import numpy as np

rng = np.random.RandomState(20220328)


def tensor(shape, low=-1.0, high=1.0, shift=0.0):
    """A float32 tensor with 3 significant decimals (stored exactly as float32 in the JSON)."""
    return (np.round(rng.uniform(low, high, size=shape), 3) + shift).astype(np.float32)


def enc(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": [float(np.float32(v)) for v in a.reshape(-1)]}


# ---------------------------------------------------------------- references (float64 loops)

def conv2d(x, w, b, stride, padding):
    x, w = x.astype(np.float64), w.astype(np.float64)
    n, cin, h, wd = x.shape
    cout, _, kh, kw = w.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wd + 2 * padding - kw) // stride + 1
    y = np.zeros((n, cout, oh, ow))
    for s in range(n):
        for o in range(cout):
            for i in range(oh):
                for j in range(ow):
                    acc = 0.0 if b is None else float(b[o])
                    for c in range(cin):
                        for u in range(kh):
                            for v in range(kw):
                                yy, xx = i * stride - padding + u, j * stride - padding + v
                                if 0 <= yy < h and 0 <= xx < wd:
                                    acc += x[s, c, yy, xx] * w[o, c, u, v]
                    y[s, o, i, j] = acc
    return y


def conv_transpose2d(x, w, b, stride, padding):
    """Scatter form: every input pixel adds weight·x onto the output window it maps to."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    n, cin, h, wd = x.shape
    _, cout, kh, kw = w.shape
    oh = (h - 1) * stride - 2 * padding + kh
    ow = (wd - 1) * stride - 2 * padding + kw
    y = np.zeros((n, cout, oh, ow))
    for s in range(n):
        for c in range(cin):
            for i in range(h):
                for j in range(wd):
                    for o in range(cout):
                        for u in range(kh):
                            for v in range(kw):
                                yy, xx = i * stride - padding + u, j * stride - padding + v
                                if 0 <= yy < oh and 0 <= xx < ow:
                                    y[s, o, yy, xx] += x[s, c, i, j] * w[c, o, u, v]
    if b is not None:
        y += b.astype(np.float64)[None, :, None, None]
    return y


def max_pool2d(x, kernel, stride):
    n, c, h, w = x.shape
    oh, ow = (h - kernel) // stride + 1, (w - kernel) // stride + 1
    y = np.zeros((n, c, oh, ow))
    for s in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    y[s, ch, i, j] = max(float(x[s, ch, i * stride + u, j * stride + v])
                                         for u in range(kernel) for v in range(kernel))
    return y


def upsample_nearest2d(x, scale):
    n, c, h, w = x.shape
    y = np.zeros((n, c, h * scale, w * scale))
    for i in range(h * scale):
        for j in range(w * scale):
            y[:, :, i, j] = x[:, :, i // scale, j // scale]
    return y


def global_average_pool2d(x):
    n, c, h, w = x.shape
    y = np.zeros((n, c, 1, 1))
    for s in range(n):
        for ch in range(c):
            y[s, ch, 0, 0] = sum(float(x[s, ch, i, j]) for i in range(h) for j in range(w)) / (h * w)
    return y


def instance_norm2d(x, gamma, beta, eps):
    x = x.astype(np.float64)
    n, c, h, w = x.shape
    y = np.zeros_like(x)
    for s in range(n):
        for ch in range(c):
            vals = [x[s, ch, i, j] for i in range(h) for j in range(w)]
            mu = sum(vals) / len(vals)
            var = sum((v - mu) ** 2 for v in vals) / len(vals)
            g = 1.0 if gamma is None else float(gamma[ch])
            b = 0.0 if beta is None else float(beta[ch])
            for i in range(h):
                for j in range(w):
                    y[s, ch, i, j] = (x[s, ch, i, j] - mu) / np.sqrt(var + eps) * g + b
    return y


def batch_norm2d(x, gamma, beta, running_mean, running_var, training, momentum, eps):
    x = x.astype(np.float64)
    n, c, h, w = x.shape
    y = np.zeros_like(x)
    new_mean = running_mean.astype(np.float64).copy()
    new_var = running_var.astype(np.float64).copy()
    for ch in range(c):
        vals = [x[s, ch, i, j] for s in range(n) for i in range(h) for j in range(w)]
        if training:
            mu = sum(vals) / len(vals)
            var = sum((v - mu) ** 2 for v in vals) / len(vals)
            unbiased = var * len(vals) / (len(vals) - 1)
            new_mean[ch] = (1 - momentum) * running_mean[ch] + momentum * mu
            new_var[ch] = (1 - momentum) * running_var[ch] + momentum * unbiased
        else:
            mu, var = float(running_mean[ch]), float(running_var[ch])
        g = 1.0 if gamma is None else float(gamma[ch])
        b = 0.0 if beta is None else float(beta[ch])
        for s in range(n):
            for i in range(h):
                for j in range(w):
                    y[s, ch, i, j] = (x[s, ch, i, j] - mu) / np.sqrt(var + eps) * g + b
    return y, new_mean, new_var


def linear(x, w, b):
    n, fin = x.shape
    fout = w.shape[0]
    y = np.zeros((n, fout))
    for i in range(n):
        for o in range(fout):
            y[i, o] = (0.0 if b is None else float(b[o])) + sum(float(x[i, k]) * float(w[o, k]) for k in range(fin))
    return y


# ---------------------------------------------------------------- cases

cases = []


def add(op, name, params, inputs, outputs):
    cases.append({"op": op, "name": name, "params": params,
                  "inputs": {k: enc(v) for k, v in inputs.items() if v is not None},
                  "outputs": {k: enc(v) for k, v in outputs.items()}})


for name, xs, ws, bias, stride, padding in [
    ("k3 s1 p1 bias", (2, 3, 5, 6), (4, 3, 3, 3), True, 1, 1),
    ("k3 s2 p0", (1, 2, 7, 7), (3, 2, 3, 3), False, 2, 0),
    ("k1 s1 p0 bias", (2, 3, 4, 5), (5, 3, 1, 1), True, 1, 0),
    ("k2x3 s2 p1 bias", (1, 2, 6, 5), (2, 2, 2, 3), True, 2, 1),
    ("k3 s2 p1 bias", (1, 2, 5, 5), (3, 2, 3, 3), True, 2, 1),
]:
    x, w = tensor(xs), tensor(ws, -0.5, 0.5)
    b = tensor((ws[0],)) if bias else None
    add("conv2d", name, {"stride": stride, "padding": padding}, {"x": x, "weight": w, "bias": b},
        {"y": conv2d(x, w, b, stride, padding)})

for name, xs, ws, bias, stride, padding in [
    ("k2 s2 bias", (2, 3, 3, 4), (3, 2, 2, 2), True, 2, 0),
    ("k3 s2 p1 bias", (1, 2, 4, 3), (2, 3, 3, 3), True, 2, 1),
    ("k3 s1 p0", (1, 2, 3, 3), (2, 2, 3, 3), False, 1, 0),
    ("k4 s2 p1 bias", (1, 2, 3, 3), (2, 2, 4, 4), True, 2, 1),
]:
    x, w = tensor(xs), tensor(ws, -0.5, 0.5)
    b = tensor((ws[1],)) if bias else None
    add("convTranspose2d", name, {"stride": stride, "padding": padding}, {"x": x, "weight": w, "bias": b},
        {"y": conv_transpose2d(x, w, b, stride, padding)})

for name, xs, kernel, stride in [("k2 floor", (2, 2, 5, 7), 2, 2), ("k3 s2", (1, 2, 7, 7), 3, 2)]:
    x = tensor(xs)
    add("maxPool2d", name, {"kernel": kernel, "stride": stride}, {"x": x}, {"y": max_pool2d(x, kernel, stride)})

for name, xs, scale in [("x2", (1, 2, 3, 4), 2), ("x3", (1, 1, 2, 3), 3)]:
    x = tensor(xs)
    add("upsampleNearest2d", name, {"scale": scale}, {"x": x}, {"y": upsample_nearest2d(x, scale)})

x = tensor((2, 3, 4, 5))
add("globalAveragePool2d", "mean over HW", {}, {"x": x}, {"y": global_average_pool2d(x)})

x, g, b = tensor((2, 3, 4, 5), shift=5.0), tensor((3,), 0.5, 1.5), tensor((3,))
add("instanceNorm2d", "affine eps 1e-3 offset mean", {"eps": 1e-3}, {"x": x, "weight": g, "bias": b},
    {"y": instance_norm2d(x, g, b, 1e-3)})
x = tensor((1, 2, 3, 3), -2, 2)
add("instanceNorm2d", "no affine eps 1e-5", {"eps": 1e-5}, {"x": x}, {"y": instance_norm2d(x, None, None, 1e-5)})

x, g, b = tensor((3, 2, 3, 4), -2, 2, shift=1.0), tensor((2,), 0.5, 1.5), tensor((2,))
rm, rv = tensor((2,)), tensor((2,), 0.5, 2.0)
for training in (True, False):
    y, nm, nv = batch_norm2d(x, g, b, rm, rv, training, 0.1, 1e-3)
    add("batchNorm2d", "train" if training else "eval", {"training": 1 if training else 0, "momentum": 0.1, "eps": 1e-3},
        {"x": x, "weight": g, "bias": b, "runningMean": rm, "runningVar": rv},
        {"y": y, "runningMean": nm, "runningVar": nv})
x = tensor((2, 3, 2, 2))
y, nm, nv = batch_norm2d(x, None, None, np.zeros(3, np.float32), np.ones(3, np.float32), True, 0.01, 1e-3)
add("batchNorm2d", "train no affine defaults", {"training": 1, "momentum": 0.01, "eps": 1e-3},
    {"x": x, "runningMean": np.zeros(3, np.float32), "runningVar": np.ones(3, np.float32)},
    {"y": y, "runningMean": nm, "runningVar": nv})

x, w, b = tensor((3, 4)), tensor((5, 4)), tensor((5,))
add("linear", "bias", {}, {"x": x, "weight": w, "bias": b}, {"y": linear(x, w, b)})
add("linear", "no bias", {}, {"x": x, "weight": w}, {"y": linear(x, w, None)})

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(root, "Tests", "FocalCoreTests", "Fixtures", "core_ops_golden.json")
with open(out, "w") as f:
    json.dump({"generator": "Tools/golden/core_ops.py", "numpy": np.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {out} ({os.path.getsize(out)} bytes)")
