#ifndef CFOCALIMAGEIO_H
#define CFOCALIMAGEIO_H

#include <stddef.h>

/// Facts about a decoded raster.
typedef struct {
    int width;
    int height;
    /// Samples per pixel kept (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
    int channels;
    /// Bits per sample in the file (1, 8, 16, 32).
    int bits_per_sample;
} focal_raster_info;

/// Decodes the first image of a TIFF file into planar floats (`channels × height × width`,
/// values as stored: 0…255, 0…65535, or the float values). On success returns 0 and sets
/// `*pixels` (free with `focal_raster_free`); on failure returns non-zero and writes a message
/// to `error` (at most `error_size` bytes).
int focal_tiff_read(const char *path, float **pixels, focal_raster_info *info, char *error, size_t error_size);

/// Decodes the first frame of a GIF file into planar floats: palette indices are expanded to
/// RGB, or to one grey channel when every palette entry is grey (as DRIVE's masks).
int focal_gif_read(const char *path, float **pixels, focal_raster_info *info, char *error, size_t error_size);

/// Decodes a baseline or progressive 8-bit JPEG file (libjpeg-turbo) into planar floats:
/// one grey channel, or three RGB channels for YCbCr/RGB files (0…255). CMYK/YCCK and 12-bit
/// files are refused (return 2); corrupt-data warnings fail the decode (return 1).
int focal_jpeg_read(const char *path, float **pixels, focal_raster_info *info, char *error, size_t error_size);

/// Frees pixels returned by the readers.
void focal_raster_free(float *pixels);

#endif
