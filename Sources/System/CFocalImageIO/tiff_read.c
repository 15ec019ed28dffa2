// TIFF decoding through libtiff for Focal's image loaders. Hostile files must give an error,
// never a crash or a runaway allocation: sizes are checked against a sample limit before
// allocation, libtiff's own allocations are capped, decoding stops at the first damaged
// strip or tile, and libtiff's messages are captured into the error text (never printed).
//
// Return values: 0 success, 1 corrupt or unreadable data, 2 a valid file this reader does not
// support (too large, unusual sample layout).
#include "CFocalImageIO.h"
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

/// Largest decoded size accepted, in samples (width · height · channels): the same limit as
/// `PNGCodec.maximumSamples` (2^28 samples, 1 GiB of floats).
#define FOCAL_TIFF_MAX_SAMPLES ((uint64_t)1 << 28)
/// Cap on any single allocation libtiff makes for a file (strip buffers, tag arrays).
#define FOCAL_TIFF_MAX_SINGLE_ALLOC ((tmsize_t)1 << 30)

enum { DECODED = 0, CORRUPT = 1, UNSUPPORTED = 2 };

/// The first error libtiff reported during the current decode on this thread (later errors
/// are usually consequences of the first, e.g. "Failed to read directory").
static __thread char tiff_message[512];

static void capture_error(const char *module, const char *fmt, va_list ap) {
    if (tiff_message[0]) return;
    char buf[400];
    vsnprintf(buf, sizeof buf, fmt, ap);
    snprintf(tiff_message, sizeof tiff_message, "%s%s%s", module ? module : "", module ? ": " : "", buf);
}

static void ignore_warning(const char *module, const char *fmt, va_list ap) {
    (void)module; (void)fmt; (void)ap;
}

static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;
static void install_handlers(void) {
    TIFFSetErrorHandler(capture_error);
    TIFFSetWarningHandler(ignore_warning);
}

static int fail_with(int code, char *error, size_t size, const char *what) {
    if (tiff_message[0]) snprintf(error, size, "%s (%s)", what, tiff_message);
    else snprintf(error, size, "%s", what);
    return code;
}

static int fail(char *error, size_t size, const char *what) { return fail_with(CORRUPT, error, size, what); }

static float sample_value(const uint8_t *p, int bits, int format) {
    switch (bits) {
    case 8: return format == SAMPLEFORMAT_INT ? (float)(int8_t)p[0] : (float)p[0];
    case 16: { uint16_t v; memcpy(&v, p, 2); return format == SAMPLEFORMAT_INT ? (float)(int16_t)v : (float)v; }
    case 32: {
        if (format == SAMPLEFORMAT_IEEEFP) { float f; memcpy(&f, p, 4); return f; }
        uint32_t v; memcpy(&v, p, 4); return format == SAMPLEFORMAT_INT ? (float)(int32_t)v : (float)v;
    }
    default: return 0;
    }
}

static TIFF *open_tiff(const char *path) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (!options) return TIFFOpen(path, "r");
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, FOCAL_TIFF_MAX_SINGLE_ALLOC);
    TIFF *tif = TIFFOpenExt(path, "r", options);
    TIFFOpenOptionsFree(options);
    return tif;
}

