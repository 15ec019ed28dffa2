#ifndef CFOCALBLAS_H
#define CFOCALBLAS_H

/// How Focal set up OpenBLAS's kernels when the process started.
typedef enum {
    /// OpenBLAS's own CPU detection was kept (it chose a kernel other than the generic one).
    FOCAL_BLAS_KEPT = 0,
    /// OpenBLAS had fallen back to generic kernels on an AVX-512 CPU; Focal selected SkylakeX.
    FOCAL_BLAS_SWITCHED = 1,
    /// The SkylakeX kernels failed the reference GEMM check, or another core ended up selected;
    /// the original kernels were restored.
    FOCAL_BLAS_REVERTED = 2,
    /// The user set OPENBLAS_CORETYPE; Focal left the choice alone.
    FOCAL_BLAS_USER_CHOICE = 3,
    /// This OpenBLAS build cannot switch kernels at run time (no DYNAMIC_ARCH symbols).
    FOCAL_BLAS_NOT_DYNAMIC = 4,
    /// The CPU (or the OS) lacks AVX-512; the generic kernels were kept.
    FOCAL_BLAS_NO_AVX512 = 5
} focal_blas_setup;

/// Runs the kernel selection once (idempotent, thread-safe); called by a constructor at load.
focal_blas_setup focal_blas_init(void);
/// The name of the OpenBLAS core in use (e.g. "SkylakeX", "Prescott").
const char *focal_blas_core_name(void);
/// The worst relative error of the reference GEMM check run at set-up (0 when not run).
double focal_blas_check_error(void);
/// Sets OpenBLAS's thread count.
void focal_blas_set_threads(int n);
/// OpenBLAS's thread count.
int focal_blas_threads(void);
/// 1 when the CPU and OS support the AVX-512 subset used by OpenBLAS's SkylakeX kernels.
int focal_cpu_has_avx512(void);

/// Whether the calling thread is running a body of Focal's parallel loops (thread-local).
int focal_in_parallel_loop(void);
/// Sets that flag for the calling thread and returns its previous value.
int focal_set_in_parallel_loop(int value);

#endif
