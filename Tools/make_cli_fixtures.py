#!/usr/bin/env python3
"""Builds the tiny image fixtures of the CLI reliability tests, Tests/FocalTrainingTests/Fixtures/cli.

Output (all PNGs 8-bit grey, written with zlib level 9 and struct: one IHDR, one IDAT with
filter 0 on every row, IEND, so a rerun gives byte-identical files for the same zlib):

  good/images/disk<i>.png, good/masks/disk<i>.png   i = 0..5: 32x32 images of a bright disk on
      seeded noise (the foreground) and their masks (0 / 255). Six pairs give a 3 / 1 / 2
      train / validation / test split.
  odd/images/odd<i>.png, odd/masks/odd<i>.png       i = 0..5: the same kind of pairs at 30x30, a size
      that is not a multiple of 2^depth for any depth >= 1.
  special/mask_32x24.png                             a 32-row, 24-column mask that matches no image.
  special/corrupt.png                                a PNG signature and IHDR (32x32 grey) followed by an
      IDAT chunk whose zlib stream is cut off and a wrong CRC: decoders must reject it.
  special/not_an_image.png                           plain text with a .png name.

The data are synthetic (no licence needed). Requires numpy.

Usage: python3 Tools/make_cli_fixtures.py [--output Tests/FocalTrainingTests/Fixtures/cli]
"""
import argparse
import os
import struct
import zlib

import numpy as np


def chunk(kind, payload, crc=None):
    body = kind + payload
    value = zlib.crc32(body) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", value)


def png_bytes(array):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    height, width = array.shape
    raw = b"".join(b"\x00" + array[y].tobytes() for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def disk_pair(rng, size):
    """A grey image of a bright disk on noise and its 0/255 mask."""
    cy, cx = rng.uniform(size * 0.3, size * 0.7, 2)
    r = rng.uniform(size * 0.15, size * 0.3)
    yy, xx = np.mgrid[0:size, 0:size]
    inside = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
    image = np.clip(60 + 130 * inside + rng.normal(0, 20, (size, size)), 0, 255).round()
    return image.astype(np.uint8), (inside * 255).astype(np.uint8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="Tests/FocalTrainingTests/Fixtures/cli")
    out = parser.parse_args().output
    rng = np.random.default_rng(20220328)
    for folder, size in (("good", 32), ("odd", 30)):
        prefix = "disk" if folder == "good" else "odd"
        for i in range(6):
            image, mask = disk_pair(rng, size)
            write(os.path.join(out, folder, "images", f"{prefix}{i}.png"), png_bytes(image))
            write(os.path.join(out, folder, "masks", f"{prefix}{i}.png"), png_bytes(mask))
    _, mask = disk_pair(rng, 32)
    write(os.path.join(out, "special", "mask_32x24.png"), png_bytes(mask[:, :24]))
    image, _ = disk_pair(rng, 32)
    whole = png_bytes(image)
    idat = whole.index(b"IDAT") - 4
    length = struct.unpack(">I", whole[idat:idat + 4])[0]
    payload = whole[idat + 8:idat + 8 + length]
    cut = payload[: len(payload) // 2]
    corrupt = whole[:idat] + chunk(b"IDAT", cut, crc=0x12345678) + chunk(b"IEND", b"")
    write(os.path.join(out, "special", "corrupt.png"), corrupt)
    write(os.path.join(out, "special", "not_an_image.png"), b"this is not a PNG file\n")


if __name__ == "__main__":
    main()
