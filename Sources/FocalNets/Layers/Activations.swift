import FocalCore

/// The rectifier `max(x, 0)` as a layer.
public final class ReLU: Module, Layer, @unchecked Sendable {
    /// A ReLU layer.
    public override init() { super.init() }
    /// Elementwise `max(x, 0)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// The logistic sigmoid `1 / (1 + e^−x)` as a layer.
public final class Sigmoid: Module, Layer, @unchecked Sendable {
    /// A sigmoid layer.
    public override init() { super.init() }
    /// Elementwise sigmoid.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// The softmax `e^x_i / Σ_j e^x_j` along one axis as a layer (axis 1, the channels of
/// `[N, C, H, W]`, by default).
public final class Softmax: Module, Layer, @unchecked Sendable {
    /// The normalised axis (negative values count from the end).
    public let axis: Int
    /// A softmax layer over `axis`.
    public init(axis: Int = 1) {
        self.axis = axis
        super.init()
    }
    /// Softmax of `x` along `axis`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.softmax(axis: axis) }
}
