import FocalCore
import FocalTestSupport
import Foundation
import Testing

// MARK: - Golden values (shared by the conv, pooling and normalisation suites)

/// One tensor of `Fixtures/core_ops_golden.json`.
struct GoldenTensor: Decodable {
    let shape: [Int]
    let data: [Float]
    var tensor: Tensor { Tensor(shape: shape, scalars: data) }
}

/// One case of `Fixtures/core_ops_golden.json`, written by `Tools/golden/core_ops.py` from
/// loop-based NumPy reference implementations.
struct GoldenCase: Decodable, CustomStringConvertible {
    let op: String
    let name: String
    let params: [String: Double]
    let inputs: [String: GoldenTensor]
    let outputs: [String: GoldenTensor]

    var description: String { "\(op) \(name)" }
    func int(_ key: String) -> Int { Int(params[key]!) }
    func input(_ key: String) -> Tensor? { inputs[key]?.tensor }
    func output(_ key: String) -> GoldenTensor { outputs[key]! }
}

enum CoreOpsGolden {
    private struct File: Decodable {
        let generator: String
        let cases: [GoldenCase]
    }

    static let all: [GoldenCase] = {
        let url = Bundle.module.url(forResource: "core_ops_golden", withExtension: "json", subdirectory: "Fixtures")!
        let file = try! JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        precondition(file.generator == "Tools/golden/core_ops.py")
        return file.cases
    }()

    static func cases(_ op: String) -> [GoldenCase] { all.filter { $0.op == op } }

    /// Checks `actual` against the golden tensor (shape and values).
    static func expectMatch(_ actual: Tensor, _ expected: GoldenTensor, _ what: String,
                            rtol: Float = 1e-5, atol: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
        #expect(allClose(actual.scalars, expected.data, rtol: rtol, atol: atol),
                "\(what): max |Δ| = \(maxAbsDiff(actual.scalars, expected.data))", sourceLocation: sourceLocation)
    }
}

// MARK: - Direct references

/// Direct (seven nested loops) convolution in Double, and its gradients for an output gradient `g`.
private struct DirectConvolution {
    let n, cin, h, w, cout, kh, kw, stride: Int
    let padding: ConvolutionPadding
    var oh: Int { (h + padding.top + padding.bottom - kh) / stride + 1 }
    var ow: Int { (w + padding.left + padding.right - kw) / stride + 1 }

    init(n: Int, cin: Int, h: Int, w: Int, cout: Int, kh: Int, kw: Int, stride: Int, padding: ConvolutionPadding) {
        (self.n, self.cin, self.h, self.w, self.cout, self.kh, self.kw, self.stride) = (n, cin, h, w, cout, kh, kw, stride)
        self.padding = padding
    }

    init(n: Int, cin: Int, h: Int, w: Int, cout: Int, kh: Int, kw: Int, stride: Int, padding: Int) {
        self.init(n: n, cin: cin, h: h, w: w, cout: cout, kh: kh, kw: kw, stride: stride, padding: .uniform(padding))
    }

    /// Calls `body(xIndex, wIndex, yIndex)` for every multiply-add of the convolution.
    func forEachTerm(_ body: (Int, Int, Int) -> Void) {
        for s in 0..<n { for o in 0..<cout { for i in 0..<oh { for j in 0..<ow {
            let yi = ((s * cout + o) * oh + i) * ow + j
            for c in 0..<cin { for u in 0..<kh { for v in 0..<kw {
                let yy = i * stride - padding.top + u, xx = j * stride - padding.left + v
                guard yy >= 0 && yy < h && xx >= 0 && xx < w else { continue }
                body(((s * cin + c) * h + yy) * w + xx, ((o * cin + c) * kh + u) * kw + v, yi)
            } } }
        } } } }
    }

    func forward(_ x: [Float], _ k: [Float], _ b: [Float]) -> [Double] {
        var y = [Double](repeating: 0, count: n * cout * oh * ow)
        for i in y.indices { y[i] = Double(b[(i / (oh * ow)) % cout]) }
        forEachTerm { xi, wi, yi in y[yi] += Double(x[xi]) * Double(k[wi]) }
        return y
    }

