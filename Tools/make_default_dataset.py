#!/usr/bin/env python3
"""Builds Focal's bundled nuclei dataset, Sources/FocalData/Resources/nuclei, from the extracted data in /work/shared/data.

Sources (see Sources/FocalData/Resources/nuclei/SOURCE.md for provenance and licences):
  dsb2018_stardist/images/dsb2018_stardist_000.png   512x512 8-bit grey (values 0..235), mask 0/255
  nuclei_cellunet/images/nuc{0,1}.png                1080x1280 16-bit grey, masks 0/255

Output: non-overlapping 128x128 tiles as 8-bit grey PNGs, Sources/FocalData/Resources/nuclei/images/<stem>.png, and
their masks (8-bit, 0/255) as Sources/FocalData/Resources/nuclei/masks/<stem>.png, stem = <source>_y<row>_x<col>
(the tile's top-left pixel in the source image).

- DSB2018: the 512x512 image gives a 4x4 grid of tiles; its 8-bit values are kept unchanged.
- cellunet: the 1080 rows are centre-cropped to 1024 (rows 28..1051), giving 8x10 tiles per
  image. The 16-bit values are converted to 8 bits by a percentile stretch computed once per
  source image over all its pixels: lo = 0.1th and hi = 99.9th percentile (numpy's default
  linear interpolation), v8 = round(255 * clip((v - lo) / (hi - lo), 0, 1)), rounding half to
  even (numpy.rint). Training z-scores each image anyway, so only the 8-bit quantisation is lost.

PNGs are written here with zlib (level 9) and struct: one IHDR, one IDAT (filter 0 on every
row), IEND, no ancillary chunks, so a rerun gives byte-identical files for the same zlib.
The licence files are copied alongside. Requires numpy and Pillow (to read the source PNGs).

Usage: python3 Tools/make_default_dataset.py [--source /work/shared/data] [--output Sources/FocalData/Resources/nuclei]
"""
import argparse
import os
import shutil
import struct
import zlib

import numpy as np
from PIL import Image

TILE = 128
LOW_PERCENTILE, HIGH_PERCENTILE = 0.1, 99.9


def write_grey8_png(path, array):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    height, width = array.shape

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + array[r].tobytes() for r in range(height))
    data = (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def read_png(path):
    with Image.open(path) as im:
        return np.array(im)


def stretch16(image):
    lo, hi = np.percentile(image.astype(np.float64), [LOW_PERCENTILE, HIGH_PERCENTILE])
    scaled = np.clip((image.astype(np.float64) - lo) / (hi - lo), 0.0, 1.0) * 255.0
    return np.rint(scaled).astype(np.uint8), lo, hi


def tiles(name, image, mask, out_images, out_masks, row_offset=0):
    height, width = image.shape
    made = []
    for y in range(0, height - TILE + 1, TILE):
        for x in range(0, width - TILE + 1, TILE):
            stem = f"{name}_y{y + row_offset:04d}_x{x:04d}"
            write_grey8_png(os.path.join(out_images, stem + ".png"), image[y:y + TILE, x:x + TILE])
            write_grey8_png(os.path.join(out_masks, stem + ".png"), mask[y:y + TILE, x:x + TILE])
            made.append((stem, float((mask[y:y + TILE, x:x + TILE] != 0).mean())))
    return made


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default="/work/shared/data")
    parser.add_argument("--output", default=os.path.join(here, "..", "Data", "nuclei"))
    args = parser.parse_args()
    out_images = os.path.join(args.output, "images")
    out_masks = os.path.join(args.output, "masks")
    for folder in (out_images, out_masks):
        os.makedirs(folder, exist_ok=True)
        for old in os.listdir(folder):
            if old.endswith(".png"):
                os.remove(os.path.join(folder, old))

    made = []
    dsb = os.path.join(args.source, "dsb2018_stardist")
    image = read_png(os.path.join(dsb, "images", "dsb2018_stardist_000.png"))
    mask = read_png(os.path.join(dsb, "masks", "dsb2018_stardist_000.png"))
    assert image.dtype == np.uint8 and image.shape == (512, 512) and mask.shape == image.shape
    made += tiles("dsb2018_000", image, mask, out_images, out_masks)
    shutil.copyfile(os.path.join(dsb, "LICENSE.stardist-BSD-3-Clause.txt"),
                    os.path.join(args.output, "LICENSE.stardist-BSD-3-Clause.txt"))

    cell = os.path.join(args.source, "nuclei_cellunet")
    for k in (0, 1):
        image = read_png(os.path.join(cell, "images", f"nuc{k}.png"))
        mask = read_png(os.path.join(cell, "masks", f"nuc{k}.png"))
        assert image.dtype == np.uint16 and image.shape == (1080, 1280) and mask.shape == image.shape
        image8, lo, hi = stretch16(image)
        top = (image.shape[0] - 1024) // 2
        print(f"nuc{k}: percentile stretch lo={lo:.2f} hi={hi:.2f}, rows {top}..{top + 1023}")
        made += tiles(f"cellunet_nuc{k}", image8[top:top + 1024], mask[top:top + 1024], out_images, out_masks, top)
    shutil.copyfile(os.path.join(cell, "LICENSE.cellunet-MIT.txt"),
                    os.path.join(args.output, "LICENSE.cellunet-MIT.txt"))

    fractions = np.array([f for _, f in made])
    print(f"{len(made)} tiles of {TILE}x{TILE}; foreground fraction {fractions.mean():.4f} "
          f"(per tile {fractions.min():.4f}..{fractions.max():.4f}); {(fractions == 0).sum()} tiles without foreground")


if __name__ == "__main__":
    main()
