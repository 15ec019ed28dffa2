import FocalCore
import FocalNets
import FocalTestSupport
import Foundation
import Testing

/// Naive reference convolution on an explicitly zero-padded input (top/left padding `pt`/`pl`,
/// output size given), for checking Keras 'same' padding.
private func referenceConv(_ x: Tensor, _ w: Tensor, bias: [Float], stride: Int, pt: Int, pl: Int,
                           outH: Int, outW: Int) -> [Float] {
    let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, k) = (w.shape[0], w.shape[2])
    var out: [Float] = []
    for b in 0..<n {
        for o in 0..<cout {
            for i in 0..<outH {
                for j in 0..<outW {
                    var s = Double(bias[o])
                    for c in 0..<cin {
                        for u in 0..<k {
                            for v in 0..<k {
                                let r = i * stride - pt + u, q = j * stride - pl + v
                                if r >= 0 && r < h && q >= 0 && q < wd { s += Double(w[o, c, u, v] * x[b, c, r, q]) }
                            }
                        }
                    }
                    out.append(Float(s))
                }
            }
        }
    }
    return out
}

@Suite("FocalNets layers")
struct LayerTests {
    @Test("Keras 'same' padding amounts, including the asymmetric stride-2 case")
    func samePaddingAmounts() {
        let same = Conv2d.Padding.same
        #expect(same.amounts(extent: 8, kernel: 3, stride: 1) == (1, 1))
        #expect(same.amounts(extent: 8, kernel: 1, stride: 1) == (0, 0))
        #expect(same.amounts(extent: 8, kernel: 3, stride: 2) == (0, 1))  // TensorFlow: 0 before, 1 after
        #expect(same.amounts(extent: 7, kernel: 3, stride: 2) == (1, 1))
        #expect(same.amounts(extent: 6, kernel: 2, stride: 2) == (0, 0))
        #expect(Conv2d.Padding.valid.amounts(extent: 8, kernel: 3, stride: 1) == (0, 0))
        #expect(Conv2d.Padding.explicit(2).amounts(extent: 8, kernel: 3, stride: 1) == (2, 2))
    }

