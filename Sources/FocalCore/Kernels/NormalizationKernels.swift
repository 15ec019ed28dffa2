import CFocalKernels
import Foundation

// Fused normalisation kernels for `[N, C, H, W]` tensors. Instance normalisation normalises
// each (sample, channel) plane on its own; batch normalisation each channel over all samples.
// Both are "groups of planes" here: one fused forward pass per group (statistics by the C
// kernels' sums, Float lanes within blocks of 256 and Double across them, then the affine
// output) and one fused backward pass per group (the closed-form gradient), groups in parallel.
// Every group is reduced by one thread in a fixed order, so results do not depend on the
// thread count.

/// Which planes of an `[N, C, H, W]` tensor are normalised together.
struct NormalizationGroups {
    let n: Int, channels: Int, planeSize: Int
    /// True: one group per (sample, channel) plane. False: one group per channel.
    let perInstance: Bool

    init(shape: [Int], perInstance: Bool) {
        (n, channels, planeSize) = (shape[0], shape[1], shape[2] * shape[3])
        self.perInstance = perInstance
    }

    var count: Int { perInstance ? n * channels : channels }
    var planesPerGroup: Int { perInstance ? 1 : n }
    /// Elements normalised together.
    var elements: Int { planesPerGroup * planeSize }
    /// Channel (index into γ and β) of a group.
    @inline(__always) func channel(_ group: Int) -> Int { perInstance ? group % channels : group }
    /// First scalar of the `k`-th plane of a group.
    @inline(__always) func plane(_ group: Int, _ k: Int) -> Int {
        (perInstance ? group : k * channels + group) * planeSize
    }
    /// Groups per parallel chunk: enough work to amortise a dispatch.
    var grain: Int { max(1, 16_384 / max(elements, 1)) }
}

/// Per-group results of a normalisation forward pass, kept for the backward pass.
package struct NormalizationStatistics: Sendable {
    /// Mean of each group (batch statistics in training, the running mean in evaluation).
    package let mean: [Float]
    /// Biased variance of each group (the running variance in evaluation).
    package let variance: [Float]
    /// `1 / sqrt(variance + eps)` of each group.
    package let invStd: [Float]
}

extension Kernels {
    /// Instance normalisation of `x [N, C, H, W]`: each (sample, channel) plane is normalised
    /// by its own mean and biased variance over `H·W` (Float lanes within blocks, Double across
    /// them), then scaled by `weight[c]` and shifted by `bias[c]` (both `[C]`, optional):
    /// `y = (x − μ) / sqrt(σ² + eps) · γ + β`. Planes run in parallel. With `rectifyingInput`
    /// the input is `max(x, 0)` (a ReLU fused in: no rectified tensor is written).
    package static func instanceNorm2d(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float,
                                      rectifyingInput: Bool = false) -> (output: Tensor, statistics: NormalizationStatistics) {
        let groups = NormalizationGroups(shape: x.shape, perInstance: true)
        return normalize(x, groups: groups, weight: weight, bias: bias, eps: eps, fixed: nil, rectify: rectifyingInput)
    }

    /// Gradients of `instanceNorm2d` (each only when asked for), with `x̂ = (x − μ)·r`,
    /// `r = 1 / sqrt(σ² + eps)` and `M = H·W` per plane:
    /// `dx = γ·r·(g − mean(g) − x̂·mean(g·x̂))`, `dγ = Σ g·x̂`, `dβ = Σ g` (sums over N, H, W).
    /// With `rectifyingInput` (see `instanceNorm2d`), `x̂` is that of `max(x, 0)` and `dx` is 0
    /// where `x ≤ 0`.
    package static func instanceNorm2dBackward(
        _ x: Tensor, gradOutput: Tensor, weight: Tensor?, statistics: NormalizationStatistics,
        inputGradient: Bool, weightGradient: Bool, biasGradient: Bool, rectifyingInput: Bool = false
    ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let groups = NormalizationGroups(shape: x.shape, perInstance: true)
        return normalizeBackward(x, gradOutput: gradOutput, groups: groups, weight: weight, statistics: statistics,
                                 statisticsDependOnInput: true, inputGradient: inputGradient,
                                 weightGradient: weightGradient, biasGradient: biasGradient, rectify: rectifyingInput)
    }

