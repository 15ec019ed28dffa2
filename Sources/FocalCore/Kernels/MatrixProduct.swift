// Matrix products of whole tensors through one sgemm.

extension Kernels {
    /// `op(a) · op(b)` for contiguous row-major matrices (result `[m, n]`).
    package static func gemm(_ a: Tensor, _ b: Tensor, m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false) -> Tensor {
        let ca = a.contiguous(), cb = b.contiguous()
        return withExtendedLifetime((ca, cb)) {
            Tensor(shape: [m, n]) { out in
                BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                           a: ca.basePointer, lda: transA ? m : k, b: cb.basePointer, ldb: transB ? k : n,
                           c: out.baseAddress!, ldc: n)
            }
        }
    }
}
