"""A PyTorch twin of Focal's U-Net, built from a Focal model file.

    from focal_twin import load
    net = load("out/best.safetensors")          # nn.Module in eval mode, weights loaded strictly
    p = net(x)                                  # x: float32 [N, C, H, W], z-scored; p: softmax over classes

The network is built from the file's metadata: `configuration` (Focal's UNetConfiguration JSON:
depth, filters, normalisation, attention plan) and `architecture` (UNetArchitecture JSON: the
eps of the normalisations, the Focal clip, the attention gate's padding, ...). Its modules carry
Focal's names, so `load_state_dict(strict=True)` takes the file's tensors without renaming
(`encoder.0.conv1.weight`, `decoder.3.gate.theta.bias`, `bottleneck.se.focal.epsilon`, ...).

Needs torch, numpy and safetensors (see Docs/Export.md). `preprocess` does what Focal's training
protocol does to an image (z-score over the whole image); `python focal_twin.py MODEL` prints the
network and checks that the file loads.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from torch import nn

# The configuration's defaults (UNetConfiguration's): absent fields take them.
DEFAULT_CONFIGURATION = {
    "inChannels": 3, "classes": 2, "baseFilters": 32, "depth": 4, "normalization": "instance",
    "seReduction": 8, "plan": [], "focalEpsilonInit": 1.0,
}

# Version 1 of the architecture record, for model files written before Focal recorded it.
ARCHITECTURE_V1 = {
    "version": 1, "layout": "NCHW", "instanceNormEpsilon": 1e-3, "batchNormEpsilon": 1e-3,
    "batchNormMomentum": 0.01, "activationOrder": "conv, relu, norm", "concatOrder": "[up, skip]",
    "focalClip": [1e-7, 1.0], "attentionGateThetaPadding": [0, 0, 1, 1], "attentionUpsampling": "nearest",
    "output": "softmax over classes (axis 1)",
}


def normalization(kind, channels, arch):
    """The network's normalisation layer (or None)."""
    if kind == "instance":
        # Biased variance over H·W, eps inside the square root, affine: tfa's InstanceNormalization.
        return nn.InstanceNorm2d(channels, eps=arch["instanceNormEpsilon"], affine=True, track_running_stats=False)
    if kind == "batch":
        return nn.BatchNorm2d(channels, eps=arch["batchNormEpsilon"], momentum=arch["batchNormMomentum"])
    if kind == "none":
        return None
    raise ValueError(f"unknown normalization '{kind}' (instance, batch or none)")


class FocalLayer(nn.Module):
    """clip(a, low, high) ** epsilon with one learnable epsilon (shape [1])."""

    def __init__(self, arch, epsilon=1.0):
        super().__init__()
        self.low, self.high = arch["focalClip"]
        self.epsilon = nn.Parameter(torch.full((1,), float(epsilon)))

    def forward(self, a):
        return torch.clamp(a, self.low, self.high) ** self.epsilon


class SqueezeExcitation(nn.Module):
    """GAP -> fc1 -> ReLU -> fc2 -> sigmoid [-> Focal] -> rescale the channels."""

    def __init__(self, channels, reduction, focal, arch):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)
        self.focal = FocalLayer(arch) if focal else None

    def forward(self, x):
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean(dim=(2, 3))))))
        if self.focal is not None:
            s = self.focal(s)
        return x * s[:, :, None, None]


class DoubleConv(nn.Module):
    """(conv 3x3 -> ReLU -> norm) twice, then the SE block when planned: ReLU before the norm."""

    def __init__(self, cin, cout, norm, se, arch):
        super().__init__()
        assert arch["activationOrder"] == "conv, relu, norm", arch["activationOrder"]
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm1 = normalization(norm, cout, arch)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.norm2 = normalization(norm, cout, arch)
        self.se = se

    def forward(self, x):
        for conv, norm in ((self.conv1, self.norm1), (self.conv2, self.norm2)):
            x = F.relu(conv(x))
            if norm is not None:
                x = norm(x)
        return x if self.se is None else self.se(x)


class AttentionGate(nn.Module):
    """Additive attention gate on a skip, driven by the coarse decoder tensor before upsampling."""

    def __init__(self, skip_channels, gating_channels, norm, focal, arch):
        super().__init__()
        f = skip_channels
        self.gating = nn.Conv2d(gating_channels, f, 1)
        self.gatingNorm = normalization(norm, f, arch)
        self.theta = nn.Conv2d(f, f, 3, stride=2)  # padded by hand: Keras 'same'
        self.phi = nn.Conv2d(f, f, 1)
        self.psi = nn.Conv2d(f, 1, 1)
        self.focal = FocalLayer(arch) if focal else None
        self.output = nn.Conv2d(f, f, 1)
        self.outputNorm = normalization(norm, f, arch)
        top, left, bottom, right = arch["attentionGateThetaPadding"]
        self.theta_pad = (left, right, top, bottom)  # F.pad's order: last dim first
        assert arch["attentionUpsampling"] == "nearest", arch["attentionUpsampling"]

    def forward(self, skip, d):
        g = self.gating(d)
        if self.gatingNorm is not None:
            g = self.gatingNorm(g)
        g = F.relu(g)
        q = F.relu(self.theta(F.pad(skip, self.theta_pad)) + self.phi(g))
        alpha = torch.sigmoid(self.psi(q))
        if self.focal is not None:
            alpha = self.focal(alpha)
        alpha = F.interpolate(alpha, scale_factor=2, mode="nearest")
        s = self.output(skip * alpha)
        return s if self.outputNorm is None else self.outputNorm(s)


