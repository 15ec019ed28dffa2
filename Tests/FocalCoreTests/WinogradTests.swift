@testable import FocalCore
import FocalTestSupport
import Testing

/// Direct 3×3, stride-1, padding-1 convolution and its gradients, in Double, as the reference.
private func directConv3x3(_ x: [Float], n: Int, cin: Int, h: Int, w: Int, _ k: [Float], cout: Int, _ b: [Float]?) -> [Double] {
    var y = [Double](repeating: 0, count: n * cout * h * w)
    for s in 0..<n { for o in 0..<cout { for i in 0..<h { for j in 0..<w {
        var acc = Double(b?[o] ?? 0)
        for c in 0..<cin { for dy in 0..<3 { for dx in 0..<3 {
            let yy = i + dy - 1, xx = j + dx - 1
            if yy >= 0 && yy < h && xx >= 0 && xx < w {
                acc += Double(x[((s * cin + c) * h + yy) * w + xx]) * Double(k[((o * cin + c) * 3 + dy) * 3 + dx])
            }
        } } }
        y[((s * cout + o) * h + i) * w + j] = acc
    } } } }
    return y
}

private func directGradients(_ x: [Float], n: Int, cin: Int, h: Int, w: Int, _ k: [Float], cout: Int, _ g: [Float]) -> (dx: [Double], dw: [Double]) {
    var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: k.count)
    for s in 0..<n { for o in 0..<cout { for i in 0..<h { for j in 0..<w {
        let gv = Double(g[((s * cout + o) * h + i) * w + j])
        for c in 0..<cin { for dy in 0..<3 { for dxx in 0..<3 {
            let yy = i + dy - 1, xx = j + dxx - 1
            if yy >= 0 && yy < h && xx >= 0 && xx < w {
                let xi = ((s * cin + c) * h + yy) * w + xx, ki = ((o * cin + c) * 3 + dy) * 3 + dxx
                dx[xi] += gv * Double(k[ki])
                dw[ki] += gv * Double(x[xi])
            }
        } } }
    } } } }
    return (dx, dw)
}

private func relativeError(_ a: [Float], _ b: [Double]) -> Double {
    let scale = b.map(abs).max() ?? 1
    return zip(a, b).map { abs(Double($0) - $1) }.max()! / max(scale, 1e-30)
}

@Suite struct WinogradTests {
    /// Worst relative error of both variants on a U-Net-sized layer (64 channels, 64×64),
    /// the figure quoted in Docs/Performance.md.
    @Test func errorOnALayerOfRealisticSize() {
        var gen = RandomGenerator(seed: 3)
        let (c, s) = (32, 32)
        let x = Tensor(randomNormal: [1, c, s, s], generator: &gen)
        let k = Tensor(randomUniform: [c, c, 3, 3], low: -0.1, high: 0.1, generator: &gen)
        let ref = directConv3x3(x.scalars, n: 1, cin: c, h: s, w: s, k.scalars, cout: c, nil)
        let e2 = relativeError(Winograd.f2.conv3x3(x, weight: k, bias: nil).scalars, ref)
        let e4 = relativeError(Winograd.f4.conv3x3(x, weight: k, bias: nil).scalars, ref)
        print("Winograd worst relative error (32 ch, 32×32): F(2,3) \(e2), F(4,3) \(e4)")
        #expect(e2 < 1e-5)
        #expect(e4 < 1e-4)
    }

    @Test("variant choice: F(4,3) from 32×32 with at least 32 channels; im2col otherwise and for other kernels")
    func variantChoice() {
        func variant(_ c: Int, _ s: Int, k: Int = 3, stride: Int = 1, padding: Int = 1) -> Int? {
            Kernels.winogradVariant(x: Tensor(zeros: [1, c, s, s]), weight: Tensor(zeros: [c, c, k, k]),
                                    stride: stride, padding: .uniform(padding))?.m
        }
        #expect(variant(32, 256) == 4)
        #expect(variant(512, 32) == 4)
        #expect(variant(512, 16) == nil)
        #expect(variant(512, 31) == nil)
        #expect(variant(16, 256) == nil)
        #expect(variant(64, 64, stride: 2) == nil)
        #expect(variant(64, 64, k: 1, padding: 0) == nil)
    }

    @Test(arguments: [(1, 3, 4, 4, 2), (2, 3, 7, 6, 4), (1, 5, 9, 11, 3), (2, 16, 16, 16, 8), (1, 4, 13, 10, 5), (1, 4, 33, 36, 3)],
          [2, 4])
    func matchesDirectConvolution(_ cfg: (Int, Int, Int, Int, Int), tile: Int) {
        let (n, cin, h, w, cout) = cfg
        let wino = tile == 2 ? Winograd.f2 : Winograd.f4
        // F(4,3) has larger transform coefficients: its Float32 error is larger.
        let tolerance = tile == 2 ? 1e-5 : 1e-4
        var gen = RandomGenerator(seed: 42)
        let x = Tensor(randomNormal: [n, cin, h, w], generator: &gen)
        let k = Tensor(randomNormal: [cout, cin, 3, 3], generator: &gen)
        let b = Tensor(randomNormal: [cout], generator: &gen)
        let g = Tensor(randomNormal: [n, cout, h, w], generator: &gen)
        let y = wino.conv3x3(x, weight: k, bias: b)
        let ref = directConv3x3(x.scalars, n: n, cin: cin, h: h, w: w, k.scalars, cout: cout, b.scalars)
        #expect(y.shape == [n, cout, h, w])
        #expect(relativeError(y.scalars, ref) < tolerance)
        let (dx, dw) = wino.conv3x3Backward(x, weight: k, gradOutput: g, inputGradient: true, weightGradient: true)
        let (rdx, rdw) = directGradients(x.scalars, n: n, cin: cin, h: h, w: w, k.scalars, cout: cout, g.scalars)
        #expect(relativeError(dx!.scalars, rdx) < tolerance)
        #expect(relativeError(dw!.scalars, rdw) < tolerance)
    }

