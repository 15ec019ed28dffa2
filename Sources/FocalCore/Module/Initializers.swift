import Foundation

/// How a weight tensor's dimensions are laid out, for computing its fans.
public enum WeightLayout: Sendable, Equatable {
    /// A fully connected weight `[out, in]`.
    case linear
    /// A convolution weight `[Cout, Cin, k…]` (PyTorch layout, any number of spatial dimensions).
    case convolution
    /// A transposed-convolution weight `[Cin, Cout, k…]` (PyTorch layout).
    case transposedConvolution
}

/// The fan-in and fan-out of a weight tensor: how many inputs feed one output unit and how many
/// outputs one input unit feeds, each times the receptive field (the product of the kernel
/// extents).
///
/// Conventions (identical to Keras' `_compute_fans` and PyTorch's
/// `_calculate_fan_in_and_fan_out` for the same layer):
/// - linear `[out, in]`: fanIn = in, fanOut = out.
/// - convolution `[Cout, Cin, kh, kw]`: fanIn = Cin·kh·kw, fanOut = Cout·kh·kw.
/// - transposed convolution `[Cin, Cout, kh, kw]`: fanIn = Cout·kh·kw, fanOut = Cin·kh·kw.
///   Keras' `Conv2DTranspose` kernel is `(kh, kw, filters, in_channels)` and Keras reads fanIn
///   from the second-to-last (filters) axis; PyTorch reads it from dimension 1 (also `Cout`).
///   Both therefore take the *output* channels as the fan-in of a transposed convolution, and so
///   does Focal, so He-initialised transposed convolutions match both frameworks. (Glorot
///   depends on fanIn + fanOut only and is unaffected by the choice.)
public struct Fans: Sendable, Equatable, CustomStringConvertible {
    /// Inputs per output unit times the receptive field.
    public let fanIn: Int
    /// Outputs per input unit times the receptive field.
    public let fanOut: Int

    /// E.g. `fanIn 72, fanOut 144`.
    public var description: String { "fanIn \(fanIn), fanOut \(fanOut)" }
}

extension Fans {
    /// The fans of a weight of `shape` laid out as `layout`. The shape must have rank 2 for
    /// `.linear` and rank ≥ 3 for the convolutions (a programming error otherwise).
    public init(weightShape shape: [Int], layout: WeightLayout) {
        switch layout {
        case .linear:
            precondition(shape.count == 2, "Fans: a linear weight is [out, in], got \(Shape.describe(shape))")
            self.init(fanIn: shape[1], fanOut: shape[0])
        case .convolution, .transposedConvolution:
            precondition(shape.count >= 3,
                         "Fans: a convolution weight has rank ≥ 3 ([C, C, k…]), got \(Shape.describe(shape))")
            // Dimension 1 is Cin for a convolution and Cout for a transposed one: in both
            // layouts fanIn comes from dimension 1 and fanOut from dimension 0.
            let receptive = shape[2...].reduce(1, *)
            self.init(fanIn: shape[1] * receptive, fanOut: shape[0] * receptive)
        }
    }
}

extension Tensor {
    /// Glorot (Xavier) uniform initialisation, Keras' default kernel initialiser (used by the
    /// paper's networks): scalars uniform in `[-limit, limit)` with
    /// `limit = sqrt(6 / (fanIn + fanOut))`, so the variance is `2 / (fanIn + fanOut)`.
    /// Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
    /// networks", AISTATS 2010.
    public init(glorotUniform shape: [Int], fanIn: Int, fanOut: Int, generator: inout RandomGenerator) {
        precondition(fanIn > 0 && fanOut > 0, "glorotUniform: fans must be positive, got fanIn \(fanIn), fanOut \(fanOut)")
        let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        self.init(randomUniform: shape, low: -limit, high: limit, generator: &generator)
    }

    /// Glorot uniform initialisation with fans computed from the weight layout.
    public init(glorotUniform shape: [Int], layout: WeightLayout, generator: inout RandomGenerator) {
        let fans = Fans(weightShape: shape, layout: layout)
        self.init(glorotUniform: shape, fanIn: fans.fanIn, fanOut: fans.fanOut, generator: &generator)
    }

    /// He (Kaiming) normal initialisation as Keras' `he_normal`: a normal distribution truncated
    /// at two standard deviations (out-of-range draws are redrawn), with standard deviation
    /// `sqrt(2 / fanIn) / 0.87962566` so that the truncated distribution's variance is exactly
    /// `2 / fanIn`. He et al., "Delving Deep into Rectifiers", ICCV 2015.
    public init(heNormal shape: [Int], fanIn: Int, generator: inout RandomGenerator) {
        precondition(fanIn > 0, "heNormal: fanIn must be positive, got \(fanIn)")
        // Standard deviation of a unit normal truncated to [-2, 2].
        let truncatedStd = 0.87962566103423978
        let std = Float((2.0 / Double(fanIn)).squareRoot() / truncatedStd)
        var g = generator
        self.init(shape: shape) { buf in
            for i in 0..<buf.count {
                var z = g.nextNormal()
                while abs(z) > 2 { z = g.nextNormal() }
                buf[i] = std * z
            }
        }
        generator = g
    }

    /// He (Kaiming) uniform initialisation (Keras' `he_uniform`): scalars uniform in
    /// `[-limit, limit)` with `limit = sqrt(6 / fanIn)`, so the variance is `2 / fanIn`.
    /// He et al., ICCV 2015.
    public init(heUniform shape: [Int], fanIn: Int, generator: inout RandomGenerator) {
        precondition(fanIn > 0, "heUniform: fanIn must be positive, got \(fanIn)")
        let limit = Float((6.0 / Double(fanIn)).squareRoot())
        self.init(randomUniform: shape, low: -limit, high: limit, generator: &generator)
    }
}
