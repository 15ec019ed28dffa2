import FocalCore

/// Max pooling over `kernel × kernel` windows moved by `stride` (default: `kernel`), without
/// padding (Keras `MaxPooling2D(pool_size=2)` in the U-Net encoder).
public final class MaxPool2d: Module, Layer, @unchecked Sendable {
    /// Window extent.
    public let kernel: Int
    /// Step between windows.
    public let stride: Int

    /// A max-pooling layer.
    public init(kernel: Int = 2, stride: Int? = nil) {
        precondition(kernel >= 1 && (stride ?? kernel) >= 1, "MaxPool2d: kernel \(kernel) and stride \(stride ?? kernel) must be ≥ 1")
        self.kernel = kernel
        self.stride = stride ?? kernel
    }

    /// Pools `x [N, C, H, W]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { maxPool2d(x, kernel: kernel, stride: stride) }
}