    func gradients(_ x: [Float], _ k: [Float], _ g: [Float]) -> (dx: [Double], dw: [Double], db: [Double]) {
        var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: k.count)
        var db = [Double](repeating: 0, count: cout)
        forEachTerm { xi, wi, yi in
            dx[xi] += Double(g[yi]) * Double(k[wi])
            dw[wi] += Double(g[yi]) * Double(x[xi])
        }
        for i in g.indices { db[(i / (oh * ow)) % cout] += Double(g[i]) }
        return (dx, dw, db)
    }
}

/// Direct transposed convolution (scatter form) in Double: weight `[Cin, Cout, kh, kw]`.
private func directConvTranspose(_ x: [Float], n: Int, cin: Int, h: Int, w: Int, _ k: [Float], cout: Int,
                                 kh: Int, kw: Int, stride: Int, padding: Int, _ b: [Float]) -> [Double] {
    let oh = (h - 1) * stride - 2 * padding + kh, ow = (w - 1) * stride - 2 * padding + kw
    var y = [Double](repeating: 0, count: n * cout * oh * ow)
    for i in y.indices { y[i] = Double(b[(i / (oh * ow)) % cout]) }
    for s in 0..<n { for c in 0..<cin { for i in 0..<h { for j in 0..<w {
        let xv = Double(x[((s * cin + c) * h + i) * w + j])
        for o in 0..<cout { for u in 0..<kh { for v in 0..<kw {
            let yy = i * stride - padding + u, xx = j * stride - padding + v
            guard yy >= 0 && yy < oh && xx >= 0 && xx < ow else { continue }
            y[((s * cout + o) * oh + yy) * ow + xx] += xv * Double(k[((c * cout + o) * kh + u) * kw + v])
        } } }
    } } } }
    return y
}

/// Worst |a − b| relative to the largest |b|.
private func relativeError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    let scale = b.map(abs).max() ?? 1
    return zip(a, b).map { abs(Double($0) - $1) }.max()! / max(scale, 1e-30)
}

// MARK: - Tests

@Suite struct ConvolutionTests {
    @Test func conv2dMatchesGoldenValues() {
        let cases = CoreOpsGolden.cases("conv2d")
        #expect(cases.count == 5)
        for c in cases {
            let y = conv2d(c.input("x")!, weight: c.input("weight")!, bias: c.input("bias"),
                           stride: c.int("stride"), padding: c.int("padding"))
            CoreOpsGolden.expectMatch(y, c.output("y"), c.description)
        }
    }

    @Test func convTranspose2dMatchesGoldenValues() {
        let cases = CoreOpsGolden.cases("convTranspose2d")
        #expect(cases.count == 4)
        for c in cases {
            let y = convTranspose2d(c.input("x")!, weight: c.input("weight")!, bias: c.input("bias"),
                                    stride: c.int("stride"), padding: c.int("padding"))
            CoreOpsGolden.expectMatch(y, c.output("y"), c.description)
        }
    }

    @Test func linearMatchesGoldenValues() {
        let cases = CoreOpsGolden.cases("linear")
        #expect(cases.count == 2)
        for c in cases {
            CoreOpsGolden.expectMatch(linear(c.input("x")!, weight: c.input("weight")!, bias: c.input("bias")),
                                      c.output("y"), c.description)
        }
    }

