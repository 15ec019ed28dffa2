#ifndef CFOCALKERNELS_H
#define CFOCALKERNELS_H

// Vector kernels for FocalCore that Swift's SIMD types do not compile to vector code reliably.
// Each is built for AVX2 and for the baseline x86-64 (or the target's default) and the right
// one is picked at load time (clang's target_clones), so they are safe on any x86-64 CPU.
//
// Sums: within a block of 256 terms, sixteen Float lanes each add 16 terms; block sums are
// added in double. The order depends on the count only (the same bits for any thread count).
// With `rectify` every x is read as max(x, 0), NaN kept.

/// Σ read(x[i]) for i < n.
double focal_sum(const float *x, long n, int rectify);
/// Σ (read(x[i]) − mean)² for i < n.
double focal_centred_squares(const float *x, long n, float mean, int rectify);
/// Σ g[i] and Σ g[i]·(read(x[i]) − mean)·inv_std for i < n.
void focal_gradient_sums(const float *g, const float *x, long n, float mean, float inv_std, int rectify,
                         double *sum_g, double *sum_gx);

#endif
