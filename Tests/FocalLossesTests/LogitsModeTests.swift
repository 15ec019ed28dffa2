import FocalCore
import FocalLosses
import Testing

/// `inputKind: .logits` equals `.probabilities` on `softmax(logits)` (values, and gradients
/// with respect to the logits by the chain rule through the softmax Jacobian).
@Suite("Logits mode")
struct LogitsModeTests {
    /// `∂L/∂z = p ⊙ (g − Σ_c g_c p_c)` for `p = softmax(z)` over axis 1.
    static func chainRule(gradientWrtProbabilities g: Tensor, probabilities p: Tensor) -> Tensor {
        let gp = Kernels.mul(g, p)
        return Kernels.sub(gp, Kernels.mul(p, Kernels.sum(gp, axes: [1], keepDims: true)))
    }

    @Test("values and gradients agree", arguments: [(2, [6, 5]), (3, [4, 5]), (4, [2, 3, 3])])
    func agree(classes: Int, spatial: [Int]) throws {
        var g = RandomGenerator(seed: UInt64(40 + classes))
        let labels = LossTestSupport.randomLabels(batch: 2, classes: classes, spatial: spatial, generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: classes, spatial: spatial)
        let z = LossTestSupport.logits(target: y, scale: 1.5, informative: 1, generator: &g)
        let p = Kernels.softmax(z, axis: 1)
        for (probLoss, logitLoss) in zip(LossTestSupport.allLosses(.probabilities), LossTestSupport.allLosses(.logits)) {
            let (vp, gp) = try LossTestSupport.valueAndGradient(probLoss, p, y)
            let (vz, gz) = try LossTestSupport.valueAndGradient(logitLoss, z, y)
            #expect(abs(vp - vz) <= 2e-6 * max(1, abs(vp)), "\(probLoss.name): \(vp) vs \(vz)")
            let expected = Self.chainRule(gradientWrtProbabilities: gp, probabilities: p).scalars
            let scale = expected.map { abs($0) }.max() ?? 0
            for (a, e) in zip(gz.scalars, expected) {
                #expect(abs(a - e) <= 1e-4 * abs(e) + 1e-4 * scale, "\(probLoss.name): \(a) vs \(e)")
            }
        }
    }

    @Test("also with the distance penalty, both modes")
    func agreeWithDistancePenalty() throws {
        var g = RandomGenerator(seed: 44)
        let labels = LossTestSupport.randomLabels(batch: 2, classes: 2, spatial: [8, 7], generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: 2, spatial: [8, 7])
        let z = LossTestSupport.logits(target: y, scale: 1, informative: 1, generator: &g)
        let p = Kernels.softmax(z, axis: 1)
        for mode in DistancePenalized.Mode.allCases {
            let a = AsymmetricUnifiedFocalLoss(gamma: 0.2).distancePenalized(epsilon: 1, mode: mode)
            let b = AsymmetricUnifiedFocalLoss(gamma: 0.2, inputKind: .logits).distancePenalized(epsilon: 1, mode: mode)
            let (vp, gp) = try LossTestSupport.valueAndGradient(a, p, y)
            let (vz, gz) = try LossTestSupport.valueAndGradient(b, z, y)
            #expect(abs(vp - vz) <= 2e-6 * max(1, abs(vp)))
            let expected = Self.chainRule(gradientWrtProbabilities: gp, probabilities: p).scalars
            let scale = expected.map { abs($0) }.max() ?? 0
            #expect(zip(gz.scalars, expected).allSatisfy { abs($0 - $1) <= 1e-4 * abs($1) + 1e-4 * scale })
        }
    }
}
