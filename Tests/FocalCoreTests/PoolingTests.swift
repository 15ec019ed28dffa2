import FocalCore
import FocalTestSupport
import Testing

/// A `[n, c, h, w]` tensor holding a random permutation of `0.1·(0..<count)` (shifted): no
/// two entries are closer than 0.1, so finite differences of ±1e-2 never change a window's
/// maximum (no ties).
private func distinctValues(_ shape: [Int], seed: UInt64) -> Tensor {
    var gen = RandomGenerator(seed: seed)
    let count = shape.reduce(1, *)
    var values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }
    values.shuffle(using: &gen)
    return Tensor(shape: shape, scalars: values)
}

@Suite struct PoolingTests {
    @Test func maxPool2dMatchesGoldenValues() {
        let cases = CoreOpsGolden.cases("maxPool2d")
        #expect(cases.count == 2)
        for c in cases {
            let y = maxPool2d(c.input("x")!, kernel: c.int("kernel"), stride: c.int("stride"))
            CoreOpsGolden.expectMatch(y, c.output("y"), c.description, rtol: 0, atol: 0)
        }
    }

    @Test func upsampleNearest2dMatchesGoldenValues() {
        let cases = CoreOpsGolden.cases("upsampleNearest2d")
        #expect(cases.count == 2)
        for c in cases {
            CoreOpsGolden.expectMatch(upsampleNearest2d(c.input("x")!, scale: c.int("scale")), c.output("y"), c.description,
                                      rtol: 0, atol: 0)
        }
    }

    @Test func globalAveragePool2dMatchesGoldenValues() {
        let cases = CoreOpsGolden.cases("globalAveragePool2d")
        #expect(cases.count == 1)
        for c in cases { CoreOpsGolden.expectMatch(globalAveragePool2d(c.input("x")!), c.output("y"), c.description) }
    }

    /// Floor output sizes; the default stride is the kernel.
    @Test func maxPoolOutputSizes() {
        #expect(maxPool2d(Tensor(zeros: [2, 3, 5, 7])).shape == [2, 3, 2, 3])
        #expect(maxPool2d(Tensor(zeros: [1, 1, 7, 7]), kernel: 3, stride: 2).shape == [1, 1, 3, 3])
        #expect(maxPool2d(Tensor(zeros: [1, 1, 4, 4]), kernel: 3, stride: 1).shape == [1, 1, 2, 2])
        #expect(maxPool2d(Tensor(zeros: [1, 1, 2, 2])).shape == [1, 1, 1, 1])
    }

    /// The gradient goes to the window maximum only; on ties, to the first in row-major order.
    @Test func maxPoolGradientRoutesToTheMaximum() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 7, 7,
                                                       3, 2, 0, 7]).requiringGradient()
        let y = maxPool2d(x)
        #expect(y.scalars == [5, 7])
        y.backward(seed: Tensor(shape: [1, 1, 1, 2], scalars: [10, 20]))
        #expect(x.grad!.scalars == [0, 10, 20, 0,
                                    0, 0, 0, 0])
        // Overlapping windows (stride < kernel) add their gradients on a shared maximum.
        let z = Tensor(shape: [1, 1, 3, 3], scalars: [0, 1, 0, 2, 9, 3, 0, 1, 0]).requiringGradient()
        maxPool2d(z, kernel: 2, stride: 1).sum().backward()
        #expect(z.grad!.scalars == [0, 0, 0, 0, 4, 0, 0, 0, 0])
    }

    /// The vectorised 2×2 / stride 2 path (eight outputs at a time) follows the same rules as
    /// a direct loop: first maximum in row-major order on ties, NaN wins; odd sizes floor.
    @Test(arguments: [2, 3])
    func maxPoolMatchesADirectLoop(_ kernel: Int) {
        var gen = RandomGenerator(seed: 33)
        let (n, c, h, w) = (2, 3, 7, 37)
        var values = (0..<(n * c * h * w)).map { _ in Float(Int(gen.nextUniform(0, 4))) }   // many ties
        for i in stride(from: 5, to: values.count, by: 97) { values[i] = .nan }
        let x = Tensor(shape: [n, c, h, w], scalars: values).requiringGradient()
        let y = maxPool2d(x, kernel: kernel)
        let (oh, ow) = ((h - kernel) / kernel + 1, (w - kernel) / kernel + 1)
        #expect(y.shape == [n, c, oh, ow])
        var expected = [Float](), hits = [Float](repeating: 0, count: values.count)
        for q in 0..<(n * c) { for oy in 0..<oh { for ox in 0..<ow {
            var best = Float.nan, at = -1
            for ky in 0..<kernel { for kx in 0..<kernel {
                let i = (q * h + oy * kernel + ky) * w + ox * kernel + kx
                if at < 0 || values[i] > best || (values[i].isNaN && !best.isNaN) { best = values[i]; at = i }
            } }
            expected.append(best)
            hits[at] += 1
        } } }
        let got = y.scalars
        #expect(zip(got, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        y.sum().backward()
        let grad = x.grad!.scalars
        #expect(zip(grad, hits).allSatisfy { $0 == $1 || ($0.isNaN && $1 > 0) })
    }

    @Test func maxPoolPropagatesNaN() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, .nan, 3, 2])
        #expect(maxPool2d(x).item().isNaN)
    }

    @Test(arguments: [(2, 2), (3, 2), (2, 1), (3, 3)])
    func maxPoolGradientsMatchFiniteDifferences(_ cfg: (Int, Int)) {
        let (kernel, stride) = cfg
        let x = distinctValues([2, 3, 7, 6], seed: UInt64(kernel * 10 + stride))
        let report = gradCheck([x], rtol: 1e-2, atol: 1e-3, maxEntries: 252) { maxPool2d($0[0], kernel: kernel, stride: stride) }
        #expect(report.passed, "\(report)")
    }

    @Test func upsampleNearestCopiesEachPixelIntoAScaleByScaleBlock() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        #expect(upsampleNearest2d(x).scalars == [1, 1, 2, 2,
                                                 1, 1, 2, 2,
                                                 3, 3, 4, 4,
                                                 3, 3, 4, 4])
        #expect(upsampleNearest2d(x, scale: 1).scalars == x.scalars)
    }

    @Test(arguments: [2, 3])
    func upsampleGradientsMatchFiniteDifferences(_ scale: Int) {
        var gen = RandomGenerator(seed: 31)
        let x = Tensor(randomNormal: [2, 3, 3, 4], generator: &gen)
        let report = gradCheck([x], rtol: 1e-2, atol: 1e-3) { upsampleNearest2d($0[0], scale: scale) }
        #expect(report.passed, "\(report)")
        // Each input gradient is the sum of its scale² copies.
        let (_, g) = valueWithGradient(at: x) { upsampleNearest2d($0, scale: scale).sum() }
        #expect(g.scalars.allSatisfy { $0 == Float(scale * scale) })
    }

    @Test func globalAveragePoolGradientsMatchFiniteDifferences() {
        var gen = RandomGenerator(seed: 32)
        let x = Tensor(randomNormal: [2, 3, 4, 5], generator: &gen)
        let y = globalAveragePool2d(x)
        #expect(y.shape == [2, 3, 1, 1])
        let report = gradCheck([x], rtol: 1e-2, atol: 1e-4) { globalAveragePool2d($0[0]) }
        #expect(report.passed, "\(report)")
    }
}
