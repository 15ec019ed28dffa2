// Differentiable instance and batch normalisation of `[N, C, H, W]` tensors (fused kernels in
// `Kernels/NormalizationKernels.swift`).

/// Instance normalisation (Ulyanov et al., 2016): every (sample, channel) plane is normalised
/// by its own mean `μ` and biased variance `σ²` over `H·W`, then scaled and shifted per channel:
///
/// `y[n, c] = (x[n, c] − μ[n, c]) / sqrt(σ²[n, c] + eps) · weight[c] + bias[c]`
///
/// `weight` (γ) and `bias` (β) are `[C]` and optional (1 and 0 when absent). The default
/// `eps = 1e-3` is that of `tfa.layers.InstanceNormalization`, used by the paper's U-Net.
/// Differentiable with respect to `x`, `weight` and `bias`.
///
/// With `rectifyingInput` the result is `instanceNorm2d(x.relu(), …)` computed in one pass: the
/// paper's block is conv → ReLU → norm, and fusing the ReLU saves writing, keeping and reading
/// back the rectified tensor (forward and backward).
public func instanceNorm2d(_ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-3,
                           rectifyingInput: Bool = false) -> Tensor {
    precondition(x.rank == 4 && x.count > 0, "instanceNorm2d: input must be a non-empty [N, C, H, W], got \(Shape.describe(x.shape))")
    let c = x.shape[1]
    precondition(weight == nil || weight!.shape == [c],
                 "instanceNorm2d: weight \(Shape.describe(weight?.shape ?? [])) must be [\(c)] for input \(Shape.describe(x.shape))")
    precondition(bias == nil || bias!.shape == [c],
                 "instanceNorm2d: bias \(Shape.describe(bias?.shape ?? [])) must be [\(c)] for input \(Shape.describe(x.shape))")
    precondition(eps >= 0, "instanceNorm2d: eps \(eps) must not be negative")
    let xd = x.contiguous().detached(), wd = weight?.contiguous().detached()
    let (y, stats) = Kernels.instanceNorm2d(xd, weight: wd, bias: bias?.detached(), eps: eps, rectifyingInput: rectifyingInput)
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    let inputs = [x] + [weight, bias].compactMap { $0 }
    let (hasWeight, hasBias) = (weight != nil, bias != nil)
    return Tensor.record(rectifyingInput ? "reluInstanceNorm2d" : "instanceNorm2d", output: y, inputs: inputs) { g in
        let r = Kernels.instanceNorm2dBackward(xd, gradOutput: g, weight: wd, statistics: stats,
                                               inputGradient: needX, weightGradient: needW, biasGradient: needB,
                                               rectifyingInput: rectifyingInput)
        return [r.input] + (hasWeight ? [r.weight] : []) + (hasBias ? [r.bias] : [])
    }
}

/// Batch normalisation (Ioffe & Szegedy, 2015) of `x [N, C, H, W]` per channel, with PyTorch
/// semantics:
///
/// `y[·, c] = (x[·, c] − μ[c]) / sqrt(σ²[c] + eps) · weight[c] + bias[c]`
///
/// - In training, `μ` and `σ²` are the batch mean and biased variance over `N·H·W`, and the
///   returned running statistics are `(1 − momentum)·running + momentum·batch`, with the
///   unbiased batch variance (`σ²·M / (M − 1)`, `M = N·H·W`) for the variance, as PyTorch.
/// - In evaluation, `μ` and `σ²` are `runningMean` and `runningVar`, which are returned unchanged.
///
/// `weight` (γ) and `bias` (β) are `[C]` and optional; the running statistics are `[C]` and
/// never differentiated. Defaults (`momentum = 0.01`, `eps = 1e-3`) match Keras'
/// `BatchNormalization(momentum=0.99, epsilon=1e-3)` used by MIScnn. Differentiable with
/// respect to `x`, `weight` and `bias` in both modes.
public func batchNorm2d(
    _ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVar: Tensor,
    training: Bool, momentum: Float = 0.01, eps: Float = 1e-3
) -> (output: Tensor, runningMean: Tensor, runningVar: Tensor) {
    precondition(x.rank == 4 && x.count > 0, "batchNorm2d: input must be a non-empty [N, C, H, W], got \(Shape.describe(x.shape))")
    let c = x.shape[1]
    for (name, t) in [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVar", runningVar)] {
        precondition(t == nil || t!.shape == [c],
                     "batchNorm2d: \(name) \(Shape.describe(t?.shape ?? [])) must be [\(c)] for input \(Shape.describe(x.shape))")
    }
    precondition(eps >= 0, "batchNorm2d: eps \(eps) must not be negative")
    precondition(momentum >= 0 && momentum <= 1, "batchNorm2d: momentum \(momentum) must be in [0, 1]")
    let m = x.shape[0] * x.shape[2] * x.shape[3]
    precondition(!training || m > 1,
                 "batchNorm2d: training needs more than one value per channel, input is \(Shape.describe(x.shape))")
    let xd = x.contiguous().detached(), wd = weight?.contiguous().detached()
    let (y, stats) = Kernels.batchNorm2d(xd, weight: wd, bias: bias?.detached(),
                                         running: training ? nil : (runningMean.detached(), runningVar.detached()), eps: eps)
    var newMean = runningMean.detached(), newVar = runningVar.detached()
    if training {
        let rm = runningMean.scalars, rv = runningVar.scalars
        let unbias = Float(Double(m) / Double(m - 1))
        newMean = Tensor(shape: [c], scalars: (0..<c).map { (1 - momentum) * rm[$0] + momentum * stats.mean[$0] })
        newVar = Tensor(shape: [c], scalars: (0..<c).map { (1 - momentum) * rv[$0] + momentum * stats.variance[$0] * unbias })
    }
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    let inputs = [x] + [weight, bias].compactMap { $0 }
    let (hasWeight, hasBias) = (weight != nil, bias != nil)
    let output = Tensor.record("batchNorm2d", output: y, inputs: inputs) { g in
        let r = Kernels.batchNorm2dBackward(xd, gradOutput: g, weight: wd, statistics: stats, batchStatistics: training,
                                            inputGradient: needX, weightGradient: needW, biasGradient: needB)
        return [r.input] + (hasWeight ? [r.weight] : []) + (hasBias ? [r.bias] : [])
    }
    return (output, newMean, newVar)
}
