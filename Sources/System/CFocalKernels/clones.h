// Shared by the kernels of this target (private: not in include/).
//
// Each exported kernel is built twice, for AVX2 and for baseline x86-64, and the dynamic loader
// picks the clone for the CPU (an ifunc). No fused multiply-adds, so both clones return the
// same bits.
#ifndef FOCAL_CLONES_H
#define FOCAL_CLONES_H

#pragma clang fp contract(off)

#if defined(__x86_64__) && defined(__linux__)
#define FOCAL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FOCAL_CLONES
#endif

typedef float v8f __attribute__((vector_size(32)));

#endif
