import Foundation

// Softmax and log-softmax over one axis, computed with the maximum subtracted (stable).
// Backward: softmax dx = y·(g − Σ g·y);  log-softmax dx = g − softmax·Σ g.

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
    public static func softmax(_ x: Tensor, axis: Int) -> Tensor {
        let c = x.contiguous()
        let src = c.basePointer
        return withExtendedLifetime(c) {
            Tensor(shape: x.shape) { out in
                let dst = out.baseAddress!
                forEachLine(shape: x.shape, axis: axis) { base, st, len in
                    var m = -Float.infinity
                    for j in 0..<len { m = max(m, src[base + j * st]) }
                    var s: Float = 0
                    for j in 0..<len { let e = Foundation.exp(src[base + j * st] - m); dst[base + j * st] = e; s += e }
                    let inv = 1 / s
                    for j in 0..<len { dst[base + j * st] *= inv }
                }
            }
        }
    }

    /// Log-softmax along `axis` (no tape).
    public static func logSoftmax(_ x: Tensor, axis: Int) -> Tensor {
        let c = x.contiguous()
        let src = c.basePointer
        return withExtendedLifetime(c) {
            Tensor(shape: x.shape) { out in
                let dst = out.baseAddress!
                forEachLine(shape: x.shape, axis: axis) { base, st, len in
                    var m = -Float.infinity
                    for j in 0..<len { m = max(m, src[base + j * st]) }
                    var s: Float = 0
                    for j in 0..<len { s += Foundation.exp(src[base + j * st] - m) }
                    let lse = m + Foundation.log(s)
                    for j in 0..<len { dst[base + j * st] = src[base + j * st] - lse }
                }
            }
        }
    }
}

extension Tensor {
    /// Softmax along `axis` (default: the channel axis 1 of `N, C, …`).
    public func softmax(axis: Int = 1) -> Tensor {
        let a = Shape.axis(axis, rank: rank)
        let y = Kernels.softmax(self, axis: a)
        return Tensor.record("softmax", output: y, inputs: [self]) { g in
            let gy = Kernels.mul(g, y)
            let s = Kernels.sum(gy, axes: [a], keepDims: true)
            return [Kernels.sub(gy, Kernels.mul(y, s))]
        }
    }

    /// Log-softmax along `axis` (default: the channel axis 1).
    public func logSoftmax(axis: Int = 1) -> Tensor {
        let a = Shape.axis(axis, rank: rank)
        let y = Kernels.logSoftmax(self, axis: a)
        return Tensor.record("logSoftmax", output: y, inputs: [self]) { g in
            let s = Kernels.sum(g, axes: [a], keepDims: true)
            let p = Kernels.map(y) { Foundation.exp($0) }
            return [Kernels.sub(g, Kernels.mul(p, s))]
        }
    }
}
