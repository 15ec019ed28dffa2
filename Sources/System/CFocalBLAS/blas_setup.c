// Selects OpenBLAS's AVX-512 kernels when Debian's OpenBLAS 0.3.21 misdetects a CPU as
// "Prescott" (it does not recognise recent Xeon models), and verifies them against a
// reference GEMM before keeping them. See Docs/Performance.md.
#define _GNU_SOURCE
#include "CFocalBLAS.h"
#include <cblas.h>
#include <cpuid.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// OpenBLAS DYNAMIC_ARCH internals (exported by Debian's build). Weak so that a build
// without them still links; then nothing is switched.
extern void *gotoblas __attribute__((weak));
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));
extern void *blas_memory_alloc(int) __attribute__((weak));
extern void blas_memory_free(void *) __attribute__((weak));
extern char *openblas_get_corename(void);
extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static focal_blas_setup setup_result = FOCAL_BLAS_KEPT;
static double check_error = 0.0;

int focal_cpu_has_avx512(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 27))) return 0;  // OSXSAVE
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0xE6u) != 0xE6u) return 0;  // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM enabled by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const unsigned int f = 1u << 16, dq = 1u << 17, cd = 1u << 28, bw = 1u << 30, vl = 1u << 31;
    return (b & f) && (b & dq) && (b & cd) && (b & bw) && (b & vl);
}

// Worst relative error of cblas_sgemm against a double-precision triple loop on odd shapes
// (exercising edge kernels), both transposes.
static double reference_gemm_error(void) {
    const int m = 37, n = 29, k = 83;
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
    float *c = malloc(sizeof(float) * m * n);
    if (!a || !b || !c) { free(a); free(b); free(c); return INFINITY; }
    uint32_t s = 12345u;
    for (int i = 0; i < m * k; i++) { s = s * 1664525u + 1013904223u; a[i] = (float)((s >> 8) & 0xFFFF) / 65536.0f - 0.5f; }
    for (int i = 0; i < k * n; i++) { s = s * 1664525u + 1013904223u; b[i] = (float)((s >> 8) & 0xFFFF) / 65536.0f - 0.5f; }
    double worst = 0.0;
    for (int trans = 0; trans < 2; trans++) {
        // trans = 1: treat a as (k x m) stored, transposed.
        cblas_sgemm(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                    a, trans ? m : k, b, n, 0.0f, c, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = 0.0, mag = 0.0;
                for (int p = 0; p < k; p++) {
                    double av = trans ? a[p * m + i] : a[i * k + p];
                    ref += av * b[p * n + j];
                    mag += fabs(av * b[p * n + j]);
                }
                double err = fabs(ref - c[i * n + j]) / (mag + 1e-30);
                if (!(err <= worst)) worst = err;  // NaN propagates as worst
                if (isnan(err)) worst = INFINITY;
            }
        }
    }
    free(a); free(b); free(c);
    return worst;
}

static void run_setup(void) {
    if (getenv("OPENBLAS_CORETYPE") != NULL) { setup_result = FOCAL_BLAS_USER_CHOICE; return; }
    const char *core = openblas_get_corename();
    if (core == NULL || strcasecmp(core, "Prescott") != 0) { setup_result = FOCAL_BLAS_KEPT; return; }
    if (!focal_cpu_has_avx512()) { setup_result = FOCAL_BLAS_NO_AVX512; return; }
    if (&gotoblas == NULL || gotoblas_dynamic_init == NULL || gotoblas_dynamic_quit == NULL ||
        blas_memory_alloc == NULL || blas_memory_free == NULL) {
        setup_result = FOCAL_BLAS_NOT_DYNAMIC;
        return;
    }
    // OpenBLAS's worker threads, started when it was loaded, make their first
    // blas_memory_alloc call whenever they are first scheduled, which can be now; that first
    // call re-runs the CPU detection if `gotoblas` is NULL — i.e. inside the window below —
    // and the process then silently keeps the generic kernels (different rounding: the ~2%
    // of runs that were not reproducible). One allocation here completes OpenBLAS's memory
    // initialisation under its own lock, after which no thread runs the detection again.
    void *warm = blas_memory_alloc(1);
    if (warm != NULL) blas_memory_free(warm);
    void *original = gotoblas;
    gotoblas_dynamic_quit();
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    gotoblas_dynamic_init();
    unsetenv("OPENBLAS_CORETYPE");  // leave the environment as the user had it
    check_error = reference_gemm_error();
    const char *now = openblas_get_corename();
    int is_skylakex = now != NULL && strcasecmp(now, "SkylakeX") == 0;
    if (gotoblas == NULL || !is_skylakex || !(check_error < 1e-5)) {
        gotoblas_dynamic_quit();
        gotoblas = original;
        setup_result = FOCAL_BLAS_REVERTED;
        return;
    }
    setup_result = FOCAL_BLAS_SWITCHED;
}

focal_blas_setup focal_blas_init(void) {
    pthread_once(&once, run_setup);
    return setup_result;
}

__attribute__((constructor)) static void focal_blas_constructor(void) { (void)focal_blas_init(); }

const char *focal_blas_core_name(void) { return openblas_get_corename(); }
double focal_blas_check_error(void) { return check_error; }
void focal_blas_set_threads(int n) { openblas_set_num_threads(n); }
int focal_blas_threads(void) { return openblas_get_num_threads(); }

static __thread int in_parallel_loop = 0;
int focal_in_parallel_loop(void) { return in_parallel_loop; }
int focal_set_in_parallel_loop(int value) { int old = in_parallel_loop; in_parallel_loop = value; return old; }
