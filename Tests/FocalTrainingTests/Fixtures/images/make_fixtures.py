#!/usr/bin/env python3
"""Writes the tiny PNG/NPY fixtures of the FocalTraining data tests and `expected.json`.

The PNGs are written by hand with `zlib` and `struct` so every header field (bit depth,
colour type, palette, tRNS, gAMA) is exactly what the test names. `expected.json` holds, per
file, the decoded size, channels, bit depth and planar pixel values (channel, row, column)
in the file's value range: 0..255 for 1/2/4/8-bit files (low bit depths scaled up the way
libpng's png_set_expand does), 0..65535 for 16-bit files, palette entries expanded to RGB(A).
Run from this folder: `python3 make_fixtures.py`. The output is deterministic.
"""
import json
import struct
import zlib

import numpy as np


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, bit_depth, colour_type, rows, extra=()):
    """rows: list of bytes per scanline (already packed), filter type 0 prepended here."""
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for kind, data in extra:
        out += chunk(kind, data)
    out += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return out


def pack_bits(values, bits):
    """Packs one row of small integers MSB first."""
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc = (acc << bits) | int(v)
        n += bits
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


expected = {}
files = {}


def record(name, data, planar, bit_depth):
    planar = np.asarray(planar)
    c, h, w = planar.shape
    files[name] = data
    expected[name] = {"width": w, "height": h, "channels": c, "bitDepth": bit_depth,
                      "pixels": [float(v) for v in planar.reshape(-1)]}


H, W = 4, 5
yy, xx = np.mgrid[0:H, 0:W]

# 8-bit grey.
g8 = ((yy * W + xx) * 13 + 7) % 256
record("grey8.png", png(W, H, 8, 0, [bytes(r.astype(np.uint8)) for r in g8]), g8[None], 8)

# 16-bit grey, big-endian samples with values that need all 16 bits.
g16 = np.array([0, 1, 255, 256, 257, 4096, 12345, 32768, 40000, 65535,
                100, 200, 300, 400, 500, 60000, 61000, 62000, 63000, 64000]).reshape(H, W)
rows16 = [b"".join(struct.pack(">H", int(v)) for v in r) for r in g16]
record("grey16.png", png(W, H, 16, 0, rows16), g16[None], 16)
# The same data with a gAMA chunk (gamma 1/2.2): the values must still come back raw.
record("grey16_gamma.png", png(W, H, 16, 0, rows16, [(b"gAMA", struct.pack(">I", 45455))]), g16[None], 16)
# 8-bit grey with a gAMA of 1.0: raw values as well (no sRGB conversion).
record("grey8_gamma.png", png(W, H, 8, 0, [bytes(r.astype(np.uint8)) for r in g8],
                              [(b"gAMA", struct.pack(">I", 100000))]), g8[None], 8)

# 1-bit grey, width 10 (not a multiple of 8): 0 -> 0, 1 -> 255.
b1 = ((np.mgrid[0:3, 0:10][0] + np.mgrid[0:3, 0:10][1]) % 3 == 0).astype(int)
record("grey1.png", png(10, 3, 1, 0, [pack_bits(r, 1) for r in b1]), (b1 * 255)[None], 1)

# 2-bit and 4-bit grey: scaled by 85 and 17.
g2 = (yy + xx) % 4
record("grey2.png", png(W, H, 2, 0, [pack_bits(r, 2) for r in g2]), (g2 * 85)[None], 2)
g4 = (yy * W + xx) % 16
record("grey4.png", png(W, H, 4, 0, [pack_bits(r, 4) for r in g4]), (g4 * 17)[None], 4)

# 8-bit grey + alpha.
a8 = (255 - (yy * W + xx) * 11) % 256
ga = np.stack([g8, a8])
record("grey_alpha8.png", png(W, H, 8, 4, [bytes(np.stack([g8[r], a8[r]], 1).reshape(-1).astype(np.uint8)) for r in range(H)]), ga, 8)

# 8-bit RGB and RGBA.
rgb = np.stack([(yy * 60 + xx * 3) % 256, (xx * 50 + 9) % 256, (yy * xx * 17 + 1) % 256])
record("rgb8.png", png(W, H, 8, 2, [bytes(rgb[:, r, :].T.reshape(-1).astype(np.uint8)) for r in range(H)]), rgb, 8)
rgba = np.concatenate([rgb, ((yy + xx) * 40 % 256)[None]])
record("rgba8.png", png(W, H, 8, 6, [bytes(rgba[:, r, :].T.reshape(-1).astype(np.uint8)) for r in range(H)]), rgba, 8)

