import FocalCore

/// A 2-D convolution layer (cross-correlation, PyTorch's `nn.Conv2d` layout) with square
/// kernels: `weight [Cout, Cin, k, k]` and an optional `bias [Cout]`.
///
/// Initialisation follows Keras' `Conv2D` defaults, as in the paper's networks: Glorot uniform
/// kernel with Keras' fans (`fanIn = Cin·k·k`, `fanOut = Cout·k·k`) and a zero bias.
public final class Conv2d: Module, Layer, @unchecked Sendable {
    /// How the input is padded before the convolution.
    public enum Padding: Sendable, Equatable, Codable, CustomStringConvertible {
        /// No padding (Keras `'valid'`).
        case valid
        /// Keras `'same'`: the output is `ceil(n / stride)` in each spatial dimension. The total
        /// padding is `max((ceil(n / stride) − 1)·stride + k − n, 0)`, split as `total / 2` before
        /// and the rest after, so it can be asymmetric (a stride-2 3×3 convolution of an even
        /// size pads 0 before and 1 after, exactly as TensorFlow does).
        case same
        /// The same number of zero rows/columns on every side (PyTorch's `padding=p`).
        case explicit(Int)

        /// `valid`, `same` or `explicit(p)`.
        public var description: String {
            switch self {
            case .valid: "valid"
            case .same: "same"
            case .explicit(let p): "explicit(\(p))"
            }
        }

        /// Padding before and after a spatial dimension of extent `n`.
        public func amounts(extent n: Int, kernel k: Int, stride s: Int) -> (before: Int, after: Int) {
            switch self {
            case .valid: return (0, 0)
            case .explicit(let p): return (p, p)
            case .same:
                let out = (n + s - 1) / s
                let total = max((out - 1) * s + k - n, 0)
                return (total / 2, total - total / 2)
            }
        }
    }

    /// The kernel, `[Cout, Cin, k, k]`.
    public let weight: Parameter
    /// The bias, `[Cout]`, when the layer has one.
    public let bias: Parameter?
    /// The step between kernel applications in both directions.
    public let stride: Int
    /// The padding rule.
    public let padding: Padding

    /// Input channels.
    public var inChannels: Int { weight.shape[1] }
    /// Output channels.
    public var outChannels: Int { weight.shape[0] }
    /// Kernel extent (square).
    public var kernelSize: Int { weight.shape[2] }

    /// A convolution from `inChannels` to `outChannels` with a `kernelSize × kernelSize`
    /// kernel, Glorot-uniform weights drawn from `generator` and a zero bias.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .valid,
                bias: Bool = true, generator: inout RandomGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0,
                     "Conv2d: channels (\(inChannels) → \(outChannels)) and kernel size \(kernelSize) must be positive")
        precondition(stride >= 1, "Conv2d: stride \(stride) must be ≥ 1")
        if case .explicit(let p) = padding { precondition(p >= 0, "Conv2d: padding \(p) must not be negative") }
        let shape = [outChannels, inChannels, kernelSize, kernelSize]
        weight = Parameter(Tensor(glorotUniform: shape, layout: .convolution, generator: &generator))
        self.bias = bias ? Parameter(Tensor(zeros: [outChannels])) : nil
        self.stride = stride
        self.padding = padding
    }

    /// Convolves `x [N, Cin, H, W]`; returns `[N, Cout, H', W']`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == inChannels,
                     "Conv2d: input must be [N, \(inChannels), H, W], got \(x.shape)")
        let k = kernelSize
        let (top, bottom) = padding.amounts(extent: x.shape[2], kernel: k, stride: stride)
        let (left, right) = padding.amounts(extent: x.shape[3], kernel: k, stride: stride)
        // Keras' 'same' can pad differently on each side; the convolution reads the zeros
        // without materialising a padded copy.
        return conv2d(x, weight: weight.value, bias: bias?.value, stride: stride,
                      padding: ConvolutionPadding(top: top, bottom: bottom, left: left, right: right))
    }
}
