import FocalCore
import FocalLosses
import FocalTestSupport
import Foundation
import Testing

/// Finite-difference checks of every loss (probabilities away from the clip bounds, and
/// logits) and of the fused operations.
@Suite("Finite-difference gradient checks")
struct LossGradientCheckTests {
    /// A small 2-D and a small 3-D input.
    static func inputs(classes: Int, spatial: [Int], seed: UInt64) -> (Tensor, Tensor, Tensor) {
        var g = RandomGenerator(seed: seed)
        let labels = LossTestSupport.randomLabels(batch: 2, classes: classes, spatial: spatial, generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: classes, spatial: spatial)
        let p = LossTestSupport.interiorProbabilities(shape: y.shape, generator: &g)
        let z = LossTestSupport.logits(target: y, scale: 1, informative: 0.5, generator: &g)
        return (y, p, z)
    }

    @Test("every loss, probabilities, 2-D with C = 2 and 3-D with C = 3", arguments: [(2, [4, 3]), (3, [2, 3, 2])])
    func probabilities(classes: Int, spatial: [Int]) throws {
        let (y, p, _) = Self.inputs(classes: classes, spatial: spatial, seed: 11)
        for loss in LossTestSupport.allLosses(.probabilities) {
            let report = gradCheck([p], eps: 2e-3, rtol: 2e-2, atol: 2e-4, maxEntries: 200) { xs in
                (try? loss.callAsFunction(xs[0], y)) ?? Tensor(Float.nan)
            }
            #expect(report.passed, "\(loss.name): \(report)")
        }
    }

    @Test("every loss, logits, 2-D with C = 2 and 3-D with C = 4", arguments: [(2, [4, 3]), (4, [2, 3, 2])])
    func logits(classes: Int, spatial: [Int]) throws {
        let (y, _, z) = Self.inputs(classes: classes, spatial: spatial, seed: 12)
        for loss in LossTestSupport.allLosses(.logits) {
            let report = gradCheck([z], eps: 2e-3, rtol: 2e-2, atol: 2e-4, maxEntries: 200) { xs in
                (try? loss.callAsFunction(xs[0], y)) ?? Tensor(Float.nan)
            }
            #expect(report.passed, "\(loss.name) (logits): \(report)")
        }
    }

    @Test("losses with the distance penalty, both modes")
    func distancePenalized() throws {
        let (y, p, z) = Self.inputs(classes: 2, spatial: [5, 4], seed: 13)
        for mode in DistancePenalized.Mode.allCases {
            let losses: [any SegmentationLoss] = [DiceLoss(), FocalTverskyLoss(), FocalLoss(), ComboLoss(), DiceCrossEntropyLoss(),
                                                  SymmetricUnifiedFocalLoss(), AsymmetricUnifiedFocalLoss(gamma: 0.2)]
            for loss in losses {
                let wrapped = DistancePenalized(loss, epsilon: 0.7, mode: mode)
                let report = gradCheck([p], eps: 2e-3, rtol: 2e-2, atol: 2e-4, maxEntries: 200) { xs in
                    (try? wrapped.callAsFunction(xs[0], y)) ?? Tensor(Float.nan)
                }
                #expect(report.passed, "\(loss.name) \(mode): \(report)")
            }
            let logitLoss = DistancePenalized(AsymmetricUnifiedFocalLoss(inputKind: .logits), epsilon: 1, mode: mode)
            let report = gradCheck([z], eps: 2e-3, rtol: 2e-2, atol: 2e-4, maxEntries: 200) { xs in
                (try? logitLoss.callAsFunction(xs[0], y)) ?? Tensor(Float.nan)
            }
            #expect(report.passed, "logits \(mode): \(report)")
        }
    }

