/// Zero padding of the two spatial dimensions of `x [N, C, H, W]` with possibly different
/// amounts on each side (`top`, `bottom`, `left`, `right` ≥ 0); the result is
/// `[N, C, H + top + bottom, W + left + right]`. Differentiable: the gradient is the inner window
/// of the output gradient.
///
/// (A convolution does not need it: `conv2d(_:weight:bias:stride:padding:)` with a
/// `ConvolutionPadding` pads each side without a copy.)
public func zeroPadded2d(_ x: Tensor, top: Int, bottom: Int, left: Int, right: Int) -> Tensor {
    precondition(x.rank == 4, "zeroPadded2d: input must be [N, C, H, W], got \(x.shape)")
    precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0,
                 "zeroPadded2d: padding (\(top), \(bottom), \(left), \(right)) must not be negative")
    if top == 0 && bottom == 0 && left == 0 && right == 0 { return x }
    let (h, w) = (x.shape[2], x.shape[3])
    let rows = Kernels.pad(x.detached(), axis: 2, before: top, total: h + top + bottom)
    let y = Kernels.pad(rows, axis: 3, before: left, total: w + left + right)
    return Tensor.record("zeroPadded2d", output: y, inputs: [x]) { g in
        let inner = Kernels.sliceCopy(g.contiguous(), axis: 2, top..<(top + h))
        return [Kernels.sliceCopy(inner, axis: 3, left..<(left + w))]
    }
}
