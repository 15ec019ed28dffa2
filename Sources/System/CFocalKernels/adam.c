#include "CFocalKernels.h"
#include "clones.h"

typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));

// The update of Adam.swift, element by element in the same order (no fused multiply-adds,
// correctly rounded square roots and quotients), eight elements per vector.
#define ADAM_STEP(T, P, G, M, V, SQRT)                                                               \
    do {                                                                                             \
        T g_ = (G);                                                                                  \
        if (weight_decay != 0) g_ += weight_decay * (P);                                             \
        T m_ = (M) + one_minus_beta1 * (g_ - (M));                                                   \
        T v_ = (V) * beta2 + one_minus_beta2 * (g_ * g_);                                            \
        (M) = m_;                                                                                    \
        (V) = v_;                                                                                    \
        T d_ = SQRT(v_) / bias_correction2_sqrt + epsilon;                                           \
        (P) += -step_size * (m_ / d_);                                                               \
    } while (0)

#define VSQRT(x) __builtin_elementwise_sqrt(x)
#define SSQRT(x) __builtin_sqrtf(x)

FOCAL_CLONES
void focal_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long n,
                       float step_size, float one_minus_beta1, float beta2, float one_minus_beta2,
                       float bias_correction2_sqrt, float epsilon, float weight_decay) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        v8f_unaligned *pv = (v8f_unaligned *)(p + i), *mv = (v8f_unaligned *)(m + i), *vv = (v8f_unaligned *)(v + i);
        v8f pi = *pv, mi = *mv, vi = *vv;
        ADAM_STEP(v8f, pi, *(const v8f_unaligned *)(g + i), mi, vi, VSQRT);
        *pv = pi;
        *mv = mi;
        *vv = vi;
    }
    for (; i < n; i++) ADAM_STEP(float, p[i], g[i], m[i], v[i], SSQRT);
}