    /// (n, cin, h, w, cout, kh, kw, stride, padding). The last two are large enough that the
    /// column matrix is built in several blocks of output rows (windows straddle blocks).
    @Test(arguments: [
        (2, 3, 7, 6, 4, 3, 3, 1, 1), (2, 3, 7, 6, 4, 3, 3, 2, 1), (1, 2, 9, 8, 3, 3, 3, 2, 0),
        (2, 4, 5, 6, 3, 1, 1, 1, 0), (1, 3, 6, 7, 2, 1, 1, 2, 0), (1, 2, 8, 9, 3, 2, 3, 2, 1),
        (1, 2, 10, 9, 2, 5, 5, 1, 2), (1, 3, 4, 4, 2, 3, 3, 1, 3),
        (1, 16, 64, 64, 4, 3, 3, 1, 1), (1, 32, 130, 129, 2, 3, 3, 2, 1),
    ])
    func conv2dMatchesDirectConvolution(_ cfg: (Int, Int, Int, Int, Int, Int, Int, Int, Int)) {
        let (n, cin, h, w, cout, kh, kw, stride, padding) = cfg
        let ref = DirectConvolution(n: n, cin: cin, h: h, w: w, cout: cout, kh: kh, kw: kw, stride: stride, padding: padding)
        var gen = RandomGenerator(seed: UInt64(n * 1000 + cin * 100 + h + kh))
        let x = Tensor(randomNormal: [n, cin, h, w], generator: &gen)
        let k = Tensor(randomNormal: [cout, cin, kh, kw], generator: &gen)
        let b = Tensor(randomNormal: [cout], generator: &gen)
        let g = Tensor(randomNormal: [n, cout, ref.oh, ref.ow], generator: &gen)

        let (xs, ks, bs) = (x.requiringGradient(), k.requiringGradient(), b.requiringGradient())
        let y = conv2d(xs, weight: ks, bias: bs, stride: stride, padding: padding)
        #expect(y.shape == [n, cout, ref.oh, ref.ow])
        #expect(relativeError(y.scalars, ref.forward(x.scalars, k.scalars, b.scalars)) < 1e-5)
        y.backward(seed: g)
        let (rdx, rdw, rdb) = ref.gradients(x.scalars, k.scalars, g.scalars)
        #expect(relativeError(xs.grad!.scalars, rdx) < 1e-5)
        #expect(relativeError(ks.grad!.scalars, rdw) < 1e-5)
        #expect(relativeError(bs.grad!.scalars, rdb) < 1e-5)
    }

