// Differentiable fully connected layer arithmetic through sgemm.

/// The affine map `y = x · weightᵀ + bias` of PyTorch's `linear`, for `x [N, in]`,
/// `weight [out, in]` and an optional `bias [out]`; returns `[N, out]`.
///
/// One GEMM forward (the bias is written first and accumulated into); backward
/// `dx = g · weight`, `dweight = gᵀ · x`, `dbias = Σ_rows g` (Double accumulation).
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    precondition(x.rank == 2, "linear: input must be [N, in], got \(Shape.describe(x.shape))")
    precondition(weight.rank == 2 && weight.shape[1] == x.shape[1],
                 "linear: weight \(Shape.describe(weight.shape)) does not match input \(Shape.describe(x.shape)); expected [out, \(x.shape[1])]")
    precondition(bias == nil || bias!.shape == [weight.shape[0]],
                 "linear: bias \(Shape.describe(bias?.shape ?? [])) must be [\(weight.shape[0])] for weight \(Shape.describe(weight.shape))")
    let (n, fin, fout) = (x.shape[0], x.shape[1], weight.shape[0])
    let xd = x.contiguous().detached(), wd = weight.contiguous().detached(), bd = bias?.contiguous().detached()
    let y = withExtendedLifetime((xd, wd, bd)) {
        Tensor(shape: [n, fout]) { out in
            let c = out.baseAddress!
            if let bd {
                for row in 0..<n { (c + row * fout).update(from: bd.basePointer, count: fout) }
            }
            BLAS.sgemm(transB: true, m: n, n: fout, k: fin, a: xd.basePointer, lda: fin, b: wd.basePointer, ldb: fin,
                       beta: bd == nil ? 0 : 1, c: c, ldc: fout)
        }
    }
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    let hasBias = bias != nil
    return Tensor.record("linear", output: y, inputs: inputs) { g in
        let gc = g.contiguous()
        let dx = needX ? Kernels.gemm(gc, wd, m: n, n: fin, k: fout) : nil
        let dw = needW ? Kernels.gemm(gc, xd, m: fout, n: fin, k: n, transA: true) : nil
        guard hasBias else { return [dx, dw] }
        let db = needB ? Kernels.channelSums(gc, channels: fout) : nil
        return [dx, dw, db]
    }
}
