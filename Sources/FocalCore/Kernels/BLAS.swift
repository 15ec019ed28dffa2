import CFocalBLAS
import COpenBLAS
import Synchronization

private let gemmFlops = Atomic<Int>(0)
private let convolutionFlops = Atomic<Int>(0)

/// Row-major single-precision GEMM and OpenBLAS facts. All matrix products in Focal go
/// through here.
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` with row-major matrices; `op(A)` is `m × k`,
    /// `op(B)` is `k × n`, `lda`, `ldb`, `ldc` are row strides. Large products are split into
    /// row (or column) blocks computed in parallel on `Threading.threadCount` threads, each
    /// block by single-threaded OpenBLAS; the result is the same bits for any thread count.
    /// Row blocks (used whenever `m ≥ 2·rowBlock`) are multiples of 48 rows and give the bits of
    /// one call. Column blocks (only when `m` is smaller) do not: on Zen (Haswell kernels) an
    /// element's last bits depend on the width of the call, not only on its `k` loop (measured
    /// with OpenBLAS 0.3.21: an 8×16384×72 product split into blocks of 384 or 768 columns
    /// differs from one call in 55,115 and 1,691 elements, in blocks of 512 in none). So the
    /// column blocks depend on the sizes only (`columnBlock`), and one thread, or a call from
    /// inside a parallel loop, runs the same blocks one after the other.
    package static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let threads = Threading.threadCount
        let work = m * n * max(k, 1)
        if work < 1 << 21 {
            sgemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let serial = threads <= 1 || Threading.isInsideParallelLoop
        if m >= 2 * rowBlock {
            if serial {
                sgemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                return
            }
            // Row blocks, multiples of `rowBlock` rows (bit-identical to one call).
            let block = ((m + threads - 1) / threads + rowBlock - 1) / rowBlock * rowBlock
            let blocks = (m + block - 1) / block
            Threading.parallelFor(blocks, grain: 1) { r in
                for bi in r {
                    let i0 = bi * block, mb = min(block, m - i0)
                    sgemmSerial(transA: transA, transB: transB, m: mb, n: n, k: k, alpha: alpha,
                                a: transA ? a + i0 : a + i0 * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + i0 * ldc, ldc: ldc)
                }
            }
            return
        }
        // Column blocks: their widths depend on `n` only, so every thread count (and the
        // serial path) computes the same blocks and hence the same bits.
        let block = columnBlock(n)
        let blocks = (n + block - 1) / block
        let run = { (r: Range<Int>) in
            for bi in r {
                let j0 = bi * block, nb = min(block, n - j0)
                sgemmSerial(transA: transA, transB: transB, m: m, n: nb, k: k, alpha: alpha, a: a, lda: lda,
                            b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
            }
        }
        if serial { run(0..<blocks) } else { Threading.parallelFor(blocks, grain: 1, run) }
    }

    /// Width of `sgemm`'s column blocks for a product `n` columns wide, from `n` alone: `n`
    /// cut into 2 to 8 pieces of at least 256 columns where it is that wide (2 pieces below),
    /// rounded up to a multiple of 16 for the kernels' vector width.
    static func columnBlock(_ n: Int) -> Int {
        guard n > 16 else { return max(n, 1) }
        let pieces = min(8, max(2, n / 256))
        return ((n + pieces - 1) / pieces + 15) / 16 * 16
    }

    /// The row-block granule of `sgemm`'s split: a multiple of the OpenBLAS kernels' column
    /// unrolls (12 on Zen/Haswell, 16 and 4 elsewhere) so each row lands in the same kernel
    /// tile as in one call.
    static let rowBlock = 48

    /// `C = A · B` (row-major `m × k` times `k × n`) by one OpenBLAS call on OpenBLAS's own
    /// thread pool with `threads` workers; OpenBLAS is set back to one thread afterwards. Focal's
    /// kernels never use this (see `Threading` for why); the benchmark uses it to measure the
    /// machine's GEMM limit the way OpenBLAS itself reaches it.
    package static func sgemmOnOpenBLASThreads(
        threads: Int, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        focal_blas_set_threads(Int32(max(1, threads)))
        defer { focal_blas_set_threads(1) }
        gemmFlops.add(2 * m * n * k, ordering: .relaxed)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, c, Int32(n))
    }

    /// Several independent products with the same shapes, run in parallel:
    /// `C[i] = op(A[i]) · op(B[i])` where `A[i] = a + i·strideA`, etc. Each product is one
    /// `sgemm`, which inside the loop runs its blocks serially (the same blocks, the same bits);
    /// with one thread, one product or inside another loop, the products run one after the other.
    package static func sgemmBatched(
        count: Int, transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int, strideB: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int
    ) {
        Threading.parallelFor(count, grain: 1) { r in
            for i in r {
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a + i * strideA, lda: lda,
                      b: b + i * strideB, ldb: ldb, beta: beta, c: c + i * strideC, ldc: ldc)
            }
        }
    }

    @inline(__always)
    static func sgemmSerial(
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

    /// Floating-point operations of the convolutions run since the process started, counted
    /// as a direct convolution would do them (2 multiply-adds per weight per output pixel;
    /// backward: once per requested gradient), whatever algorithm ran (im2col or Winograd).
    /// This is the work figure the benchmark reports GFLOP/s against.
    public static var convolutionFlopCount: Int { convolutionFlops.load(ordering: .relaxed) }

    /// Adds `flops` to `convolutionFlopCount`.
    package static func recordConvolutionWork(_ flops: Int) { convolutionFlops.add(flops, ordering: .relaxed) }

    /// The OpenBLAS core in use (e.g. "SkylakeX", "Prescott").
    /// OpenBLAS's own thread count (1 except inside `sgemmOnOpenBLASThreads`).
    public static var openBLASThreads: Int { Int(focal_blas_threads()) }

    public static var coreName: String {
        _ = setup
        return String(cString: focal_blas_core_name())
    }

    /// What Focal did to OpenBLAS's kernel selection at load time (see Docs/Performance.md).
    public static var setup: String {
        switch focal_blas_init() {
        case FOCAL_BLAS_KEPT: return "kept OpenBLAS's own detection"
        case FOCAL_BLAS_SWITCHED: return "switched generic kernels to SkylakeX (AVX-512), verified against a reference GEMM"
        case FOCAL_BLAS_REVERTED: return "SkylakeX kernels failed the reference GEMM check or did not take effect; kept the original kernels"
        case FOCAL_BLAS_USER_CHOICE: return "OPENBLAS_CORETYPE set by the user"
        case FOCAL_BLAS_NOT_DYNAMIC: return "OpenBLAS build without run-time kernel selection"
        case FOCAL_BLAS_NO_AVX512: return "CPU without AVX-512: generic kernels kept"
        default: return "unknown"
        }
    }

    /// Worst relative error of the reference GEMM check made when switching kernels (0 if none).
    public static var referenceCheckError: Double { focal_blas_check_error() }
}
