import CFocalKernels

extension Kernels {
    /// Sum over `axes` with Double accumulation, in a fixed order: the same bits for any
    /// thread count. Rows of trailing reduced axes are summed by `focal_sum` (Float lanes
    /// within blocks of 256 terms, Double across blocks); everything else in Double.
    package static func sum(_ x: Tensor, axes: [Int], keepDims: Bool) -> Tensor {
        let rank = x.rank
        let axesSet = Set(axes.map { Shape.axis($0, rank: rank) })
        var keptShape = x.shape
        for a in axesSet { keptShape[a] = 1 }
        let outShape = keepDims ? keptShape : x.shape.enumerated().filter { !axesSet.contains($0.offset) }.map(\.element)
        let c = x.contiguous()
        let src = c.basePointer
        let n = c.count
        let shape = x.shape
        let outCount = Shape.count(keptShape)
        var acc = [Double](repeating: 0, count: outCount)
        withExtendedLifetime(c) {
            // Split off the trailing run of reduced axes: each row of it is summed on its own
            // (rows in parallel, fixed blocks within a row), then rows are added in order.
            var innerReduced = 1
            var d = rank - 1
            while d >= 0 && axesSet.contains(d) { innerReduced *= shape[d]; d -= 1 }
            let rows = innerReduced > 0 ? n / innerReduced : 0
            if innerReduced > 1 || rank == 0 {
                var rowSums = [Double](repeating: 0, count: rows)
                rowSums.withUnsafeMutableBufferPointer { rp in
                    let r = rp.baseAddress!
                    if rows == 1 {
                        let block = 65_536
                        let blocks = (n + block - 1) / block
                        var partial = [Double](repeating: 0, count: blocks)
                        partial.withUnsafeMutableBufferPointer { pp in
                            let p = pp.baseAddress!
                            Threading.parallelFor(blocks, grain: 1) { br in
                                for b in br {
                                    var s = 0.0
                                    for i in (b * block)..<min(n, (b + 1) * block) { s += Double(src[i]) }
                                    p[b] = s
                                }
                            }
                        }
                        r[0] = partial.reduce(0, +)
                    } else {
                        Threading.parallelFor(rows, grain: max(1, 32_768 / innerReduced)) { range in
                            for row in range { r[row] = focal_sum(src + row * innerReduced, innerReduced, 0) }
                        }
                    }
                }
                // Map each row (index over shape[0...d]) to its output element.
                let prefix = d >= 0 ? Array(shape[0...d]) : []
                let keptStrides = Shape.contiguousStrides(keptShape)
                let ostr = prefix.indices.map { axesSet.contains($0) ? 0 : keptStrides[$0] }
                for row in 0..<rows {
                    var rem = row, o = 0
                    for k in stride(from: prefix.count - 1, through: 0, by: -1) {
                        o += (rem % prefix[k]) * ostr[k]
                        rem /= prefix[k]
                    }
                    acc[o] += rowSums[row]
                }
            } else {
                // The trailing axes are kept: every contiguous input row of `inner` elements
                // adds to one output row. Rows are added in input order (the same order for
                // every element, thread count and column split); columns are split across
                // threads, so the inner loop is a long unit-stride one.
                var inner = 1
                while d >= 0 && !axesSet.contains(d) { inner *= shape[d]; d -= 1 }
                let rows = inner > 0 ? n / inner : 0
                let prefix = d >= 0 ? Array(shape[0...d]) : []
                let keptStrides = Shape.contiguousStrides(keptShape)
                let ostr = prefix.indices.map { axesSet.contains($0) ? 0 : keptStrides[$0] }
                acc.withUnsafeMutableBufferPointer { ap in
                    addRows(src, rows: rows, inner: inner, prefix: prefix, outputStrides: ostr, into: ap.baseAddress!)
                }
            }
        }
        return Tensor(shape: outShape, scalars: acc.map { Float($0) })
    }

