import FocalCore

/// Layers applied one after the other. Its children are named `0`, `1`, … as in PyTorch's
/// `nn.Sequential`, so a convolution at index 0 owns `0.weight` and `0.bias`.
public final class Sequential: Module, Layer, @unchecked Sendable {
    private let _layers: [any Layer]

    /// The layers, in application order.
    public var layers: [any Layer] { _layers }

    /// A container applying `layers` in order.
    public init(_ layers: [any Layer]) {
        _layers = layers
        super.init()
    }

    /// A container applying `layers` in order.
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    /// Children named by their index.
    public override func namedChildren() -> [(String, Module)] {
        _layers.enumerated().map { (String($0.offset), $0.element as Module) }
    }

    /// `layers[n−1](…layers[1](layers[0](x)))`; the identity when empty.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        _layers.reduce(x) { h, layer in layer(h) }
    }
}
