import FocalCore

/// A fully connected layer `y = x · weightᵀ + bias` (PyTorch's `nn.Linear` layout:
/// `weight [out, in]`, `bias [out]`), initialised as Keras' `Dense`: Glorot uniform kernel
/// (`fanIn = in`, `fanOut = out`) and a zero bias.
public final class Linear: Module, Layer, @unchecked Sendable {
    /// The weight, `[out, in]`.
    public let weight: Parameter
    /// The bias, `[out]`, when the layer has one.
    public let bias: Parameter?

    /// Input features.
    public var inFeatures: Int { weight.shape[1] }
    /// Output features.
    public var outFeatures: Int { weight.shape[0] }

    /// A layer mapping `inFeatures` to `outFeatures`.
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, generator: inout RandomGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: features (\(inFeatures) → \(outFeatures)) must be positive")
        weight = Parameter(Tensor(glorotUniform: [outFeatures, inFeatures], layout: .linear, generator: &generator))
        self.bias = bias ? Parameter(Tensor(zeros: [outFeatures])) : nil
    }

    /// Applies the layer to `x [N, in]`; returns `[N, out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inFeatures, "Linear: input must be [N, \(inFeatures)], got \(x.shape)")
        return linear(x, weight: weight.value, bias: bias?.value)
    }
}