    /// `acc[offset(row) + j] += x[row · inner + j]` for every row and `j < inner`, rows in input
    /// order, where `offset` steps through `prefix` (row-major) by `outputStrides`. Columns are
    /// split into blocks across threads (each output element is still summed in row order).
    private static func addRows(_ x: UnsafePointer<Float>, rows: Int, inner: Int, prefix: [Int], outputStrides: [Int],
                                into acc: UnsafeMutablePointer<Double>) {
        let columnBlock = 1_024
        let columnBlocks = max(1, (inner + columnBlock - 1) / columnBlock)
        let rank = prefix.count
        Threading.parallelFor(columnBlocks, grain: max(1, 65_536 / max(rows * columnBlock, 1))) { blocks in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: max(rank, 1)) { indexBuffer in
                let index = indexBuffer.baseAddress!
                for b in blocks {
                    let j0 = b * columnBlock, j1 = min(inner, j0 + columnBlock)
                    index.initialize(repeating: 0, count: max(rank, 1))
                    var o = 0  // output offset of the current row: an odometer over `prefix`
                    for row in 0..<rows {
                        let src = x + row * inner, out = acc + o
                        for j in j0..<j1 { out[j] += Double(src[j]) }
                        var k = rank - 1
                        while k >= 0 {
                            index[k] += 1
                            o += outputStrides[k]
                            if index[k] < prefix[k] { break }
                            o -= outputStrides[k] * prefix[k]
                            index[k] = 0
                            k -= 1
                        }
                    }
                }
            }
        }
    }

    /// `sumToShape(mul(g, x), shape)` for an `x` of `g`'s shape — the gradient of the broadcast
    /// operand of a product — with the same bits. When the reduced axes are one trailing run
    /// (a per-channel scale `[N, C, 1, 1]`, as in squeeze-and-excitation) each output element
    /// is one sum of products over its plane and the products are not stored; otherwise the
    /// products are formed and summed by `sumToShape`.
    package static func sumOfProductsToShape(_ g: Tensor, _ x: Tensor, _ shape: [Int]) -> Tensor {
        guard g.shape == x.shape, g.shape != shape, g.rank >= shape.count else { return sumToShape(mul(g, x), shape) }
        let lead = g.rank - shape.count
        var reduced = [Bool](repeating: false, count: g.rank)
        for i in 0..<lead { reduced[i] = true }
        for i in 0..<shape.count where shape[i] == 1 && g.shape[i + lead] != 1 { reduced[i + lead] = true }
        // `sum`'s split: the trailing run of reduced axes is summed row by row with `focal_sum`.
        var inner = 1, d = g.rank - 1
        while d >= 0 && reduced[d] { inner *= g.shape[d]; d -= 1 }
        let rows = inner > 1 ? g.count / inner : 0
        // Only when each row is one output element (no reduced axis before the run) and there
        // is more than one row (`sum` sums a single row differently).
        guard inner > 1, rows > 1, d >= 0, !reduced[0...d].contains(true) else { return sumToShape(mul(g, x), shape) }
        let gc = g.contiguous(), xc = x.contiguous()
        var out = [Float](repeating: 0, count: rows)
        withExtendedLifetime((gc, xc)) {
            out.withUnsafeMutableBufferPointer { op in
                let o = op.baseAddress!, gp = gc.basePointer, xp = xc.basePointer
                Threading.parallelFor(rows, grain: max(1, 32_768 / inner)) { range in
                    for row in range {
                        // 0 + s as in `sum`, which adds each row's sum to a zero accumulator.
                        o[row] = Float(0.0 + focal_sum_of_products(gp + row * inner, xp + row * inner, inner))
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Sums `g` down to `shape`, undoing NumPy broadcasting (for backward passes).
    package static func sumToShape(_ g: Tensor, _ shape: [Int]) -> Tensor {
        if g.shape == shape { return g }
        let lead = g.rank - shape.count
        var axes: [Int] = Array(0..<lead)
        for i in 0..<shape.count where shape[i] == 1 && g.shape[i + lead] != 1 { axes.append(i + lead) }
        let s = sum(g, axes: axes, keepDims: true)
        return Tensor(storage: s.storage, shape: shape)
    }
}
