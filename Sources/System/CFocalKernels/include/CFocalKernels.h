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
/// Σ x[i]·y[i] for i < n, each product rounded to float first: the same bits as focal_sum(p, n, 0)
/// of the products p[i] = x[i]·y[i], without storing them.
double focal_sum_of_products(const float *x, const float *y, long n);
/// Σ (read(x[i]) − mean)² for i < n.
double focal_centred_squares(const float *x, long n, float mean, int rectify);
/// Σ g[i] and Σ g[i]·(read(x[i]) − mean)·inv_std for i < n.
void focal_gradient_sums(const float *g, const float *x, long n, float mean, float inv_std, int rectify,
                         double *sum_g, double *sum_gx);

/// 1 if every x[i] (i < n) is finite (no NaN, no ±inf), else 0.
int focal_all_finite(const float *x, long n);

// Winograd F(4×4, 3×3) tile transforms for the tile rows row_begin..<row_end of one h × w
// plane (tiles of 4×4 outputs, 6×6 inputs; tx = ceil(w / 4) tiles across). Transformed values
// of position p (0..<36) and tile t are at buffer[p·pstride + t − tile_base]. The arithmetic
// and its order are those of FocalCore's Winograd.swift (which documents the transforms).

/// Floats of one zero-padded line buffer of `focal_wino4_input_tiles` for an image w wide.
long focal_wino4_line_length(long w);
/// V = Bᵀ d B for every tile (zero padding 1); `lines` holds 6 · focal_wino4_line_length(w) floats.
void focal_wino4_input_tiles(const float *plane, long h, long w, long row_begin, long row_end, float *vc,
                             long pstride, long tile_base, float *lines);
/// y = Aᵀ M A + bias for every tile, written into the output plane.
void focal_wino4_output_tiles(const float *mc, long h, long w, long row_begin, long row_end, long pstride,
                              long tile_base, float bias, float *out);
/// dM = A dY Aᵀ for every tile of an output-gradient plane.
void focal_wino4_output_gradient_tiles(const float *plane, long h, long w, long row_begin, long row_end,
                                       float *dc, long pstride, long tile_base);
/// dx += B dV Bᵀ for every tile, added into the input-gradient plane (tiles overlap by two).
void focal_wino4_input_gradient_tiles(const float *vc, long h, long w, long row_begin, long row_end, long pstride,
                                      long tile_base, float *plane);

/// U = G g Gᵀ for `kernels` consecutive 3×3 kernels at w (9 floats each), eight at a time:
/// position p of kernel k goes to stage[p · stage_stride + k] (stage_stride ≥ kernels rounded
/// up to 8; the lanes past `kernels` in the last group are written with transforms of zeros).
void focal_wino4_transform_weights(const float *w, long kernels, float *stage, long stage_stride);
/// dg = Gᵀ dU G for the groups of eight kernels group_begin..<group_end of `kernels`, where
/// dU[p · ws + k] holds position p of kernel k; written to dg[k · 9 + tap].
void focal_wino4_inverse_transform_weights(const float *du, long ws, long kernels, long group_begin, long group_end,
                                           float *dg);

/// One Adam step (FocalCore's Adam, PyTorch's rule) of n elements, in place on p, m and v:
/// g' = g + weight_decay·p (when weight_decay ≠ 0), m += (1 − β1)(g' − m), v = β2·v + (1 − β2)·g'²,
/// p += −step_size · m / (√v / bias_correction2_sqrt + epsilon). The same bits as the scalar
/// formula for every element; the arrays must not overlap.
void focal_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long n,
                       float step_size, float one_minus_beta1, float beta2, float one_minus_beta2,
                       float bias_correction2_sqrt, float epsilon, float weight_decay);

#endif