    @Test("regionStatistics with and without pixel weights")
    func regionStatistics() {
        var g = RandomGenerator(seed: 21)
        let p = Tensor(randomUniform: [2, 3, 4, 5], low: 0, high: 1, generator: &g)
        let y = Tensor(randomUniform: [2, 3, 4, 5], low: 0, high: 1, generator: &g)
        let w = Tensor(randomUniform: [2, 1, 4, 5], low: 0.5, high: 2, generator: &g)
        for weight in [nil, w] {
            let report = gradCheck([p], eps: 1e-2, rtol: 1e-2, atol: 1e-3) { xs in
                LossOps.regionStatistics(xs[0], target: y, pixelWeight: weight)
            }
            #expect(report.passed, "\(report)")
        }
        // Forward against direct sums.
        let stats = LossOps.regionStatistics(p, target: y, pixelWeight: w).scalars
        let ps = p.scalars, ys = y.scalars, ws = w.scalars
        for b in 0..<2 {
            for c in 0..<3 {
                var tp = 0.0, fn = 0.0, fp = 0.0
                for i in 0..<20 {
                    let k = (b * 3 + c) * 20 + i
                    let wi = Double(ws[b * 20 + i])
                    tp += Double(ys[k]) * Double(ps[k]) * wi
                    fn += Double(ys[k]) * (1 - Double(ps[k])) * wi
                    fp += (1 - Double(ys[k])) * Double(ps[k])
                }
                let row = b * 3 + c
                #expect(abs(Double(stats[row]) - tp) <= 1e-5 * max(1, tp))
                #expect(abs(Double(stats[6 + row]) - fn) <= 1e-5 * max(1, fn))
                #expect(abs(Double(stats[12 + row]) - fp) <= 1e-5 * max(1, fp))
            }
        }
    }

    /// Region statistics `[3, N, C]` with `TP` in [5, 50] and `FN`, `FP` in [1e-3, 1e-2]
    /// (`1 − TI` about 1e-4), and a second set with all three in [0.5, 5].
    static func tverskyStatistics(nearOne: Bool, seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        let tp = Tensor(randomUniform: [1, 2, 3], low: nearOne ? 5 : 0.5, high: nearOne ? 50 : 5, generator: &g)
        let rest = Tensor(randomUniform: [2, 2, 3], low: nearOne ? 1e-3 : 0.5, high: nearOne ? 1e-2 : 5, generator: &g)
        return Tensor(shape: [3, 2, 3], scalars: tp.scalars + rest.scalars)
    }

    @Test("tverskyIndex and tverskyComplement: gradients near TI = 1 and away from it", arguments: [true, false])
    func tverskyOps(nearOne: Bool) {
        let stats = Self.tverskyStatistics(nearOne: nearOne, seed: nearOne ? 24 : 25)
        // Near TI = 1, ∂/∂TP is about 1e-6: an absolute floor far below it, and a step large
        // enough for float32 to resolve the change of 1 − TI (the function is smooth through
        // FN, FP < 0).
        let atol = nearOne ? 1e-9 : 1e-5
        let eps: Float = nearOne ? 1e-2 : 1e-3
        for delta: Float in [0.5, 0.7, 0] {
            let complement = gradCheck([stats], eps: eps, rtol: 1e-2, atol: atol) { xs in
                LossOps.tverskyComplement(xs[0], delta: delta, smooth: 1e-6)
            }
            #expect(complement.passed, "complement δ \(delta): \(complement)")
            if nearOne {
                // TI itself is within a few float32 ulps of 1 here, below what a finite
                // difference resolves; its gradient is the negated complement's.
                let x = stats.requiringGradient()
                LossOps.tverskyIndex(x, delta: delta, smooth: 1e-6).sum().backward()
                let gi = x.grad!.scalars
                let y = stats.requiringGradient()
                LossOps.tverskyComplement(y, delta: delta, smooth: 1e-6).sum().backward()
                #expect(gi == y.grad!.scalars.map { -$0 })
            } else {
                let index = gradCheck([stats], eps: eps, rtol: 1e-2, atol: atol) { xs in
                    LossOps.tverskyIndex(xs[0], delta: delta, smooth: 1e-6)
                }
                #expect(index.passed, "index δ \(delta): \(index)")
            }
        }
    }

