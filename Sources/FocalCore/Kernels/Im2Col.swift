/// The geometry of a 2-D convolution window sliding over one `[channels, height, width]`
/// image: kernel size, stride and zero padding (possibly different on each side, as Keras'
/// `'same'` for strided convolutions), and the resulting output size
/// `out = (in + before + after − kernel) / stride + 1` (floor).
///
/// The "column" matrix of an image (`im2col`) has one row per `(channel, ky, kx)` —
/// `rows = channels·kernelH·kernelW` — and one column per output position —
/// `columns = outHeight·outWidth` — holding the input pixel the window element sees there
/// (zero in the padding).
package struct ConvGeometry: Sendable, Equatable {
    /// Image channels.
    package let channels: Int
    /// Image height.
    package let height: Int
    /// Image width.
    package let width: Int
    /// Kernel height.
    package let kernelHeight: Int
    /// Kernel width.
    package let kernelWidth: Int
    /// Step of the window in both directions.
    package let stride: Int
    /// Zero padding on each side of the image.
    package let padding: ConvolutionPadding
    /// Output height (number of window positions vertically).
    package let outHeight: Int
    /// Output width.
    package let outWidth: Int

    /// The geometry of a `kernelHeight × kernelWidth` window over a `channels × height × width` image.
    package init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int,
                 padding: ConvolutionPadding) {
        precondition(channels > 0 && height > 0 && width > 0,
                     "ConvGeometry: image [\(channels), \(height), \(width)] must be non-empty")
        precondition(kernelHeight > 0 && kernelWidth > 0, "ConvGeometry: kernel \(kernelHeight)×\(kernelWidth) must be positive")
        precondition(stride > 0, "ConvGeometry: stride \(stride) must be positive")
        precondition(padding.isValid, "ConvGeometry: padding \(padding) must not be negative")
        let paddedHeight = height + padding.top + padding.bottom, paddedWidth = width + padding.left + padding.right
        precondition(paddedHeight >= kernelHeight && paddedWidth >= kernelWidth,
                     "ConvGeometry: kernel \(kernelHeight)×\(kernelWidth) larger than the padded image \(paddedHeight)×\(paddedWidth)")
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.outHeight = (paddedHeight - kernelHeight) / stride + 1
        self.outWidth = (paddedWidth - kernelWidth) / stride + 1
    }

    /// The geometry with the same zero padding `padding` on every side.
    package init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) {
        self.init(channels: channels, height: height, width: width, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                  stride: stride, padding: .uniform(padding))
    }

    /// Rows of the column matrix: `channels · kernelHeight · kernelWidth`.
    package var rows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: `outHeight · outWidth`.
    package var columns: Int { outHeight * outWidth }
    /// Scalars of one image.
    package var imageCount: Int { channels * height * width }

    /// The output columns `[lo, hi)` whose window element at offset `k` (along the width, of
    /// `outWidth` positions) falls inside the image's `width`:
    /// `0 ≤ o·stride − padding.left + k < width`.
    @inline(__always)
    func validColumns(offset k: Int) -> (Int, Int) {
        let (extent, outExtent) = (width, outWidth)
        let shift = padding.left - k                       // o·stride ≥ shift  and  o·stride < extent + shift
        let lo = shift <= 0 ? 0 : (shift + stride - 1) / stride
        let hiNumerator = extent - 1 + shift          // o·stride ≤ extent − 1 + shift
        let hi = hiNumerator < 0 ? 0 : hiNumerator / stride + 1
        return (min(lo, outExtent), min(max(hi, min(lo, outExtent)), outExtent))
    }

    /// A block of output rows sized so that its column matrix (`rows × outRows·outWidth`)
    /// holds at most about `budget` scalars (at least one output row).
    func outputRowBlock(budget: Int) -> Int {
        let perRow = max(1, rows * outWidth)
        return max(1, min(outHeight, budget / perRow))
    }
}

extension Kernels {
    /// Scalars of column matrix processed at once by the convolution kernels: about 2 MiB,
    /// so the columns written by `im2col` are still in cache when the GEMM reads them.
    package static let im2colBlockBudget = 1 << 19

    /// Writes the columns of output rows `outRows` of one image into `col`
    /// (`geometry.rows × outRows.count·outWidth`, row stride `ldc`): the im2col transform.
    /// Rows of the column matrix are filled in parallel.
    package static func im2col(
        _ image: UnsafePointer<Float>, geometry g: ConvGeometry, outRows: Range<Int>,
        into col: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let (kh, kw, s, pt, pl, h, w, ow) = (g.kernelHeight, g.kernelWidth, g.stride, g.padding.top, g.padding.left, g.height, g.width, g.outWidth)
        let blockColumns = outRows.count * ow
        precondition(ldc >= blockColumns, "im2col: row stride \(ldc) below \(blockColumns) columns")
        Threading.parallelFor(g.rows, grain: max(1, 16_384 / max(blockColumns, 1))) { range in
            for r in range {
                let kx = r % kw, ky = (r / kw) % kh, c = r / (kw * kh)
                let plane = image + c * h * w
                let (lo, hi) = g.validColumns(offset: kx)
                var dst = col + r * ldc
                for oy in outRows {
                    let iy = oy * s - pt + ky
                    if iy < 0 || iy >= h || lo >= hi {
                        dst.update(repeating: 0, count: ow)
                    } else {
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        let src = plane + iy * w - pl + kx
                        if s == 1 {
                            (dst + lo).update(from: src + lo, count: hi - lo)
                        } else if s == 2 {
                            // A constant stride lets the compiler vectorise the gather.
                            for ox in lo..<hi { dst[ox] = src[2 &* ox] }
                        } else {
                            for ox in lo..<hi { dst[ox] = src[ox * s] }
                        }
                        if hi < ow { (dst + hi).update(repeating: 0, count: ow - hi) }
                    }
                    dst += ow
                }
            }
        }
    }

