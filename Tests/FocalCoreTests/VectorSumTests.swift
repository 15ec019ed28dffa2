import CFocalKernels
import Testing
@testable import FocalCore

/// The C sum kernels behind normalisation statistics and bias gradients: agreement with a
/// Double reference for every length class (whole blocks, vectors, scalar tail), the fused
/// ReLU read (NaN kept, −0 and negatives dropped), and independence from memory alignment.
@Suite struct VectorSumTests {
    private static func values(_ n: Int, seed: UInt64) -> [Float] {
        var gen = RandomGenerator(seed: seed)
        return Tensor(randomNormal: [max(n, 1)], generator: &gen).scalars.prefix(n).map { $0 * 3 + 0.5 }
    }

    private static func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-12) }

    @Test(arguments: [0, 1, 7, 8, 9, 255, 256, 257, 263, 4096 + 13, 65_536])
    func sumsAgreeWithADoubleReference(count: Int) {
        let x = Self.values(count, seed: 1), g = Self.values(count, seed: 2)
        for rectify in [false, true] {
            let read = x.map { rectify ? max($0, 0) : $0 }
            let sum = read.reduce(0.0) { $0 + Double($1) }
            let mean = count > 0 ? Float(sum / Double(count)) : 0
            let squares = read.reduce(0.0) { $0 + Double($1 - mean) * Double($1 - mean) }
            let invStd: Float = 0.7
            var refG = 0.0, refGX = 0.0
            for i in 0..<count {
                refG += Double(g[i])
                refGX += Double(g[i]) * Double((read[i] - mean) * invStd)
            }
            let flag: Int32 = rectify ? 1 : 0
            #expect(Self.relativeError(focal_sum(x, count, flag), sum) < 1e-6, "sum, n = \(count), rectify \(rectify)")
            #expect(Self.relativeError(focal_centred_squares(x, count, mean, flag), squares) < 1e-6)
            var sg = 0.0, sgx = 0.0
            focal_gradient_sums(g, x, count, mean, invStd, flag, &sg, &sgx)
            #expect(Self.relativeError(sg, refG) < 1e-5 || abs(sg - refG) < 1e-4)
            #expect(Self.relativeError(sgx, refGX) < 1e-5 || abs(sgx - refGX) < 1e-4)
        }
    }

    @Test func rectifiedReadKeepsNaNAndDropsNegatives() {
        // 300 scalars: one whole block, vectors and a tail; the NaN sits in each part in turn.
        for position in [3, 260, 297] {
            var x = [Float](repeating: -2, count: 300)
            for i in stride(from: 0, to: 300, by: 2) { x[i] = 1 }
            x[1] = -0.0
            #expect(focal_sum(x, 300, 1) == 150, "negatives and −0 read as 0")
            #expect(focal_sum(x, 300, 0) == 150 - 2 * 149)
            x[position] = .nan
            #expect(focal_sum(x, 300, 1).isNaN, "NaN at \(position) kept by the rectified read")
            #expect(focal_centred_squares(x, 300, 0.5, 1).isNaN)
        }
    }

    @Test func resultDoesNotDependOnAlignment() {
        let x = Self.values(1000, seed: 3)
        let reference = focal_sum(x, 999, 0)
        for offset in 1..<8 {
            let shifted = [Float](repeating: 0, count: offset) + x
            shifted.withUnsafeBufferPointer { p in
                #expect(focal_sum(p.baseAddress! + offset, 999, 0) == reference)
            }
        }
    }
}
