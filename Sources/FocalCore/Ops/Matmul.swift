// Matrix product through one sgemm. Backward: dA = g·Bᵀ, dB = Aᵀ·g.

extension Tensor {
    /// The matrix product of `[m, k]` and `[k, n]` tensors.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul: cannot multiply \(Shape.describe(shape)) by \(Shape.describe(other.shape))")
        let a = contiguous().detached(), b = other.contiguous().detached()
        let (m, k, n) = (shape[0], shape[1], other.shape[1])
        let y = Kernels.gemm(a, b, m: m, n: n, k: k)
        let (na, nb) = (node != nil, other.node != nil)
        return Tensor.record("matmul", output: y, inputs: [self, other]) { g in
            let gc = g.contiguous()
            return [na ? Kernels.gemm(gc, b, m: m, n: k, k: n, transB: true) : nil,
                    nb ? Kernels.gemm(a, gc, m: k, n: n, k: m, transA: true) : nil]
        }
    }
}
