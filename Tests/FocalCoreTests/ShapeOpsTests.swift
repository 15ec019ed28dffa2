import FocalCore
import FocalTestSupport
import Testing

/// An axes/keepDims combination for the reductions.
struct ReductionCase: CustomTestStringConvertible, Sendable {
    let axes: [Int]?
    let keepDims: Bool
    let shape: [Int]
    var testDescription: String { "axes \(axes.map { "\($0)" } ?? "all") keepDims \(keepDims) → \(Shape.describe(shape))" }
}

/// Forward values and finite-difference gradients of reductions, views, concat and matmul.
@Suite("Shape ops and reductions")
struct ShapeOpsTests {
    // Input of shape [2, 3, 4] holding 0…23.
    let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))

    // MARK: Reductions

    static let reductionCases: [ReductionCase] = [
        ReductionCase(axes: nil, keepDims: false, shape: []),
        ReductionCase(axes: nil, keepDims: true, shape: [1, 1, 1]),
        ReductionCase(axes: [0], keepDims: false, shape: [3, 4]),
        ReductionCase(axes: [1], keepDims: true, shape: [2, 1, 4]),
        ReductionCase(axes: [2], keepDims: false, shape: [2, 3]),
        ReductionCase(axes: [-1], keepDims: true, shape: [2, 3, 1]),
        ReductionCase(axes: [0, 2], keepDims: false, shape: [3]),
        ReductionCase(axes: [0, 2], keepDims: true, shape: [1, 3, 1]),
        ReductionCase(axes: [1, 2], keepDims: false, shape: [2]),
        ReductionCase(axes: [0, 1], keepDims: true, shape: [1, 1, 4]),
    ]

    /// Sum of `x` over `axes` by brute force.
    static func referenceSum(_ x: Tensor, axes: [Int]?) -> [Double] {
        let shape = x.shape
        let reduced = Set((axes ?? Array(0..<shape.count)).map { $0 < 0 ? $0 + shape.count : $0 })
        var kept = shape
        for a in reduced { kept[a] = 1 }
        let keptStrides = Shape.contiguousStrides(kept)
        var out = [Double](repeating: 0, count: Shape.count(kept))
        let values = x.scalars
        for i in 0..<values.count {
            var rem = i, o = 0
            for d in stride(from: shape.count - 1, through: 0, by: -1) {
                let idx = rem % shape[d]
                rem /= shape[d]
                if !reduced.contains(d) { o += idx * keptStrides[d] }
            }
            out[o] += Double(values[i])
        }
        return out
    }

    @Test(arguments: reductionCases)
    func sumAndMeanForward(_ c: ReductionCase) {
        let s = x.sum(axes: c.axes, keepDims: c.keepDims)
        #expect(s.shape == c.shape)
        let expected = Self.referenceSum(x, axes: c.axes)
        #expect(s.scalars == expected.map { Float($0) })
        let m = x.mean(axes: c.axes, keepDims: c.keepDims)
        let n = Double(x.count / Shape.count(c.shape))
        #expect(m.shape == c.shape)
        #expect(allClose(m.scalars, expected.map { Float($0 / n) }))
    }

    @Test(arguments: reductionCases)
    func sumAndMeanGradients(_ c: ReductionCase) {
        let input = randomTensor([2, 3, 4], seed: 61)
        let s = gradCheck([input]) { $0[0].sum(axes: c.axes, keepDims: c.keepDims) }
        #expect(s.passed, "sum \(c.testDescription): \(s)")
        let m = gradCheck([input]) { $0[0].mean(axes: c.axes, keepDims: c.keepDims) }
        #expect(m.passed, "mean \(c.testDescription): \(m)")
    }

    @Test("sums over leading and middle axes of large tensors equal the input-order reference, bit for bit",
          arguments: [[1], [0, 1], [0, 2], [1, 2], [0]])
    func largeReductionsWithKeptTrailingAxes(_ axes: [Int]) {
        var g = RandomGenerator(seed: 65)
        // The trailing kept block (2100 or 700 elements) spans several column blocks.
        let x = Tensor(randomNormal: [2, 5, 3, 700], mean: 0.3, std: 2, generator: &g)
        let s = x.sum(axes: axes, keepDims: true)
        #expect(s.scalars.map(\.bitPattern) == Self.referenceSum(x, axes: axes).map { Float($0).bitPattern })
    }

    @Test func reductionOfAStridedView() {
        let p = x.permuted([2, 0, 1])  // [4, 2, 3]
        #expect(p.sum(axes: [0]).scalars == Self.referenceSum(p, axes: [0]).map { Float($0) })
        #expect(p.sum(axes: [1, 2]).scalars == [60, 66, 72, 78])
        let report = gradCheck([randomTensor([2, 3, 4], seed: 62)]) { $0[0].permuted([2, 0, 1]).sum(axes: [2]) }
        #expect(report.passed, "\(report)")
    }

    // MARK: Views

    @Test func reshapeForwardAndGradient() {
        let r = x.reshaped([4, -1])
        #expect(r.shape == [4, 6])
        #expect(r.scalars == x.scalars)
        #expect(x.reshaped([-1]).shape == [24])
        // Reshaping a non-contiguous view copies it in row-major order of the view.
        let t = x.permuted([1, 0, 2]).reshaped([3, 8])
        #expect(t.scalars[0..<8] == [0, 1, 2, 3, 12, 13, 14, 15])
        let input = randomTensor([2, 3, 4], seed: 63)
        let a = gradCheck([input]) { $0[0].reshaped([6, 4]) * Tensor(shape: [4], scalars: [1, 2, 3, 4]) }
        #expect(a.passed, "\(a)")
        let b = gradCheck([input]) { $0[0].permuted([2, 1, 0]).reshaped([4, 6]) }
        #expect(b.passed, "\(b)")
    }

    @Test func permuteForwardAndGradient() {
        let p = x.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        for i in 0..<4 { for j in 0..<2 { for k in 0..<3 { #expect(p[i, j, k] == x[j, k, i]) } } }
        let input = randomTensor([2, 3, 4], seed: 64)
        for order in [[2, 0, 1], [1, 2, 0], [0, 2, 1], [2, 1, 0]] {
            let report = gradCheck([input]) { $0[0].permuted(order).exp() }
            #expect(report.passed, "\(order): \(report)")
        }
    }

    @Test func sliceForwardAndGradient() {
        #expect(x.slice(axis: 0, 1..<2).scalars == (12..<24).map(Float.init))
        #expect(x.slice(axis: -1, 1..<3).slice(axis: 1, 2..<3).scalars == [9, 10, 21, 22])
        #expect(x.slice(axis: 1, 1..<1).count == 0)
        let input = randomTensor([2, 3, 4], seed: 65)
        for (axis, range) in [(0, 1..<2), (1, 0..<2), (2, 1..<4), (-1, 2..<3)] {
            let report = gradCheck([input]) { $0[0].slice(axis: axis, range).tanh() }
            #expect(report.passed, "axis \(axis) \(range): \(report)")
        }
        // Slicing a strided view.
        let report = gradCheck([input]) { $0[0].permuted([2, 0, 1]).slice(axis: 0, 1..<3) }
        #expect(report.passed, "\(report)")
        // The gradient outside the slice is exactly zero.
        let (_, g) = valueWithGradient(at: input) { $0.slice(axis: 1, 1..<2).sum() }
        #expect(g.scalars == (0..<24).map { Float(($0 / 4) % 3 == 1 ? 1 : 0) })
    }

    @Test func expandForwardAndGradient() {
        let v = Tensor(shape: [3, 1], scalars: [1, 2, 3])
        let e = v.expanded(to: [2, 3, 2])
        #expect(e.shape == [2, 3, 2])
        #expect(e.scalars == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
        // Each scalar was used four times.
        let (_, g) = valueWithGradient(at: v) { $0.expanded(to: [2, 3, 2]).sum() }
        #expect(g.scalars == [4, 4, 4])
        let input = randomTensor([3, 1], seed: 66)
        let report = gradCheck([input]) { $0[0].expanded(to: [2, 3, 5]) }
        #expect(report.passed, "\(report)")
        let channel = randomTensor([3, 1, 1], seed: 67)
        let r2 = gradCheck([channel]) { $0[0].expanded(to: [2, 3, 2, 2]) }
        #expect(r2.passed, "\(r2)")
    }

    @Test("large concatenations (parallel piecewise copies) place every element, and their gradients slice back")
    func largeConcat() {
        var g = RandomGenerator(seed: 66)
        let a = Tensor(randomNormal: [2, 2, 200, 300], generator: &g).requiringGradient()
        let b = Tensor(randomNormal: [2, 3, 200, 300], generator: &g).requiringGradient()
        let c = Tensor.concat([a, b], axis: 1)
        #expect(c.shape == [2, 5, 200, 300])
        let (av, bv, cv) = (a.scalars, b.scalars, c.scalars)
        let plane = 200 * 300
        var expected: [Float] = []
        for n in 0..<2 {
            expected += av[(n * 2 * plane)..<((n + 1) * 2 * plane)]
            expected += bv[(n * 3 * plane)..<((n + 1) * 3 * plane)]
        }
        #expect(cv == expected)
        let seed = Tensor(randomNormal: c.shape, generator: &g)
        c.backward(seed: seed)
        let sv = seed.scalars
        var ga: [Float] = [], gb: [Float] = []
        for n in 0..<2 {
            ga += sv[(n * 5 * plane)..<((n * 5 + 2) * plane)]
            gb += sv[((n * 5 + 2) * plane)..<((n + 1) * 5 * plane)]
        }
        #expect(a.grad?.scalars == ga)
        #expect(b.grad?.scalars == gb)
    }

    @Test("concatenated channels of one image: each part's gradient is its run of the output gradient, also when a part's gradient accumulates")
    func concatGradientOfOneImage() {
        var g = RandomGenerator(seed: 75)
        let a = Tensor(randomNormal: [1, 2, 5, 7], generator: &g).requiringGradient()
        let b = Tensor(randomNormal: [1, 3, 5, 7], generator: &g).requiringGradient()
        let c = Tensor(randomNormal: [1, 1, 5, 7], generator: &g).requiringGradient()
        let seed = Tensor(randomNormal: [1, 6, 5, 7], generator: &g)
        let k = Tensor(randomNormal: [1, 2, 5, 7], generator: &g)
        // a is used twice, so its gradient is the sum of its run and k.
        let y = (Tensor.concat([a, b, c], axis: 1) * seed).sum() + (a * k).sum()
        y.backward()
        let sv = seed.scalars, plane = 35
        #expect(a.grad?.shape == [1, 2, 5, 7] && b.grad?.shape == [1, 3, 5, 7] && c.grad?.shape == [1, 1, 5, 7])
        #expect(a.grad?.scalars == zip(sv[0..<(2 * plane)], k.scalars).map { $0 + $1 })
        #expect(b.grad?.scalars == Array(sv[(2 * plane)..<(5 * plane)]))
        #expect(c.grad?.scalars == Array(sv[(5 * plane)..<(6 * plane)]))
        let r = gradCheck([randomTensor([1, 2, 3, 3], seed: 76), randomTensor([1, 1, 3, 3], seed: 77)]) {
            (Tensor.concat($0, axis: 1) * Tensor.concat($0, axis: 1)).sum()
        }
        #expect(r.passed, "\(r)")
    }

    @Test func concatForwardAndGradient() {
        let a = Tensor(shape: [2, 1], scalars: [1, 2])
        let b = Tensor(shape: [2, 2], scalars: [3, 4, 5, 6])
        #expect(Tensor.concat([a, b], axis: 1).scalars == [1, 3, 4, 2, 5, 6])
        #expect(Tensor.concat([b, b], axis: 0).shape == [4, 2])
        #expect(Tensor.concat([b, b], axis: 0).scalars == [3, 4, 5, 6, 3, 4, 5, 6])
        let p0 = randomTensor([2, 1, 3], seed: 68), p1 = randomTensor([2, 2, 3], seed: 69), p2 = randomTensor([2, 3, 3], seed: 70)
        let r1 = gradCheck([p0, p1, p2]) { Tensor.concat($0, axis: 1) }
        #expect(r1.passed, "axis 1: \(r1)")
        let q0 = randomTensor([1, 2, 3], seed: 71), q1 = randomTensor([2, 2, 3], seed: 72)
        let r0 = gradCheck([q0, q1]) { Tensor.concat($0, axis: 0).sigmoid() }
        #expect(r0.passed, "axis 0: \(r0)")
        let s0 = randomTensor([2, 2, 1], seed: 73), s1 = randomTensor([2, 2, 4], seed: 74)
        let r2 = gradCheck([s0, s1]) { Tensor.concat([$0[0], $0[1]], axis: -1) }
        #expect(r2.passed, "axis -1: \(r2)")
        // A constant part receives no gradient; the other part still does.
        let (_, g) = valueWithGradient(at: s1) { Tensor.concat([s0, $0], axis: 2).sum() }
        #expect(g.scalars == [Float](repeating: 1, count: 16))
    }

    @Test func matmulForwardAndGradient() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        #expect(a.matmul(b).scalars == [58, 64, 139, 154])
        // A transposed (strided) operand.
        #expect(b.permuted([1, 0]).matmul(a.permuted([1, 0])).scalars == [58, 139, 64, 154])
        let m = randomTensor([3, 4], seed: 75), n = randomTensor([4, 5], seed: 76)
        let report = gradCheck([m, n]) { $0[0].matmul($0[1]) }
        #expect(report.passed, "\(report)")
        let rt = gradCheck([m, n]) { $0[1].permuted([1, 0]).matmul($0[0].permuted([1, 0])) }
        #expect(rt.passed, "transposed: \(rt)")
        // By hand: d/dA Σ A·B = 1·Bᵀ, d/dB = Aᵀ·1.
        let (_, grads) = valueWithGradient(at: [a, b]) { $0[0].matmul($0[1]).sum() }
        #expect(grads[0].scalars == [15, 19, 23, 15, 19, 23])
        #expect(grads[1].scalars == [5, 5, 7, 7, 9, 9])
    }
}
