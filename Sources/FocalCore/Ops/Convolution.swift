// Differentiable 2-D convolution and transposed convolution (PyTorch semantics and weight
// layouts). The arithmetic lives in `Kernels/ConvolutionKernels.swift`.

/// 2-D convolution (cross-correlation, as PyTorch's `conv2d`) of `x [N, Cin, H, W]` with
/// `weight [Cout, Cin, kh, kw]`, zero `padding` on every side and the same `stride` in both
/// directions, plus an optional `bias [Cout]`:
///
/// `y[n, o, i, j] = bias[o] + Σ_{c, u, v} weight[o, c, u, v] · x[n, c, i·stride − padding + u, j·stride − padding + v]`
///
/// The output is `[N, Cout, (H + 2·padding − kh) / stride + 1, (W + 2·padding − kw) / stride + 1]`
/// (floor). Computed by Winograd's F(4×4, 3×3) where `Kernels.winogradVariant` chooses it (3×3,
/// stride 1, padding 1, large enough images and channel counts), otherwise by im2col and one
/// GEMM per image (blocks of output rows for large images); differentiable with respect to `x`,
/// `weight` and `bias`.
///
/// Preconditions (this is a low-level op; layers validate user input): ranks, matching input
/// channels, `stride ≥ 1`, `padding ≥ 0`, and a kernel no larger than the padded image.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
    conv2d(x, weight: weight, bias: bias, stride: stride, padding: .uniform(padding))
}

/// `conv2d` with a possibly different zero padding on each side (Keras' `'same'` for strided
/// convolutions): the output is
/// `[N, Cout, (H + top + bottom − kh) / stride + 1, (W + left + right − kw) / stride + 1]`.
/// The padding is not materialised: im2col reads zeros for it, and the input gradient has the
/// input's shape.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: ConvolutionPadding) -> Tensor {
    precondition(x.rank == 4, "conv2d: input must be [N, Cin, H, W], got \(Shape.describe(x.shape))")
    precondition(weight.rank == 4 && weight.shape[1] == x.shape[1],
                 "conv2d: weight \(Shape.describe(weight.shape)) does not match input \(Shape.describe(x.shape)); expected [Cout, \(x.shape[1]), kh, kw]")
    precondition(bias == nil || bias!.shape == [weight.shape[0]],
                 "conv2d: bias \(Shape.describe(bias?.shape ?? [])) must be [\(weight.shape[0])] for weight \(Shape.describe(weight.shape))")
    precondition(stride >= 1 && padding.isValid, "conv2d: stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
    precondition(x.shape[2] + padding.top + padding.bottom >= weight.shape[2] && x.shape[3] + padding.left + padding.right >= weight.shape[3],
                 "conv2d: kernel \(weight.shape[2])×\(weight.shape[3]) larger than input \(Shape.describe(x.shape)) padded by \(padding)")
    precondition(x.count > 0 && weight.count > 0, "conv2d: empty input \(Shape.describe(x.shape)) or weight \(Shape.describe(weight.shape))")
    let xd = x.contiguous().detached(), wd = weight.contiguous().detached()
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    // On the Winograd path the weights are transformed once, for the forward pass and for the
    // input gradient of the backward pass.
    let transformed = Kernels.winogradVariant(x: xd, weight: wd, stride: stride, padding: padding).map { $0.transformed(wd) }
    let y = Kernels.conv2d(xd, weight: wd, bias: bias?.detached(), stride: stride, padding: padding,
                           transformedWeights: transformed)
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    let hasBias = bias != nil
    // The backward pass keeps the transformed weights only when it needs them.
    let kept = needX && GradMode.isEnabled ? transformed : nil
    return Tensor.record("conv2d", output: y, inputs: inputs) { g in
        let r = Kernels.conv2dBackward(xd, weight: wd, gradOutput: g, stride: stride, padding: padding,
                                       inputGradient: needX, weightGradient: needW, biasGradient: needB,
                                       transformedWeights: kept)
        return hasBias ? [r.input, r.weight, r.bias] : [r.input, r.weight]
    }
}

/// 2-D transposed convolution (PyTorch's `conv_transpose2d`, "fractionally strided"
/// convolution) of `x [N, Cin, H, W]` with `weight [Cin, Cout, kh, kw]` (PyTorch layout:
/// input channels first), plus an optional `bias [Cout]`. It is the adjoint (gradient with
/// respect to the input) of `conv2d` with the same weight, stride and padding:
///
/// `y[n, o, i·stride − padding + u, j·stride − padding + v] += weight[c, o, u, v] · x[n, c, i, j]`
///
/// The output is `[N, Cout, (H − 1)·stride − 2·padding + kh, (W − 1)·stride − 2·padding + kw]`;
/// kernel 2, stride 2 doubles the resolution (the U-Net's up-convolution). Differentiable with
/// respect to `x`, `weight` and `bias`.
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
    precondition(x.rank == 4, "convTranspose2d: input must be [N, Cin, H, W], got \(Shape.describe(x.shape))")
    precondition(weight.rank == 4 && weight.shape[0] == x.shape[1],
                 "convTranspose2d: weight \(Shape.describe(weight.shape)) does not match input \(Shape.describe(x.shape)); expected [\(x.shape[1]), Cout, kh, kw]")
    precondition(bias == nil || bias!.shape == [weight.shape[1]],
                 "convTranspose2d: bias \(Shape.describe(bias?.shape ?? [])) must be [\(weight.shape[1])] for weight \(Shape.describe(weight.shape))")
    precondition(stride >= 1 && padding >= 0, "convTranspose2d: stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
    precondition(x.count > 0 && weight.count > 0,
                 "convTranspose2d: empty input \(Shape.describe(x.shape)) or weight \(Shape.describe(weight.shape))")
    let xd = x.contiguous().detached(), wd = weight.contiguous().detached()
    let y = Kernels.convTranspose2d(xd, weight: wd, bias: bias?.detached(), stride: stride, padding: padding)
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    let hasBias = bias != nil
    return Tensor.record("convTranspose2d", output: y, inputs: inputs) { g in
        let r = Kernels.convTranspose2dBackward(xd, weight: wd, gradOutput: g, stride: stride, padding: padding,
                                                inputGradient: needX, weightGradient: needW, biasGradient: needB)
        return hasBias ? [r.input, r.weight, r.bias] : [r.input, r.weight]
    }
}