    @Test("Conv2d with 'same' padding matches a naive convolution (stride 1 and stride 2, even and odd sizes)")
    func convSameMatchesReference() {
        var g = RandomGenerator(seed: 1)
        for (stride, h, w) in [(1, 6, 5), (2, 6, 8), (2, 5, 7)] {
            let conv = Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: stride, padding: .same, generator: &g)
            conv.bias!.value = Tensor(shape: [3], scalars: [0.1, -0.2, 0.3])
            let x = Tensor(randomUniform: [2, 2, h, w], low: -1, high: 1, generator: &g)
            let y = conv(x)
            let outH = (h + stride - 1) / stride, outW = (w + stride - 1) / stride
            #expect(y.shape == [2, 3, outH, outW])
            let pt = Conv2d.Padding.same.amounts(extent: h, kernel: 3, stride: stride).before
            let pl = Conv2d.Padding.same.amounts(extent: w, kernel: 3, stride: stride).before
            let ref = referenceConv(x, conv.weight.tensor, bias: [0.1, -0.2, 0.3], stride: stride, pt: pt, pl: pl,
                                    outH: outH, outW: outW)
            #expect(allClose(y.scalars, ref, rtol: 1e-5, atol: 1e-5), "stride \(stride), \(h)×\(w): \(maxAbsDiff(y.scalars, ref))")
        }
    }

    @Test("Glorot-uniform initialisation with Keras fans and zero biases")
    func glorotInitialisation() {
        var g = RandomGenerator(seed: 2)
        let conv = Conv2d(inChannels: 16, outChannels: 32, kernelSize: 3, padding: .same, generator: &g)
        let limit = Float((6.0 / Double(16 * 9 + 32 * 9)).squareRoot())
        let w = conv.weight.tensor.scalars
        #expect(w.allSatisfy { abs($0) <= limit })
        #expect(w.contains { abs($0) > 0.9 * limit })  // uses the whole range
        let variance = w.reduce(0) { $0 + Double($1 * $1) } / Double(w.count)
        #expect(abs(variance - 2.0 / Double(16 * 9 + 32 * 9)) < 0.1 * 2.0 / Double(16 * 9 + 32 * 9))
        #expect(conv.bias!.tensor.scalars.allSatisfy { $0 == 0 })

        let up = ConvTranspose2d(inChannels: 64, outChannels: 32, kernelSize: 2, stride: 2, generator: &g)
        #expect(up.weight.shape == [64, 32, 2, 2])
        let upLimit = Float((6.0 / Double(32 * 4 + 64 * 4)).squareRoot())
        #expect(up.weight.tensor.scalars.allSatisfy { abs($0) <= upLimit })
        #expect(up.bias!.tensor.scalars.allSatisfy { $0 == 0 })

        let fc = Linear(inFeatures: 32, outFeatures: 4, generator: &g)
        #expect(fc.weight.shape == [4, 32])
        #expect(fc.weight.tensor.scalars.allSatisfy { abs($0) <= Float((6.0 / 36).squareRoot()) })
    }

    @Test("the same seed gives the same weights; initialisers take an explicit generator")
    func deterministicInitialisation() {
        var g1 = RandomGenerator(seed: 9), g2 = RandomGenerator(seed: 9)
        let a = Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, generator: &g1)
        let b = Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, generator: &g2)
        #expect(bits(a.weight.tensor) == bits(b.weight.tensor))
        #expect(g1 == g2)
    }

    @Test("ConvTranspose2d 2×2 stride 2 doubles the resolution")
    func transposedConvolutionShape() {
        var g = RandomGenerator(seed: 3)
        let up = ConvTranspose2d(inChannels: 4, outChannels: 2, kernelSize: 2, stride: 2, generator: &g)
        #expect(up(uniform([2, 4, 3, 5], seed: 1)).shape == [2, 2, 6, 10])
    }

    @Test("InstanceNorm2d: γ = 1, β = 0, eps = 1e-3, per-sample per-channel statistics")
    func instanceNorm() {
        let norm = InstanceNorm2d(channels: 3)
        #expect(norm.eps == 1e-3)
        #expect(norm.weight!.tensor.scalars == [1, 1, 1] && norm.bias!.tensor.scalars == [0, 0, 0])
        let x = uniform([2, 3, 4, 4], -3, 5, seed: 4)
        let y = norm(x)
        let plane = (0..<16).map { y[1, 2, $0 / 4, $0 % 4] }
        let xs = (0..<16).map { Double(x[1, 2, $0 / 4, $0 % 4]) }
        let mean = xs.reduce(0, +) / 16, variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 16
        let expected = xs.map { Float(($0 - mean) / (variance + 1e-3).squareRoot()) }
        #expect(allClose(plane, expected, rtol: 1e-4, atol: 1e-5))
        #expect(norm.namedParameters().map(\.0) == ["weight", "bias"])
    }

    @Test("BatchNorm2d: running statistics in buffers with Keras momentum 0.99 (update factor 0.01); eval uses them")
    func batchNorm() {
        let bn = BatchNorm2d(channels: 2)
        #expect(bn.momentum == 0.01 && bn.eps == 1e-3)
        #expect(bn.namedBuffers().map(\.0) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(bn.namedParameters().map(\.0) == ["weight", "bias"])
        let x = uniform([2, 2, 3, 3], 1, 3, seed: 5)
        let xs = x.scalars
        func channel(_ c: Int) -> [Double] {
            (0..<2).flatMap { n in (0..<9).map { Double(xs[(n * 2 + c) * 9 + $0]) } }
        }
        bn.train()
        _ = bn(x)
        for c in 0..<2 {
            let v = channel(c)
            let mean = v.reduce(0, +) / 18
            let unbiased = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 17
            #expect(abs(Double(bn.runningMean.value.scalars[c]) - 0.01 * mean) < 1e-6)
            #expect(abs(Double(bn.runningVar.value.scalars[c]) - (0.99 + 0.01 * unbiased)) < 1e-6)
        }
        bn.eval()
        let before = bn.runningMean.value.scalars
        let y = bn(x)
        #expect(bn.runningMean.value.scalars == before)  // no update in evaluation mode
        let rm = bn.runningMean.value.scalars, rv = bn.runningVar.value.scalars
        let expected = xs.enumerated().map { i, v in
            let c = (i / 9) % 2
            return (v - rm[c]) / (rv[c] + 1e-3).squareRoot()
        }
        #expect(allClose(y.scalars, expected, rtol: 1e-5, atol: 1e-5))
    }

    @Test("Sequential names its children 0, 1, … and applies them in order")
    func sequential() {
        var g = RandomGenerator(seed: 6)
        let conv = Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3, padding: .same, generator: &g)
        let net = Sequential(conv, ReLU(), InstanceNorm2d(channels: 2), MaxPool2d(), Sigmoid())
        #expect(net.namedParameters().map(\.0) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        let x = uniform([1, 1, 4, 4], seed: 7)
        let expected = maxPool2d(instanceNorm2d(conv(x).relu(), weight: nil, bias: nil), kernel: 2).sigmoid()
        #expect(bits(net(x)) == bits(expected))
        #expect(Sequential([]).callAsFunction(x).scalars == x.scalars)
    }

    @Test("activations and Softmax(axis)")
    func activations() {
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [-1, 2, 0.5, 3])
        #expect(ReLU()(x).scalars == [0, 2, 0.5, 3])
        #expect(allClose(Sigmoid()(x).scalars, x.scalars.map { 1 / (1 + exp(-$0)) }))
        let s = Softmax(axis: 1)(x).scalars
        #expect(allClose([s[0] + s[2], s[1] + s[3]], [1, 1]))
        #expect(allClose([s[0]], [Float(exp(-1.0) / (exp(-1.0) + exp(0.5)))]))
    }

    @Test("zeroPadded2d pads asymmetrically and is differentiable")
    func zeroPadding() {
        let x = uniform([1, 2, 3, 2], seed: 8)
        let y = zeroPadded2d(x, top: 0, bottom: 1, left: 2, right: 1)
        #expect(y.shape == [1, 2, 4, 5])
        #expect(y[0, 1, 2, 3] == x[0, 1, 2, 1] && y[0, 0, 3, 2] == 0 && y[0, 0, 0, 0] == 0)
        let report = gradCheck([x]) { xs in zeroPadded2d(xs[0], top: 1, bottom: 0, left: 0, right: 2).squared() }
        #expect(report.passed, "\(report)")
    }

    @Test("layer gradients: Conv2d (stride-2 'same'), Linear, norms — inputs and weights")
    func layerGradients() {
        var g = RandomGenerator(seed: 10)
        let conv = Conv2d(inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, padding: .same, generator: &g)
        let x = uniform([1, 2, 4, 4], seed: 11)
        let r1 = gradCheck([x]) { xs in conv(xs[0]) }
        #expect(r1.passed, "\(r1)")
        let r2 = parameterGradCheck(conv) { conv(x) }
        #expect(r2.passed, "\(r2)")
        let norm = InstanceNorm2d(channels: 2)
        norm.weight!.value = Tensor(shape: [2], scalars: [0.7, 1.3])
        let r3 = parameterGradCheck(norm) { norm(x).squared() }
        #expect(r3.passed, "\(r3)")
    }

    @Test("parameterGradCheck detects a wrong parameter gradient (the helper is not vacuous)")
    func gradCheckHelperDetectsErrors() {
        final class Scale: Module, @unchecked Sendable {
            let w = Parameter(Tensor(shape: [2], scalars: [0.5, -1.5]))
            var wrong = false
            func callAsFunction(_ x: Tensor) -> Tensor {
                let wv = w.value, xd = x.detached()
                let y = Kernels.mul(xd, wv.detached())
                let factor: Float = wrong ? 1.1 : 1
                return Tensor.record("scale", output: y, inputs: [wv]) { g in [Kernels.scale(Kernels.mul(g, xd), factor)] }
            }
        }
        let m = Scale()
        let x = Tensor(shape: [2], scalars: [2, 3])
        #expect(parameterGradCheck(m) { m(x) }.passed)
        m.wrong = true
        #expect(!parameterGradCheck(m) { m(x) }.passed)
    }
}