    @Test("tverskyComplement: the cancellation-free 1 − TI, exact gradients against Double")
    func tverskyComplementForward() {
        // TP = 1000, FN = 2e-4, FP = 1e-4: 1 − TI ≈ 1.7e-7, which 1 − TI in float32 cannot resolve.
        let stats = Tensor(shape: [3, 1, 1], scalars: [1000, 2e-4, 1e-4]).requiringGradient()
        let delta = 0.7, smooth = Double(Float(1e-6))
        let (tp, fn, fp) = (Double(Float(1000)), Double(Float(2e-4)), Double(Float(1e-4)))
        let a = Double(Float(delta)) * fn + (1 - Double(Float(delta))) * fp
        let d = tp + a + smooth
        let c = LossOps.tverskyComplement(stats, delta: Float(delta), smooth: Float(smooth))
        #expect(abs(Double(c.item()) - a / d) <= 1e-7 * (a / d))
        c.sum().backward()
        let grad = stats.grad!.scalars.map(Double.init)
        let delta32 = Double(Float(delta))
        let expected = [-a / (d * d), delta32 * (tp + smooth) / (d * d), (1 - delta32) * (tp + smooth) / (d * d)]
        for (g, e) in zip(grad, expected) { #expect(abs(g - e) <= 1e-6 * abs(e), "\(grad) vs \(expected)") }
        // Index and complement add up to 1.
        let index = LossOps.tverskyIndex(stats.detached(), delta: Float(delta), smooth: Float(smooth)).item()
        #expect(abs(Double(index) + Double(c.item()) - 1) <= 1e-7)
    }

    /// (Closer to 1 the float32 loss value cannot resolve a finite-difference step; the
    /// near-perfect gradients are checked against Double in `TverskyPrecisionTests`.)
    @Test("region losses near a perfect prediction (p = 0.99 on the true class)", arguments: [(2, [4, 3]), (3, [2, 3, 2])])
    func regionLossesNearPerfect(classes: Int, spatial: [Int]) throws {
        var g = RandomGenerator(seed: 26)
        let labels = LossTestSupport.randomLabels(batch: 2, classes: classes, spatial: spatial, generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: classes, spatial: spatial)
        let jitter = Tensor(randomUniform: y.shape, low: 0.5, high: 1.5, generator: &g)
        let p = Kernels.zipMap(y, jitter) { yi, u in yi == 1 ? 1 - 1e-2 * u : 1e-2 * u / Float(classes - 1) }
        let losses: [any SegmentationLoss] = [
            DiceLoss(), TverskyLoss(), FocalTverskyLoss(), FocalTverskyLoss(delta: 0.6, gamma: 0.5),
            SymmetricFocalTverskyLoss(), AsymmetricFocalTverskyLoss(), DiceCrossEntropyLoss(), ComboLoss(),
        ]
        for loss in losses {
            let report = gradCheck([p], eps: 1e-3, rtol: 2e-2, atol: 2e-4, maxEntries: 200) { xs in
                (try? loss.callAsFunction(xs[0], y)) ?? Tensor(Float.nan)
            }
            #expect(report.passed, "\(loss.name): \(report)")
        }
    }

    @Test("channelPower: exponents 0, 1, below and above 1")
    func channelPower() {
        var g = RandomGenerator(seed: 22)
        let x = Tensor(randomUniform: [2, 4, 3], low: 0.1, high: 1, generator: &g)
        let report = gradCheck([x], eps: 1e-3, rtol: 1e-2, atol: 1e-3) { xs in
            LossOps.channelPower(xs[0], exponents: [0, 1, 0.3, 2.5])
        }
        #expect(report.passed, "\(report)")
        // Value at 0 and the floored slope.
        let zero = Tensor(zeros: [1, 3]).requiringGradient()
        let y = LossOps.channelPower(zero, exponents: [0, 0.5, 2])
        #expect(y.scalars == [1, 0, 0])
        y.sum().backward()
        let grad = zero.grad!.scalars
        #expect(grad[0] == 0 && grad[2] == 0)
        #expect(grad[1].isFinite && grad[1] > 0)
    }

    @Test("logComplementSoftmax: value and gradient")
    func logComplementSoftmax() {
        var g = RandomGenerator(seed: 23)
        for c in [2, 3, 5] {
            let z = Tensor(randomNormal: [2, c, 3, 2], std: 2, generator: &g)
            let report = gradCheck([z], eps: 1e-2, rtol: 1e-2, atol: 1e-3) { xs in LossOps.logComplementSoftmax(xs[0]) }
            #expect(report.passed, "C = \(c): \(report)")
            let l = LossOps.logComplementSoftmax(z).scalars
            let p = Kernels.softmax(z, axis: 1).scalars
            for (a, pi) in zip(l, p) { #expect(abs(a - Float(log(1 - Double(pi)))) <= 1e-4) }
        }
        // Saturated logits stay finite (general path C = 3 and two-class path).
        for (shape, values) in [([1, 3, 1, 2], [80, -80, -80, 80, 0, -80] as [Float]), ([1, 2, 1, 3], [80, -80, 0, -80, 80, 0])] {
            let z = Tensor(shape: shape, scalars: values).requiringGradient()
            let l = LossOps.logComplementSoftmax(z)
            #expect(l.scalars.allSatisfy { $0.isFinite })
            l.sum().backward()
            #expect(z.grad!.scalars.allSatisfy { $0.isFinite })
        }
        let two = LossOps.logComplementSoftmax(Tensor(shape: [1, 2, 1, 1], scalars: [80, -80])).scalars
        #expect(two == [-160, 0])
    }
}
