import FocalCore
import FocalNets
import FocalTestSupport
import Foundation
import Testing

@Suite("Focal layer")
struct FocalLayerTests {
    @Test("forward is clip(a, 1e-7, 1)^ε with one scalar ε of shape [1]")
    func forward() {
        let layer = FocalLayer(epsilon: 0.5)
        #expect(layer.epsilon.shape == [1] && layer.parameterCount == 1)
        #expect(layer.namedParameters().map(\.0) == ["epsilon"])
        let a = Tensor(shape: [5], scalars: [0.25, 1, 0, 1e-9, 1.5])
        let y = layer(a).scalars
        #expect(allClose(y, [0.5, 1, Float(1e-7).squareRoot(), Float(1e-7).squareRoot(), 1], rtol: 1e-6))
    }

    @Test("gradient with respect to the coefficients and to ε (d/dε = a^ε ln a), for several ε")
    func gradients() {
        let a = uniform([2, 3, 4], 0.05, 0.95, seed: 1)
        for epsilon: Float in [0.3, 1, 2.5] {
            let e = Tensor(shape: [1], scalars: [epsilon])
            let report = gradCheck([a, e], eps: 1e-3) { xs in FocalLayer.apply(xs[0], epsilon: xs[1]) }
            #expect(report.passed, "ε = \(epsilon): \(report)")
        }
        // Through the module's Parameter as well.
        let layer = FocalLayer(epsilon: 0.7)
        let r = parameterGradCheck(layer, eps: 1e-3) { layer(a) }
        #expect(r.passed, "\(r)")
        // The analytic d/dε of Σ a^ε at ε = 0.7.
        layer.zeroGrad()
        layer(a).sum().backward()
        let expected = a.scalars.reduce(0.0) { $0 + pow(Double($1), 0.7) * log(Double($1)) }
        #expect(abs(Double(layer.epsilon.grad!.item()) - expected) < 1e-4 * abs(expected))
    }

    @Test("no gradient reaches clipped coefficients")
    func clippedGradient() {
        let a = Tensor(shape: [3], scalars: [1e-9, 0.5, 1.2]).requiringGradient()
        let layer = FocalLayer(epsilon: 2)
        layer(a).sum().backward()
        let g = a.grad!.scalars
        #expect(g[0] == 0 && g[2] == 0 && abs(g[1] - 1) < 1e-6)
    }

    @Test("ε is clamped to ≥ 0 by its constraint after an optimiser-like step")
    func constraint() {
        let layer = FocalLayer(epsilon: 0.1)
        // An optimiser step that overshoots below zero…
        layer.epsilon.update { $0[0] -= 0.35 }
        #expect(layer.epsilonValue < 0)
        layer.epsilon.applyConstraint()
        #expect(layer.epsilonValue == 0)
        // …and a non-negative value is left alone.
        layer.epsilon.value = Tensor(shape: [1], scalars: [0.42])
        layer.epsilon.applyConstraint()
        #expect(layer.epsilonValue == 0.42)
        #expect(layer.epsilon.isTrainable)
    }

    @Test("FocalCore's Adam applies the clamp: a step that would make ε negative leaves it at 0")
    func adamStepClampsEpsilon() {
        var g = RandomGenerator(seed: 2)
        let se = SqueezeExcitation(channels: 4, reduction: 2, focal: true, focalEpsilon: 0.001, generator: &g)
        let x = uniform([1, 4, 2, 2], 0.5, 1, seed: 3)
        // Maximising the output pushes ε down (d/dε = s^ε ln s < 0), by about lr per Adam step.
        let adam = Adam(parameters: se.namedParameters(), learningRate: 0.01)
        se.zeroGrad()
        (-se(x).sum()).backward()
        #expect(se.focal!.epsilon.grad!.item() > 0)
        adam.step()
        #expect(se.focal!.epsilonValue == 0)
    }

    @Test("ε = 0: a Focal SE block is exactly the identity and a Focal AG gates nothing out (α ≡ 1)")
    func epsilonZeroIsIdentity() {
        var g = RandomGenerator(seed: 3)
        let se = SqueezeExcitation(channels: 6, reduction: 2, focal: true, focalEpsilon: 0, generator: &g)
        let x = uniform([2, 6, 3, 3], -2, 2, seed: 4)
        #expect(bits(se(x)) == bits(x))

        let gate = AttentionGate(skipChannels: 3, gatingChannels: 6, focal: true, focalEpsilon: 0, generator: &g)
        let skip = uniform([1, 3, 4, 4], seed: 5), coarse = uniform([1, 6, 2, 2], seed: 6)
        #expect(gate.coefficients(skip: skip, gating: coarse).scalars.allSatisfy { $0 == 1 })
        let unGated = gate.outputNorm!(gate.output(skip))
        #expect(bits(gate(skip, gating: coarse)) == bits(unGated))
    }

    @Test("ε = 1: a Focal SE block / AG is bitwise the plain module with the same weights")
    func epsilonOneIsPlainModule() {
        // The Focal layer draws no random numbers, so equal seeds give equal weights.
        var g1 = RandomGenerator(seed: 7), g2 = RandomGenerator(seed: 7)
        let focalSE = SqueezeExcitation(channels: 8, reduction: 4, focal: true, focalEpsilon: 1, generator: &g1)
        let plainSE = SqueezeExcitation(channels: 8, reduction: 4, focal: false, generator: &g2)
        let x = uniform([2, 8, 5, 3], -3, 3, seed: 8)
        #expect(bits(focalSE(x)) == bits(plainSE(x)))

        let focalAG = AttentionGate(skipChannels: 4, gatingChannels: 8, focal: true, focalEpsilon: 1, generator: &g1)
        let plainAG = AttentionGate(skipChannels: 4, gatingChannels: 8, focal: false, generator: &g2)
        let skip = uniform([2, 4, 6, 6], seed: 9), coarse = uniform([2, 8, 3, 3], seed: 10)
        #expect(bits(focalAG(skip, gating: coarse)) == bits(plainAG(skip, gating: coarse)))
    }
}
