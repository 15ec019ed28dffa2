// Tile transforms of Winograd's F(4×4, 3×3) (interpolation points 0, ±1, ±2, ∞), eight
// neighbouring tiles at a time: lane l of every vector belongs to tile j0 + l. The same
// operations, in the same order, as the Swift reference in FocalCore's Winograd.swift.
#include "CFocalKernels.h"
#include "clones.h"

#define INLINE static inline __attribute__((always_inline))

typedef float v8f_u __attribute__((vector_size(32), aligned(4)));
typedef float v4f __attribute__((vector_size(16)));
typedef float v4f_u __attribute__((vector_size(16), aligned(4)));

// Vectors are passed by pointer: a 256-bit vector by value would have a different calling
// convention in the AVX2 and the baseline clones (the helpers are inlined anyway).

/// y = Bᵀ x (6 → 6).
INLINE void bt(const v8f *x, v8f *y) {
    v8f f4 = x[1] * 4, f2 = x[1] * 2, t2 = x[4] - x[2], fx2 = x[2] * 4, tx3 = x[3] * 2;
    v8f e0 = x[0] * 4, e1 = x[2] * 5, p34 = x[3] + x[4], m34 = x[4] - x[3];
    y[0] = e0 - e1 + x[4];
    y[1] = p34 - f4 - fx2;
    y[2] = m34 + f4 - fx2;
    v8f d31 = tx3 - f2;
    y[3] = t2 + d31;
    y[4] = t2 - d31;
    v8f e3 = x[3] * 5;
    y[5] = f4 - e3 + x[5];
}

/// y = B x (6 → 6), the transpose of `bt`.
INLINE void b(const v8f *x, v8f *y) {
    const v8f zero = {0};
    v8f d21 = x[2] - x[1], d43 = x[4] - x[3], s12 = x[1] + x[2], s34 = x[3] + x[4];
    y[0] = x[0] * 4;
    v8f a1 = d21 * 4, b1 = d43 * 2, c1 = x[5] * 4;
    y[1] = a1 + b1 + c1;
    v8f a2 = x[0] * 5, b2 = s12 * 4;
    y[2] = zero - a2 - b2 - s34;
    v8f b3 = d43 * 2, c3 = x[5] * 5;
    y[3] = zero - d21 - b3 - c3;
    v8f s = x[0] + s12;
    y[4] = s + s34;
    y[5] = x[5];
}

/// y = Aᵀ x (6 → 4).
INLINE void at(const v8f *x, v8f *y) {
    v8f s12 = x[1] + x[2], d12 = x[1] - x[2], s34 = x[3] + x[4], d34 = x[3] - x[4];
    v8f s = x[0] + s12;
    y[0] = s + s34;
    y[1] = d12 + d34 * 2;
    y[2] = s12 + s34 * 4;
    y[3] = d12 + d34 * 8 + x[5];
}

/// y = A x (4 → 6), the transpose of `at`.
INLINE void a(const v8f *x, v8f *y) {
    v8f e02 = x[0] + x[2], o13 = x[1] + x[3];
    y[0] = x[0];
    y[1] = e02 + o13;
    y[2] = e02 - o13;
    v8f ev = x[0] + x[2] * 4, od = x[1] * 2 + x[3] * 8;
    y[3] = ev + od;
    y[4] = ev - od;
    y[5] = x[3];
}

/// y = G x (3 → 6): the filter transform.
INLINE void gx(const v8f *x, v8f *y) {
    v8f x0 = x[0], x1 = x[1], x2 = x[2];
    v8f s02 = x0 + x2;
    y[0] = x0 * 0.25f;
    v8f p = s02 + x1, q = s02 - x1;
    y[1] = p * (-1.0f / 6);
    y[2] = q * (-1.0f / 6);
    v8f a = x0 * (1.0f / 24), c = x2 * (1.0f / 6), bb = x1 * (1.0f / 12);
    v8f ac = a + c;
    y[3] = ac + bb;
    y[4] = ac - bb;
    y[5] = x2;
}

/// y = Gᵀ x (6 → 3), the transpose of `gx`.
INLINE void gt(const v8f *x, v8f *y) {
    v8f s12 = x[1] + x[2], d21 = x[2] - x[1], s34 = x[3] + x[4], d34 = x[3] - x[4];
    v8f a0 = x[0] * 0.25f, b0 = s12 * (1.0f / 6), c0 = s34 * (1.0f / 24);
    y[0] = a0 - b0 + c0;
    v8f a1 = d21 * (1.0f / 6), b1 = d34 * (1.0f / 12);
    y[1] = a1 + b1;
    v8f a2 = s34 - s12;
    v8f b2 = a2 * (1.0f / 6);
    y[2] = b2 + x[5];
}

