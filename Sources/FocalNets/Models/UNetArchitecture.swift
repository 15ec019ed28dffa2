import FocalCore
import Foundation

/// The architectural facts that a port of a Focal U-Net to another framework needs beyond its
/// `UNetConfiguration` and its tensor names: the order of the operations, the constants of the
/// normalisations and of the Focal layer, the padding of the attention gate's strided
/// convolution, and the preprocessing the network was trained with. `Codable`; `UNet.save`
/// writes it as JSON under the metadata key `architecture`, the ONNX export puts it in the
/// model's `metadata_props`, and `Tools/pytorch_twin/focal_twin.py` builds its network from it.
///
/// Every value is read from the layers themselves (`UNetArchitecture.current`), so the record
/// cannot drift from the code.
public struct UNetArchitecture: Sendable, Hashable, Codable {
    /// The `__metadata__` key of model files under which `UNet.save` writes this record as JSON.
    public static let metadataKey = "architecture"

    /// Version of this record's layout (1).
    public var version: Int
    /// Tensor layout of activations and weights: `NCHW` (PyTorch's `Conv2d`/`ConvTranspose2d`
    /// weight layouts, `Linear` as `[out, in]`).
    public var layout: String
    /// ε of every instance normalisation (`InstanceNorm2d`: biased variance over H·W, affine).
    public var instanceNormEpsilon: Float
    /// ε of every batch normalisation (`BatchNorm2d`).
    public var batchNormEpsilon: Float
    /// Momentum of the batch-norm running statistics in PyTorch's convention (the weight of the
    /// new batch; Keras' 0.99 is 0.01).
    public var batchNormMomentum: Float
    /// The order inside each convolution of a `DoubleConv`: `conv, relu, norm` (the ReLU comes
    /// before the normalisation, as in the original Keras code).
    public var activationOrder: String
    /// 3×3 convolutions of the double convolutions: stride 1, zero padding 1 on every side.
    public var convolution: String
    /// Down-sampling of the encoder: `maxpool 2x2, stride 2`.
    public var pooling: String
    /// Up-sampling of the decoder: `convtranspose 2x2, stride 2, bias`.
    public var upConvolution: String
    /// The decoder's concatenation along the channels: `[up, skip]` (up first).
    public var concatOrder: String
    /// Hidden units of an SE block: `max(1, C / r)`; fc1 and fc2 are `Linear` with bias.
    public var squeezeExcitationHidden: String
    /// The Focal layer: `clip(a, focalClip[0], focalClip[1]) ^ ε`, one ε per module.
    public var focalClip: [Float]
    /// Zero padding of the attention gate's 3×3 stride-2 θ convolution, `[top, left, bottom,
    /// right]` (ONNX's `pads` order): Keras' `'same'` for the even sizes a U-Net sees, 0 before
    /// and 1 after.
    public var attentionGateThetaPadding: [Int]
    /// Up-sampling of the attention coefficients to the skip's size: `nearest` ×2 (each
    /// coefficient repeated over a 2×2 block).
    public var attentionUpsampling: String
    /// What the network returns: `softmax over classes (axis 1)`.
    public var output: String
    /// The preprocessing of an image before it enters the network, as the training protocol
    /// does it (`SegmentationDataset`, `Predictor`).
    public var preprocessing: String

    /// The facts of the code as built: read from fresh layers of each kind.
    public static var current: UNetArchitecture {
        let instance = InstanceNorm2d(channels: 1)
        let batch = BatchNorm2d(channels: 1)
        var generator = RandomGenerator(seed: 0)
        let theta = Conv2d(inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, padding: .same, generator: &generator)
        let (top, bottom) = theta.padding.amounts(extent: 2, kernel: 3, stride: 2)
        return UNetArchitecture(
            version: 1,
            layout: "NCHW",
            instanceNormEpsilon: instance.eps,
            batchNormEpsilon: batch.eps,
            batchNormMomentum: batch.momentum,
            activationOrder: "conv, relu, norm",
            convolution: "conv 3x3, stride 1, zero padding 1, bias",
            pooling: "maxpool 2x2, stride 2",
            upConvolution: "convtranspose 2x2, stride 2, bias",
            concatOrder: "[up, skip]",
            squeezeExcitationHidden: "max(1, C / r)",
            focalClip: [FocalLayer.lowerClip, 1],
            attentionGateThetaPadding: [top, top, bottom, bottom],
            attentionUpsampling: "nearest",
            output: "softmax over classes (axis 1)",
            preprocessing: UNetArchitecture.preprocessingText)
    }

    /// This record as compact JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The training protocol's preprocessing in words (`SegmentationDataset.load`,
    /// `Predictor.segment(file:)`, `Normalization.zScore`).
    public static let preprocessingText = """
        float32 NCHW image in the file's own value range (8-bit 0-255, 16-bit 0-65535; not rescaled to [0, 1]), \
        alpha dropped, channels as inChannels (RGB to grey: 0.299 R + 0.587 G + 0.114 B; grey repeated for 3 channels); \
        resized to the training size with a cubic B-spline when one was set; then z-scored over the whole image, \
        all channels together: (x - mean) / std with the population std (ddof 0) computed in double precision, \
        only centred (x - mean) when std < 1e-8; H and W must be multiples of 2^depth
        """
}
