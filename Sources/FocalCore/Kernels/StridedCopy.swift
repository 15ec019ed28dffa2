// Copies of (possibly strided) scalars into contiguous buffers.

extension Kernels {
    /// Copies the (possibly strided) scalars of `source` into `destination` in row-major order.
    ///
    /// Neighbouring axes that the view steps through as one run are merged first (a channel
    /// broadcast `[N, C, H, W]` with strides `(0, 1, 0, 0)` becomes `[C, H·W]` with strides
    /// `(1, 0)`), so the inner loop is long: a block copy for stride 1, a fill for stride 0
    /// (broadcasts), a gather otherwise. Large copies run their rows in parallel.
    package static func copyStrided(from source: Tensor, to destination: UnsafeMutablePointer<Float>) {
        let n = source.count
        if n == 0 { return }
        let base = source.storage.pointer + source.offset
        var dims: [Int] = [], strides: [Int] = []
        for (size, stride) in zip(source.shape, source.strides) where size != 1 {
            if let last = dims.last, strides[strides.count - 1] == stride * size {
                dims[dims.count - 1] = last * size
                strides[strides.count - 1] = stride
            } else {
                dims.append(size)
                strides.append(stride)
            }
        }
        if dims.isEmpty { destination[0] = base[0]; return }
        let rank = dims.count
        let inner = dims[rank - 1], innerStride = strides[rank - 1]
        let rows = n / inner
        // Work items are pieces of rows, so one long row (a contiguous slice) is split too.
        let piece = min(inner, copyPiece)
        let pieces = (inner + piece - 1) / piece
        Threading.parallelFor(rows * pieces, grain: max(1, copyPiece / piece)) { range in
            for item in range {
                let row = item / pieces, j0 = (item % pieces) * piece, count = min(piece, inner - j0)
                var rem = row, src = 0
                for d in stride(from: rank - 2, through: 0, by: -1) {
                    src += (rem % dims[d]) * strides[d]
                    rem /= dims[d]
                }
                let from = base + src + j0 * innerStride, to = destination + row * inner + j0
                switch innerStride {
                case 1: to.update(from: from, count: count)
                case 0: to.update(repeating: from[0], count: count)
                default: for j in 0..<count { to[j] = from[j * innerStride] }
                }
            }
        }
    }

    /// Scalars copied by one work item of the parallel copies.
    static let copyPiece = 65_536

    /// `count` contiguous scalars from `source` to `destination` (not overlapping), in pieces
    /// on `Threading.threadCount` threads.
    package static func copy(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        let pieces = (count + copyPiece - 1) / copyPiece
        Threading.parallelFor(pieces, grain: 1) { range in
            for p in range {
                let j0 = p * copyPiece
                (destination + j0).update(from: source + j0, count: min(copyPiece, count - j0))
            }
        }
    }
}
