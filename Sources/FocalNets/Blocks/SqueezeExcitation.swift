import FocalCore

/// A squeeze-and-excitation block (Hu et al., CVPR 2018), optionally with the Focal layer of
/// Focal Attention Networks on its channel weights:
///
/// ```
/// z = GAP_{H,W}(x)                      [N, C]
/// u = ReLU(fc1(z))                      [N, C/r]   fc1: Linear C → max(1, C/r), bias
/// s = sigmoid(fc2(u))                   [N, C]     fc2: Linear C/r → C, bias
/// s = clip(s, 1e-7, 1)^ε                (Focal SE only)
/// y = x ⊙ s                             (broadcast over H, W)
/// ```
///
/// With `r = 8` (the paper's ratio) and `C = 32` the hidden layer has 4 units. USE-Net
/// (Rundo et al., 2019) places one after every U-Net block (spec Part B §2.3).
public final class SqueezeExcitation: Module, Layer, @unchecked Sendable {
    /// The squeeze layer `C → C/r`.
    public let fc1: Linear
    /// The excitation layer `C/r → C`.
    public let fc2: Linear
    /// The Focal layer on the channel weights (a Focal SE block), if any.
    public let focal: FocalLayer?
    /// The reduction ratio r.
    public let reduction: Int

    /// Number of channels C.
    public var channels: Int { fc1.inFeatures }
    /// Hidden units `max(1, C / r)`.
    public var hiddenUnits: Int { fc1.outFeatures }

    /// An SE block for `channels` channels with reduction ratio `reduction`; with `focal` it
    /// gets a Focal layer whose ε starts at `focalEpsilon`. Weights are Glorot uniform from
    /// `generator`, biases zero.
    public init(channels: Int, reduction: Int = 8, focal: Bool = false, focalEpsilon: Float = 1,
                generator: inout RandomGenerator) {
        precondition(channels > 0 && reduction > 0, "SqueezeExcitation: channels \(channels) and reduction \(reduction) must be positive")
        let hidden = max(1, channels / reduction)
        self.reduction = reduction
        fc1 = Linear(inFeatures: channels, outFeatures: hidden, generator: &generator)
        fc2 = Linear(inFeatures: hidden, outFeatures: channels, generator: &generator)
        self.focal = focal ? FocalLayer(epsilon: focalEpsilon) : nil
        super.init()
    }

    /// The channel weights `s [N, C]` (after the Focal layer when present).
    public func channelWeights(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == channels, "SqueezeExcitation: input must be [N, \(channels), H, W], got \(x.shape)")
        let z = globalAveragePool2d(x).reshaped([x.shape[0], channels])
        let s = fc2(fc1(z).relu()).sigmoid()
        return focal.map { $0(s) } ?? s
    }

    /// `x ⊙ s`, the input rescaled channel by channel.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let s = channelWeights(x).reshaped([x.shape[0], channels, 1, 1])
        return x * s
    }
}
