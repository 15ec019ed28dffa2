import Foundation

// Softmax and log-softmax over one axis, computed with the maximum subtracted (stable).
// Backward: softmax dx = y·(g − Σ g·y);  log-softmax dx = g − softmax·Σ g.

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
