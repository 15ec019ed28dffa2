@testable import FocalCore
import Foundation
import Testing

/// Mean and (population) variance of some scalars, in Double.
private func moments(_ values: [Float]) -> (mean: Double, variance: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance)
}

/// Glorot and He initialisers and the fan computation.
@Suite("Initializers")
struct InitializerTests {
    @Test func fansOfWeightLayouts() {
        #expect(Fans(weightShape: [10, 4], layout: .linear) == Fans(fanIn: 4, fanOut: 10))
        #expect(Fans(weightShape: [16, 8, 3, 3], layout: .convolution) == Fans(fanIn: 72, fanOut: 144))
        // Transposed [Cin, Cout, kh, kw]: fanIn from Cout (as Keras and PyTorch do).
        #expect(Fans(weightShape: [16, 8, 2, 2], layout: .transposedConvolution) == Fans(fanIn: 32, fanOut: 64))
        // Any number of spatial dimensions.
        #expect(Fans(weightShape: [4, 2, 3, 3, 3], layout: .convolution) == Fans(fanIn: 54, fanOut: 108))
        #expect(Fans(weightShape: [1, 8, 1, 1], layout: .convolution) == Fans(fanIn: 8, fanOut: 1))
        #expect(Fans(fanIn: 3, fanOut: 5).description == "fanIn 3, fanOut 5")
    }

    @Test func glorotUniformBoundsAndVariance() {
        var g = RandomGenerator(seed: 1)
        let (fanIn, fanOut) = (8 * 9, 16 * 9)
        let w = Tensor(glorotUniform: [16, 8, 3, 3], fanIn: fanIn, fanOut: fanOut, generator: &g)
        #expect(w.shape == [16, 8, 3, 3])
        let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        let values = w.scalars
        #expect(values.allSatisfy { $0 >= -limit && $0 < limit })
        // The range is actually used: extremes near both limits.
        #expect(values.min()! < -0.99 * limit && values.max()! > 0.99 * limit)
        let big = Tensor(glorotUniform: [200_000], fanIn: fanIn, fanOut: fanOut, generator: &g).scalars
        let m = moments(big)
        let expectedVariance = 2.0 / Double(fanIn + fanOut)
        #expect(abs(m.mean) < 0.01 * Double(limit))
        #expect(abs(m.variance / expectedVariance - 1) < 0.02)
        // The layout convenience computes the same fans.
        var g1 = RandomGenerator(seed: 7), g2 = RandomGenerator(seed: 7)
        let a = Tensor(glorotUniform: [16, 8, 3, 3], layout: .convolution, generator: &g1)
        let b = Tensor(glorotUniform: [16, 8, 3, 3], fanIn: 72, fanOut: 144, generator: &g2)
        #expect(a.scalars == b.scalars)
    }

    @Test func heNormalVarianceAndTruncation() {
        var g = RandomGenerator(seed: 2)
        let fanIn = 50
        let values = Tensor(heNormal: [200_000], fanIn: fanIn, generator: &g).scalars
        let m = moments(values)
        let expectedVariance = 2.0 / Double(fanIn)
        #expect(abs(m.mean) < 0.01 * expectedVariance.squareRoot())
        #expect(abs(m.variance / expectedVariance - 1) < 0.02)
        // Truncated at two standard deviations of the underlying normal.
        let cut = Float(2 * expectedVariance.squareRoot() / 0.87962566103423978)
        #expect(values.allSatisfy { abs($0) <= cut })
        #expect(values.map(abs).max()! > 0.99 * cut)
    }

    @Test func heUniformBoundsAndVariance() {
        var g = RandomGenerator(seed: 3)
        let fanIn = 27
        let values = Tensor(heUniform: [200_000], fanIn: fanIn, generator: &g).scalars
        let limit = Float((6.0 / Double(fanIn)).squareRoot())
        #expect(values.allSatisfy { $0 >= -limit && $0 < limit })
        let m = moments(values)
        #expect(abs(m.variance / (2.0 / Double(fanIn)) - 1) < 0.02)
    }

    @Test func initialisersAreReproducibleAndAdvanceTheGenerator() {
        var g1 = RandomGenerator(seed: 11), g2 = RandomGenerator(seed: 11)
        let a = Tensor(heNormal: [4, 3], fanIn: 3, generator: &g1)
        let b = Tensor(heNormal: [4, 3], fanIn: 3, generator: &g2)
        #expect(a.scalars == b.scalars)
        #expect(g1 == g2)
        let c = Tensor(heNormal: [4, 3], fanIn: 3, generator: &g1)
        #expect(c.scalars != a.scalars)
        let d = Tensor(heUniform: [4, 3], fanIn: 3, generator: &g2)
        let e = Tensor(glorotUniform: [4, 3], fanIn: 3, fanOut: 4, generator: &g2)
        #expect(d.scalars != e.scalars)
    }
}
