// Differentiable reductions. Backward: the output gradient is broadcast back over the reduced
// axes (and divided by the number of reduced elements for `mean`).

extension Tensor {
    /// Sum over `axes` (all axes when `nil`), keeping reduced axes as size 1 when `keepDims`.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = (axes ?? Array(0..<rank)).map { Shape.axis($0, rank: rank) }
        let inShape = shape
        var kept = shape
        for a in ax { kept[a] = 1 }
        let out = Kernels.sum(self, axes: ax, keepDims: keepDims)
        return Tensor.record("sum", output: out, inputs: [self]) { g in
            let gc = g.contiguous()
            let gk = Tensor(storage: gc.storage, shape: kept, offset: gc.offset)
            return [gk.expandedView(to: inShape).contiguous()]
        }
    }

    /// Mean over `axes` (all axes when `nil`).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = (axes ?? Array(0..<rank)).map { Shape.axis($0, rank: rank) }
        let n = Set(ax).reduce(1) { $0 * shape[$1] }
        return sum(axes: ax, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }
}
