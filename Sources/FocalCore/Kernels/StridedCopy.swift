/// Low-level loops shared by the operations. They read and write raw, contiguous buffers
/// and know nothing of the tape.
public enum Kernels {
    /// Copies the (possibly strided) scalars of `source` into `destination` in row-major order.
    public static func copyStrided(from source: Tensor, to destination: UnsafeMutablePointer<Float>) {
        let shape = source.shape, strides = source.strides
        let base = source.storage.pointer + source.offset
        let rank = shape.count
        let n = source.count
        if n == 0 { return }
        if rank == 0 { destination[0] = base[0]; return }
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var o = 0
        var src = 0
        while o < n {
            if innerStride == 1 {
                (destination + o).update(from: base + src, count: inner)
            } else {
                for j in 0..<inner { destination[o + j] = base[src + j * innerStride] }
            }
            o += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                src += strides[d]
                if index[d] < shape[d] { break }
                src -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
            if d < 0 { break }
        }
    }
}
