// JPEG decoding through libjpeg(-turbo) for Focal's image loaders. Hostile files must give an
// error, never a crash, an exit() or a runaway allocation: libjpeg's default error handler
// prints and calls exit(), so errors longjmp back here instead; corrupt-data warnings (a
// truncated file, a bad Huffman code) are treated as errors, since libjpeg would otherwise fill
// the damage with grey and return a plausible-looking image; sizes are checked against the
// sample limit before the pixel buffer is allocated; libjpeg's own working memory is capped,
// and so is the number of progressive scans (a few kilobytes of scan headers can otherwise
// keep the decoder busy for minutes).
//
// Return values: 0 success, 1 corrupt or unreadable data, 2 a valid file this reader does not
// support (CMYK/YCCK, 12-bit samples, too large).
#include "CFocalImageIO.h"
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// Largest decoded size accepted, in samples (width · height · channels): the same limit as
/// `PNGCodec.maximumSamples` (2^28 samples, 1 GiB of floats).
#define FOCAL_JPEG_MAX_SAMPLES ((uint64_t)1 << 28)
/// Cap on libjpeg's working memory (coefficient buffers of progressive files, row buffers).
#define FOCAL_JPEG_MAX_MEMORY (1024L * 1024L * 1024L)
/// Most progressive scans accepted (libjpeg-turbo's djpeg suggests `-maxscans` for the same
/// reason; real encoders write about 10).
#define FOCAL_JPEG_MAX_SCANS 1000

enum { DECODED = 0, CORRUPT = 1, UNSUPPORTED = 2 };

/// libjpeg's error manager extended with a jump target and the failure's kind.
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int status;
    char message[JMSG_LENGTH_MAX + 64];
} error_manager;

/// Errors that mean "a valid file in a variant this reader does not decode".
static int is_unsupported(int code) {
    return code == JERR_BAD_PRECISION || code == JERR_CONVERSION_NOTIMPL || code == JERR_NOT_COMPILED;
}

static void fail_now(j_common_ptr cinfo) {
    error_manager *err = (error_manager *)cinfo->err;
    if (!err->message[0]) (*cinfo->err->format_message)(cinfo, err->message);
    if (err->status == DECODED) err->status = is_unsupported(cinfo->err->msg_code) ? UNSUPPORTED : CORRUPT;
    longjmp(err->jump, 1);
}

/// Warnings (level −1) are corrupt data: stop at the first. Trace messages are ignored.
static void emit_message(j_common_ptr cinfo, int level) {
    if (level < 0) fail_now(cinfo);
}

static void output_message(j_common_ptr cinfo) { (void)cinfo; }

/// Stops a progressive file with too many scans.
static void progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (!cinfo->is_decompressor || d->input_scan_number <= FOCAL_JPEG_MAX_SCANS) return;
    error_manager *err = (error_manager *)cinfo->err;
    snprintf(err->message, sizeof err->message, "more than %d progressive scans", FOCAL_JPEG_MAX_SCANS);
    err->status = UNSUPPORTED;
    longjmp(err->jump, 1);
}

int focal_jpeg_read(const char *path, float **pixels, focal_raster_info *info, char *error, size_t error_size) {
    *pixels = NULL;
    FILE *file = fopen(path, "rb");
    if (!file) { snprintf(error, error_size, "cannot open the file"); return CORRUPT; }
    struct jpeg_decompress_struct cinfo;
    error_manager err;
    struct jpeg_progress_mgr monitor;
    memset(&err, 0, sizeof err);
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = fail_now;
    err.base.emit_message = emit_message;
    err.base.output_message = output_message;
    // Volatile: read after a longjmp out of libjpeg.
    float *volatile out = NULL;
    JSAMPLE *volatile row = NULL;
    if (setjmp(err.jump)) {
        snprintf(error, error_size, "%s", err.message[0] ? err.message : "decoding failed");
        jpeg_destroy_decompress(&cinfo);
        fclose(file);
        free(out);
        free(row);
        return err.status == DECODED ? CORRUPT : err.status;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = FOCAL_JPEG_MAX_MEMORY;
    monitor.progress_monitor = progress;
    cinfo.progress = &monitor;
    jpeg_stdio_src(&cinfo, file);
    jpeg_read_header(&cinfo, TRUE);

    int channels;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: channels = 1; cinfo.out_color_space = JCS_GRAYSCALE; break;
    case JCS_YCbCr: case JCS_RGB: channels = 3; cinfo.out_color_space = JCS_RGB; break;
    case JCS_CMYK: case JCS_YCCK:
        snprintf(err.message, sizeof err.message, "%s JPEG (4 ink channels); convert it to RGB or grey",
                 cinfo.jpeg_color_space == JCS_CMYK ? "CMYK" : "YCCK (Adobe CMYK)");
        err.status = UNSUPPORTED;
        longjmp(err.jump, 1);
    default:
        snprintf(err.message, sizeof err.message, "JPEG colour space %d with %d components",
                 (int)cinfo.jpeg_color_space, cinfo.num_components);
        err.status = UNSUPPORTED;
        longjmp(err.jump, 1);
    }
    uint64_t w = cinfo.image_width, h = cinfo.image_height;
    uint64_t samples = w * h * (uint64_t)channels;
    if (w == 0 || h == 0) {
        snprintf(err.message, sizeof err.message, "JPEG image %llu×%llu is empty", (unsigned long long)w, (unsigned long long)h);
        err.status = CORRUPT;
        longjmp(err.jump, 1);
    }
    if (samples > FOCAL_JPEG_MAX_SAMPLES) {
        snprintf(err.message, sizeof err.message,
                 "JPEG image %llu×%llu with %d channel%s (%llu samples) exceeds the reader's limit of %llu samples",
                 (unsigned long long)w, (unsigned long long)h, channels, channels == 1 ? "" : "s",
                 (unsigned long long)samples, (unsigned long long)FOCAL_JPEG_MAX_SAMPLES);
        err.status = UNSUPPORTED;
        longjmp(err.jump, 1);
    }
    // Full-size decoding with libjpeg's exact integer IDCT and fancy upsampling (its defaults,
    // so the pixels equal `djpeg`'s).
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&cinfo);
    if ((int)cinfo.output_components != channels || cinfo.output_width != w || cinfo.output_height != h) {
        snprintf(err.message, sizeof err.message, "unexpected JPEG output layout");
        err.status = CORRUPT;
        longjmp(err.jump, 1);
    }
    size_t plane = (size_t)w * (size_t)h;
    out = malloc(plane * (size_t)channels * sizeof(float));
    row = malloc((size_t)w * (size_t)channels);
    if (!out || !row) {
        snprintf(err.message, sizeof err.message, "out of memory");
        err.status = CORRUPT;
        longjmp(err.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        size_t y = cinfo.output_scanline;
        JSAMPROW rows[1] = { row };
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) {
            snprintf(err.message, sizeof err.message, "JPEG data ended at row %zu of %llu", y, (unsigned long long)h);
            err.status = CORRUPT;
            longjmp(err.jump, 1);
        }
        for (size_t x = 0; x < (size_t)w; x++)
            for (int c = 0; c < channels; c++) out[(size_t)c * plane + y * (size_t)w + x] = (float)row[x * channels + c];
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    fclose(file);
    free(row);
    info->width = (int)w;
    info->height = (int)h;
    info->channels = channels;
    info->bits_per_sample = 8;
    *pixels = out;
    return DECODED;
}
