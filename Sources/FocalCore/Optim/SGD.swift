/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// with PyTorch's `torch.optim.SGD` semantics (dampening 0).
///
/// For each parameter `p` with gradient `g`:
///
///     g ← g + weightDecay · p
///     b ← momentum · b + g                          (b = g at the parameter's first step)
///     d ← g + momentum · b   (Nesterov)    or    d ← b   (classical)    or    d ← g   (momentum 0)
///     p ← p − lr · d
///
/// Keras's SGD (used by the original MIScnn scripts, spec Part B §3) keeps the velocity
/// `u ← momentum·u − lr·g` with the learning rate inside it; for a constant learning rate
/// the two produce the same parameters, and they differ only right after the rate changes.
///
/// State (`stateDict()`): `sgd.momentum_buffer.<name>` for each parameter when momentum is
/// non-zero, and `sgd.step_count`, stored exactly as `[count / 2^24, count % 2^24]`.
public final class SGD: Optimizer {
    /// The learning rate used by the next step.
    public var learningRate: Float
    /// Momentum factor (0 = plain SGD).
    public let momentum: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// L2 penalty coefficient added to the gradient.
    public let weightDecay: Float
    /// The parameters, each once.
    public let parameters: [(String, Parameter)]
    /// Number of `step()` calls.
    public private(set) var stepCount: Int = 0

    private var buffers: [Tensor]

    /// An SGD optimiser over `parameters` (e.g. `module.namedParameters()`).
    /// - Precondition: `learningRate >= 0`, `momentum >= 0`, `weightDecay >= 0`, and
    ///   `momentum > 0` when `nesterov` (PyTorch raises for the same values); parameter names unique.
    public init(parameters: [(String, Parameter)], learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                weightDecay: Float = 0) {
        precondition(learningRate >= 0, "SGD: learning rate must be >= 0, got \(learningRate)")
        precondition(momentum >= 0, "SGD: momentum must be >= 0, got \(momentum)")
        precondition(weightDecay >= 0, "SGD: weight decay must be >= 0, got \(weightDecay)")
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum requires momentum > 0")
        self.parameters = OptimizerSupport.unique(parameters, optimizer: "SGD")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffers = momentum == 0 ? [] : self.parameters.map { Tensor(zeros: $0.1.shape) }
    }

    /// One SGD update of every trainable parameter with a gradient, then every constraint.
    public func step() {
        stepCount += 1
        let lr = learningRate, mu = momentum, wd = weightDecay, useNesterov = nesterov
        for (i, (name, parameter)) in parameters.enumerated() where parameter.isTrainable {
            guard let gradient = parameter.grad else { continue }
            precondition(gradient.shape == parameter.shape,
                         "SGD: gradient of '\(name)' has shape \(Shape.describe(gradient.shape)), parameter \(Shape.describe(parameter.shape))")
            let n = parameter.count
            parameter.update { p in
                gradient.withUnsafeBufferPointer { g in
                    if mu == 0 {
                        Threading.parallelFor(n, grain: OptimizerSupport.grain) { range in
                            for j in range {
                                var gj = g[j]
                                if wd != 0 { gj += wd * p[j] }
                                p[j] += -lr * gj
                            }
                        }
                        return
                    }
                    buffers[i].withUnsafeMutableBufferPointer { b in
                        Threading.parallelFor(n, grain: OptimizerSupport.grain) { range in
                            for j in range {
                                var gj = g[j]
                                if wd != 0 { gj += wd * p[j] }
                                let bj = b[j] * mu + gj
                                b[j] = bj
                                let d = useNesterov ? gj + mu * bj : bj
                                p[j] += -lr * d
                            }
                        }
                    }
                }
            }
        }
        for (_, parameter) in parameters { parameter.applyConstraint() }
    }

    /// Momentum buffers (when momentum is non-zero) and the step count, keyed by parameter name.
    public func stateDict() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        if momentum != 0 {
            for (i, (name, _)) in parameters.enumerated() { out.append(("sgd.momentum_buffer.\(name)", buffers[i])) }
        }
        out.append(("sgd.step_count", OptimizerSupport.encodeStepCount(stepCount)))
        return out
    }

    /// Restores the state saved by `stateDict()` (all or nothing).
    public func load(stateDict: [String: Tensor]) throws {
        var expected: [(String, [Int])] = []
        if momentum != 0 {
            for (name, parameter) in parameters { expected.append(("sgd.momentum_buffer.\(name)", parameter.shape)) }
        }
        expected.append(("sgd.step_count", [2]))
        try OptimizerSupport.check(stateDict, expected: expected, stepKeys: ["sgd.step_count"], optimizer: "SGD")
        if momentum != 0 {
            for (i, (name, _)) in parameters.enumerated() {
                buffers[i] = stateDict["sgd.momentum_buffer.\(name)"]!.detached().contiguous()
            }
        }
        stepCount = (try? OptimizerSupport.decodeStepCount(stateDict["sgd.step_count"]!).get()) ?? 0
    }
}
