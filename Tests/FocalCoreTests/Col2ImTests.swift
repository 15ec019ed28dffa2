import FocalCore
import Testing

/// `Kernels.col2imAdd` against the plain scatter, bit for bit: every column term added into its
/// pixel in ascending (ky, kx) order — the order the fast paths (the stride-2, 3-wide rows
/// among them) must keep.
@Suite struct Col2ImTests {
    @Test("col2imAdd equals the plain scatter in (ky, kx) order",
          arguments: [(3, 2, 0, 1, 16, 16), (3, 2, 1, 1, 16, 16), (3, 2, 0, 1, 17, 15), (3, 2, 1, 1, 9, 13),
                      (3, 1, 1, 1, 8, 11), (2, 2, 0, 0, 8, 8), (3, 3, 1, 1, 10, 10), (3, 2, 2, 2, 7, 12)])
    func matchesPlainScatter(kernel: Int, stride: Int, before: Int, after: Int, height: Int, width: Int) {
        let padding = ConvolutionPadding(top: before, bottom: after, left: before, right: after)
        let g = ConvGeometry(channels: 3, height: height, width: width, kernelHeight: kernel, kernelWidth: kernel,
                             stride: stride, padding: padding)
        var gen = RandomGenerator(seed: UInt64(97 + kernel * 13 + stride * 7 + before + width))
        let start = Tensor(randomNormal: [g.channels * height * width], generator: &gen).scalars
        // Two blocks of output rows, so the row offset of a block is exercised.
        let split = max(1, g.outHeight / 2)
        for rows in [0..<split, split..<g.outHeight] where !rows.isEmpty {
            let ldc = rows.count * g.outWidth
            let col = Tensor(randomNormal: [g.channels * kernel * kernel * ldc], generator: &gen).scalars
            var fast = start, plain = start
            col.withUnsafeBufferPointer { c in
                fast.withUnsafeMutableBufferPointer { Kernels.col2imAdd(c.baseAddress!, geometry: g, outRows: rows, ldc: ldc, into: $0.baseAddress!) }
            }
            for ch in 0..<g.channels {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        for oy in rows {
                            for ox in 0..<g.outWidth {
                                let iy = oy * stride - before + ky, ix = ox * stride - before + kx
                                guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                plain[(ch * height + iy) * width + ix] += col[((ch * kernel + ky) * kernel + kx) * ldc + (oy - rows.lowerBound) * g.outWidth + ox]
                            }
                        }
                    }
                }
            }
            #expect(fast == plain, "rows \(rows)")
        }
    }
}
