import FocalCore

/// Instance normalisation of `[N, C, H, W]` tensors (Ulyanov et al., 2016) with a learnable
/// per-channel scale γ (`weight`, init 1) and shift β (`bias`, init 0), as
/// `tfa.layers.InstanceNormalization()` used by the paper's U-Net: every (sample, channel)
/// plane is normalised by its own mean and biased variance over `H·W`,
/// `y = (x − μ) / sqrt(σ² + eps) · γ + β`, with `eps = 1e-3`. Behaves the same in training and
/// evaluation.
public final class InstanceNorm2d: Module, Layer, @unchecked Sendable {
    /// γ, `[C]` (absent when not affine).
    public let weight: Parameter?
    /// β, `[C]` (absent when not affine).
    public let bias: Parameter?
    /// Added to the variance.
    public let eps: Float
    /// Number of channels.
    public let channels: Int

    /// Instance normalisation of `channels` channels.
    public init(channels: Int, eps: Float = 1e-3, affine: Bool = true) {
        precondition(channels > 0, "InstanceNorm2d: channels \(channels) must be positive")
        precondition(eps >= 0, "InstanceNorm2d: eps \(eps) must not be negative")
        self.channels = channels
        self.eps = eps
        weight = affine ? Parameter(Tensor(ones: [channels])) : nil
        bias = affine ? Parameter(Tensor(zeros: [channels])) : nil
    }

    /// Normalises `x [N, C, H, W]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == channels, "InstanceNorm2d: input must be [N, \(channels), H, W], got \(x.shape)")
        return instanceNorm2d(x, weight: weight?.value, bias: bias?.value, eps: eps)
    }

    /// Normalises `x.relu()` in one fused pass (the same values and gradients as
    /// `self(x.relu())`, without storing the rectified tensor).
    public func callAsFunction(rectifying x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == channels, "InstanceNorm2d: input must be [N, \(channels), H, W], got \(x.shape)")
        return instanceNorm2d(x, weight: weight?.value, bias: bias?.value, eps: eps, rectifyingInput: true)
    }
}