    /// Weights transformed once (as `conv2d` does for a training step) give the same bits as
    /// weights transformed inside each call, on the unblocked and the blocked paths; and the
    /// differentiable `conv2d`, which passes them from its forward to its backward pass,
    /// matches the kernels called without them.
    @Test(arguments: [(4, 3, 33, 36), (32, 32, 32, 32), (8, 8, 128, 128)])
    func transformedWeightsAreReusedExactly(_ cfg: (Int, Int, Int, Int)) {
        let (cin, cout, h, w) = cfg
        var gen = RandomGenerator(seed: 21)
        let x = Tensor(randomNormal: [1, cin, h, w], generator: &gen)
        let k = Tensor(randomNormal: [cout, cin, 3, 3], generator: &gen) * 0.2
        let b = Tensor(randomNormal: [cout], generator: &gen)
        let g = Tensor(randomNormal: [1, cout, h, w], generator: &gen)
        let wino = Winograd.f4, tw = wino.transformed(k)
        #expect(wino.conv3x3(x, weight: k, bias: b, transformedWeights: tw).scalars == wino.conv3x3(x, weight: k, bias: b).scalars)
        let reused = wino.conv3x3Backward(x, weight: k, gradOutput: g, inputGradient: true, weightGradient: true, transformedWeights: tw)
        let fresh = wino.conv3x3Backward(x, weight: k, gradOutput: g, inputGradient: true, weightGradient: true)
        #expect(reused.input!.scalars == fresh.input!.scalars)
        #expect(reused.weight!.scalars == fresh.weight!.scalars)

        let xs = x.requiringGradient("x"), ks = k.requiringGradient("k"), bs = b.requiringGradient("b")
        let y = conv2d(xs, weight: ks, bias: bs, padding: 1)
        (y * g).sum().backward()
        let ref = Kernels.conv2dBackward(x, weight: k, gradOutput: g, stride: 1, padding: .uniform(1),
                                         inputGradient: true, weightGradient: true, biasGradient: true)
        #expect(y.scalars == Kernels.conv2d(x, weight: k, bias: b, stride: 1, padding: .uniform(1)).scalars)
        #expect(xs.grad!.scalars == ref.input!.scalars)
        #expect(ks.grad!.scalars == ref.weight!.scalars)
    }

    /// Large enough images take the cache-blocked forward path (blocks of tile rows).
    @Test(arguments: [2, 4]) func blockedForwardMatchesDirectConvolution(tile: Int) {
        let wino = tile == 2 ? Winograd.f2 : Winograd.f4
        let (cin, cout, h, w) = (8, 8, 128, 128)
        #expect(wino.blockRows(cin: cin, cout: cout, h: h, w: w) > 0)
        var gen = RandomGenerator(seed: 9)
        let x = Tensor(randomNormal: [1, cin, h, w], generator: &gen)
        let k = Tensor(randomNormal: [cout, cin, 3, 3], generator: &gen)
        let b = Tensor(randomNormal: [cout], generator: &gen)
        let ref = directConv3x3(x.scalars, n: 1, cin: cin, h: h, w: w, k.scalars, cout: cout, b.scalars)
        let tolerance = tile == 2 ? 1e-5 : 1e-4
        #expect(relativeError(wino.conv3x3(x, weight: k, bias: b).scalars, ref) < tolerance)
        // Blocked backward (batch of 2 exercises the accumulation of weight partials).
        let x2 = Tensor.concat([x, x * 0.5], axis: 0)
        let g = Tensor(randomNormal: [2, cout, h, w], generator: &gen)
        let (dx, dw) = wino.conv3x3Backward(x2, weight: k, gradOutput: g, inputGradient: true, weightGradient: true)
        let (rdx, rdw) = directGradients(x2.scalars, n: 2, cin: cin, h: h, w: w, k.scalars, cout: cout, g.scalars)
        #expect(relativeError(dx!.scalars, rdx) < tolerance)
        #expect(relativeError(dw!.scalars, rdw) < tolerance)
    }

    @Test func skipsGradientsNotAskedFor() {
        var gen = RandomGenerator(seed: 1)
        let x = Tensor(randomNormal: [1, 2, 6, 6], generator: &gen)
        let k = Tensor(randomNormal: [3, 2, 3, 3], generator: &gen)
        let g = Tensor(randomNormal: [1, 3, 6, 6], generator: &gen)
        let only = Winograd.f4.conv3x3Backward(x, weight: k, gradOutput: g, inputGradient: false, weightGradient: true)
        #expect(only.input == nil && only.weight != nil)
        let other = Winograd.f2.conv3x3Backward(x, weight: k, gradOutput: g, inputGradient: true, weightGradient: false)
        #expect(other.input != nil && other.weight == nil)
    }
}
