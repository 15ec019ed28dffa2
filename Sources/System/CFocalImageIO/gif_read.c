// GIF decoding through giflib (first frame), for DRIVE-style masks. Hostile files must give an
// error, never a crash or a runaway allocation: the logical screen is checked against a sample
// limit before any frame is decoded (a 65535×65535 screen around a 1×1 frame is 4·10⁹ pixels).
//
// Return values: 0 success, 1 corrupt or unreadable data, 2 a valid file this reader does not
// support (too large, or a large screen the first frame barely covers).
#include "CFocalImageIO.h"
#include <gif_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/// Largest decoded size accepted, in samples (width · height · channels): the same limit as
/// `PNGCodec.maximumSamples` (2^28 samples, 1 GiB of floats).
#define FOCAL_GIF_MAX_SAMPLES ((uint64_t)1 << 28)
/// A logical screen larger than this many pixels must be mostly covered by the first frame
/// (at least 1/FOCAL_GIF_MIN_COVER of it): the uncovered part is pure background, so without
/// this a 50-byte file could make the reader fill a 2^28-sample image.
#define FOCAL_GIF_SPARSE_SCREEN ((uint64_t)1 << 22)
#define FOCAL_GIF_MIN_COVER 16

enum { DECODED = 0, CORRUPT = 1, UNSUPPORTED = 2 };

/// giflib's text for an error code (it has none for 0 and unknown codes).
static const char *error_text(int code) {
    const char *text = GifErrorString(code);
    return text ? text : "unknown error";
}

static int too_large(GifFileType *gif, int w, int h, int channels, char *error, size_t error_size) {
    uint64_t samples = (uint64_t)w * (uint64_t)h * (uint64_t)channels;
    if (samples <= FOCAL_GIF_MAX_SAMPLES) return 0;
    snprintf(error, error_size, "GIF logical screen %d×%d with %d channel%s (%llu samples) exceeds the reader's limit of %llu samples",
             w, h, channels, channels == 1 ? "" : "s", (unsigned long long)samples, (unsigned long long)FOCAL_GIF_MAX_SAMPLES);
    int err = 0;
    DGifCloseFile(gif, &err);
    return 1;
}

int focal_gif_read(const char *path, float **pixels, focal_raster_info *info, char *error, size_t error_size) {
    *pixels = NULL;
    int err = 0;
    GifFileType *gif = DGifOpenFileName(path, &err);
    if (!gif) { snprintf(error, error_size, "not a readable GIF file (%s)", error_text(err)); return CORRUPT; }
    // The screen descriptor is read by DGifOpenFileName: reject impossible sizes before giflib
    // decodes (and allocates) any frame.
    int w = gif->SWidth, h = gif->SHeight;
    if (w <= 0 || h <= 0) {
        snprintf(error, error_size, "GIF logical screen %d×%d is empty", w, h);
        DGifCloseFile(gif, &err);
        return CORRUPT;
    }
    if (too_large(gif, w, h, 1, error, error_size)) return UNSUPPORTED;
    if (DGifSlurp(gif) != GIF_OK || gif->ImageCount < 1) {
        snprintf(error, error_size, "corrupt or truncated GIF data (%s)",
                 gif->ImageCount < 1 && gif->Error == 0 ? "no image" : error_text(gif->Error));
        DGifCloseFile(gif, &err);
        return CORRUPT;
    }
    SavedImage *frame = &gif->SavedImages[0];
    ColorMapObject *map = frame->ImageDesc.ColorMap ? frame->ImageDesc.ColorMap : gif->SColorMap;
    if (!map || map->ColorCount < 1 || !map->Colors) {
        snprintf(error, error_size, "GIF without a colour map");
        DGifCloseFile(gif, &err);
        return CORRUPT;
    }
    if (!frame->RasterBits && (size_t)frame->ImageDesc.Width * (size_t)frame->ImageDesc.Height > 0) {
        snprintf(error, error_size, "GIF frame without pixel data");
        DGifCloseFile(gif, &err);
        return CORRUPT;
    }
    int fl = frame->ImageDesc.Left, ft = frame->ImageDesc.Top, fw = frame->ImageDesc.Width, fh = frame->ImageDesc.Height;
    // The background index refers to the global colour table (the frame's table when there is
    // none); it shows wherever the first frame does not cover the logical screen.
    ColorMapObject *background_map = gif->SColorMap && gif->SColorMap->Colors ? gif->SColorMap : map;
    int bg = gif->SBackGroundColor;
    GifColorType background = (bg >= 0 && bg < background_map->ColorCount) ? background_map->Colors[bg] : map->Colors[0];
    int covers = fl <= 0 && ft <= 0 && (long)fl + fw >= w && (long)ft + fh >= h;
    long x0 = fl > 0 ? fl : 0, y0 = ft > 0 ? ft : 0;
    long x1 = (long)fl + fw < w ? (long)fl + fw : w, y1 = (long)ft + fh < h ? (long)ft + fh : h;
    uint64_t covered = x1 > x0 && y1 > y0 ? (uint64_t)(x1 - x0) * (uint64_t)(y1 - y0) : 0;
    if ((uint64_t)w * h > FOCAL_GIF_SPARSE_SCREEN && (uint64_t)w * h > FOCAL_GIF_MIN_COVER * covered) {
        snprintf(error, error_size,
                 "GIF logical screen %d×%d is mostly empty: the first frame (%d×%d at %d,%d) covers %llu of its pixels, "
                 "less than 1/%d (the reader does not fill large screens with background)",
                 w, h, fw, fh, fl, ft, (unsigned long long)covered, FOCAL_GIF_MIN_COVER);
        DGifCloseFile(gif, &err);
        return UNSUPPORTED;
    }
    int grey = covers || (background.Red == background.Green && background.Green == background.Blue);
    for (int i = 0; grey && i < map->ColorCount; i++) {
        GifColorType c = map->Colors[i];
        if (c.Red != c.Green || c.Green != c.Blue) grey = 0;
    }
    int channels = grey ? 1 : 3;
    if (too_large(gif, w, h, channels, error, error_size)) return UNSUPPORTED;
    size_t plane = (size_t)w * h;
    float *out = malloc(plane * channels * sizeof(float));
    if (!out) { snprintf(error, error_size, "out of memory"); DGifCloseFile(gif, &err); return CORRUPT; }
    for (size_t i = 0; i < plane; i++) {
        out[i] = background.Red;
        if (!grey) { out[plane + i] = background.Green; out[2 * plane + i] = background.Blue; }
    }
    for (int y = 0; y < fh; y++) {
        int yy = ft + y;
        if (yy < 0 || yy >= h) continue;
        for (int x = 0; x < fw; x++) {
            int xx = fl + x;
            if (xx < 0 || xx >= w) continue;
            int idx = frame->RasterBits[(size_t)y * fw + x];
            if (idx < 0 || idx >= map->ColorCount) continue;
            GifColorType c = map->Colors[idx];
            size_t p = (size_t)yy * w + xx;
            out[p] = c.Red;
            if (!grey) { out[plane + p] = c.Green; out[2 * plane + p] = c.Blue; }
        }
    }
    DGifCloseFile(gif, &err);
    info->width = w;
    info->height = h;
    info->channels = channels;
    info->bits_per_sample = 8;
    *pixels = out;
    return DECODED;
}
