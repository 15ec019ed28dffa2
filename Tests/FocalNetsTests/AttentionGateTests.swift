import FocalCore
import FocalNets
import FocalTestSupport
import Foundation
import Testing

@Suite("Attention gate")
struct AttentionGateTests {
    @Test("shapes, coefficients in (0, 1], parameter count 13F² + 9F + 2 (Focal, instance norm), names")
    func structure() {
        var g = RandomGenerator(seed: 1)
        let gate = AttentionGate(skipChannels: 4, gatingChannels: 8, focal: true, generator: &g)
        let skip = uniform([2, 4, 8, 6], seed: 2), coarse = uniform([2, 8, 4, 3], seed: 3)
        #expect(gate(skip, gating: coarse).shape == [2, 4, 8, 6])
        let alpha = gate.coefficients(skip: skip, gating: coarse)
        #expect(alpha.shape == [2, 1, 8, 6])
        #expect(alpha.scalars.allSatisfy { $0 > 0 && $0 <= 1 })
        // Nearest ×2 upsampling: each 2×2 block holds one coefficient.
        #expect(alpha[1, 0, 4, 2] == alpha[1, 0, 5, 3])
        for f in [4, 32] {
            let ag = AttentionGate(skipChannels: f, gatingChannels: 2 * f, focal: true, generator: &g)
            // gating 2F·F+F, norm 2F, θ 9F²+F, φ F²+F, ψ F+1, output F²+F, norm 2F, ε 1
            #expect(ag.parameterCount == 13 * f * f + 9 * f + 2)
        }
        #expect(gate.namedParameters().map(\.0) == [
            "gating.weight", "gating.bias", "gatingNorm.weight", "gatingNorm.bias", "theta.weight", "theta.bias",
            "phi.weight", "phi.bias", "psi.weight", "psi.bias", "focal.epsilon", "output.weight", "output.bias",
            "outputNorm.weight", "outputNorm.bias",
        ])
        #expect(gate.theta.padding == .same && gate.theta.stride == 2 && gate.theta.kernelSize == 3)
    }

    @Test("forward computed step by step from the spec's formulas")
    func forwardByHand() {
        var g = RandomGenerator(seed: 4)
        let gate = AttentionGate(skipChannels: 3, gatingChannels: 6, normalization: .none, focal: true,
                                 focalEpsilon: 0.6, generator: &g)
        let skip = uniform([1, 3, 4, 4], seed: 5), d = uniform([1, 6, 2, 2], seed: 6)
        let gSignal = conv2d(d, weight: gate.gating.weight.tensor, bias: gate.gating.bias!.tensor).relu()
        // Keras 'same' for stride 2 on an even size: pad 0 before, 1 after.
        let padded = zeroPadded2d(skip, top: 0, bottom: 1, left: 0, right: 1)
        let thetaX = conv2d(padded, weight: gate.theta.weight.tensor, bias: gate.theta.bias!.tensor, stride: 2)
        let phiG = conv2d(gSignal, weight: gate.phi.weight.tensor, bias: gate.phi.bias!.tensor)
        let q = (thetaX + phiG).relu()
        let alpha = conv2d(q, weight: gate.psi.weight.tensor, bias: gate.psi.bias!.tensor).sigmoid()
            .clamped(min: 1e-7, max: 1).pow(0.6)
        let up = upsampleNearest2d(alpha, scale: 2)
        let expected = conv2d(skip * up, weight: gate.output.weight.tensor, bias: gate.output.bias!.tensor)
        #expect(allClose(gate(skip, gating: d).scalars, expected.scalars, rtol: 1e-5, atol: 1e-6))
    }

    @Test("gradient check: skip, gating tensor, every weight and ε (no norm, and instance norm)")
    func gradients() {
        for normalization in [FeatureNormalization.none, .instance] {
            var g = RandomGenerator(seed: 7)
            let gate = AttentionGate(skipChannels: 2, gatingChannels: 4, normalization: normalization, focal: true,
                                     focalEpsilon: 0.8, generator: &g)
            // Positive biases keep the ReLUs away from their kinks for the finite differences.
            gate.theta.bias!.value = Tensor(shape: [2], scalars: [1.5, 1.2])
            let skip = uniform([1, 2, 4, 4], seed: 8), d = uniform([1, 4, 2, 2], seed: 9)
            let rx = gradCheck([skip, d], eps: 1e-3, rtol: 3e-2, atol: 2e-3) { xs in gate(xs[0], gating: xs[1]) }
            #expect(rx.passed, "\(normalization) inputs: \(rx)")
            let rw = parameterGradCheck(gate, eps: 1e-3, rtol: 3e-2, atol: 2e-3) { gate(skip, gating: d) }
            #expect(rw.passed, "\(normalization) weights: \(rw)")
        }
    }

    @Test("batch normalisation in the gate keeps running statistics")
    func batchNormGate() {
        var g = RandomGenerator(seed: 10)
        let gate = AttentionGate(skipChannels: 2, gatingChannels: 4, normalization: .batch, generator: &g)
        #expect(gate.namedBuffers().map(\.0) == [
            "gatingNorm.running_mean", "gatingNorm.running_var", "gatingNorm.num_batches_tracked",
            "outputNorm.running_mean", "outputNorm.running_var", "outputNorm.num_batches_tracked",
        ])
        _ = gate(uniform([2, 2, 4, 4], seed: 11), gating: uniform([2, 4, 2, 2], seed: 12))
        #expect(gate.namedBuffers()[0].1.value.scalars != [0, 0])
    }
}
