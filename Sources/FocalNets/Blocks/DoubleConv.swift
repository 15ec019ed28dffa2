import FocalCore

/// The U-Net block of the paper's code (MIScnn's `conv_layer_2D` with the author's instance
/// normalisation): `Conv3×3 ('same') → ReLU → norm`, twice, followed by the block's
/// squeeze-and-excitation module when the attention plan puts one at its position.
///
/// The order conv → ReLU → norm is the original's: the activation sits inside Keras' `Conv2D`,
/// so the normalisation comes after it.
public final class DoubleConv: Module, Layer, @unchecked Sendable {
    /// First 3×3 convolution (`Cin → F`).
    public let conv1: Conv2d
    /// Normalisation after the first ReLU, if any.
    public let norm1: (any Layer)?
    /// Second 3×3 convolution (`F → F`).
    public let conv2: Conv2d
    /// Normalisation after the second ReLU, if any.
    public let norm2: (any Layer)?
    /// The SE block after the block, if the plan has one here.
    public let se: SqueezeExcitation?

    /// Input channels.
    public var inChannels: Int { conv1.inChannels }
    /// Output channels F.
    public var outChannels: Int { conv2.outChannels }

    /// A double convolution `inChannels → outChannels` with `normalization`, followed by `se`
    /// (whose channel count must be `outChannels`).
    public init(inChannels: Int, outChannels: Int, normalization: FeatureNormalization = .instance,
                se: SqueezeExcitation? = nil, generator: inout RandomGenerator) {
        precondition(se == nil || se!.channels == outChannels,
                     "DoubleConv: SE block for \(se!.channels) channels after a block with \(outChannels) channels")
        conv1 = Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: .same, generator: &generator)
        norm1 = normalization.makeLayer(channels: outChannels)
        conv2 = Conv2d(inChannels: outChannels, outChannels: outChannels, kernelSize: 3, padding: .same, generator: &generator)
        norm2 = normalization.makeLayer(channels: outChannels)
        self.se = se
        super.init()
    }

    /// `se(norm2(ReLU(conv2(norm1(ReLU(conv1(x)))))))`, each stage only when present.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = DoubleConv.reluThenNormalize(conv1(x), norm1)
        h = DoubleConv.reluThenNormalize(conv2(h), norm2)
        if let se { h = se(h) }
        return h
    }

    /// `norm(relu(h))`; instance normalisation takes the ReLU into its own pass.
    private static func reluThenNormalize(_ h: Tensor, _ norm: (any Layer)?) -> Tensor {
        if let instance = norm as? InstanceNorm2d { return instance(rectifying: h) }
        let r = h.relu()
        return norm.map { $0(r) } ?? r
    }
}
