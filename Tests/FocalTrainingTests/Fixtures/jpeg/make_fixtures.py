#!/usr/bin/env python3
"""Writes the JPEG fixtures of the FocalTraining JPEG tests and `expected.json`.

The JPEGs are encoded with `cjpeg` and decoded for reference with `djpeg`, both from Debian's
`libjpeg-turbo-progs` (the same libjpeg-turbo that Focal's reader links, so the reference
pixels must match exactly: djpeg's defaults are the reader's — the exact integer IDCT
(JDCT_ISLOW) and fancy upsampling). numpy makes the source rasters; no PIL is needed.
`expected.json` holds, per decodable file, the size, channels and the planar pixel values
(channel, row, column). Header-patched files test the refusals: a 4-component (CMYK) frame and
a 12-bit frame. `mask_lossy.jpg` is a binary disk mask saved as JPEG (the grey levels that
JPEG adds around its edge must make the mask be refused).

Run from this folder: `python3 make_fixtures.py` (apt-get install libjpeg-turbo-progs).
The output is deterministic for one libjpeg-turbo version (2.1.5 here).
"""
import json
import subprocess

import numpy as np


def pnm(array):
    """PGM (H×W) or PPM (H×W×3) bytes of a uint8 array."""
    h, w = array.shape[:2]
    kind = b"P5" if array.ndim == 2 else b"P6"
    return kind + b"\n%d %d\n255\n" % (w, h) + array.astype(np.uint8).tobytes()


def parse_pnm(data):
    """Decodes djpeg's binary PGM/PPM output to planar (C, H, W) integers."""
    parts, at = [], 0
    while len(parts) < 4:
        while data[at:at + 1].isspace():
            at += 1
        start = at
        while not data[at:at + 1].isspace():
            at += 1
        parts.append(data[start:at])
    at += 1
    kind, w, h = parts[0], int(parts[1]), int(parts[2])
    channels = 1 if kind == b"P5" else 3
    pixels = np.frombuffer(data[at:at + w * h * channels], dtype=np.uint8).reshape(h, w, channels)
    return pixels.transpose(2, 0, 1)


def cjpeg(array, *options):
    return subprocess.run(["cjpeg", *options], input=pnm(array), capture_output=True, check=True).stdout


def djpeg(data):
    return parse_pnm(subprocess.run(["djpeg", "-pnm"], input=data, capture_output=True, check=True).stdout)


def main():
    rng = np.random.default_rng(2022)
    y, x = np.mgrid[0:10, 0:13]
    grey = (x * 17 + y * 11 + rng.integers(0, 40, size=x.shape)) % 256
    rgb = np.stack([(x * 19) % 256, (y * 23) % 256, (x * y * 5 + rng.integers(0, 60, size=x.shape)) % 256], axis=-1)
    big_y, big_x = np.mgrid[0:40, 0:48]
    smooth = np.stack([big_x * 5, big_y * 6, 255 - big_x * 3], axis=-1) % 256
    files = {
        "grey8.jpg": cjpeg(grey, "-quality", "90", "-grayscale"),
        "rgb420.jpg": cjpeg(rgb, "-quality", "85"),
        "rgb444_progressive.jpg": cjpeg(rgb, "-quality", "95", "-sample", "1x1", "-progressive"),
        "rgb422_restart.jpg": cjpeg(smooth, "-quality", "75", "-sample", "2x1", "-restart", "1B", "-optimize"),
        "rgb_arithmetic.jpg": cjpeg(smooth, "-quality", "80", "-arithmetic"),
    }
    # A binary mask (a disk, 0/255) saved as JPEG, and the image it belongs to.
    my, mx = np.mgrid[0:32, 0:32]
    disk = np.where((mx - 15.5) ** 2 + (my - 13.5) ** 2 < 81, 255, 0)
    files["mask_lossy.jpg"] = cjpeg(disk, "-quality", "75", "-grayscale")
    files["mask_image.jpg"] = cjpeg(np.stack([disk // 2 + 40, disk // 3 + 60, 200 - disk // 2], axis=-1), "-quality", "90")
    expected = {}
    for name, data in files.items():
        with open(name, "wb") as f:
            f.write(data)
        pixels = djpeg(data)
        expected[name] = {"width": int(pixels.shape[2]), "height": int(pixels.shape[1]),
                          "channels": int(pixels.shape[0]), "pixels": pixels.reshape(-1).tolist()}
    expected["mask_lossy.jpg"]["distinct"] = int(len(np.unique(expected["mask_lossy.jpg"]["pixels"])))

    # Refusals, by patching grey8.jpg's frame header (SOF0: FF C0, length, P, Y, X, Nf, ...).
    base = bytearray(files["grey8.jpg"])
    sof = base.index(b"\xff\xc0")
    component = base[sof + 10:sof + 13]
    cmyk = base[:sof + 2] + (8 + 3 * 4).to_bytes(2, "big") + base[sof + 4:sof + 9] + bytes([4]) + component
    for identifier in (2, 3, 4):
        cmyk += bytes([identifier]) + component[1:]
    cmyk += base[sof + 13:]
    with open("cmyk_header.jpg", "wb") as f:
        f.write(cmyk)
    twelve = bytearray(base)
    twelve[sof + 4] = 12
    with open("precision12_header.jpg", "wb") as f:
        f.write(twelve)

    with open("expected.json", "w") as f:
        json.dump(expected, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
