// Differentiable changes of shape. Views share storage; backward maps the gradient back:
// reshape → reshape, permute → inverse permute, slice → zero-padded, concat → slices,
// expand → sum over the broadcast axes.

extension Tensor {
    /// The same scalars with a new shape (a view when contiguous). One extent may be `-1`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let i = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(Shape.describe(newShape)) for \(count) scalars")
            target[i] = count / known
        }
        precondition(Shape.count(target) == count, "reshape: \(Shape.describe(shape)) (\(count) scalars) cannot become \(Shape.describe(newShape))")
        let c = contiguous()
        let out = Tensor(storage: c.storage, shape: target, offset: c.offset)
        let inShape = shape
        return Tensor.record("reshape", output: out, inputs: [self]) { g in
            let gc = g.contiguous()
            return [Tensor(storage: gc.storage, shape: inShape, offset: gc.offset)]
        }
    }

    /// Dimensions reordered: output dimension `i` is input dimension `order[i]` (a view).
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permute: \(order) is not a permutation of 0..<\(rank)")
        let out = Tensor(storage: storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.record("permute", output: out, inputs: [self]) { g in
            let gp = g.detached()
            return [Tensor(storage: gp.storage, shape: inverse.map { gp.shape[$0] }, strides: inverse.map { gp.strides[$0] }, offset: gp.offset).contiguous()]
        }
    }

    /// The range `range` of dimension `axis` (a view).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = Shape.axis(axis, rank: rank)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) out of bounds for dimension \(a) of \(Shape.describe(shape))")
        var s = shape
        s[a] = range.count
        let out = Tensor(storage: storage, shape: s, strides: strides, offset: offset + range.lowerBound * strides[a])
        let inShape = shape
        return Tensor.record("slice", output: out, inputs: [self]) { g in
            [Kernels.pad(g, axis: a, before: range.lowerBound, total: inShape[a])]
        }
    }

    /// This tensor broadcast to `shape` (NumPy rules; a stride-0 view).
    public func expanded(to target: [Int]) -> Tensor {
        let inShape = shape
        return Tensor.record("expand", output: expandedView(to: target), inputs: [self]) { g in
            [Kernels.sumToShape(g, inShape)]
        }
    }

    /// Tensors joined along `axis`; all other extents must agree.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat: no tensors")
        let a = Shape.axis(axis, rank: parts[0].rank)
        for p in parts {
            precondition(p.rank == parts[0].rank && (0..<p.rank).allSatisfy { $0 == a || p.shape[$0] == parts[0].shape[$0] },
                         "concat: shapes \(parts.map { Shape.describe($0.shape) }) differ outside axis \(a)")
        }
        let sizes = parts.map { $0.shape[a] }
        let out = Kernels.concat(parts, axis: a)
        return record("concat", output: out, inputs: parts) { g in
            // When every extent before `axis` is 1 (channels of one image), each part's gradient
            // is one contiguous run of a contiguous `g`: a view of it, not a copy.
            let asViews = g.isContiguous && g.shape[..<a].allSatisfy { $0 == 1 }
            var start = 0
            return sizes.map { n in
                defer { start += n }
                guard asViews else { return Kernels.sliceCopy(g, axis: a, start..<(start + n)) }
                var s = g.shape
                s[a] = n
                return Tensor(storage: g.storage, shape: s, strides: Shape.contiguousStrides(s), offset: g.offset + start * g.strides[a])
            }
        }
    }
}
