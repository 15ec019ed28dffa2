import FocalCore
import FocalTestSupport
import Foundation
import Testing

/// Seeded random tensor for the tests.
func randomTensor(_ shape: [Int], low: Float = -1, high: Float = 1, seed: UInt64) -> Tensor {
    var g = RandomGenerator(seed: seed)
    return Tensor(randomUniform: shape, low: low, high: high, generator: &g)
}

/// Seeded random tensor with every scalar at least `margin` away from each of `points`
/// (finite differences must not straddle a kink).
func randomTensor(_ shape: [Int], low: Float, high: Float, awayFrom points: [Float], margin: Float, seed: UInt64) -> Tensor {
    var g = RandomGenerator(seed: seed)
    return Tensor(shape: shape) { buf in
        for i in 0..<buf.count {
            var v: Float
            repeat { v = g.nextUniform(low, high) } while points.contains { abs(v - $0) < margin }
            buf[i] = v
        }
    }
}

/// A broadcasting pattern for the binary operators.
struct BroadcastCase: CustomTestStringConvertible, Sendable {
    let a: [Int]
    let b: [Int]
    let result: [Int]
    var testDescription: String { "\(Shape.describe(a)) ∘ \(Shape.describe(b))" }
}

let broadcastCases: [BroadcastCase] = [
    BroadcastCase(a: [2, 3], b: [2, 3], result: [2, 3]),
    BroadcastCase(a: [2, 3], b: [3], result: [2, 3]),
    BroadcastCase(a: [3], b: [2, 3], result: [2, 3]),
    BroadcastCase(a: [2, 1], b: [1, 3], result: [2, 3]),
    BroadcastCase(a: [], b: [2, 3], result: [2, 3]),
    BroadcastCase(a: [2, 3], b: [], result: [2, 3]),
    BroadcastCase(a: [2, 3, 2, 2], b: [3, 1, 1], result: [2, 3, 2, 2]),
    BroadcastCase(a: [3, 1, 1], b: [2, 3, 2, 2], result: [2, 3, 2, 2]),
    BroadcastCase(a: [2, 1, 4], b: [3, 1], result: [2, 3, 4]),
    BroadcastCase(a: [3], b: [1, 1], result: [1, 3]),
    BroadcastCase(a: [1, 1], b: [4], result: [1, 4]),
    BroadcastCase(a: [1], b: [], result: [1]),
    // Axis merging in the kernel: per-channel, per-pixel and mixed unit axes.
    BroadcastCase(a: [2, 3, 5, 7], b: [2, 3, 1, 1], result: [2, 3, 5, 7]),
    BroadcastCase(a: [2, 1, 5, 7], b: [2, 3, 5, 7], result: [2, 3, 5, 7]),
    BroadcastCase(a: [1, 3, 1, 7], b: [2, 1, 5, 1], result: [2, 3, 5, 7]),
    BroadcastCase(a: [2, 3, 1, 7], b: [3, 5, 1], result: [2, 3, 5, 7]),
]

/// Forward values and finite-difference gradients of the elementwise operations.
@Suite("Elementwise ops")
struct ElementwiseOpsTests {
    // MARK: Forward values

