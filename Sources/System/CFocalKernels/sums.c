#include "CFocalKernels.h"
#include "clones.h"

typedef int v8i __attribute__((vector_size(32)));

enum { BLOCK = 256 };

// Vector helpers are macros: a function taking or returning a 256-bit vector would have a
// different calling convention in the AVX2 and the baseline clones.

/// Eight floats at p (any alignment).
#define LOAD8(p) (*(const v8f_unaligned *)(p))
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));

/// Sum of the lanes in a fixed pairwise order.
#define HSUM(v) ((((v)[0] + (v)[1]) + ((v)[2] + (v)[3])) + (((v)[4] + (v)[5]) + ((v)[6] + (v)[7])))

/// max(x, 0) lane-wise with NaN kept: lanes where x < 0 become +0.
#define RECT8(x) ((v8f)((v8i)(x) & ~((x) < (v8f){0})))

static inline float rect1(float x) { return x < 0 ? 0 : x; }

#define READ8(p) (rectify ? RECT8(LOAD8(p)) : LOAD8(p))
#define READ1(v) (rectify ? rect1(v) : (v))

FOCAL_CLONES
double focal_sum(const float *x, long n, int rectify) {
    double total = 0;
    long i = 0;
    for (; i + BLOCK <= n; i += BLOCK) {
        v8f a = {0}, b = {0};
        for (long j = i; j < i + BLOCK; j += 16) { a += READ8(x + j); b += READ8(x + j + 8); }
        total += HSUM(a + b);
    }
    v8f a = {0};
    for (; i + 8 <= n; i += 8) a += READ8(x + i);
    double tail = HSUM(a);
    for (; i < n; i++) tail += READ1(x[i]);
    return total + tail;
}

FOCAL_CLONES
double focal_sum_of_products(const float *x, const float *y, long n) {
    double total = 0;
    long i = 0;
    for (; i + BLOCK <= n; i += BLOCK) {
        v8f a = {0}, b = {0};
        for (long j = i; j < i + BLOCK; j += 16) { a += LOAD8(x + j) * LOAD8(y + j); b += LOAD8(x + j + 8) * LOAD8(y + j + 8); }
        total += HSUM(a + b);
    }
    v8f a = {0};
    for (; i + 8 <= n; i += 8) a += LOAD8(x + i) * LOAD8(y + i);
    double tail = HSUM(a);
    for (; i < n; i++) tail += x[i] * y[i];
    return total + tail;
}

FOCAL_CLONES
double focal_centred_squares(const float *x, long n, float mean, int rectify) {
    const v8f mu = mean - (v8f){0};
    double total = 0;
    long i = 0;
    for (; i + BLOCK <= n; i += BLOCK) {
        v8f a = {0}, b = {0};
        for (long j = i; j < i + BLOCK; j += 16) {
            v8f d0 = READ8(x + j) - mu, d1 = READ8(x + j + 8) - mu;
            a += d0 * d0;
            b += d1 * d1;
        }
        total += HSUM(a + b);
    }
    v8f a = {0};
    for (; i + 8 <= n; i += 8) { v8f d = READ8(x + i) - mu; a += d * d; }
    double tail = HSUM(a);
    for (; i < n; i++) { float d = READ1(x[i]) - mean; tail += d * d; }
    return total + tail;
}

FOCAL_CLONES
void focal_gradient_sums(const float *g, const float *x, long n, float mean, float inv_std, int rectify,
                         double *sum_g, double *sum_gx) {
    const v8f mu = mean - (v8f){0}, r = inv_std - (v8f){0};
    double total0 = 0, total1 = 0;
    long i = 0;
    for (; i + BLOCK <= n; i += BLOCK) {
        v8f a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0};
        for (long j = i; j < i + BLOCK; j += 16) {
            v8f g0 = LOAD8(g + j), g1 = LOAD8(g + j + 8);
            a0 += g0;
            b0 += g1;
            a1 += g0 * ((READ8(x + j) - mu) * r);
            b1 += g1 * ((READ8(x + j + 8) - mu) * r);
        }
        total0 += HSUM(a0 + b0);
        total1 += HSUM(a1 + b1);
    }
    v8f a0 = {0}, a1 = {0};
    for (; i + 8 <= n; i += 8) {
        v8f g0 = LOAD8(g + i);
        a0 += g0;
        a1 += g0 * ((READ8(x + i) - mu) * r);
    }
    double tail0 = HSUM(a0), tail1 = HSUM(a1);
    for (; i < n; i++) {
        tail0 += g[i];
        tail1 += g[i] * ((READ1(x[i]) - mean) * inv_std);
    }
    *sum_g = total0 + tail0;
    *sum_gx = total1 + tail1;
}