int focal_tiff_read(const char *path, float **pixels, focal_raster_info *info, char *error, size_t error_size) {
    pthread_once(&handlers_once, install_handlers);
    tiff_message[0] = 0;
    *pixels = NULL;
    TIFF *tif = open_tiff(path);
    if (!tif) return fail(error, error_size, "not a readable TIFF file");
    uint32_t w = 0, h = 0;
    uint16_t spp = 1, bits = 1, planar = PLANARCONFIG_CONTIG, format = SAMPLEFORMAT_UINT, photometric = PHOTOMETRIC_MINISBLACK;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h)) {
        TIFFClose(tif);
        return fail(error, error_size, "TIFF without image width or height");
    }
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    char what[256];
    if (w == 0 || h == 0) {
        snprintf(what, sizeof what, "TIFF size %u×%u is empty", w, h);
        TIFFClose(tif);
        return fail(error, error_size, what);
    }
    if (spp < 1 || spp > 4) {
        snprintf(what, sizeof what, "unsupported samples per pixel %u (1 to 4 are supported)", spp);
        TIFFClose(tif);
        return fail_with(UNSUPPORTED, error, error_size, what);
    }
    if ((format == SAMPLEFORMAT_IEEEFP && bits != 32) || format == SAMPLEFORMAT_COMPLEXINT
        || format == SAMPLEFORMAT_COMPLEXIEEEFP) {
        snprintf(what, sizeof what, "unsupported sample format %u with %u bits (floating point must be 32-bit, complex is not read)",
                 format, bits);
        TIFFClose(tif);
        return fail_with(UNSUPPORTED, error, error_size, what);
    }
    int use_rgba = !(bits == 8 || bits == 16 || bits == 32) || photometric == PHOTOMETRIC_PALETTE
        || photometric == PHOTOMETRIC_YCBCR || photometric == PHOTOMETRIC_SEPARATED || TIFFIsTiled(tif);
    int grey = (photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE) && spp == 1;
    int channels = use_rgba ? (grey ? 1 : 3) : spp;
    // The RGBA path also holds a w·h 32-bit raster, never more than 4 bytes per output sample.
    // Below the limit each side fits an int and every size_t product below is exact.
    uint64_t samples = (uint64_t)w * h * (uint64_t)channels;
    if (samples > FOCAL_TIFF_MAX_SAMPLES) {
        snprintf(what, sizeof what, "TIFF size %u×%u with %d channels (%llu samples) exceeds the reader's limit of %llu samples",
                 w, h, channels, (unsigned long long)samples, (unsigned long long)FOCAL_TIFF_MAX_SAMPLES);
        TIFFClose(tif);
        return fail_with(UNSUPPORTED, error, error_size, what);
    }
    size_t count = (size_t)samples;
    float *out = NULL;
    if (use_rgba) {
        // libtiff's generic path: any layout, 8-bit RGBA. Stop at the first damaged strip or
        // tile (as the scanline path does) rather than filling the raster from garbage.
        uint32_t *raster = (uint32_t *)_TIFFmalloc((tmsize_t)((size_t)w * h * sizeof(uint32_t)));
        if (!raster) { TIFFClose(tif); return fail(error, error_size, "out of memory"); }
        if (!TIFFReadRGBAImageOriented(tif, w, h, raster, ORIENTATION_TOPLEFT, 1)) {
            _TIFFfree(raster); TIFFClose(tif);
            return fail(error, error_size, "cannot decode TIFF image data");
        }
        out = malloc(count * sizeof(float));
        if (!out) { _TIFFfree(raster); TIFFClose(tif); return fail(error, error_size, "out of memory"); }
        size_t plane = (size_t)w * h;
        for (size_t i = 0; i < plane; i++) {
            uint32_t p = raster[i];
            if (grey) out[i] = (float)TIFFGetR(p);
            else { out[i] = (float)TIFFGetR(p); out[plane + i] = (float)TIFFGetG(p); out[2 * plane + i] = (float)TIFFGetB(p); }
        }
        _TIFFfree(raster);
        bits = 8;
    } else {
        out = malloc(count * sizeof(float));
        tmsize_t line = TIFFScanlineSize(tif);
        size_t bytes_per_sample = bits / 8;
        size_t expected = (size_t)w * bytes_per_sample * (planar == PLANARCONFIG_CONTIG ? spp : 1);
        if (!out || line <= 0 || (size_t)line < expected) {
            const char *why = out ? "inconsistent TIFF scanline size" : "out of memory";
            free(out); TIFFClose(tif);
            return fail(error, error_size, why);
        }
        uint8_t *buf = _TIFFmalloc(line);
        if (!buf) { free(out); TIFFClose(tif); return fail(error, error_size, "out of memory"); }
        size_t plane = (size_t)w * h;
        int planes = planar == PLANARCONFIG_CONTIG ? 1 : spp;
        for (int s = 0; s < planes; s++) {
            for (uint32_t y = 0; y < h; y++) {
                if (TIFFReadScanline(tif, buf, y, (uint16_t)s) < 0) {
                    _TIFFfree(buf); free(out); TIFFClose(tif);
                    return fail(error, error_size, "truncated or corrupt TIFF image data");
                }
                for (uint32_t x = 0; x < w; x++) {
                    if (planar == PLANARCONFIG_CONTIG) {
                        for (int c = 0; c < spp; c++)
                            out[c * plane + (size_t)y * w + x] = sample_value(buf + ((size_t)x * spp + c) * bytes_per_sample, bits, format);
                    } else {
                        out[s * plane + (size_t)y * w + x] = sample_value(buf + (size_t)x * bytes_per_sample, bits, format);
                    }
                }
            }
        }
        _TIFFfree(buf);
        if (format == SAMPLEFORMAT_IEEEFP) {
            for (size_t i = 0; i < count; i++) {
                if (!isfinite(out[i])) {
                    snprintf(what, sizeof what, "non-finite sample value %g at x %zu, y %zu, channel %zu",
                             (double)out[i], i % w, (i % plane) / w, i / plane);
                    free(out); TIFFClose(tif);
                    return fail(error, error_size, what);
                }
            }
        }
        if (photometric == PHOTOMETRIC_MINISWHITE && format == SAMPLEFORMAT_UINT && bits <= 16) {
            float maxv = (float)((1u << bits) - 1);
            for (size_t i = 0; i < count; i++) out[i] = maxv - out[i];
        }
    }
    TIFFClose(tif);
    info->width = (int)w;
    info->height = (int)h;
    info->channels = channels;
    info->bits_per_sample = bits;
    *pixels = out;
    return DECODED;
}

void focal_raster_free(float *pixels) { free(pixels); }