# 16-bit RGB (all opaque, raw values).
rgb16 = np.stack([g16, 65535 - g16, (g16 * 7) % 65536])
record("rgb16.png", png(W, H, 16, 2, [b"".join(struct.pack(">HHH", *map(int, rgb16[:, r, x])) for x in range(W)) for r in range(H)]), rgb16, 16)

# 8-bit palette (4 entries), 4-bit indices; and one with tRNS (-> RGBA).
pal = np.array([[0, 0, 0], [255, 0, 0], [10, 200, 30], [90, 90, 250]])
idx = (yy * 2 + xx) % 4
plte = (b"PLTE", bytes(pal.reshape(-1).astype(np.uint8)))
record("palette.png", png(W, H, 4, 3, [pack_bits(r, 4) for r in idx], [plte]),
       np.transpose(pal[idx], (2, 0, 1)), 4)
trns = np.array([255, 128, 0, 255])
record("palette_trns.png", png(W, H, 8, 3, [bytes(r.astype(np.uint8)) for r in idx], [plte, (b"tRNS", bytes(trns.astype(np.uint8)))]),
       np.concatenate([np.transpose(pal[idx], (2, 0, 1)), trns[idx][None]]), 8)

# 16-bit grey + alpha with alpha 0 or 65535 only: opaque pixels keep their raw grey value,
# transparent ones decode to grey 0 (the simplified API premultiplies 16-bit colour by alpha).
a16 = np.where((yy + xx) % 3 == 0, 0, 65535)
rows = [b"".join(struct.pack(">HH", int(g16[r, x]), int(a16[r, x])) for x in range(W)) for r in range(H)]
record("grey_alpha16.png", png(W, H, 16, 4, rows), np.stack([np.where(a16 == 0, 0, g16), a16]), 16)

# Adam7-interlaced 8-bit grey (the same pixels as grey8.png, 9x7 so every pass is non-empty).
gi = ((np.mgrid[0:7, 0:9][0] * 9 + np.mgrid[0:7, 0:9][1]) * 29 + 3) % 256
passes = [(0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1)]
raw = b""
for y0, x0, dy, dx in passes:
    sub = gi[y0::dy, x0::dx]
    if sub.size:
        raw += b"".join(b"\x00" + bytes(r.astype(np.uint8)) for r in sub)
ihdr = struct.pack(">IIBBBBB", 9, 7, 8, 0, 0, 0, 1)
record("interlaced8.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""),
       gi[None], 8)

for name, data in files.items():
    with open(name, "wb") as f:
        f.write(data)

# Truncated: grey16.png cut in the middle of its IDAT chunk.
with open("truncated.png", "wb") as f:
    f.write(files["grey16.png"][: len(files["grey16.png"]) - 30])
# Random bytes with a .png name.
rng = np.random.default_rng(2022)
with open("random_bytes.png", "wb") as f:
    f.write(rng.integers(0, 256, 300, dtype=np.uint8).tobytes())
# A valid signature and IHDR whose IDAT holds garbage (zlib error inside libpng).
bad = png(W, H, 8, 0, [bytes(r.astype(np.uint8)) for r in g8])
i = bad.index(b"IDAT")
body = b"IDAT" + rng.integers(0, 256, 20, dtype=np.uint8).tobytes()
bad = bad[: i - 4] + struct.pack(">I", 20) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF) + chunk(b"IEND", b"")
with open("corrupt_idat.png", "wb") as f:
    f.write(bad)

# NumPy images: HWC float32 (3 x 4 x 2) and an HW uint8 mask.
npy_img = (np.arange(24, dtype=np.float32).reshape(3, 4, 2) * 0.5 - 3)
np.save("image_hwc.npy", npy_img)
expected["image_hwc.npy"] = {"width": 4, "height": 3, "channels": 2, "bitDepth": 32,
                             "pixels": [float(v) for v in np.transpose(npy_img, (2, 0, 1)).reshape(-1)]}
npy_mask = (np.arange(12).reshape(3, 4) % 3 == 0).astype(np.uint8)
np.save("mask_hw.npy", npy_mask)
expected["mask_hw.npy"] = {"width": 4, "height": 3, "channels": 1, "bitDepth": 32,
                           "pixels": [float(v) for v in npy_mask.reshape(-1)]}

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=0, sort_keys=True)
    f.write("\n")