    /// A different zero padding on each side (Keras' 'same' for stride 2: 0 before, 1 after on
    /// even sizes), odd sizes, and an image large enough for several blocks of output rows:
    /// against the Double reference, bit-equal to convolving an explicitly padded copy (the
    /// padding is read, never materialised), and bit-equal for 1 and 2 threads.
    @Test(arguments: [
        (2, 3, 7, 6, 4, 3, 2, ConvolutionPadding(top: 0, bottom: 1, left: 1, right: 2)),
        (1, 2, 8, 8, 3, 3, 2, ConvolutionPadding(top: 0, bottom: 1, left: 0, right: 1)),
        (1, 3, 5, 9, 2, 3, 1, ConvolutionPadding(top: 2, bottom: 0, left: 0, right: 1)),
        (1, 2, 6, 7, 2, 2, 3, ConvolutionPadding(top: 1, bottom: 2, left: 2, right: 0)),
        (1, 32, 130, 129, 3, 3, 2, ConvolutionPadding(top: 0, bottom: 1, left: 1, right: 1)),
    ])
    func conv2dWithAsymmetricPadding(_ cfg: (Int, Int, Int, Int, Int, Int, Int, ConvolutionPadding)) {
        let (n, cin, h, w, cout, k, stride, padding) = cfg
        let ref = DirectConvolution(n: n, cin: cin, h: h, w: w, cout: cout, kh: k, kw: k, stride: stride, padding: padding)
        var gen = RandomGenerator(seed: UInt64(n * 1000 + cin * 100 + h + w + k))
        let x = Tensor(randomNormal: [n, cin, h, w], generator: &gen)
        let kernel = Tensor(randomNormal: [cout, cin, k, k], generator: &gen)
        let b = Tensor(randomNormal: [cout], generator: &gen)
        let g = Tensor(randomNormal: [n, cout, ref.oh, ref.ow], generator: &gen)
        func run(threads: Int, padded: Bool) -> [[Float]] { Threading.withThreadCount(threads) {
            let (xs, ks, bs) = (x.requiringGradient(), kernel.requiringGradient(), b.requiringGradient())
            let y = padded
                ? conv2d(zeroPadded2d(xs, top: padding.top, bottom: padding.bottom, left: padding.left, right: padding.right),
                         weight: ks, bias: bs, stride: stride)
                : conv2d(xs, weight: ks, bias: bs, stride: stride, padding: padding)
            #expect(y.shape == [n, cout, ref.oh, ref.ow])
            y.backward(seed: g)
            return [y.scalars, xs.grad!.scalars, ks.grad!.scalars, bs.grad!.scalars]
        } }
        let one = run(threads: 1, padded: false)
        let (rdx, rdw, rdb) = ref.gradients(x.scalars, kernel.scalars, g.scalars)
        for (actual, expected) in zip(one, [ref.forward(x.scalars, kernel.scalars, b.scalars), rdx, rdw, rdb]) {
            #expect(relativeError(actual, expected) < 1e-5)
        }
        for other in [run(threads: 2, padded: false), run(threads: 1, padded: true)] {
            for (a, b) in zip(one, other) { #expect(a.map(\.bitPattern) == b.map(\.bitPattern)) }
        }
    }

    /// (n, cin, h, w, cout, k, stride, padding); the last two need several column blocks.
    @Test(arguments: [
        (2, 3, 3, 4, 2, 2, 2, 0), (1, 2, 4, 3, 3, 3, 2, 1), (1, 3, 5, 5, 2, 3, 1, 1),
        (1, 2, 3, 4, 2, 4, 2, 1), (1, 2, 3, 3, 2, 3, 3, 0), (1, 4, 64, 60, 32, 3, 2, 1), (1, 2, 70, 64, 64, 2, 2, 0),
    ])
    func convTranspose2dMatchesDirectReference(_ cfg: (Int, Int, Int, Int, Int, Int, Int, Int)) {
        let (n, cin, h, w, cout, k, stride, padding) = cfg
        var gen = RandomGenerator(seed: 11)
        let x = Tensor(randomNormal: [n, cin, h, w], generator: &gen)
        let wt = Tensor(randomNormal: [cin, cout, k, k], generator: &gen)
        let b = Tensor(randomNormal: [cout], generator: &gen)
        let y = convTranspose2d(x, weight: wt, bias: b, stride: stride, padding: padding)
        let oh = (h - 1) * stride - 2 * padding + k, ow = (w - 1) * stride - 2 * padding + k
        #expect(y.shape == [n, cout, oh, ow])
        let ref = directConvTranspose(x.scalars, n: n, cin: cin, h: h, w: w, wt.scalars, cout: cout,
                                      kh: k, kw: k, stride: stride, padding: padding, b.scalars)
        #expect(relativeError(y.scalars, ref) < 1e-5)
    }

    /// The transposed convolution is the adjoint of the convolution with the same weight:
    /// ⟨conv2d(u, W), v⟩ = ⟨u, convTranspose2d(v, W)⟩, and it is the convolution's input gradient.
    @Test(arguments: [(3, 1, 1), (3, 2, 1), (2, 2, 0), (4, 2, 1), (1, 1, 0), (3, 3, 0)])
    func convTranspose2dIsTheAdjointOfConv2d(_ cfg: (Int, Int, Int)) {
        let (k, stride, padding) = cfg
        var gen = RandomGenerator(seed: 5)
        // Image sizes a transposed convolution produces from a 4×5 input: conv maps them back to 4×5.
        let (cin, cout) = (3, 4)
        let h = 3 * stride - 2 * padding + k, w = 4 * stride - 2 * padding + k
        let wt = Tensor(randomNormal: [cout, cin, k, k], generator: &gen)       // conv: cin → cout
        let u = Tensor(randomNormal: [2, cin, h, w], generator: &gen)
        let y = conv2d(u, weight: wt, stride: stride, padding: padding)
        #expect(y.shape == [2, cout, 4, 5])
        let v = Tensor(randomNormal: y.shape, generator: &gen)
        // As a transposed convolution the same tensor is [Cin' = cout, Cout' = cin, k, k].
        let t = convTranspose2d(v, weight: wt, stride: stride, padding: padding)
        #expect(t.shape == u.shape)
        let lhs = (y * v).sum().item(), rhs = (u * t).sum().item()
        #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)), "⟨conv u, v⟩ = \(lhs), ⟨u, convT v⟩ = \(rhs)")
        let (_, du) = valueWithGradient(at: u) { (conv2d($0, weight: wt, stride: stride, padding: padding) * v).sum() }
        #expect(allClose(du.scalars, t.scalars, rtol: 1e-4, atol: 1e-4))
    }

    /// The gradients of `y = convTranspose2d(x, W)` are those of a convolution: `dx = conv2d(g, W)`,
    /// and `dW` is the weight gradient of `conv2d(g, W)` with output gradient `x` (checked on
    /// sizes that need several column blocks).
    @Test(arguments: [(2, 2, 0), (3, 2, 1)])
    func convTranspose2dGradientsAreConvolutionGradients(_ cfg: (Int, Int, Int)) {
        let (k, stride, padding) = cfg
        var gen = RandomGenerator(seed: 12)
        let x = Tensor(randomNormal: [2, 16, 40, 36], generator: &gen)
        let w = Tensor(randomNormal: [16, 64, k, k], generator: &gen)
        let xs = x.requiringGradient(), ws = w.requiringGradient()
        let y = convTranspose2d(xs, weight: ws, stride: stride, padding: padding)
        let g = Tensor(randomNormal: y.shape, generator: &gen)
        y.backward(seed: g)
        let viaConv = Kernels.conv2dBackward(g, weight: w, gradOutput: x, stride: stride, padding: .uniform(padding),
                                             inputGradient: false, weightGradient: true, biasGradient: false)
        let dx = conv2d(g, weight: w, stride: stride, padding: padding)
        #expect(maxAbsDiff(xs.grad!.scalars, dx.scalars) <= 1e-4 * (dx.scalars.map(abs).max() ?? 1))
        #expect(maxAbsDiff(ws.grad!.scalars, viaConv.weight!.scalars) <= 1e-4 * (viaConv.weight!.scalars.map(abs).max() ?? 1))
    }

    /// (kernel, stride, padding, bias) for x [2, 3, 5, 6] → 2 filters.
    @Test(arguments: [(1, 1, 0, true), (1, 2, 0, false), (3, 1, 0, true), (3, 1, 1, true), (3, 2, 0, true),
                      (3, 2, 1, false), (2, 2, 1, true)])
    func conv2dGradientsMatchFiniteDifferences(_ cfg: (Int, Int, Int, Bool)) {
        let (k, stride, padding, withBias) = cfg
        var gen = RandomGenerator(seed: 21)
        let x = Tensor(randomNormal: [2, 3, 5, 6], generator: &gen)
        let w = Tensor(randomNormal: [2, 3, k, k], std: 0.5, generator: &gen)
        let b = Tensor(randomNormal: [2], generator: &gen)
        let report = gradCheck(withBias ? [x, w, b] : [x, w], rtol: 1e-2, atol: 1e-3) { t in
            conv2d(t[0], weight: t[1], bias: withBias ? t[2] : nil, stride: stride, padding: padding)
        }
        #expect(report.passed, "\(report)")
    }

    /// U-Net up-convolution (k2 s2) and a k3 s2 p1 transposed convolution, Cin ≠ Cout.
    @Test(arguments: [(2, 2, 0), (3, 2, 1), (3, 1, 0)])
    func convTranspose2dGradientsMatchFiniteDifferences(_ cfg: (Int, Int, Int)) {
        let (k, stride, padding) = cfg
        var gen = RandomGenerator(seed: 22)
        let x = Tensor(randomNormal: [2, 3, 4, 3], generator: &gen)
        let w = Tensor(randomNormal: [3, 2, k, k], std: 0.5, generator: &gen)
        let b = Tensor(randomNormal: [2], generator: &gen)
        let report = gradCheck([x, w, b], rtol: 1e-2, atol: 1e-3) { t in
            convTranspose2d(t[0], weight: t[1], bias: t[2], stride: stride, padding: padding)
        }
        #expect(report.passed, "\(report)")
    }

    @Test func linearGradientsMatchFiniteDifferences() {
        var gen = RandomGenerator(seed: 23)
        let x = Tensor(randomNormal: [4, 5], generator: &gen)
        let w = Tensor(randomNormal: [3, 5], generator: &gen)
        let b = Tensor(randomNormal: [3], generator: &gen)
        let report = gradCheck([x, w, b], rtol: 1e-2, atol: 1e-3) { linear($0[0], weight: $0[1], bias: $0[2]) }
        #expect(report.passed, "\(report)")
        let noBias = gradCheck([x, w], rtol: 1e-2, atol: 1e-3) { linear($0[0], weight: $0[1]) }
        #expect(noBias.passed, "\(noBias)")
    }

    /// The tolerances above are tight enough to reject a gradient off by 10 % or a sign.
    @Test(arguments: [Float(1.1), Float(-1)])
    func gradientCheckRejectsAWrongFactor(_ factor: Float) {
        var gen = RandomGenerator(seed: 24)
        let x = Tensor(randomNormal: [1, 2, 5, 5], generator: &gen)
        let w = Tensor(randomNormal: [2, 2, 3, 3], std: 0.5, generator: &gen)
        let report = gradCheck([x, w], rtol: 1e-2, atol: 1e-3) { t in
            let y = conv2d(t[0].detached(), weight: t[1].detached(), padding: 1)
            return Tensor.record("wrongConv", output: y, inputs: [t[0], t[1]]) { g in
                let r = Kernels.conv2dBackward(t[0], weight: t[1], gradOutput: g, stride: 1, padding: .uniform(1),
                                               inputGradient: true, weightGradient: true, biasGradient: false)
                return [Kernels.scale(r.input!, factor), r.weight]
            }
        }
        #expect(!report.passed, "\(report)")
    }

    @Test func gradientsAreOnlyComputedForInputsThatNeedThem() {
        var gen = RandomGenerator(seed: 25)
        let x = Tensor(randomNormal: [1, 2, 6, 6], generator: &gen)
        let w = Tensor(randomNormal: [3, 2, 3, 3], generator: &gen).requiringGradient("w")
        let b = Tensor(randomNormal: [3], generator: &gen)
        conv2d(x, weight: w, bias: b, padding: 1).sum().backward()
        #expect(w.grad?.shape == [3, 2, 3, 3])
        #expect(x.grad == nil && b.grad == nil)
        let g = Tensor(ones: [1, 3, 6, 6])
        let onlyBias = Kernels.conv2dBackward(x, weight: w.detached(), gradOutput: g, stride: 1, padding: .uniform(1),
                                              inputGradient: false, weightGradient: false, biasGradient: true)
        #expect(onlyBias.input == nil && onlyBias.weight == nil)
        #expect(onlyBias.bias!.scalars == [36, 36, 36])
        let onlyInput = Kernels.convTranspose2dBackward(x, weight: Tensor(ones: [2, 3, 2, 2]), gradOutput: Tensor(ones: [1, 3, 12, 12]),
                                                        stride: 2, padding: 0, inputGradient: true, weightGradient: false, biasGradient: false)
        #expect(onlyInput.weight == nil && onlyInput.bias == nil)
        #expect(onlyInput.input!.scalars.allSatisfy { $0 == 12 })     // 3 output channels × 2×2 window
    }

    @Test func outputSizesFollowPyTorch() {
        let x = Tensor(zeros: [1, 1, 7, 8])
        #expect(conv2d(x, weight: Tensor(zeros: [2, 1, 3, 3]), stride: 2).shape == [1, 2, 3, 3])
        #expect(conv2d(x, weight: Tensor(zeros: [2, 1, 3, 3]), stride: 2, padding: 1).shape == [1, 2, 4, 4])
        #expect(conv2d(x, weight: Tensor(zeros: [2, 1, 7, 8])).shape == [1, 2, 1, 1])
        #expect(convTranspose2d(x, weight: Tensor(zeros: [1, 2, 2, 2]), stride: 2).shape == [1, 2, 14, 16])
        #expect(convTranspose2d(x, weight: Tensor(zeros: [1, 2, 3, 3]), stride: 2, padding: 1).shape == [1, 2, 13, 15])
        #expect(linear(Tensor(zeros: [4, 3]), weight: Tensor(zeros: [5, 3])).shape == [4, 5])
    }

    @Test func stridedViewsAreAcceptedAsInputs() {
        var gen = RandomGenerator(seed: 26)
        let x = Tensor(randomNormal: [2, 5, 4, 3], generator: &gen)
        let w = Tensor(randomNormal: [2, 3, 3, 3], generator: &gen)
        let view = x.permuted([0, 3, 2, 1])                                  // [2, 3, 4, 5], not contiguous
        #expect(!view.isContiguous)
        let y = conv2d(view, weight: w, padding: 1)
        let y2 = conv2d(view.contiguous(), weight: w, padding: 1)
        #expect(y.scalars == y2.scalars)
    }
}
