import CFocalKernels
import Foundation

/// Adam (Kingma & Ba, 2015) with PyTorch's update rule, optionally with L2 weight decay added
/// to the gradient (PyTorch's `Adam(weight_decay=…)`, not AdamW).
///
/// For each parameter `p` with gradient `g`, at its step `t` (counted per parameter, as
/// PyTorch's `state["step"]`):
///
///     g ← g + weightDecay · p
///     m ← m + (1 − β1)(g − m)                      (= β1·m + (1 − β1)·g)
///     v ← β2·v + (1 − β2)·g²
///     p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
///
/// i.e. `p ← p − lr · m̂ / (√v̂ + ε)` with `m̂ = m/(1 − β1^t)`, `v̂ = v/(1 − β2^t)`. Keras
/// instead computes `p ← p − lr·√(1 − β2^t)/(1 − β1^t) · m / (√v + ε)`, which puts ε outside
/// the bias correction; the two agree up to that ε. The default ε = 1e-7 is Keras's (the
/// paper's implementation used Keras); PyTorch's default is 1e-8. The bias corrections and the
/// step size are computed in `Double`, the elementwise update in `Float`.
///
/// State (`stateDict()`): `adam.m.<name>` and `adam.v.<name>` (the parameter's shape),
/// `adam.step.<name>` (its step count) and `adam.step_count` (calls to `step()`); step counts
/// are stored exactly as `[count / 2^24, count % 2^24]`.
public final class Adam: Optimizer {
    /// The learning rate used by the next step.
    public var learningRate: Float
    /// Decay of the first moment.
    public let beta1: Float
    /// Decay of the second moment.
    public let beta2: Float
    /// Added to the bias-corrected √v̂ in the denominator.
    public let epsilon: Float
    /// L2 penalty coefficient added to the gradient.
    public let weightDecay: Float
    /// The parameters, each once.
    public let parameters: [(String, Parameter)]
    /// Number of `step()` calls.
    public private(set) var stepCount: Int = 0

    private var firstMoments: [Tensor]
    private var secondMoments: [Tensor]
    private var parameterSteps: [Int]

    /// An Adam optimiser over `parameters` (e.g. `module.namedParameters()`).
    /// - Precondition: `learningRate >= 0`, `0 <= beta1 < 1`, `0 <= beta2 < 1`, `epsilon >= 0`,
    ///   `weightDecay >= 0` (PyTorch raises for the same values); parameter names unique.
    public init(parameters: [(String, Parameter)], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7, weightDecay: Float = 0) {
        precondition(learningRate >= 0, "Adam: learning rate must be >= 0, got \(learningRate)")
        precondition(beta1 >= 0 && beta1 < 1, "Adam: beta1 must be in [0, 1), got \(beta1)")
        precondition(beta2 >= 0 && beta2 < 1, "Adam: beta2 must be in [0, 1), got \(beta2)")
        precondition(epsilon >= 0, "Adam: epsilon must be >= 0, got \(epsilon)")
        precondition(weightDecay >= 0, "Adam: weight decay must be >= 0, got \(weightDecay)")
        self.parameters = OptimizerSupport.unique(parameters, optimizer: "Adam")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = self.parameters.map { Tensor(zeros: $0.1.shape) }
        secondMoments = self.parameters.map { Tensor(zeros: $0.1.shape) }
        parameterSteps = Array(repeating: 0, count: self.parameters.count)
    }

    /// One Adam update of every trainable parameter with a gradient, then every constraint.
    public func step() {
        stepCount += 1
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        let oneMinusB1 = 1 - b1, oneMinusB2 = 1 - b2
        for (i, (name, parameter)) in parameters.enumerated() where parameter.isTrainable {
            guard let gradient = parameter.grad else { continue }
            precondition(gradient.shape == parameter.shape,
                         "Adam: gradient of '\(name)' has shape \(Shape.describe(gradient.shape)), parameter \(Shape.describe(parameter.shape))")
            parameterSteps[i] += 1
            let t = Double(parameterSteps[i])
            let biasCorrection1 = 1 - pow(Double(b1), t)
            let biasCorrection2 = 1 - pow(Double(b2), t)
            let stepSize = Float(Double(lr) / biasCorrection1)
            let biasCorrection2Sqrt = Float(biasCorrection2.squareRoot())
            let n = parameter.count
            parameter.update { p in
                gradient.withUnsafeBufferPointer { g in
                    firstMoments[i].withUnsafeMutableBufferPointer { m in
                        secondMoments[i].withUnsafeMutableBufferPointer { v in
                            let (pp, gp, mp, vp) = (p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!)
                            Threading.parallelFor(n, grain: OptimizerSupport.grain) { range in
                                let j = range.lowerBound
                                focal_adam_update(pp + j, gp + j, mp + j, vp + j, range.count, stepSize, oneMinusB1, b2,
                                                  oneMinusB2, biasCorrection2Sqrt, eps, wd)
                            }
                        }
                    }
                }
            }
        }
        for (_, parameter) in parameters { parameter.applyConstraint() }
    }

    /// Moments and step counts keyed by parameter name.
    public func stateDict() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for (i, (name, _)) in parameters.enumerated() {
            out.append(("adam.m.\(name)", firstMoments[i]))
            out.append(("adam.v.\(name)", secondMoments[i]))
            out.append(("adam.step.\(name)", OptimizerSupport.encodeStepCount(parameterSteps[i])))
        }
        out.append(("adam.step_count", OptimizerSupport.encodeStepCount(stepCount)))
        return out
    }

    /// Restores the state saved by `stateDict()` (all or nothing).
    public func load(stateDict: [String: Tensor]) throws {
        var expected: [(String, [Int])] = []
        var stepKeys: Set<String> = ["adam.step_count"]
        for (name, parameter) in parameters {
            expected.append(("adam.m.\(name)", parameter.shape))
            expected.append(("adam.v.\(name)", parameter.shape))
            expected.append(("adam.step.\(name)", [2]))
            stepKeys.insert("adam.step.\(name)")
        }
        expected.append(("adam.step_count", [2]))
        try OptimizerSupport.check(stateDict, expected: expected, stepKeys: stepKeys, optimizer: "Adam")
        for (i, (name, _)) in parameters.enumerated() {
            firstMoments[i] = stateDict["adam.m.\(name)"]!.detached().contiguous()
            secondMoments[i] = stateDict["adam.v.\(name)"]!.detached().contiguous()
            parameterSteps[i] = (try? OptimizerSupport.decodeStepCount(stateDict["adam.step.\(name)"]!).get()) ?? 0
        }
        stepCount = (try? OptimizerSupport.decodeStepCount(stateDict["adam.step_count"]!).get()) ?? 0
    }
}
