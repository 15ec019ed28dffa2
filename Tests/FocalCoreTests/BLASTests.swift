import CFocalBLAS
import Foundation
import Testing
@testable import FocalCore

/// `BLAS.sgemm` (large products split over Focal's threads) and the OpenBLAS-threaded variant
/// the benchmark measures, against a plain triple loop.
@Suite("BLAS") struct BLASTests {
    /// `op(A) · op(B)` by the definition, in Double.
    private func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * m + i] : a[i * k + p]
                    let y = transB ? b[j * k + p] : b[p * n + j]
                    s += Double(x) * Double(y)
                }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    private func random(_ count: Int, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<count).map { _ in g.nextUniform(-1, 1) }
    }

    @Test("split GEMMs (row and column blocks, every transpose) equal the definition; row blocks give the same bits for 1 and 2 threads",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func splitGEMM(_ transA: Bool, _ transB: Bool) {
        // m·n·k ≥ 2^21 so the product is split: row blocks where m ≥ 2·rowBlock, else column
        // blocks (whose last bits may differ on some OpenBLAS cores; see `BLAS.sgemm`).
        for (m, n, k) in [(40, 333, 160), (333, 40, 160), (200, 333, 96)] {
            let a = random(m * k, seed: 1), b = random(k * n, seed: 2)
            let expected = reference(a, b, m: m, n: n, k: k, transA: transA, transB: transB)
            var results: [[Float]] = []
            let saved = Threading.threadCount
            defer { Threading.threadCount = saved }
            for threads in [1, 2] {
                Threading.threadCount = threads
                var c = [Float](repeating: .nan, count: m * n)
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in
                            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: pa.baseAddress!, lda: transA ? m : k,
                                       b: pb.baseAddress!, ldb: transB ? k : n, c: pc.baseAddress!, ldc: n)
                        }
                    }
                }
                results.append(c)
            }
            let worst = zip(results[1], expected).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "\(m)×\(n)×\(k) transA \(transA) transB \(transB): worst error \(worst)")
            if m >= 2 * BLAS.rowBlock {
                #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern), "\(m)×\(n)×\(k): thread count changed the result bits")
            } else {
                let worstSerial = zip(results[0], expected).map { abs($0 - $1) }.max()!
                #expect(worstSerial < 1e-4, "\(m)×\(n)×\(k) on one thread: worst error \(worstSerial)")
            }
        }
    }

    @Test("OpenBLAS-threaded GEMM equals the definition and leaves OpenBLAS single-threaded")
    func openBLASThreaded() {
        let (m, n, k) = (96, 200, 128)
        let a = random(m * k, seed: 3), b = random(k * n, seed: 4)
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemmOnOpenBLASThreads(threads: 2, m: m, n: n, k: k, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                }
            }
        }
        let expected = reference(a, b, m: m, n: n, k: k, transA: false, transB: false)
        let worst = zip(c, expected).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "worst error \(worst)")
        #expect(BLAS.openBLASThreads == 1)
    }

    @Test("the kernel selection made at load is consistent with the core in use")
    func kernelSelection() {
        let selection = focal_blas_init()
        let core = BLAS.coreName.lowercased()
        switch selection {
        case FOCAL_BLAS_SWITCHED:
            // The switch took effect (no OpenBLAS thread re-ran the CPU detection) and passed the check.
            #expect(core == "skylakex")
            #expect(BLAS.referenceCheckError < 1e-5)
        case FOCAL_BLAS_KEPT:
            #expect(core != "prescott")
        case FOCAL_BLAS_NO_AVX512:
            #expect(focal_cpu_has_avx512() == 0)
        case FOCAL_BLAS_USER_CHOICE:
            #expect(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil)
        default:
            // REVERTED or NOT_DYNAMIC: the original kernels stay; they must still be a working GEMM.
            #expect(BLAS.referenceCheckError.isFinite || selection == FOCAL_BLAS_NOT_DYNAMIC)
        }
        #expect(!BLAS.setup.isEmpty && BLAS.setup != "unknown")
    }
}
