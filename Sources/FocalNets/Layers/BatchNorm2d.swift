import FocalCore

/// Batch normalisation of `[N, C, H, W]` tensors (Ioffe & Szegedy, 2015), as Keras'
/// `BatchNormalization(momentum=0.99, epsilon=1e-3)` used by stock MIScnn.
///
/// In training mode (`isTraining`) it normalises with the batch statistics over `N·H·W` and
/// updates the running statistics `running = (1 − momentum)·running + momentum·batch` (PyTorch's
/// convention for `momentum`: the default 0.01 is Keras' 0.99); in evaluation mode it uses the
/// running statistics. γ (`weight`) starts at 1, β (`bias`) at 0, the running mean at 0 and the
/// running variance at 1 (Keras and PyTorch). The running statistics are `Buffer`s saved with
/// the weights under PyTorch's names `running_mean` and `running_var`, with the batch count
/// `num_batches_tracked` (an `I64` scalar, as PyTorch writes it).
public final class BatchNorm2d: Module, Layer, @unchecked Sendable {
    /// γ, `[C]`.
    public let weight: Parameter
    /// β, `[C]`.
    public let bias: Parameter
    /// The running mean, `[C]` (not trained; updated in training mode).
    public let runningMean: Buffer
    /// The running (unbiased) variance, `[C]`.
    public let runningVar: Buffer
    /// The number of training-mode batches seen, a scalar (PyTorch's `num_batches_tracked`,
    /// stored as `I64`; informational here, since the momentum is fixed). Optional when loading:
    /// a state dict without it (older Focal files) keeps the current count.
    public let numBatchesTracked: Buffer
    /// Weight of the new batch statistics in the running averages (PyTorch convention).
    public let momentum: Float
    /// Added to the variance.
    public let eps: Float
    /// Number of channels.
    public let channels: Int

    /// Batch normalisation of `channels` channels.
    public init(channels: Int, momentum: Float = 0.01, eps: Float = 1e-3) {
        precondition(channels > 0, "BatchNorm2d: channels \(channels) must be positive")
        precondition(momentum >= 0 && momentum <= 1, "BatchNorm2d: momentum \(momentum) must be in [0, 1]")
        precondition(eps >= 0, "BatchNorm2d: eps \(eps) must not be negative")
        self.channels = channels
        self.momentum = momentum
        self.eps = eps
        weight = Parameter(Tensor(ones: [channels]))
        bias = Parameter(Tensor(zeros: [channels]))
        runningMean = Buffer(Tensor(zeros: [channels]))
        runningVar = Buffer(Tensor(ones: [channels]))
        numBatchesTracked = Buffer(Tensor(0), storage: .int64, isOptional: true)
    }

    /// PyTorch's buffer names: `running_mean`, `running_var`, `num_batches_tracked`.
    public override func namedLocalBuffers() -> [(String, Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    /// Normalises `x [N, C, H, W]`; in training mode also updates the running statistics.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == channels, "BatchNorm2d: input must be [N, \(channels), H, W], got \(x.shape)")
        let r = batchNorm2d(x, weight: weight.value, bias: bias.value, runningMean: runningMean.value,
                            runningVar: runningVar.value, training: isTraining, momentum: momentum, eps: eps)
        if isTraining {
            runningMean.value = r.runningMean
            runningVar.value = r.runningVar
            numBatchesTracked.value = Tensor(numBatchesTracked.value.item() + 1)
        }
        return r.output
    }
}