    /// Adds the columns of output rows `outRows` (`col`, row stride `ldc`) back onto the
    /// image pixels they were read from: the adjoint of `im2col` (col2im). The image must be
    /// initialised (zero it before the first block). Each image row is gathered by one
    /// thread in a fixed order, so results do not depend on the thread count.
    package static func col2imAdd(
        _ col: UnsafePointer<Float>, geometry g: ConvGeometry, outRows: Range<Int>, ldc: Int,
        into image: UnsafeMutablePointer<Float>
    ) {
        let (kh, kw, s, pt, pl, h, w, ow) = (g.kernelHeight, g.kernelWidth, g.stride, g.padding.top, g.padding.left, g.height, g.width, g.outWidth)
        guard !outRows.isEmpty else { return }
        // Image rows touched by this block of output rows.
        let iyLo = max(0, outRows.lowerBound * s - pt)
        let iyHi = min(h, (outRows.upperBound - 1) * s - pt + kh)
        guard iyLo < iyHi else { return }
        let span = iyHi - iyLo
        let ranges = (0..<kw).map { g.validColumns(offset: $0) }
        ranges.withUnsafeBufferPointer { rangeBuffer in
            let valid = rangeBuffer.baseAddress!
            Threading.parallelFor(g.channels * span, grain: max(1, 8_192 / max(w * kh * kw / max(s * s, 1), 1))) { range in
                for job in range {
                    let c = job / span, iy = iyLo + job % span
                    let dst = image + (c * h + iy) * w
                    for ky in 0..<kh {
                        let t = iy + pt - ky                  // = oy·s
                        guard t >= 0, t % s == 0 else { continue }
                        let oy = t / s
                        guard outRows.contains(oy) else { continue }
                        let rowOffset = (oy - outRows.lowerBound) * ow
                        if s == 2 && kw == 3 {
                            stride2Row(col + (c * kh + ky) * kw * ldc + rowOffset, ldc: ldc, valid: valid, into: dst - pl)
                            continue
                        }
                        for kx in 0..<kw {
                            let (lo, hi) = valid[kx]
                            guard lo < hi else { continue }
                            let src = col + ((c * kh + ky) * kw + kx) * ldc + rowOffset
                            let base = dst - pl + kx              // pixel of column ox: base[ox·s]
                            if s == 1 {
                                for ox in lo..<hi { base[ox] += src[ox] }
                            } else if s == 2 {
                                for ox in lo..<hi { base[2 &* ox] += src[ox] }
                            } else {
                                for ox in lo..<hi { base[ox * s] += src[ox] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One image row's share of one kernel row of a stride-2, 3-wide col2im: pixel
    /// `base[2·ox + kx] += src[kx][ox]` for `kx` = 0, 1, 2 and `ox` in `valid[kx]`, where
    /// `src[kx] = rows + kx·ldc`. Each pixel receives its terms in ascending `kx`, as the
    /// per-`kx` loops give them (the even pixel `2·ox` takes `src[0][ox]`, then
    /// `src[2][ox − 1]`; the odd one `src[1][ox]`), so the sums have the same bits; but where
    /// all three columns are valid one pass writes both pixels of an `ox` instead of three passes.
    @inline(__always)
    private static func stride2Row(_ rows: UnsafePointer<Float>, ldc: Int, valid: UnsafePointer<(Int, Int)>,
                                   into base: UnsafeMutablePointer<Float>) {
        let (lo0, hi0) = valid[0], (lo1, hi1) = valid[1], (lo2, hi2) = valid[2]
        let s0 = rows, s1 = rows + ldc, s2 = rows + 2 * ldc
        // The fused range: ox in valid[0] and valid[1], ox − 1 in valid[2].
        let a = max(lo0, lo1, lo2 + 1), b = max(a, min(hi0, hi1, hi2 + 1))
        // First the terms outside it, kx by kx (no pixel of the fused range takes any of them):
        // column kx's ox in lo..<hi outside first..<last, its share of the fused range.
        @inline(__always) func edges(_ src: UnsafePointer<Float>, _ lo: Int, _ hi: Int, _ first: Int, _ last: Int, _ kx: Int) {
            var ox = lo
            while ox < min(hi, first) { base[2 &* ox &+ kx] += src[ox]; ox &+= 1 }
            ox = max(lo, last)
            while ox < hi { base[2 &* ox &+ kx] += src[ox]; ox &+= 1 }
        }
        edges(s0, lo0, hi0, a, b, 0)
        edges(s1, lo1, hi1, a, b, 1)
        edges(s2, lo2, hi2, a - 1, b - 1, 2)
        var ox = a
        while ox < b {
            let q = 2 &* ox
            base[q] = (base[q] + s0[ox]) + s2[ox &- 1]
            base[q &+ 1] += s1[ox]
            ox &+= 1
        }
    }
}