class DecoderStage(nn.Module):
    """up-convolution, optional gate on the skip, concat [up, skip], double convolution."""

    def __init__(self, f, gate, block):
        super().__init__()
        self.up = nn.ConvTranspose2d(2 * f, f, 2, stride=2)
        self.gate = gate
        self.block = block

    def forward(self, coarse, skip):
        s = skip if self.gate is None else self.gate(skip, coarse)
        return self.block(torch.cat([self.up(coarse), s], dim=1))


class FocalUNet(nn.Module):
    """Focal's U-Net (U-Net, USE-Net, Attention U-Net, Focal or not) from its configuration."""

    def __init__(self, configuration, architecture):
        super().__init__()
        c = {**DEFAULT_CONFIGURATION, **configuration}
        arch = {**ARCHITECTURE_V1, **architecture}
        assert arch["concatOrder"] == "[up, skip]" and arch["layout"] == "NCHW", arch
        self.configuration, self.architecture = c, arch
        plan = {entry["position"]: entry["focal"] for entry in c["plan"]}
        depth, base, norm, r = c["depth"], c["baseFilters"], c["normalization"], c["seReduction"]

        def se(position, channels):
            if position not in plan:
                return None
            return SqueezeExcitation(channels, r, plan[position], arch)

        encoder, cin = [], c["inChannels"]
        for i in range(depth):
            f = base << i
            encoder.append(DoubleConv(cin, f, norm, se(f"enc{i}", f), arch))
            cin = f
        self.encoder = nn.ModuleList(encoder)
        self.bottleneck = DoubleConv(cin, base << depth, norm, se("bottleneck", base << depth), arch)
        decoder = []
        for i in range(depth):  # decoder[i] is level i, as in Focal
            f = base << i
            gate = AttentionGate(f, 2 * f, norm, plan[f"skip{i}"], arch) if f"skip{i}" in plan else None
            decoder.append(DecoderStage(f, gate, DoubleConv(2 * f, f, norm, se(f"dec{i}", f), arch)))
        self.decoder = nn.ModuleList(decoder)
        self.head = nn.Conv2d(base, c["classes"], 1)

    def logits(self, x):
        multiple = 1 << self.configuration["depth"]
        if x.shape[2] % multiple or x.shape[3] % multiple:
            raise ValueError(f"H and W must be multiples of {multiple}, got {tuple(x.shape)}")
        skips = []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for i in reversed(range(len(self.decoder))):
            x = self.decoder[i](x, skips[i])
        return self.head(x)

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def read(path):
    """(tensors, metadata) of a safetensors file, tensors as torch tensors."""
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    return tensors, metadata


def load(path):
    """The twin of the Focal model file at `path`, weights loaded strictly, in eval mode."""
    tensors, metadata = read(path)
    if "configuration" not in metadata:
        raise ValueError(f"{path}: no 'configuration' in the metadata; not a Focal model file (UNet.save / best.safetensors)")
    configuration = json.loads(metadata["configuration"])
    architecture = json.loads(metadata.get("architecture", "{}"))
    if "architecture" not in metadata:
        print(f"{path}: no 'architecture' record (written before Focal stored it); using version 1's facts", file=sys.stderr)
    net = FocalUNet(configuration, architecture)
    net.load_state_dict(tensors, strict=True)
    return net.eval()


def preprocess(image):
    """A [C, H, W] or [H, W] array in the file's value range -> float32 [1, C, H, W], z-scored over
    the whole image (all channels together, population std in double precision; only centred when
    std < 1e-8), as Focal's training protocol does."""
    x = np.asarray(image, dtype=np.float64)
    if x.ndim == 2:
        x = x[None]
    mean, std = x.mean(), x.std()
    x = x - mean if std < 1e-8 else (x - mean) / std
    return x.astype(np.float32)[None]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: focal_twin.py MODEL.safetensors", file=sys.stderr)
        sys.exit(64)
    twin = load(sys.argv[1])
    print(twin)
    print(f"loaded {len(twin.state_dict())} tensors strictly; "
          f"{sum(p.numel() for p in twin.parameters()):,} parameters")
