import Foundation

extension Kernels {
    /// Applies `f` to every scalar (the result is contiguous).
    @inline(__always)
    package static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let c = x.contiguous()
        let src = c.basePointer
        return withExtendedLifetime(c) {
            Tensor(shape: x.shape) { out in
                let dst = out.baseAddress!
                Threading.parallelFor(out.count) { r in
                    for i in r { dst[i] = f(src[i]) }
                }
            }
        }
    }

    /// Combines two tensors of the same shape elementwise (the result is contiguous).
    @inline(__always)
    package static func zipMap(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        withoutActuallyEscaping(f) { zipMap(a, b, ScalarClosure(body: $0)) }
    }

    /// `zipMap` specialised for `F`: with a stateless `F` (`ScalarSum`, …) the compiler inlines
    /// the operation into the loop and vectorises it; a closure costs a call per scalar.
    static func zipMap<F: BinaryScalarFunction>(_ a: Tensor, _ b: Tensor, _ f: F) -> Tensor {
        precondition(a.shape == b.shape, "zipMap: shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) differ")
        let ca = a.contiguous(), cb = b.contiguous()
        let pa = ca.basePointer, pb = cb.basePointer
        return withExtendedLifetime((ca, cb)) {
            Tensor(shape: a.shape) { out in
                let dst = out.baseAddress!
                Threading.parallelFor(out.count) { r in
                    for i in r { dst[i] = f(pa[i], pb[i]) }
                }
            }
        }
    }

    /// Combines three tensors of the same shape elementwise.
    @inline(__always)
    package static func zipMap3(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
        precondition(a.shape == b.shape && b.shape == c.shape, "zipMap3: shapes differ")
        let ca = a.contiguous(), cb = b.contiguous(), cc = c.contiguous()
        let pa = ca.basePointer, pb = cb.basePointer, pc = cc.basePointer
        return withExtendedLifetime((ca, cb, cc)) {
            Tensor(shape: a.shape) { out in
                let dst = out.baseAddress!
                Threading.parallelFor(out.count) { r in
                    for i in r { dst[i] = f(pa[i], pb[i], pc[i]) }
                }
            }
        }
    }

    /// Combines two tensors with NumPy broadcasting.
    @inline(__always)
    package static func broadcast(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        withoutActuallyEscaping(f) { broadcast(a, b, ScalarClosure(body: $0)) }
    }

    /// `broadcast` specialised for `F` (see `zipMap`).
    static func broadcast<F: BinaryScalarFunction>(_ a: Tensor, _ b: Tensor, _ f: F) -> Tensor {
        if a.shape == b.shape { return zipMap(a, b, f) }
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            preconditionFailure("shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) do not broadcast")
        }
        // One-element operand: a map over the other one, viewed with the broadcast shape (its
        // rank may be lower than the result's, e.g. `[3] + [1, 1]` is `[1, 3]`).
        if b.count == 1 {
            let s = b.storage.pointer[b.offset]
            return map(a.expandedView(to: shape)) { f($0, s) }
        }
        if a.count == 1 {
            let s = a.storage.pointer[a.offset]
            return map(b.expandedView(to: shape)) { f(s, $0) }
        }
        let ea = a.expandedView(to: shape), eb = b.expandedView(to: shape)
        // Merge neighbouring axes that both operands step through contiguously (a per-channel
        // `[N, C, 1, 1]` operand against `[N, C, H, W]` becomes `[N·C, H·W]` with strides
        // (1, 0)), so the inner loop is long and has unit or zero strides.
        var dims: [Int] = [], sa: [Int] = [], sb: [Int] = []
        for d in 0..<shape.count where shape[d] != 1 {
            if let last = dims.last, sa[sa.count - 1] == ea.strides[d] * shape[d], sb[sb.count - 1] == eb.strides[d] * shape[d] {
                dims[dims.count - 1] = last * shape[d]
                sa[sa.count - 1] = ea.strides[d]
                sb[sb.count - 1] = eb.strides[d]
            } else {
                dims.append(shape[d]); sa.append(ea.strides[d]); sb.append(eb.strides[d])
            }
        }
        if dims.isEmpty { dims = [1]; sa = [0]; sb = [0] }
        let rank = dims.count
        let n = Shape.count(shape)
        let inner = dims[rank - 1]
        let outer = n / max(inner, 1)
        let pa = ea.storage.pointer + ea.offset, pb = eb.storage.pointer + eb.offset
        let ia = sa[rank - 1], ib = sb[rank - 1]
        return withExtendedLifetime((ea, eb)) {
            Tensor(shape: shape) { out in
                let dst = out.baseAddress!
                Threading.parallelFor(outer, grain: max(1, 32_768 / max(inner, 1))) { rows in
                    for row in rows {
                        var rem = row, oa = 0, ob = 0
                        for d in stride(from: rank - 2, through: 0, by: -1) {
                            let idx = rem % dims[d]
                            rem /= dims[d]
                            oa += idx * sa[d]
                            ob += idx * sb[d]
                        }
                        let o = dst + row * inner, xa = pa + oa, xb = pb + ob
                        // Unit and zero inner strides get loops the compiler vectorises.
                        if ia == 1 && ib == 1 {
                            for j in 0..<inner { o[j] = f(xa[j], xb[j]) }
                        } else if ia == 1 && ib == 0 {
                            let v = xb[0]
                            for j in 0..<inner { o[j] = f(xa[j], v) }
                        } else if ia == 0 && ib == 1 {
                            let v = xa[0]
                            for j in 0..<inner { o[j] = f(v, xb[j]) }
                        } else {
                            for j in 0..<inner { o[j] = f(xa[j * ia], xb[j * ib]) }
                        }
                    }
                }
            }
        }
    }

    /// `a + b` with broadcasting (no tape).
    package static func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, ScalarSum()) }
    /// `a - b` with broadcasting (no tape).
    package static func sub(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, ScalarDifference()) }
    /// `a * b` with broadcasting (no tape).
    package static func mul(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, ScalarProduct()) }
    /// `a / b` with broadcasting (no tape).
    package static func div(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, ScalarQuotient()) }
    /// `x * s` (no tape).
    package static func scale(_ x: Tensor, _ s: Float) -> Tensor { map(x) { $0 * s } }
}

extension Tensor {
    /// A stride-0 view of this tensor broadcast to `shape` (no copy, no tape).
    func expandedView(to target: [Int]) -> Tensor {
        precondition(target.count >= rank, "expand: cannot expand \(Shape.describe(shape)) to \(Shape.describe(target))")
        let lead = target.count - rank
        var strides = [Int](repeating: 0, count: target.count)
        for i in 0..<target.count {
            if i < lead { strides[i] = 0; continue }
            let d = shape[i - lead]
            if d == target[i] { strides[i] = d == 1 ? 0 : self.strides[i - lead] }
            else if d == 1 { strides[i] = 0 }
            else { preconditionFailure("expand: cannot expand \(Shape.describe(shape)) to \(Shape.describe(target))") }
        }
        return Tensor(storage: storage, shape: target, strides: strides, offset: offset)
    }
}
