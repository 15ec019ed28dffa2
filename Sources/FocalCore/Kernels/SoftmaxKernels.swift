import Foundation

// Softmax and log-softmax of contiguous tensors along one axis, with the maximum subtracted.

extension Kernels {
    /// Calls `body(base, stride, length)` for every line along `axis` of a contiguous shape.
    @inline(__always)
    static func forEachLine(shape: [Int], axis: Int, _ body: (Int, Int, Int) -> Void) {
        let outer = shape[..<axis].reduce(1, *)
        let len = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        Threading.parallelFor(outer * inner, grain: max(1, 8_192 / max(len, 1))) { r in
            for l in r {
                let o = l / inner, i = l % inner
                body(o * len * inner + i, inner, len)
            }
        }
    }

    /// Softmax along `axis` (no tape).
    package static func softmax(_ x: Tensor, axis: Int) -> Tensor { exponentialsNormalized(x, axis: axis, log: false) }

    /// Log-softmax along `axis` (no tape).
    package static func logSoftmax(_ x: Tensor, axis: Int) -> Tensor { exponentialsNormalized(x, axis: axis, log: true) }

    /// `exp(x − m) / Σ exp(x − m)` along `axis` with `m` the line's maximum, or with `log` its
    /// logarithm `x − (m + log Σ exp(x − m))`.
    private static func exponentialsNormalized(_ x: Tensor, axis: Int, log: Bool) -> Tensor {
        let c = x.contiguous()
        let src = c.basePointer
        return withExtendedLifetime(c) {
            Tensor(shape: x.shape) { out in
                let dst = out.baseAddress!
                forEachLine(shape: x.shape, axis: axis) { base, st, len in
                    var m = -Float.infinity
                    for j in 0..<len { m = max(m, src[base + j * st]) }
                    var s: Float = 0
                    for j in 0..<len {
                        let e = Foundation.exp(src[base + j * st] - m)
                        if !log { dst[base + j * st] = e }
                        s += e
                    }
                    if log {
                        let lse = m + Foundation.log(s)
                        for j in 0..<len { dst[base + j * st] = src[base + j * st] - lse }
                    } else {
                        let inv = 1 / s
                        for j in 0..<len { dst[base + j * st] *= inv }
                    }
                }
            }
        }
    }
}
