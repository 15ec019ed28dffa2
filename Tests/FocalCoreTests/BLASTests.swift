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

    @Test("split GEMMs (row and column blocks, every transpose) equal the definition and give the same bits for 1, 2 and 3 threads and inside a parallel loop",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func splitGEMM(_ transA: Bool, _ transB: Bool) {
        // m·n·k ≥ 2^21 so the product is split: row blocks where m ≥ 2·rowBlock, else column
        // blocks, whose widths depend on n only (see `BLAS.sgemm`). 8×16384×72 is the im2col
        // GEMM of an 8-channel 128×128 convolution, whose bits once depended on the thread count.
        for (m, n, k) in [(40, 333, 160), (333, 40, 160), (200, 333, 96), (8, 16384, 72), (72, 4096, 8), (8, 27, 16384)] {
            let a = random(m * k, seed: 1), b = random(k * n, seed: 2)
            func product(threads: Int, nested: Bool = false) -> [Float] {
                var c = [Float](repeating: .nan, count: m * n)
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in
                            let (ap, bp, cp) = (pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                            let call = {
                                BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: ap, lda: transA ? m : k,
                                           b: bp, ldb: transB ? k : n, c: cp, ldc: n)
                            }
                            Threading.withThreadCount(threads) {
                                if nested {
                                    // One item of a parallel loop: `sgemm` runs its blocks serially there.
                                    Threading.parallelFor(2, grain: 1) { r in if r.contains(0) { call() } }
                                } else {
                                    call()
                                }
                            }
                        }
                    }
                }
                return c
            }
            let one = product(threads: 1)
            let worst = zip(one, reference(a, b, m: m, n: n, k: k, transA: transA, transB: transB)).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "\(m)×\(n)×\(k) transA \(transA) transB \(transB): worst error \(worst)")
            for other in [product(threads: 2), product(threads: 3), product(threads: 2, nested: true)] {
                let differing = zip(one, other).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "\(m)×\(n)×\(k): \(differing) of \(m * n) elements differ from one thread's")
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
