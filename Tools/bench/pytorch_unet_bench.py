#!/usr/bin/env python3
"""The paper's U-Net, USE-Net (9 Focal SE) and Attention U-Net (4 Focal AG) in PyTorch, timed
the way `focal bench` times Focal's: median forward (eval, no_grad) and train step (forward,
asymmetric unified focal loss, backward, Adam) after warm-up, plus the sgemm limit (2048^3
torch.mm, best of 8) measured in the same process.

Run it where PyTorch (CPU) is installed:  python3 Tools/bench/pytorch_unet_bench.py --threads 2
It is not part of the test suite.
"""
import argparse
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm1 = nn.InstanceNorm2d(cout, eps=1e-3, affine=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.norm2 = nn.InstanceNorm2d(cout, eps=1e-3, affine=True)

    def forward(self, x):
        x = self.norm1(F.relu(self.conv1(x)))
        return self.norm2(F.relu(self.conv2(x)))


class FocalLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.epsilon = nn.Parameter(torch.ones(1))

    def forward(self, a):
        return torch.clamp(a, 1e-7, 1.0) ** self.epsilon


class SE(nn.Module):
    def __init__(self, c, r=8):
        super().__init__()
        self.fc1 = nn.Linear(c, max(1, c // r))
        self.fc2 = nn.Linear(max(1, c // r), c)
        self.focal = FocalLayer()

    def forward(self, x):
        s = x.mean(dim=(2, 3))
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * self.focal(s)[:, :, None, None]


class AG(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.gate = nn.Conv2d(2 * f, f, 1)
        self.gate_norm = nn.InstanceNorm2d(f, eps=1e-3, affine=True)
        self.theta = nn.Conv2d(f, f, 3, stride=2, padding=1)
        self.phi = nn.Conv2d(f, f, 1)
        self.psi = nn.Conv2d(f, 1, 1)
        self.focal = FocalLayer()
        self.out = nn.Conv2d(f, f, 1)
        self.out_norm = nn.InstanceNorm2d(f, eps=1e-3, affine=True)

    def forward(self, skip, d):
        g = F.relu(self.gate_norm(self.gate(d)))
        q = F.relu(self.theta(skip) + self.phi(g))
        a = self.focal(torch.sigmoid(self.psi(q)))
        a = F.interpolate(a, scale_factor=2, mode="nearest")
        return self.out_norm(self.out(a * skip))


class UNet(nn.Module):
    def __init__(self, cin=3, classes=2, base=32, depth=4, se=False, ag=False):
        super().__init__()
        f = [base * 2 ** i for i in range(depth + 1)]
        self.enc = nn.ModuleList([DoubleConv(cin if i == 0 else f[i - 1], f[i]) for i in range(depth)])
        self.mid = DoubleConv(f[depth - 1], f[depth])
        self.up = nn.ModuleList([nn.ConvTranspose2d(f[i + 1], f[i], 2, stride=2) for i in range(depth)])
        self.dec = nn.ModuleList([DoubleConv(2 * f[i], f[i]) for i in range(depth)])
        self.se_enc = nn.ModuleList([SE(f[i]) for i in range(depth)]) if se else None
        self.se_mid = SE(f[depth]) if se else None
        self.se_dec = nn.ModuleList([SE(f[i]) for i in range(depth)]) if se else None
        self.ag = nn.ModuleList([AG(f[i]) for i in range(depth)]) if ag else None
        self.head = nn.Conv2d(f[0], classes, 1)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.enc):
            x = block(x)
            if self.se_enc is not None:
                x = self.se_enc[i](x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.mid(x)
        if self.se_mid is not None:
            x = self.se_mid(x)
        for i in reversed(range(len(self.enc))):
            s = skips[i]
            if self.ag is not None:
                s = self.ag[i](s, x)
            x = self.dec[i](torch.cat([self.up[i](x), s], dim=1))
            if self.se_dec is not None:
                x = self.se_dec[i](x)
        return torch.softmax(self.head(x), dim=1)


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


def sgemm_limit(n=2048):
    a = torch.full((n, n), 0.5)
    b = torch.full((n, n), 0.25)
    best = float("inf")
    for _ in range(8):
        t = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    limit = sgemm_limit()
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"sgemm limit (2048^3, best of 8): {limit:.1f} GFLOP/s\n")
    print("| network | size | params | forward ms | train step ms | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    torch.manual_seed(1)
    s = args.size
    x = torch.randn(1, 3, s, s)
    yy, xx = torch.meshgrid(torch.arange(s), torch.arange(s), indexing="ij")
    fg = (((yy - s // 2) ** 2 + (xx - s // 2) ** 2) < s * s // 16).float()
    y = torch.stack([1 - fg, fg])[None]
    for name, kw in [("unet", {}), ("use-net", {"se": True}), ("attention-unet", {"ag": True})]:
        model = UNet(**kw)
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        params = sum(p.numel() for p in model.parameters())

        def forward():
            model.eval()
            t = time.perf_counter()
            with torch.no_grad():
                model(x)
            return time.perf_counter() - t

        def step():
            model.train()
            t = time.perf_counter()
            loss = asym_unified_focal(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return time.perf_counter() - t

        for _ in range(args.warmup):
            forward()
            step()
        fw, st = [], []
        for _ in range(args.repeats):
            fw.append(forward())
            st.append(step())
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {name} | {s} | {params} | {statistics.median(fw) * 1000:.1f} | {statistics.median(st) * 1000:.1f} | {rss:.0f} |")


if __name__ == "__main__":
    main()