    /// Batch normalisation of `x [N, C, H, W]` per channel. With `running == nil` (training)
    /// the channel's mean and biased variance over `N·H·W` are used (Float lanes within blocks,
    /// Double across them); otherwise the given running mean and variance (evaluation). Output
    /// `(x − μ) / sqrt(σ² + eps) · γ + β`. Channels run in parallel.
    package static func batchNorm2d(
        _ x: Tensor, weight: Tensor?, bias: Tensor?, running: (mean: Tensor, variance: Tensor)?, eps: Float
    ) -> (output: Tensor, statistics: NormalizationStatistics) {
        let groups = NormalizationGroups(shape: x.shape, perInstance: false)
        let fixed = running.map { (mean: $0.mean.scalars, variance: $0.variance.scalars) }
        return normalize(x, groups: groups, weight: weight, bias: bias, eps: eps, fixed: fixed)
    }

    /// Gradients of `batchNorm2d` (each only when asked for). Training (`batchStatistics`):
    /// `dx = γ·r·(g − mean(g) − x̂·mean(g·x̂))` with means over `N·H·W`; evaluation:
    /// `dx = γ·r·g`. In both, `dγ = Σ g·x̂` and `dβ = Σ g`.
    package static func batchNorm2dBackward(
        _ x: Tensor, gradOutput: Tensor, weight: Tensor?, statistics: NormalizationStatistics, batchStatistics: Bool,
        inputGradient: Bool, weightGradient: Bool, biasGradient: Bool
    ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let groups = NormalizationGroups(shape: x.shape, perInstance: false)
        return normalizeBackward(x, gradOutput: gradOutput, groups: groups, weight: weight, statistics: statistics,
                                 statisticsDependOnInput: batchStatistics, inputGradient: inputGradient,
                                 weightGradient: weightGradient, biasGradient: biasGradient)
    }

    /// One fused pass per group: statistics (unless `fixed`), then the affine output. With
    /// `rectify` every input scalar is read as `max(x, 0)`.
    static func normalize(
        _ x: Tensor, groups: NormalizationGroups, weight: Tensor?, bias: Tensor?, eps: Float,
        fixed: (mean: [Float], variance: [Float])?, rectify: Bool = false
    ) -> (output: Tensor, statistics: NormalizationStatistics) {
        rectify ? normalize(x, groups: groups, weight: weight, bias: bias, eps: eps, fixed: fixed, reading: RectifiedInput.self)
            : normalize(x, groups: groups, weight: weight, bias: bias, eps: eps, fixed: fixed, reading: PlainInput.self)
    }

