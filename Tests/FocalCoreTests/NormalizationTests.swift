import FocalCore
import FocalTestSupport
import Testing

@Suite struct NormalizationTests {
    @Test func instanceNormMatchesGoldenValues() {
        let cases = CoreOpsGolden.cases("instanceNorm2d")
        #expect(cases.count == 2)
        for c in cases {
            let y = instanceNorm2d(c.input("x")!, weight: c.input("weight"), bias: c.input("bias"), eps: Float(c.params["eps"]!))
            CoreOpsGolden.expectMatch(y, c.output("y"), c.description, rtol: 1e-5, atol: 2e-5)
        }
    }

    @Test func batchNormMatchesGoldenValues() {
        let cases = CoreOpsGolden.cases("batchNorm2d")
        #expect(cases.count == 3)
        for c in cases {
            let r = batchNorm2d(c.input("x")!, weight: c.input("weight"), bias: c.input("bias"),
                                runningMean: c.input("runningMean")!, runningVar: c.input("runningVar")!,
                                training: c.int("training") == 1, momentum: Float(c.params["momentum"]!), eps: Float(c.params["eps"]!))
            CoreOpsGolden.expectMatch(r.output, c.output("y"), "\(c) output", rtol: 1e-5, atol: 2e-5)
            CoreOpsGolden.expectMatch(r.runningMean, c.output("runningMean"), "\(c) running mean")
            CoreOpsGolden.expectMatch(r.runningVar, c.output("runningVar"), "\(c) running variance")
        }
    }

    /// Each plane is normalised on its own, with Double statistics that survive a large offset.
    @Test func instanceNormNormalisesEachPlane() {
        var gen = RandomGenerator(seed: 41)
        let x = Tensor(randomNormal: [2, 3, 16, 16], mean: 1000, std: 2, generator: &gen)
        let y = instanceNorm2d(x, eps: 0)
        let mean = y.mean(axes: [2, 3]).scalars
        let variance = (y * y).mean(axes: [2, 3]).scalars
        #expect(mean.allSatisfy { abs($0) < 1e-3 }, "\(mean)")
        #expect(variance.allSatisfy { abs($0 - 1) < 1e-3 }, "\(variance)")
        // γ and β act per channel.
        let g = Tensor(shape: [3], scalars: [1, 2, 3]), b = Tensor(shape: [3], scalars: [0, -1, 5])
        let z = instanceNorm2d(x, weight: g, bias: b, eps: 0)
        #expect(maxAbsDiff(z.scalars, (y * g.reshaped([1, 3, 1, 1]) + b.reshaped([1, 3, 1, 1])).scalars) < 1e-5)
    }

    @Test(arguments: [true, false])
    func instanceNormGradientsMatchFiniteDifferences(_ affine: Bool) {
        var gen = RandomGenerator(seed: 42)
        let x = Tensor(randomNormal: [2, 3, 4, 5], generator: &gen)
        let g = Tensor(randomUniform: [3], low: 0.5, high: 1.5, generator: &gen)
        let b = Tensor(randomNormal: [3], generator: &gen)
        let report = gradCheck(affine ? [x, g, b] : [x], eps: 5e-3, rtol: 1e-2, atol: 1e-3, maxEntries: 120) { t in
            instanceNorm2d(t[0], weight: affine ? t[1] : nil, bias: affine ? t[2] : nil)
        }
        #expect(report.passed, "\(report)")
    }

