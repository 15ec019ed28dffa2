import CFocalBLAS
import COpenBLAS
import Synchronization

private let gemmFlops = Atomic<Int>(0)

/// Row-major single-precision GEMM and OpenBLAS facts. All matrix products in Focal go
/// through here.
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` with row-major matrices; `op(A)` is `m × k`,
    /// `op(B)` is `k × n`, `lda`, `ldb`, `ldc` are row strides.
    @inline(__always)
    public static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }
            return
        }
        gemmFlops.add(2 * m * n * k, ordering: .relaxed)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Floating-point operations issued through `sgemm` since the process started (2·m·n·k
    /// per call); the benchmark divides differences of it by elapsed time.
    public static var flopCount: Int { gemmFlops.load(ordering: .relaxed) }

    /// The OpenBLAS core in use (e.g. "SkylakeX", "Prescott").
    public static var coreName: String {
        _ = setup
        return String(cString: focal_blas_core_name())
    }

    /// What Focal did to OpenBLAS's kernel selection at load time (see Docs/Performance.md).
    public static var setup: String {
        switch focal_blas_init() {
        case FOCAL_BLAS_KEPT: return "kept OpenBLAS's own detection"
        case FOCAL_BLAS_SWITCHED: return "switched generic kernels to SkylakeX (AVX-512), verified against a reference GEMM"
        case FOCAL_BLAS_REVERTED: return "SkylakeX kernels failed the reference GEMM check; kept the generic kernels"
        case FOCAL_BLAS_USER_CHOICE: return "OPENBLAS_CORETYPE set by the user"
        case FOCAL_BLAS_NOT_DYNAMIC: return "OpenBLAS build without run-time kernel selection"
        case FOCAL_BLAS_NO_AVX512: return "CPU without AVX-512: generic kernels kept"
        default: return "unknown"
        }
    }

    /// Worst relative error of the reference GEMM check made when switching kernels (0 if none).
    public static var referenceCheckError: Double { focal_blas_check_error() }
}