    /// `normalize`, specialised for how input scalars are read.
    private static func normalize<R: NormalizationInput>(
        _ x: Tensor, groups: NormalizationGroups, weight: Tensor?, bias: Tensor?, eps: Float,
        fixed: (mean: [Float], variance: [Float])?, reading: R.Type
    ) -> (output: Tensor, statistics: NormalizationStatistics) {
        let count = groups.count, m = groups.elements, ppg = groups.planesPerGroup, ps = groups.planeSize
        let xc = x.contiguous(), wc = weight?.contiguous(), bc = bias?.contiguous()
        var mean = [Float](repeating: 0, count: count)
        var variance = [Float](repeating: 0, count: count)
        var invStd = [Float](repeating: 0, count: count)
        let y = withExtendedLifetime((xc, wc, bc)) {
            Tensor(shape: x.shape) { out in
                let src = xc.basePointer, dst = out.baseAddress!
                let gamma = wc?.basePointer, beta = bc?.basePointer
                mean.withUnsafeMutableBufferPointer { mb in
                    variance.withUnsafeMutableBufferPointer { vb in
                        invStd.withUnsafeMutableBufferPointer { rb in
                            let mp = mb.baseAddress!, vp = vb.baseAddress!, rp = rb.baseAddress!
                            Threading.parallelFor(count, grain: groups.grain) { range in
                                for gr in range {
                                    let mu: Double, v: Double
                                    if let fixed {
                                        mu = Double(fixed.mean[gr]); v = Double(fixed.variance[gr])
                                    } else {
                                        var s = 0.0
                                        for k in 0..<ppg { s += inputSum(src + groups.plane(gr, k), count: ps, reading: R.self) }
                                        mu = s / Double(m)
                                        var ss = 0.0
                                        for k in 0..<ppg { ss += centredSquares(src + groups.plane(gr, k), count: ps, mean: mu, reading: R.self) }
                                        v = ss / Double(m)
                                    }
                                    let r = 1 / (v + Double(eps)).squareRoot()
                                    mp[gr] = Float(mu); vp[gr] = Float(v); rp[gr] = Float(r)
                                    let c = groups.channel(gr)
                                    let a = Float(r) * (gamma?[c] ?? 1), b = beta?[c] ?? 0, muF = Float(mu)
                                    for k in 0..<ppg {
                                        let o = groups.plane(gr, k)
                                        let xs = src + o, ys = dst + o
                                        for i in 0..<ps { ys[i] = (R.read(xs[i]) - muF) * a + b }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (y, NormalizationStatistics(mean: mean, variance: variance, invStd: invStd))
    }

    /// One fused pass per group: `Σ g` and `Σ g·x̂` (Float lanes within blocks, Double across
    /// them), then the input gradient.
    static func normalizeBackward(
        _ x: Tensor, gradOutput: Tensor, groups: NormalizationGroups, weight: Tensor?, statistics: NormalizationStatistics,
        statisticsDependOnInput: Bool, inputGradient: Bool, weightGradient: Bool, biasGradient: Bool, rectify: Bool = false
    ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        rectify
            ? normalizeBackward(x, gradOutput: gradOutput, groups: groups, weight: weight, statistics: statistics,
                                statisticsDependOnInput: statisticsDependOnInput, inputGradient: inputGradient,
                                weightGradient: weightGradient, biasGradient: biasGradient, reading: RectifiedInput.self)
            : normalizeBackward(x, gradOutput: gradOutput, groups: groups, weight: weight, statistics: statistics,
                                statisticsDependOnInput: statisticsDependOnInput, inputGradient: inputGradient,
                                weightGradient: weightGradient, biasGradient: biasGradient, reading: PlainInput.self)
    }

    /// `normalizeBackward`, specialised for how input scalars are read (with `RectifiedInput`
    /// the input gradient is 0 wherever the input is not positive).
    private static func normalizeBackward<R: NormalizationInput>(
        _ x: Tensor, gradOutput: Tensor, groups: NormalizationGroups, weight: Tensor?, statistics: NormalizationStatistics,
        statisticsDependOnInput: Bool, inputGradient: Bool, weightGradient: Bool, biasGradient: Bool, reading: R.Type
    ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        precondition(gradOutput.shape == x.shape,
                     "normalisation backward: output gradient \(Shape.describe(gradOutput.shape)) for input \(Shape.describe(x.shape))")
        let count = groups.count, m = groups.elements, ppg = groups.planesPerGroup, ps = groups.planeSize
        let xc = x.contiguous(), gc = gradOutput.contiguous(), wc = weight?.contiguous()
        let dxStorage = inputGradient ? TensorStorage(uninitializedCount: x.count) : nil
        let needSums = weightGradient || biasGradient || (inputGradient && statisticsDependOnInput)
        var sumG = [Double](repeating: 0, count: count)
        var sumGX = [Double](repeating: 0, count: count)
        withExtendedLifetime((xc, gc, wc)) {
            let src = xc.basePointer, gp = gc.basePointer, gamma = wc?.basePointer
            let dx = dxStorage?.pointer
            sumG.withUnsafeMutableBufferPointer { s1b in
                sumGX.withUnsafeMutableBufferPointer { s2b in
                    let s1p = s1b.baseAddress!, s2p = s2b.baseAddress!
                    statistics.mean.withUnsafeBufferPointer { mb in
                        statistics.invStd.withUnsafeBufferPointer { rb in
                            let mp = mb.baseAddress!, rp = rb.baseAddress!
                            Threading.parallelFor(count, grain: groups.grain) { range in
                                for gr in range {
                                    let mu = mp[gr], r = rp[gr]
                                    var s1 = 0.0, s2 = 0.0
                                    if needSums {
                                        for k in 0..<ppg {
                                            let o = groups.plane(gr, k)
                                            let (a, b) = gradientSums(gp + o, src + o, count: ps, mean: mu, invStd: r, reading: R.self)
                                            s1 += a; s2 += b
                                        }
                                    }
                                    s1p[gr] = s1; s2p[gr] = s2
                                    guard let dx else { continue }
                                    let a = r * (gamma?[groups.channel(gr)] ?? 1)
                                    if statisticsDependOnInput {
                                        let meanG = Float(s1 / Double(m)), meanGX = Float(s2 / Double(m))
                                        for k in 0..<ppg {
                                            let o = groups.plane(gr, k)
                                            let xs = src + o, g = gp + o, d = dx + o
                                            for i in 0..<ps {
                                                d[i] = R.gate(xs[i], a * (g[i] - meanG - (R.read(xs[i]) - mu) * r * meanGX))
                                            }
                                        }
                                    } else {
                                        for k in 0..<ppg {
                                            let o = groups.plane(gr, k)
                                            let xs = src + o, g = gp + o, d = dx + o
                                            for i in 0..<ps { d[i] = R.gate(xs[i], a * g[i]) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Per-channel sums of the group sums, in group order.
        func perChannel(_ sums: [Double]) -> Tensor {
            var acc = [Double](repeating: 0, count: groups.channels)
            for gr in 0..<count { acc[groups.channel(gr)] += sums[gr] }
            return Tensor(shape: [groups.channels], scalars: acc.map { Float($0) })
        }
        return (dxStorage.map { Tensor(storage: $0, shape: x.shape) },
                weightGradient ? perChannel(sumGX) : nil,
                biasGradient ? perChannel(sumG) : nil)
    }

    /// `Σ read(x)` over `count` scalars (`focal_sum`: Float lanes within blocks of 256,
    /// Double across them).
    @inline(__always)
    static func inputSum<R: NormalizationInput>(_ p: UnsafePointer<Float>, count: Int, reading: R.Type) -> Double {
        focal_sum(p, count, R.rectifies ? 1 : 0)
    }

    /// `Σ (read(x) − mean)²` over `count` scalars (`focal_centred_squares`).
    @inline(__always)
    static func centredSquares<R: NormalizationInput>(_ p: UnsafePointer<Float>, count: Int, mean: Double, reading: R.Type) -> Double {
        focal_centred_squares(p, count, Float(mean), R.rectifies ? 1 : 0)
    }

    /// `(Σ g, Σ g·x̂)` with `x̂ = (read(x) − mean)·invStd` over `count` scalars
    /// (`focal_gradient_sums`).
    @inline(__always)
    static func gradientSums<R: NormalizationInput>(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int, mean: Float,
                                                    invStd: Float, reading: R.Type) -> (Double, Double) {
        var sumG = 0.0, sumGX = 0.0
        focal_gradient_sums(g, x, count, mean, invStd, R.rectifies ? 1 : 0, &sumG, &sumGX)
        return (sumG, sumGX)
    }
}

/// How the normalisation kernels read their input: as stored, or rectified (a ReLU fused in).
protocol NormalizationInput {
    /// The value the normalisation sees for stored `x`.
    static func read(_ x: Float) -> Float
    /// Whether `read` is `max(x, 0)` (the C kernels take it as a flag).
    static var rectifies: Bool { get }
    /// The input gradient given its value `g` through the normalisation, at stored `x`.
    static func gate(_ x: Float, _ g: Float) -> Float
}

/// The input as stored.
enum PlainInput: NormalizationInput {
    @inline(__always) static func read(_ x: Float) -> Float { x }
    static var rectifies: Bool { false }
    @inline(__always) static func gate(_ x: Float, _ g: Float) -> Float { g }
}

/// `max(x, 0)` (NaN stays NaN, as `Kernels.relu`); the gradient passes where `x > 0`.
enum RectifiedInput: NormalizationInput {
    @inline(__always) static func read(_ x: Float) -> Float { x < 0 ? 0 : x }
    static var rectifies: Bool { true }
    @inline(__always) static func gate(_ x: Float, _ g: Float) -> Float { x > 0 ? g : 0 }
}