    @Test("ReLU fused into instance norm: the values and gradients of instanceNorm2d(x.relu()); finite differences",
          arguments: [true, false])
    func rectifyingInstanceNorm(_ affine: Bool) {
        var gen = RandomGenerator(seed: 43)
        // Inputs away from 0 (the ReLU's kink) so finite differences are valid.
        var values = Tensor(randomNormal: [2, 3, 4, 5], generator: &gen).scalars
        for i in values.indices where abs(values[i]) < 0.05 { values[i] = values[i] < 0 ? -0.3 : 0.3 }
        values[0] = 0  // exactly 0: rectified to 0, no gradient (as relu)
        let x = Tensor(shape: [2, 3, 4, 5], scalars: values)
        let g = Tensor(randomUniform: [3], low: 0.5, high: 1.5, generator: &gen)
        let b = Tensor(randomNormal: [3], generator: &gen)
        let upstream = Tensor(randomNormal: [2, 3, 4, 5], generator: &gen)
        let inputs = affine ? [x, g, b] : [x]
        func grads(_ f: ([Tensor]) -> Tensor) -> (Tensor, [Tensor]) {
            let leaves = inputs.map { $0.requiringGradient() }
            let y = f(leaves)
            (y * upstream).sum().backward()
            return (y.detached(), leaves.map { $0.grad! })
        }
        let fused = grads { t in instanceNorm2d(t[0], weight: affine ? t[1] : nil, bias: affine ? t[2] : nil, rectifyingInput: true) }
        let plain = grads { t in instanceNorm2d(t[0].relu(), weight: affine ? t[1] : nil, bias: affine ? t[2] : nil) }
        #expect(maxAbsDiff(fused.0.scalars, plain.0.scalars) < 1e-5)
        for (a, c) in zip(fused.1, plain.1) { #expect(maxAbsDiff(a.scalars, c.scalars) < 1e-5) }
        #expect(fused.1[0].scalars[0] == 0)
        values[0] = 0.3  // finite differences need the kink out of reach
        let smooth = Tensor(shape: [2, 3, 4, 5], scalars: values)
        let report = gradCheck(affine ? [smooth, g, b] : [smooth], eps: 5e-3, rtol: 1e-2, atol: 1e-3, maxEntries: 120) { t in
            instanceNorm2d(t[0], weight: affine ? t[1] : nil, bias: affine ? t[2] : nil, rectifyingInput: true)
        }
        #expect(report.passed, "\(report)")
    }

    @Test(arguments: [true, false])
    func batchNormGradientsMatchFiniteDifferences(_ training: Bool) {
        var gen = RandomGenerator(seed: 43)
        let x = Tensor(randomNormal: [3, 2, 3, 4], mean: 0.5, generator: &gen)
        let g = Tensor(randomUniform: [2], low: 0.5, high: 1.5, generator: &gen)
        let b = Tensor(randomNormal: [2], generator: &gen)
        let rm = Tensor(shape: [2], scalars: [0.3, -0.2]), rv = Tensor(shape: [2], scalars: [0.8, 1.5])
        let report = gradCheck([x, g, b], eps: 5e-3, rtol: 1e-2, atol: 1e-3, maxEntries: 72) { t in
            batchNorm2d(t[0], weight: t[1], bias: t[2], runningMean: rm, runningVar: rv, training: training).output
        }
        #expect(report.passed, "\(report)")
        let noAffine = gradCheck([x], eps: 5e-3, rtol: 1e-2, atol: 1e-3, maxEntries: 72) { t in
            batchNorm2d(t[0], weight: nil, bias: nil, runningMean: rm, runningVar: rv, training: training).output
        }
        #expect(noAffine.passed, "\(noAffine)")
    }

    /// Training uses batch statistics and moves the running ones; evaluation uses (and keeps)
    /// the running statistics.
    @Test func batchNormTrainingAndEvaluationModes() {
        var gen = RandomGenerator(seed: 44)
        let x = Tensor(randomNormal: [4, 2, 3, 3], mean: 3, std: 2, generator: &gen)
        let rm = Tensor(zeros: [2]), rv = Tensor(ones: [2])
        let train = batchNorm2d(x, weight: nil, bias: nil, runningMean: rm, runningVar: rv, training: true, momentum: 0.5, eps: 0)
        let perChannel = train.output.permuted([1, 0, 2, 3]).reshaped([2, 36])
        #expect(perChannel.mean(axes: [1]).scalars.allSatisfy { abs($0) < 1e-5 })
        #expect((perChannel * perChannel).mean(axes: [1]).scalars.allSatisfy { abs($0 - 1) < 1e-4 })
        let xs = x.permuted([1, 0, 2, 3]).reshaped([2, 36])
        let batchMean = xs.mean(axes: [1], keepDims: true)
        let unbiased = ((xs - batchMean).squared().sum(axes: [1]) * (1 / 35)).scalars
        #expect(allClose(train.runningMean.scalars, batchMean.scalars.map { 0.5 * $0 }, rtol: 1e-5))
        #expect(allClose(train.runningVar.scalars, unbiased.map { 0.5 + 0.5 * $0 }, rtol: 1e-5))

        let eval = batchNorm2d(x, weight: nil, bias: nil, runningMean: train.runningMean, runningVar: train.runningVar,
                               training: false, eps: 0)
        #expect(eval.runningMean.scalars == train.runningMean.scalars)
        #expect(eval.runningVar.scalars == train.runningVar.scalars)
        let m = train.runningMean.reshaped([1, 2, 1, 1]), v = train.runningVar.reshaped([1, 2, 1, 1])
        #expect(maxAbsDiff(eval.output.scalars, ((x - m) / v.sqrt()).scalars) < 1e-5)
    }

    /// With γ and β not on the tape only the input gradient is produced, and the other way round.
    @Test func onlyRequestedGradientsAreComputed() {
        var gen = RandomGenerator(seed: 45)
        let x = Tensor(randomNormal: [2, 2, 3, 3], generator: &gen)
        let g = Tensor(ones: [2]).requiringGradient("gamma"), b = Tensor(zeros: [2])
        instanceNorm2d(x, weight: g, bias: b).sum().backward()
        #expect(x.grad == nil && b.grad == nil)
        // Σ y = Σ x̂·γ = 0 per plane for any γ: its gradient vanishes.
        #expect(g.grad!.scalars.allSatisfy { abs($0) < 1e-4 })
        let r = Kernels.instanceNorm2dBackward(x, gradOutput: Tensor(ones: x.shape), weight: nil,
                                               statistics: Kernels.instanceNorm2d(x, weight: nil, bias: nil, eps: 1e-3).statistics,
                                               inputGradient: false, weightGradient: false, biasGradient: true)
        #expect(r.input == nil && r.weight == nil)
        #expect(r.bias!.scalars == [18, 18])
    }
}
