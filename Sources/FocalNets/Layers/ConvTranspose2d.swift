import FocalCore

/// A 2-D transposed convolution layer (PyTorch's `nn.ConvTranspose2d` layout) with square
/// kernels: `weight [Cin, Cout, k, k]` and an optional `bias [Cout]`. With `k = stride = 2` and
/// no padding it doubles the resolution, as Keras' `Conv2DTranspose(F, 2, strides=2,
/// padding='same')` in the U-Net decoder.
///
/// Initialisation: Glorot uniform with Keras' fans for its `Conv2DTranspose` kernel
/// (`fanIn = Cout·k·k`, `fanOut = Cin·k·k`; the sum is what Glorot uses) and a zero bias.
public final class ConvTranspose2d: Module, Layer, @unchecked Sendable {
    /// The kernel, `[Cin, Cout, k, k]`.
    public let weight: Parameter
    /// The bias, `[Cout]`, when the layer has one.
    public let bias: Parameter?
    /// The upsampling step.
    public let stride: Int
    /// PyTorch's `padding`: rows/columns removed from each side of the full output.
    public let padding: Int

    /// Input channels.
    public var inChannels: Int { weight.shape[0] }
    /// Output channels.
    public var outChannels: Int { weight.shape[1] }
    /// Kernel extent (square).
    public var kernelSize: Int { weight.shape[2] }

    /// A transposed convolution from `inChannels` to `outChannels`.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, generator: inout RandomGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0,
                     "ConvTranspose2d: channels (\(inChannels) → \(outChannels)) and kernel size \(kernelSize) must be positive")
        precondition(stride >= 1 && padding >= 0, "ConvTranspose2d: stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
        let shape = [inChannels, outChannels, kernelSize, kernelSize]
        weight = Parameter(Tensor(glorotUniform: shape, layout: .transposedConvolution, generator: &generator))
        self.bias = bias ? Parameter(Tensor(zeros: [outChannels])) : nil
        self.stride = stride
        self.padding = padding
    }

    /// Applies the layer to `x [N, Cin, H, W]`; returns
    /// `[N, Cout, (H − 1)·stride − 2·padding + k, (W − 1)·stride − 2·padding + k]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == inChannels,
                     "ConvTranspose2d: input must be [N, \(inChannels), H, W], got \(x.shape)")
        return convTranspose2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding)
    }
}
