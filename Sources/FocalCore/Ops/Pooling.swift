// Differentiable pooling and resampling of `[N, C, H, W]` tensors.

/// Max pooling over `kernel × kernel` windows moved by `stride` (default: `kernel`), without
/// padding; the output is `[N, C, (H − kernel) / stride + 1, (W − kernel) / stride + 1]`
/// (floor: trailing rows/columns that do not fill a window are dropped, as in PyTorch).
///
/// The gradient flows to the maximum of each window only (the first one on ties; the index
/// is recorded in the forward pass).
public func maxPool2d(_ x: Tensor, kernel: Int = 2, stride: Int? = nil) -> Tensor {
    let s = stride ?? kernel
    precondition(x.rank == 4, "maxPool2d: input must be [N, C, H, W], got \(Shape.describe(x.shape))")
    precondition(kernel >= 1 && s >= 1, "maxPool2d: kernel \(kernel) and stride \(s) must be ≥ 1")
    precondition(x.shape[2] >= kernel && x.shape[3] >= kernel,
                 "maxPool2d: input \(Shape.describe(x.shape)) smaller than the \(kernel)×\(kernel) window")
    let inputShape = x.shape
    let (y, argmax) = Kernels.maxPool2d(x.detached(), kernel: kernel, stride: s)
    return Tensor.record("maxPool2d", output: y, inputs: [x]) { g in
        [Kernels.maxPool2dBackward(g, argmax: argmax, inputShape: inputShape)]
    }
}

/// Nearest-neighbour upsampling by an integer `scale` in both directions:
/// `y[n, c, i, j] = x[n, c, ⌊i / scale⌋, ⌊j / scale⌋]`, shape `[N, C, H·scale, W·scale]`
/// (PyTorch's `interpolate(mode: "nearest")` and Keras' `UpSampling2D` for integer factors).
/// The gradient of an input element is the sum over its `scale × scale` copies.
public func upsampleNearest2d(_ x: Tensor, scale: Int = 2) -> Tensor {
    precondition(x.rank == 4, "upsampleNearest2d: input must be [N, C, H, W], got \(Shape.describe(x.shape))")
    precondition(scale >= 1, "upsampleNearest2d: scale \(scale) must be ≥ 1")
    if scale == 1 { return x }
    let y = Kernels.upsampleNearest2d(x.detached(), scale: scale)
    return Tensor.record("upsampleNearest2d", output: y, inputs: [x]) { g in
        [Kernels.upsampleNearest2dBackward(g, scale: scale)]
    }
}

/// Global average pooling: the mean over `H` and `W` of `x [N, C, H, W]`, keeping the
/// dimensions: `[N, C, 1, 1]` (as in squeeze-and-excitation blocks).
public func globalAveragePool2d(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "globalAveragePool2d: input must be [N, C, H, W], got \(Shape.describe(x.shape))")
    precondition(x.shape[2] * x.shape[3] > 0, "globalAveragePool2d: empty spatial size in \(Shape.describe(x.shape))")
    return x.mean(axes: [2, 3], keepDims: true)
}
