// GIF decoding through giflib (first frame), for DRIVE-style masks.
#include "CFocalImageIO.h"
#include <gif_lib.h>
#include <stdio.h>
#include <stdlib.h>

int focal_gif_read(const char *path, float **pixels, focal_raster_info *info, char *error, size_t error_size) {
    *pixels = NULL;
    int err = 0;
    GifFileType *gif = DGifOpenFileName(path, &err);
    if (!gif) { snprintf(error, error_size, "not a readable GIF file (%s)", GifErrorString(err)); return 1; }
    if (DGifSlurp(gif) != GIF_OK || gif->ImageCount < 1) {
        snprintf(error, error_size, "corrupt or truncated GIF data (%s)", GifErrorString(gif->Error));
        DGifCloseFile(gif, &err);
        return 1;
    }
    SavedImage *frame = &gif->SavedImages[0];
    int w = gif->SWidth, h = gif->SHeight;
    if (w <= 0 || h <= 0 || w > 65536 || h > 65536) {
        snprintf(error, error_size, "GIF size out of range");
        DGifCloseFile(gif, &err);
        return 1;
    }
    ColorMapObject *map = frame->ImageDesc.ColorMap ? frame->ImageDesc.ColorMap : gif->SColorMap;
    if (!map) { snprintf(error, error_size, "GIF without a colour map"); DGifCloseFile(gif, &err); return 1; }
    int grey = 1;
    for (int i = 0; i < map->ColorCount; i++) {
        GifColorType c = map->Colors[i];
        if (c.Red != c.Green || c.Green != c.Blue) { grey = 0; break; }
    }
    int channels = grey ? 1 : 3;
    size_t plane = (size_t)w * h;
    float *out = calloc(plane * channels, sizeof(float));
    if (!out) { snprintf(error, error_size, "out of memory"); DGifCloseFile(gif, &err); return 1; }
    int fl = frame->ImageDesc.Left, ft = frame->ImageDesc.Top, fw = frame->ImageDesc.Width, fh = frame->ImageDesc.Height;
    int bg = gif->SBackGroundColor;
    for (size_t i = 0; i < plane; i++) {
        GifColorType c = (bg >= 0 && bg < map->ColorCount) ? map->Colors[bg] : map->Colors[0];
        out[i] = c.Red;
        if (!grey) { out[plane + i] = c.Green; out[2 * plane + i] = c.Blue; }
    }
    for (int y = 0; y < fh; y++) {
        for (int x = 0; x < fw; x++) {
            int yy = ft + y, xx = fl + x;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
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
    return 0;
}
