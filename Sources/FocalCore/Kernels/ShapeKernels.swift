// Contiguous copies for the shape operations: slices, zero padding, concatenation.

extension Kernels {
    /// Copies `range` of dimension `axis` into a new contiguous tensor.
    package static func sliceCopy(_ x: Tensor, axis: Int, _ range: Range<Int>) -> Tensor {
        var s = x.shape
        s[axis] = range.count
        return Tensor(storage: x.storage, shape: s, strides: x.strides, offset: x.offset + range.lowerBound * x.strides[axis]).detached().contiguousCopy()
    }

    /// `x` placed at `before` along `axis` in zeros of extent `total`.
    package static func pad(_ x: Tensor, axis: Int, before: Int, total: Int) -> Tensor {
        let c = x.contiguous()
        var s = c.shape
        let n = s[axis]
        s[axis] = total
        let outer = s[..<axis].reduce(1, *)
        let inner = s[(axis + 1)...].reduce(1, *)
        let src = c.basePointer
        return withExtendedLifetime(c) {
            Tensor(shape: s) { out in
                let dst = out.baseAddress!
                dst.initialize(repeating: 0, count: out.count)
                for o in 0..<outer {
                    copy(from: src + o * n * inner, to: dst + (o * total + before) * inner, count: n * inner)
                }
            }
        }
    }

    /// Joins contiguous copies of `parts` along `axis`.
    package static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        let cs = parts.map { $0.contiguous() }
        var s = cs[0].shape
        s[axis] = cs.reduce(0) { $0 + $1.shape[axis] }
        let outer = s[..<axis].reduce(1, *)
        let inner = s[(axis + 1)...].reduce(1, *)
        let total = s[axis]
        return withExtendedLifetime(cs) {
            Tensor(shape: s) { out in
                let dst = out.baseAddress!
                var start = 0
                for c in cs {
                    let n = c.shape[axis]
                    let src = c.basePointer
                    for o in 0..<outer {
                        copy(from: src + o * n * inner, to: dst + (o * total + start) * inner, count: n * inner)
                    }
                    start += n
                }
            }
        }
    }
}

extension Tensor {
    /// A contiguous copy that never shares storage with `self`.
    func contiguousCopy() -> Tensor {
        let src = self
        var out = Tensor(storage: TensorStorage(uninitializedCount: count), shape: shape)
        Kernels.copyStrided(from: src, to: out.storage.pointer)
        out.node = nil
        return out
    }
}
