import FocalCore
import FocalTestSupport
import Foundation
import Testing

/// Runs `steps` optimiser steps on `parameter`, setting its gradient to `grads[k]` before step k,
/// and returns the value after each step.
private func trajectory(_ optimizer: any Optimizer, _ parameter: Parameter, grads: [[Float]]) -> [[Float]] {
    grads.map { g in
        optimizer.zeroGrad()
        parameter.grad = Tensor(shape: parameter.shape, scalars: g)
        optimizer.step()
        return parameter.tensor.scalars
    }
}

/// PyTorch's Adam written out in Double for one scalar, as a reference.
private func adamReference(p0: Double, grads: [Double], lr: Double, b1: Double = 0.9, b2: Double = 0.999,
                           eps: Double, wd: Double = 0) -> [Double] {
    var p = p0, m = 0.0, v = 0.0
    var out: [Double] = []
    for (k, g0) in grads.enumerated() {
        let t = Double(k + 1)
        let g = g0 + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p -= lr * (m / (1 - pow(b1, t))) / ((v / (1 - pow(b2, t))).squareRoot() + eps)
        out.append(p)
    }
    return out
}

@Suite("Optimizers")
struct OptimizerTests {
    @Test("Adam: three steps match the hand-worked PyTorch updates")
    func adamHandWorked() {
        // p = 1, gradients 1, 2, -1, lr 0.1, eps 1e-8 (worked by hand: 0.9, 0.8034818, 0.7614729).
        let p = Parameter(Tensor(shape: [1], scalars: [1]))
        let adam = Adam(parameters: [("w", p)], learningRate: 0.1, epsilon: 1e-8)
        let values = trajectory(adam, p, grads: [[1], [2], [-1]]).map { $0[0] }
        let expected: [Float] = [0.900000001, 0.8034817990, 0.7614728690]
        for (a, b) in zip(values, expected) { #expect(abs(a - b) <= 2e-7, "\(values) vs \(expected)") }
        #expect(adam.stepCount == 3)
    }

    @Test("Adam with weight decay and several elements matches the Double reference")
    func adamWeightDecay() {
        let p0: [Float] = [1, -2, 0.5, 3]
        let grads: [[Float]] = [[1, 0.5, -0.25, 2], [2, 0.5, 0.1, -1], [-1, 0.5, 0.3, 0.2]]
        let p = Parameter(Tensor(shape: [2, 2], scalars: p0))
        let adam = Adam(parameters: [("w", p)], learningRate: 0.01, epsilon: 1e-7, weightDecay: 0.5)
        let values = trajectory(adam, p, grads: grads)
        for j in 0..<4 {
            let ref = adamReference(p0: Double(p0[j]), grads: grads.map { Double($0[j]) }, lr: 0.01, eps: 1e-7, wd: 0.5)
            for k in 0..<3 { #expect(abs(Double(values[k][j]) - ref[k]) <= 1e-6 * max(1, abs(ref[k])), "element \(j) step \(k)") }
        }
        // Hand-worked value for element 0 (p = 1, wd = 0.5, lr = 0.1) from the PyTorch formula.
        let q = Parameter(Tensor(shape: [1], scalars: [1]))
        let adam2 = Adam(parameters: [("q", q)], learningRate: 0.1, epsilon: 1e-8, weightDecay: 0.5)
        let v2 = trajectory(adam2, q, grads: [[1], [2], [-1]]).map { $0[0] }
        let expected: [Float] = [0.9000000007, 0.8015529214, 0.7401107415]
        for (a, b) in zip(v2, expected) { #expect(abs(a - b) <= 2e-7, "\(v2) vs \(expected)") }
    }

    @Test("Adam's first step moves each coordinate by lr against the gradient's sign")
    func adamFirstStep() {
        let p = Parameter(Tensor(shape: [3], scalars: [0, 0, 0]))
        let adam = Adam(parameters: [("w", p)], learningRate: 0.05)
        p.grad = Tensor(shape: [3], scalars: [3, -0.2, 100])
        adam.step()
        let v = p.tensor.scalars
        #expect(abs(v[0] + 0.05) < 1e-7 && abs(v[1] - 0.05) < 1e-6 && abs(v[2] + 0.05) < 1e-7, "\(v)")
    }

    @Test("Adam's parallel path over a large tensor equals the scalar reference")
    func adamLargeTensor() {
        var g = RandomGenerator(seed: 7)
        let n = 200_003
        let p0 = Tensor(randomNormal: [n], generator: &g)
        let grads = (0..<2).map { _ in Tensor(randomNormal: [n], generator: &g).scalars }
        let p = Parameter(p0)
        let adam = Adam(parameters: [("big", p)], learningRate: 1e-3)
        _ = trajectory(adam, p, grads: grads)
        let out = p.tensor.scalars, start = p0.scalars
        var worst = 0.0
        for j in stride(from: 0, to: n, by: 997) {
            let ref = adamReference(p0: Double(start[j]), grads: grads.map { Double($0[j]) }, lr: 1e-3, eps: 1e-7)
            worst = max(worst, abs(Double(out[j]) - ref[1]))
        }
        #expect(worst < 1e-6, "max deviation \(worst)")
    }

    @Test("SGD: plain, momentum, Nesterov and weight decay match hand-worked steps")
    func sgdHandWorked() {
        func run(momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) -> [Float] {
            let p = Parameter(Tensor(shape: [1], scalars: [1]))
            let sgd = SGD(parameters: [("w", p)], learningRate: 0.1, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
            return trajectory(sgd, p, grads: [[1], [2], [-1]]).map { $0[0] }
        }
        func close(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 } }
        // p ← p − 0.1 g: 0.9, 0.7, 0.8.
        #expect(close(run(), [0.9, 0.7, 0.8]))
        // b = 1, 2.9, 1.61: p = 0.9, 0.61, 0.449.
        #expect(close(run(momentum: 0.9), [0.9, 0.61, 0.449]))
        // d = g + 0.9 b = 1.9, 4.61, 0.449: p = 0.81, 0.349, 0.3041.
        #expect(close(run(momentum: 0.9, nesterov: true), [0.81, 0.349, 0.3041]))
        // g' = g + 0.1 p = 1.1, 2.089, −0.93189: p = 0.89, 0.6811, 0.774289.
        #expect(close(run(weightDecay: 0.1), [0.89, 0.6811, 0.774289]))
        // Momentum and weight decay together: g' = 1.1, 2.089; b = 1.1, 3.079; p = 0.89, 0.5821.
        let both = run(momentum: 0.9, weightDecay: 0.1)
        #expect(close(Array(both.prefix(2)), [0.89, 0.5821]), "\(both)")
    }

    @Test("Gradients from the tape drive the update; the step is not recorded")
    func tapeIntegration() {
        let p = Parameter(Tensor(shape: [2], scalars: [1, -3]))
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.25)
        let loss = p.value.squared().sum()  // gradient 2p
        loss.backward()
        sgd.step()
        #expect(p.tensor.scalars == [0.5, -1.5])
        #expect(!p.tensor.requiresGrad)
    }

    @Test("Constraints are applied after every step, also to parameters without a gradient")
    func constraintAfterStep() {
        let clampAtZero: @Sendable (Tensor) -> Tensor = { $0.clamped(min: 0, max: .greatestFiniteMagnitude) }
        let eps = Parameter(Tensor(shape: [1], scalars: [0.05]), constraint: clampAtZero)
        let idle = Parameter(Tensor(shape: [1], scalars: [-4]), constraint: clampAtZero)
        for optimizer in [Adam(parameters: [("eps", eps), ("idle", idle)], learningRate: 0.1) as any Optimizer,
                          SGD(parameters: [("eps", eps), ("idle", idle)], learningRate: 1)] {
            eps.value = Tensor(shape: [1], scalars: [0.05])
            idle.value = Tensor(shape: [1], scalars: [-4])
            optimizer.zeroGrad()
            eps.grad = Tensor(shape: [1], scalars: [1])  // pushes eps below 0
            optimizer.step()
            #expect(eps.tensor.scalars == [0], "\(type(of: optimizer))")
            #expect(idle.tensor.scalars == [0], "\(type(of: optimizer))")
        }
    }

    @Test("Frozen parameters and parameters without gradients keep their value and state")
    func skipsFrozenAndGradless() {
        let a = Parameter(Tensor(shape: [1], scalars: [1]))
        let frozen = Parameter(Tensor(shape: [1], scalars: [2]), isTrainable: false)
        let gradless = Parameter(Tensor(shape: [1], scalars: [3]))
        let adam = Adam(parameters: [("a", a), ("frozen", frozen), ("gradless", gradless)], learningRate: 0.1)
        a.grad = Tensor(shape: [1], scalars: [1])
        frozen.grad = Tensor(shape: [1], scalars: [1])
        adam.step()
        #expect(frozen.tensor.scalars == [2] && gradless.tensor.scalars == [3] && a.tensor.scalars != [1])
        let state = Dictionary(uniqueKeysWithValues: adam.stateDict())
        #expect(state["adam.step.a"]?.scalars == [0, 1])
        #expect(state["adam.step.gradless"]?.scalars == [0, 0])
        #expect(state["adam.m.gradless"]?.scalars == [0])
    }

    @Test("A tied parameter listed twice is updated once")
    func tiedParameters() {
        let p = Parameter(Tensor(shape: [1], scalars: [1]))
        let sgd = SGD(parameters: [("first", p), ("second", p)], learningRate: 0.1)
        #expect(sgd.parameters.count == 1 && sgd.parameters[0].0 == "first")
        p.grad = Tensor(shape: [1], scalars: [1])
        sgd.step()
        #expect(abs(p.tensor.scalars[0] - 0.9) < 1e-7)
    }

    /// Trains a tiny least-squares problem with `make`'s optimiser: 6 steps straight, or 2 steps,
    /// a save through safetensors bytes, a fresh model and optimiser loading it, then 4 steps.
    private func resumeMatches(_ make: ([(String, Parameter)]) -> any Optimizer) throws {
        func makeParameters() -> [(String, Parameter)] {
            [("layer.weight", Parameter(Tensor(shape: [2, 3], scalars: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]))),
             ("layer.bias", Parameter(Tensor(shape: [2], scalars: [0.01, -0.02])))]
        }
        let x = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) / 7 - 0.5 })
        func trainStep(_ params: [(String, Parameter)], _ optimizer: any Optimizer, _ k: Int) {
            optimizer.zeroGrad()
            let w = params[0].1.value, b = params[1].1.value
            let target = Tensor(shape: [2, 4], scalars: (0..<8).map { sin(Float($0 + k)) })
            let y = w.matmul(x) + b.reshaped([2, 1])
            ((y - target).squared()).mean().backward()
            optimizer.step()
        }
        let straight = makeParameters()
        let o1 = make(straight)
        for k in 0..<6 { trainStep(straight, o1, k) }

        let first = makeParameters()
        let o2 = make(first)
        for k in 0..<2 { trainStep(first, o2, k) }
        let saved = try SafeTensors.decode(SafeTensors.encode(first.map { ($0.0, $0.1.tensor) } + o2.stateDict()))
        let resumed = makeParameters()
        for (name, p) in resumed { p.value = saved[name]! }
        let o3 = make(resumed)
        o3.learningRate = o2.learningRate
        try o3.load(stateDict: saved.dictionary.filter { !$0.key.hasPrefix("layer.") })
        #expect(o3.stepCount == 2)
        for k in 2..<6 { trainStep(resumed, o3, k) }
        for i in 0..<2 {
            #expect(straight[i].1.tensor.scalars == resumed[i].1.tensor.scalars, "\(straight[i].0) differs after resuming")
        }
    }

    @Test("State dict save/load resumes the same trajectory bit for bit (Adam, SGD)")
    func resumeBitForBit() throws {
        try resumeMatches { Adam(parameters: $0, learningRate: 0.05, weightDecay: 0.01) }
        try resumeMatches { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) }
        try resumeMatches { SGD(parameters: $0, learningRate: 0.1) }
    }

    @Test("Loading a mismatched state throws a typed error listing every problem and loads nothing")
    func loadErrors() throws {
        let p = Parameter(Tensor(shape: [2], scalars: [1, 2]))
        let adam = Adam(parameters: [("w", p)])
        p.grad = Tensor(shape: [2], scalars: [1, 1])
        adam.step()
        var state = Dictionary(uniqueKeysWithValues: adam.stateDict())
        state["adam.v.w"] = nil
        state["adam.m.w"] = Tensor(zeros: [3])
        state["adam.step_count"] = Tensor(shape: [2], scalars: [0, 1.5])
        state["sgd.momentum_buffer.w"] = Tensor(zeros: [2])
        let fresh = Adam(parameters: [("w", p)])
        do {
            try fresh.load(stateDict: state)
            Issue.record("expected an error")
        } catch let error as OptimizerStateError {
            #expect(error.missingKeys == ["adam.v.w"])
            #expect(error.unexpectedKeys == ["sgd.momentum_buffer.w"])
            #expect(error.shapeMismatches == [ShapeMismatch(name: "adam.m.w", expected: [2], found: [3])])
            #expect(error.invalidValues.count == 1 && error.invalidValues[0].hasPrefix("adam.step_count"))
            #expect(error.description.contains("nothing was loaded"))
        }
        #expect(fresh.stepCount == 0)
        // SGD without momentum has no buffers: an Adam state is all unexpected plus a missing count.
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1)
        #expect(throws: OptimizerStateError.self) { try sgd.load(stateDict: Dictionary(uniqueKeysWithValues: adam.stateDict())) }
    }

    @Test("Step counts beyond 2^24 survive the state dict exactly")
    func largeStepCount() throws {
        let p = Parameter(Tensor(shape: [1], scalars: [1]))
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1)
        let count = (1 << 24) * 3 + 12_345
        try sgd.load(stateDict: ["sgd.step_count": Tensor(shape: [2], scalars: [3, 12_345])])
        #expect(sgd.stepCount == count)
        sgd.step()
        #expect(Dictionary(uniqueKeysWithValues: sgd.stateDict())["sgd.step_count"]?.scalars == [3, 12_346])
    }

    @Test("clipGradNorm rescales to the maximum norm and returns the norm before clipping")
    func gradientClipping() {
        let a = Parameter(Tensor(shape: [2], scalars: [0, 0]))
        let b = Parameter(Tensor(shape: [1], scalars: [0]))
        let none = Parameter(Tensor(shape: [1], scalars: [0]))
        a.grad = Tensor(shape: [2], scalars: [3, 4])
        b.grad = Tensor(shape: [1], scalars: [12])
        let norm = clipGradNorm(parameters: [("a", a), ("b", b), ("none", none), ("again", a)], maxNorm: 6.5)
        #expect(norm == 13)
        let scale = Float(6.5 / (13 + 1e-6))
        #expect(a.grad!.scalars == [3 * scale, 4 * scale] && b.grad!.scalars == [12 * scale])
        #expect(none.grad == nil)
        // Below the maximum: unchanged.
        let before = a.grad!.scalars
        let n2 = clipGradNorm(parameters: [a], maxNorm: 100)
        #expect(a.grad!.scalars == before && abs(n2 - 6.5 * 5 / 13) < 1e-5)
        // Non-finite: returned, gradients untouched.
        b.grad = Tensor(shape: [1], scalars: [.infinity])
        #expect(clipGradNorm(parameters: [a, b], maxNorm: 1).isInfinite)
        #expect(b.grad!.scalars == [.infinity] && a.grad!.scalars == before)
        // Large tensors: deterministic blocked sum equals the serial Double sum.
        var g = RandomGenerator(seed: 3)
        let big = Parameter(Tensor(zeros: [100_000]))
        big.grad = Tensor(randomNormal: [100_000], generator: &g)
        let serial = big.grad!.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(Double(clipGradNorm(parameters: [big], maxNorm: 1e9)) - serial) < 1e-3)
    }
}