    @Test func arithmeticForwardValues() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = Tensor(shape: [3], scalars: [10, 20, 30])
        let col = Tensor(shape: [2, 1], scalars: [2, 4])
        #expect((a + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a - row).scalars == [-9, -18, -27, -6, -15, -24])
        #expect((row - a).scalars == [9, 18, 27, 6, 15, 24])
        #expect((a * col).scalars == [2, 4, 6, 16, 20, 24])
        #expect((a / col).scalars == [0.5, 1, 1.5, 1, 1.25, 1.5])
        #expect((col / a).scalars == [2, 1, Float(2) / 3, 1, 0.8, Float(4) / 6])
        #expect((-a).scalars == [-1, -2, -3, -4, -5, -6])
        #expect((a + 1).scalars == [2, 3, 4, 5, 6, 7])
        #expect((1 + a).scalars == [2, 3, 4, 5, 6, 7])
        #expect((a - 1).scalars == [0, 1, 2, 3, 4, 5])
        #expect((1 - a).scalars == [0, -1, -2, -3, -4, -5])
        #expect((a * 2).scalars == [2, 4, 6, 8, 10, 12])
        #expect((2 * a).scalars == [2, 4, 6, 8, 10, 12])
        #expect((a / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect((6 / a).scalars == [6, 3, 2, 1.5, 1.2, 1])
        #expect(a.squared().scalars == [1, 4, 9, 16, 25, 36])
        let nchw = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4])
        let perChannel = Tensor(shape: [2, 1, 1], scalars: [10, 100])
        let y = nchw * perChannel
        #expect(y.shape == [1, 2, 1, 2])
        #expect(y.scalars == [10, 20, 300, 400])
    }

    @Test(arguments: broadcastCases)
    func broadcastShapes(_ c: BroadcastCase) {
        let a = randomTensor(c.a, seed: 1), b = randomTensor(c.b, low: 0.5, high: 2, seed: 2)
        for y in [a + b, a - b, a * b, a / b] { #expect(y.shape == c.result) }
        // Every output scalar equals the operation on the broadcast operands.
        let ea = a.expanded(to: c.result).scalars, eb = b.expanded(to: c.result).scalars
        #expect((a * b).scalars == zip(ea, eb).map { $0 * $1 })
        #expect((a - b).scalars == zip(ea, eb).map { $0 - $1 })
    }

    @Test("vectorised ReLU: 16-lane body and scalar tail agree with max(x, 0); NaN propagates; gradient passes where y > 0")
    func reluKernel() {
        for count in [1, 15, 16, 37, 70_001] {  // tails, one vector, and a parallel split
            var g = RandomGenerator(seed: UInt64(count))
            var values = (0..<count).map { _ in g.nextUniform(-1, 1) }
            values[0] = 0
            if count > 5 { values[5] = .nan; values[3] = -0.0 }
            let x = Tensor(shape: [count], scalars: values)
            let y = Kernels.relu(x)
            for (i, (v, r)) in zip(values, y.scalars).enumerated() {
                if v.isNaN { #expect(r.isNaN, "element \(i)") } else { #expect(r == max(v, 0), "element \(i): relu(\(v)) = \(r)") }
            }
            let upstream = Tensor(shape: [count], scalars: (0..<count).map { Float($0 % 7) - 3 })
            let back = Kernels.reluBackward(upstream, output: y)
            let expected = zip(upstream.scalars, y.scalars).map { $1 > 0 ? $0 : 0 }
            #expect(back.scalars == expected)
        }
    }

    @Test("a product's gradient for its broadcast operand (fused sum of products) has the bits of summing the stored products",
          arguments: [([1, 32, 17, 19], [1, 32, 1, 1]), ([2, 5, 16, 16], [2, 5, 1, 1]), ([2, 5, 16, 16], [1, 5, 1, 1]),
                      ([1, 6, 17, 19], [1, 1, 17, 19]), ([2, 6, 9, 9], [1, 1, 9, 9]), ([3, 300], [300]), ([3, 300], [3, 1]),
                      ([1, 1, 40, 40], [1, 1, 1, 1]), ([4, 7], [1])])
    func productGradientOfBroadcastOperand(full: [Int], broadcast: [Int]) {
        var gen = RandomGenerator(seed: 78)
        let x = Tensor(randomNormal: full, generator: &gen), upstream = Tensor(randomNormal: full, generator: &gen)
        let fused = Kernels.sumOfProductsToShape(upstream, x, broadcast)
        let stored = Kernels.sumToShape(Kernels.mul(upstream, x), broadcast)
        #expect(fused.shape == broadcast && fused.scalars == stored.scalars)
        let s = Tensor(randomNormal: broadcast, generator: &gen)
        let (_, grads) = valueWithGradient(at: [x, s]) { (($0[0] * $0[1]) * upstream).sum() }
        #expect(grads[1].scalars == stored.scalars)
    }

    @Test("broadcasting non-contiguous operands (permuted and sliced views) equals broadcasting their copies")
    func broadcastNonContiguous() {
        let a = randomTensor([3, 2, 5, 4], seed: 7).permuted([1, 0, 2, 3])       // [2, 3, 5, 4], strided
        let b = randomTensor([2, 3, 6, 1], low: 0.5, high: 2, seed: 8).slice(axis: 2, 1..<6)  // [2, 3, 5, 1]
        #expect(!a.isContiguous && !b.isContiguous)
        let (ac, bc) = (a.contiguous(), b.contiguous())
        for (y, z) in [(a + b, ac + bc), (a - b, ac - bc), (a * b, ac * bc), (a / b, ac / bc), (b * a, bc * ac)] {
            #expect(y.shape == [2, 3, 5, 4] && y.scalars == z.scalars)
        }
    }

    @Test func unaryForwardValues() {
        let x = Tensor(shape: [4], scalars: [-2, -0.5, 0.5, 2])
        #expect(allClose(x.exp().scalars, [exp(-2), exp(-0.5), exp(0.5), exp(2)]))
        #expect(allClose(x.relu().scalars, [0, 0, 0.5, 2]))
        #expect(allClose(x.sigmoid().scalars, [0.11920292, 0.37754067, 0.62245933, 0.88079708]))
        #expect(allClose(x.tanh().scalars, [-0.96402758, -0.46211716, 0.46211716, 0.96402758]))
        #expect(allClose(x.clamped(min: -1, max: 1).scalars, [-1, -0.5, 0.5, 1]))
        let p = Tensor(shape: [3], scalars: [0.25, 1, 4])
        #expect(allClose(p.log().scalars, [-1.3862944, 0, 1.3862944]))
        #expect(allClose(p.sqrt().scalars, [0.5, 1, 2]))
        #expect(allClose(p.pow(1.5).scalars, [0.125, 1, 8]))
        #expect(allClose(p.pow(-1).scalars, [4, 1, 0.25]))
        #expect(allClose(p.pow(Tensor(shape: [1, 1], scalars: [2])).scalars, [0.0625, 1, 16]))
        // Sigmoid is finite and saturates correctly far from 0.
        let far = Tensor(shape: [2], scalars: [-200, 200]).sigmoid().scalars
        #expect(far[0] >= 0 && far[0] < 1e-30 && far[1] == 1)
    }

    // MARK: Gradients of the binary operators

    @Test(arguments: broadcastCases)
    func binaryOperatorGradients(_ c: BroadcastCase) {
        let a = randomTensor(c.a, seed: 11)
        let b = randomTensor(c.b, low: 0.5, high: 2, seed: 12)  // away from 0 for division
        let ops: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("+", { $0 + $1 }), ("-", { $0 - $1 }), ("*", { $0 * $1 }), ("/", { $0 / $1 }),
        ]
        for (name, op) in ops {
            let report = gradCheck([a, b]) { op($0[0], $0[1]) }
            #expect(report.passed, "\(name) \(c.testDescription): \(report)")
        }
    }

    @Test func gradientOfOneOperandOnly() {
        // Only `a` requires a gradient: the backward must not need one for the constant.
        let a = randomTensor([2, 3], seed: 3), b = randomTensor([3], low: 0.5, high: 2, seed: 4)
        let ops: [(Tensor) -> Tensor] = [{ $0 * b }, { $0 / b }, { b / $0.exp() }, { b - $0 }]
        for op in ops {
            let report = gradCheck([a]) { op($0[0]) }
            #expect(report.passed, "\(report)")
        }
        let (_, g) = valueWithGradient(at: b) { (a * $0).sum() }
        #expect(allClose(g.scalars, a.sum(axes: [0]).scalars))
    }

    @Test func scalarOperandGradients() {
        let x = randomTensor([2, 3], low: 0.5, high: 2, seed: 5)
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("x+2", { $0 + 2 }), ("2+x", { 2 + $0 }), ("x-2", { $0 - 2 }), ("2-x", { 2 - $0 }),
            ("x*3", { $0 * 3 }), ("3*x", { 3 * $0 }), ("x/4", { $0 / 4 }), ("4/x", { 4 / $0 }),
            ("-x", { -$0 }), ("x²", { $0.squared() }),
        ]
        for (name, op) in ops {
            let report = gradCheck([x]) { op($0[0]) }
            #expect(report.passed, "\(name): \(report)")
        }
    }

    // MARK: Gradients of the unary functions

    @Test func unaryGradients() {
        let x = randomTensor([3, 4], low: -2, high: 2, seed: 21)
        let positive = randomTensor([3, 4], low: 0.3, high: 3, seed: 22)
        let awayFromZero = randomTensor([3, 4], low: -2, high: 2, awayFrom: [0], margin: 0.05, seed: 23)
        let cases: [(String, Tensor, (Tensor) -> Tensor)] = [
            ("exp", x, { $0.exp() }),
            ("log", positive, { $0.log() }),
            ("sqrt", positive, { $0.sqrt() }),
            ("relu", awayFromZero, { $0.relu() }),
            ("sigmoid", x * 3, { $0.sigmoid() }),
            ("tanh", x, { $0.tanh() }),
            ("neg", x, { -$0 }),
        ]
        for (name, input, f) in cases {
            let report = gradCheck([input]) { f($0[0]) }
            #expect(report.passed, "\(name): \(report)")
        }
    }

    @Test(arguments: [2, 3, 0.5, -1.5, 1, 0.2] as [Float])
    func powConstantExponentGradient(_ p: Float) {
        let x = randomTensor([2, 5], low: 0.3, high: 2.5, seed: 31)
        let report = gradCheck([x]) { $0[0].pow(p) }
        #expect(report.passed, "p = \(p): \(report)")
    }

    @Test func powZeroExponent() {
        let x = randomTensor([4], low: 0.3, high: 2.5, seed: 32)
        let (v, g) = valueWithGradient(at: x) { $0.pow(0).sum() }
        #expect(v.item() == 4)
        #expect(g.scalars == [0, 0, 0, 0])
    }

    @Test(arguments: [0.5, 1, 2.5] as [Float])
    func powTensorExponentGradients(_ e: Float) {
        let x = randomTensor([2, 3], low: 0.3, high: 2.5, seed: 33)
        let exponent = Tensor(shape: [1, 1], scalars: [e])
        let report = gradCheck([x, exponent]) { $0[0].pow($0[1]) }
        #expect(report.passed, "e = \(e): \(report)")
        // d/de Σ x^e = Σ x^e ln x, by hand.
        let (_, grads) = valueWithGradient(at: [x, exponent]) { $0[0].pow($0[1]).sum() }
        let expected = x.scalars.reduce(0.0) { $0 + Foundation.pow(Double($1), Double(e)) * Foundation.log(Double($1)) }
        #expect(grads[1].shape == [1, 1])
        #expect(abs(Double(grads[1].item()) - expected) < 1e-4 * max(1, abs(expected)))
    }

    @Test func clampGradientAwayFromBounds() {
        let x = randomTensor([4, 5], low: -1.5, high: 1.5, awayFrom: [-0.5, 0.5], margin: 0.05, seed: 41)
        let report = gradCheck([x]) { $0[0].clamped(min: -0.5, max: 0.5) }
        #expect(report.passed, "\(report)")
        // Some entries are inside and some outside, so both branches were checked.
        let inside = x.scalars.filter { abs($0) < 0.5 }.count
        #expect(inside > 0 && inside < x.count)
    }

    @Test func clampGradientAtAndBeyondBounds() {
        let x = Tensor(shape: [7], scalars: [-0.5, 0.5, -0.5000001, 0.50000006, -3, 3, 0.1])
        let (y, g) = valueWithGradient(at: x) { ($0.clamped(min: -0.5, max: 0.5) * Tensor(shape: [7], scalars: [1, 2, 3, 4, 5, 6, 7])).sum() }
        // Bounds included (tf.clip_by_value): entries 0, 1 and 6 pass their weight; the others are 0.
        #expect(g.scalars == [1, 2, 0, 0, 0, 0, 7])
        #expect(abs(y.item() - (-0.5 + 1 - 1.5 + 2 - 2.5 + 3 + 0.7)) < 1e-5)
    }

    // MARK: Softmax and log-softmax

    @Test(arguments: [1, -1, 3, 0])
    func softmaxGradients(_ axis: Int) {
        let x = randomTensor([2, 3, 2, 4], low: -2, high: 2, seed: 51)
        let s = gradCheck([x]) { $0[0].softmax(axis: axis) }
        #expect(s.passed, "softmax axis \(axis): \(s)")
        let l = gradCheck([x]) { $0[0].logSoftmax(axis: axis) }
        #expect(l.passed, "logSoftmax axis \(axis): \(l)")
    }

    @Test func softmaxForwardValues() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 0, 0])
        let e1 = exp(Float(1)), e2 = exp(Float(2)), e3 = exp(Float(3))
        let z = e1 + e2 + e3
        #expect(allClose(x.softmax(axis: 1).scalars, [e1 / z, e2 / z, e3 / z, 1.0 / 3, 1.0 / 3, 1.0 / 3]))
        #expect(allClose(x.logSoftmax(axis: -1).scalars,
                         [1 - log(z), 2 - log(z), 3 - log(z), -log(3), -log(3), -log(3)]))
        // Over axis 0: columns.
        let c = x.softmax(axis: 0).scalars
        #expect(allClose(c, [e1 / (e1 + 1), e2 / (e2 + 1), e3 / (e3 + 1), 1 / (e1 + 1), 1 / (e2 + 1), 1 / (e3 + 1)]))
        // The default axis is the channel axis 1 of N, C, H, W.
        let nchw = randomTensor([2, 3, 2, 2], seed: 52)
        #expect(nchw.softmax().scalars == nchw.softmax(axis: 1).scalars)
        let sums = nchw.softmax().sum(axes: [1]).scalars
        #expect(sums.allSatisfy { abs($0 - 1) < 1e-6 })
    }

    @Test func softmaxIsStableForHugeInputs() {
        let x = randomTensor([2, 3, 2, 2], low: -2, high: 2, seed: 53)
        let w = randomTensor([2, 3, 2, 2], low: 0.5, high: 1.5, seed: 54)
        for shift: Float in [1000, -1000] {
            let shifted = x + shift
            // Softmax is shift-invariant: values and gradients equal those of the unshifted input.
            #expect(maxAbsDiff(shifted.softmax().scalars, x.softmax().scalars) < 1e-4)
            #expect(maxAbsDiff(shifted.logSoftmax().scalars, x.logSoftmax().scalars) < 2e-4)
            let g0 = valueWithGradient(at: x) { ($0.softmax() * w).sum() }.gradient
            let g1 = valueWithGradient(at: shifted) { ($0.softmax() * w).sum() }.gradient
            #expect(g1.scalars.allSatisfy { $0.isFinite })
            #expect(maxAbsDiff(g1.scalars, g0.scalars) < 2e-4)
            let l0 = valueWithGradient(at: x) { ($0.logSoftmax() * w).sum() }.gradient
            let l1 = valueWithGradient(at: shifted) { ($0.logSoftmax() * w).sum() }.gradient
            #expect(maxAbsDiff(l1.scalars, l0.scalars) < 2e-4)
        }
        // Both extremes in one line: softmax [1, 0], log-softmax [0, -2000], finite gradients.
        let mixed = Tensor(shape: [1, 2], scalars: [1000, -1000])
        #expect(mixed.softmax(axis: 1).scalars == [1, 0])
        #expect(mixed.logSoftmax(axis: 1).scalars == [0, -2000])
        let (v, g) = valueWithGradient(at: mixed) { $0.logSoftmax(axis: 1).slice(axis: 1, 1..<2).sum() }
        #expect(v.item() == -2000)
        #expect(g.scalars == [-1, 1])
    }
}
