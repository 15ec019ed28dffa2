#include "CFocalKernels.h"
#include "clones.h"

typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));

FOCAL_CLONES
int focal_all_finite(const float *x, long n) {
    // x · 0 is 0 for a finite x and NaN for NaN or ±inf; NaN survives every addition.
    v8f a = {0}, b = {0};
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        a += *(const v8f_unaligned *)(x + i) * 0.0f;
        b += *(const v8f_unaligned *)(x + i + 8) * 0.0f;
    }
    float tail = 0;
    for (; i < n; i++) tail += x[i] * 0.0f;
    v8f s = a + b;
    float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])) + tail;
    return total == 0;
}