/// o[i][j] = T2 along e of (T1 along q of d[e][q]): `n2` values of e in, `m1` values of i out;
/// t1 maps n1 → m1 and t2 maps n2 → m2 (the sizes are in the transform functions).
#define APPLY_2D(d, n2, m1, o, t1, t2)                                                 \
    do {                                                                              \
        v8f s_[8][8], c_[8];                                                          \
        for (int e_ = 0; e_ < (n2); e_++) t1((d)[e_], s_[e_]);                        \
        for (int i_ = 0; i_ < (m1); i_++) {                                           \
            for (int e_ = 0; e_ < (n2); e_++) c_[e_] = s_[e_][i_];                    \
            t2(c_, (o)[i_]);                                                          \
        }                                                                             \
    } while (0)

/// The 4×4 transpose of rows r0…r3.
INLINE void transpose4(v4f r0, v4f r1, v4f r2, v4f r3, v4f *c) {
    v4f t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    v4f t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    c[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    c[1] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    c[2] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    c[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

INLINE v4f load4(const float *p) { return *(const v4f_u *)p; }
INLINE void store4(float *p, v4f v) { *(v4f_u *)p = v; }

/// Columns 0…3 of eight 4-wide tiles side by side at p (32 floats): lane l of col[e] is p[4l + e].
INLINE void tile_columns(const float *p, v8f *col) {
    v4f lo[4], hi[4];
    transpose4(load4(p), load4(p + 4), load4(p + 8), load4(p + 12), lo);
    transpose4(load4(p + 16), load4(p + 20), load4(p + 24), load4(p + 28), hi);
    for (int e = 0; e < 4; e++) col[e] = __builtin_shufflevector(lo[e], hi[e], 0, 1, 2, 3, 4, 5, 6, 7);
}

/// Lanes 0..<valid of v stored at p (all eight with one store when full).
INLINE void store_lanes(float *p, const v8f *v, long valid) {
    if (valid == 8) { *(v8f_u *)p = *v; return; }
    for (long l = 0; l < valid; l++) p[l] = (*v)[l];
}

/// Lanes 0..<valid loaded from p, zeros beyond.
INLINE void load_lanes(const float *p, long valid, v8f *v) {
    if (valid == 8) { *v = *(const v8f_u *)p; return; }
    v8f r = {0};
    for (long l = 0; l < valid; l++) r[l] = p[l];
    *v = r;
}

/// The 36 positions of eight transformed tiles, transposed: lane l of d[e][q] is
/// buf[(q·6 + e)·pstride + tile + l] (zero for l ≥ valid).
INLINE void load_positions(const float *buf, long pstride, long tile, long valid, v8f d[6][6]) {
    for (int e = 0; e < 6; e++)
        for (int q = 0; q < 6; q++) load_lanes(buf + (q * 6 + e) * pstride + tile, valid, &d[e][q]);
}

/// The 36 positions of eight transformed tiles: lane l of o[ii][jj] goes to
/// buf[(ii·6 + jj)·pstride + tile + l], for l < valid.
INLINE void store_positions(float *buf, long pstride, long tile, v8f o[6][6], long valid) {
    for (int ii = 0; ii < 6; ii++)
        for (int jj = 0; jj < 6; jj++) store_lanes(buf + (ii * 6 + jj) * pstride + tile, &o[ii][jj], valid);
}

static long tiles_across(long w) { return (w + 3) / 4; }

long focal_wino4_line_length(long w) { return (tiles_across(w) + 8) * 4 + 6 + 2; }

FOCAL_CLONES
void focal_wino4_input_tiles(const float *plane, long h, long w, long row_begin, long row_end, float *vc,
                             long pstride, long tile_base, float *lines) {
    const long tx = tiles_across(w), ll = focal_wino4_line_length(w);
    for (long i = row_begin; i < row_end; i++) {
        // Six zero-padded lines (one pixel of padding on the left, zeros past the right edge).
        for (long q = 0; q < 6; q++) {
            float *line = lines + q * ll;
            long yy = i * 4 - 1 + q;
            line[0] = 0;
            if (yy >= 0 && yy < h) __builtin_memcpy(line + 1, plane + yy * w, (unsigned long)w * sizeof(float));
            else __builtin_memset(line + 1, 0, (unsigned long)w * sizeof(float));
            __builtin_memset(line + 1 + w, 0, (unsigned long)(ll - 1 - w) * sizeof(float));
        }
        for (long j0 = 0; j0 < tx; j0 += 8) {
            long valid = tx - j0 < 8 ? tx - j0 : 8;
            v8f d[6][6], o[6][6];
            for (long q = 0; q < 6; q++) {
                // Lane l of d[e][q] is line[4(j0 + l) + e]; columns 4 and 5 are columns 0 and 1
                // one tile further (the line buffer is padded past the last tile).
                const float *line = lines + q * ll + j0 * 4;
                v8f c[4], c4[4];
                tile_columns(line, c);
                tile_columns(line + 4, c4);
                for (int e = 0; e < 4; e++) d[e][q] = c[e];
                d[4][q] = c4[0];
                d[5][q] = c4[1];
            }
            APPLY_2D(d, 6, 6, o, bt, bt);
            store_positions(vc, pstride, i * tx + j0 - tile_base, o, valid);
        }
    }
}

FOCAL_CLONES
void focal_wino4_output_tiles(const float *mc, long h, long w, long row_begin, long row_end, long pstride,
                              long tile_base, float bias, float *out) {
    const long tx = tiles_across(w);
    const v4f bias4 = bias - (v4f){0};
    for (long i = row_begin; i < row_end; i++) {
        for (long j0 = 0; j0 < tx; j0 += 8) {
            long valid = tx - j0 < 8 ? tx - j0 : 8;
            long tile = i * tx + j0 - tile_base;
            v8f d[6][6], o[6][6];
            load_positions(mc, pstride, tile, valid, d);
            APPLY_2D(d, 6, 4, o, at, at);
            long yy = i * 4;
            int full = valid == 8 && (j0 + 8) * 4 <= w;
            for (int r = 0; r < 4 && yy + r < h; r++) {
                float *row = out + (yy + r) * w + j0 * 4;
                if (full) {
                    // Eight 4-wide output tiles side by side: the row is the interleave of the
                    // four column vectors (4×4 transposes).
                    v4f c[4];
                    for (int half = 0; half < 2; half++) {
                        v4f col[4];
                        for (int k = 0; k < 4; k++) {
                            v8f v = o[r][k];
                            col[k] = half ? __builtin_shufflevector(v, v, 4, 5, 6, 7) : __builtin_shufflevector(v, v, 0, 1, 2, 3);
                        }
                        transpose4(col[0], col[1], col[2], col[3], c);
                        for (int k = 0; k < 4; k++) store4(row + half * 16 + 4 * k, c[k] + bias4);
                    }
                    continue;
                }
                for (long l = 0; l < valid; l++)
                    for (int k = 0; k < 4; k++)
                        if ((j0 + l) * 4 + k < w) row[l * 4 + k] = o[r][k][l] + bias;
            }
        }
    }
}

FOCAL_CLONES
void focal_wino4_output_gradient_tiles(const float *plane, long h, long w, long row_begin, long row_end,
                                       float *dc, long pstride, long tile_base) {
    const long tx = tiles_across(w);
    for (long i = row_begin; i < row_end; i++) {
        for (long j0 = 0; j0 < tx; j0 += 8) {
            long valid = tx - j0 < 8 ? tx - j0 : 8;
            int full = valid == 8 && (j0 + 8) * 4 <= w;
            v8f d[4][4], o[6][6];
            for (int q = 0; q < 4; q++) {
                long yy = i * 4 + q;
                if (yy < h && full) {
                    v8f c[4];
                    tile_columns(plane + yy * w + j0 * 4, c);
                    for (int e = 0; e < 4; e++) d[e][q] = c[e];
                    continue;
                }
                for (int e = 0; e < 4; e++) {
                    v8f v = {0};
                    if (yy < h)
                        for (long l = 0; l < valid; l++)
                            if ((j0 + l) * 4 + e < w) v[l] = plane[yy * w + (j0 + l) * 4 + e];
                    d[e][q] = v;
                }
            }
            APPLY_2D(d, 4, 6, o, a, a);
            store_positions(dc, pstride, i * tx + j0 - tile_base, o, valid);
        }
    }
}

FOCAL_CLONES
void focal_wino4_input_gradient_tiles(const float *vc, long h, long w, long row_begin, long row_end, long pstride,
                                      long tile_base, float *plane) {
    const long tx = tiles_across(w);
    for (long i = row_begin; i < row_end; i++) {
        for (long j0 = 0; j0 < tx; j0 += 8) {
            long valid = tx - j0 < 8 ? tx - j0 : 8;
            long tile = i * tx + j0 - tile_base;
            v8f d[6][6], o[6][6];
            load_positions(vc, pstride, tile, valid, d);
            APPLY_2D(d, 6, 6, o, b, b);
            long y0 = i * 4 - 1, x_first = j0 * 4 - 1;
            long lo = x_first < 0 ? -x_first : 0;
            long hi = 4 * valid + 2 < w - x_first ? 4 * valid + 2 : w - x_first;
            for (int q = 0; q < 6; q++) {
                long yy = y0 + q;
                if (yy < 0 || yy >= h) continue;
                // The eight 6-wide tile rows (neighbours overlap by two) summed into a strip:
                // columns 0…3 interleaved by 4×4 transposes, then columns 4 and 5 added over
                // the next tile's first two. Lanes past `valid` are zero.
                float strip[36];
                for (int half = 0; half < 2; half++) {
                    v4f col[4], c[4];
                    for (int k = 0; k < 4; k++) {
                        v8f v = o[q][k];
                        col[k] = half ? __builtin_shufflevector(v, v, 4, 5, 6, 7) : __builtin_shufflevector(v, v, 0, 1, 2, 3);
                    }
                    transpose4(col[0], col[1], col[2], col[3], c);
                    for (int k = 0; k < 4; k++) store4(strip + half * 16 + 4 * k, c[k]);
                }
                store4(strip + 32, (v4f){0});
                for (int half = 0; half < 2; half++) {
                    v4f col[4], c[4];
                    v8f v4 = o[q][4], v5 = o[q][5];
                    col[0] = half ? __builtin_shufflevector(v4, v4, 4, 5, 6, 7) : __builtin_shufflevector(v4, v4, 0, 1, 2, 3);
                    col[1] = half ? __builtin_shufflevector(v5, v5, 4, 5, 6, 7) : __builtin_shufflevector(v5, v5, 0, 1, 2, 3);
                    col[2] = (v4f){0};
                    col[3] = (v4f){0};
                    transpose4(col[0], col[1], col[2], col[3], c);
                    for (int k = 0; k < 4; k++) {
                        float *p = strip + half * 16 + 4 * k + 4;
                        store4(p, load4(p) + c[k]);
                    }
                }
                // Pixels inside the row: scalars up to a multiple of 4, then vectors (loads
                // aligned to the strip's stores), then the rest.
                float *row = plane + yy * w + x_first;
                long k = lo;
                for (; k < hi && (k & 3); k++) row[k] += strip[k];
                for (; k + 4 <= hi; k += 4) store4(row + k, load4(row + k) + load4(strip + k));
                for (; k < hi; k++) row[k] += strip[k];
            }
        }
    }
}

FOCAL_CLONES
void focal_wino4_transform_weights(const float *w, long kernels, float *stage, long stage_stride) {
    for (long k0 = 0; k0 < kernels; k0 += 8) {
        long valid = kernels - k0 < 8 ? kernels - k0 : 8;
        float t[72];  // t[tap · 8 + l]: tap of kernel k0 + l
        if (valid < 8) for (int i = 0; i < 72; i++) t[i] = 0;
        const float *src = w + k0 * 9;
        for (long l = 0; l < valid; l++)
            for (int tap = 0; tap < 9; tap++) t[tap * 8 + l] = src[l * 9 + tap];
        v8f d[3][3], o[6][6];
        for (int e = 0; e < 3; e++)
            for (int q = 0; q < 3; q++) d[e][q] = *(const v8f_u *)(t + (q * 3 + e) * 8);  // d[e][q] = g[q][e]
        APPLY_2D(d, 3, 6, o, gx, gx);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++) *(v8f_u *)(stage + (i * 6 + j) * stage_stride + k0) = o[i][j];
    }
}

FOCAL_CLONES
void focal_wino4_inverse_transform_weights(const float *du, long ws, long kernels, long group_begin, long group_end,
                                           float *dg) {
    for (long g = group_begin; g < group_end; g++) {
        long k0 = g * 8, valid = kernels - k0 < 8 ? kernels - k0 : 8;
        v8f d[6][6], o[3][3];
        load_positions(du, ws, k0, valid, d);
        APPLY_2D(d, 6, 3, o, gt, gt);
        float t[72];
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++) *(v8f_u *)(t + (r * 3 + c) * 8) = o[r][c];
        float *dst = dg + k0 * 9;
        for (long l = 0; l < valid; l++)
            for (int tap = 0; tap < 9; tap++) dst[l * 9 + tap] = t[tap * 8 + l];
    }
}
