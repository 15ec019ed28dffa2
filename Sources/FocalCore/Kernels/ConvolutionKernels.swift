import CFocalKernels
import Foundation

// Convolution and transposed convolution by im2col + GEMM, forward and backward, on raw
// contiguous buffers. No tape: `Ops/Convolution.swift` records these on it.
//
// Per image, the column matrix is built for blocks of output rows small enough to stay in
// cache (`Kernels.im2colBlockBudget`); a small image is a single block, so one GEMM per image.
// A 1×1 / stride 1 / padding 0 convolution is a plain GEMM on the image, without im2col.

extension Kernels {
    /// Forward 2-D convolution (cross-correlation, as in PyTorch) of `x [N, Cin, H, W]` with
    /// `weight [Cout, Cin, kh, kw]` plus an optional `bias [Cout]`, with zero padding (any
    /// amount per side: the padding is never materialised, im2col reads zeros for it).
    /// Returns `[N, Cout, Hout, Wout]`. On the Winograd path (`winogradVariant`),
    /// `transformedWeights` (from that variant's `transformed(weight)`) are used when given.
    package static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: ConvolutionPadding,
                              transformedWeights: Winograd.TransformedWeights? = nil) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && weight.shape[1] == x.shape[1] && (bias == nil || bias!.count == weight.shape[0]),
                     "Kernels.conv2d: input \(Shape.describe(x.shape)), weight \(Shape.describe(weight.shape)) and bias \(Shape.describe(bias?.shape ?? [])) do not match")
        let (n, cin, cout) = (x.shape[0], x.shape[1], weight.shape[0])
        let g = ConvGeometry(channels: cin, height: x.shape[2], width: x.shape[3],
                             kernelHeight: weight.shape[2], kernelWidth: weight.shape[3], stride: stride, padding: padding)
        recordWork(n: n, geometry: g, outChannels: cout, passes: 1)
        if let wino = winogradVariant(x: x, weight: weight, stride: stride, padding: padding) {
            return wino.conv3x3(x, weight: weight, bias: bias, transformedWeights: transformedWeights)
        }
        let xc = x.contiguous(), wc = weight.contiguous(), bc = bias?.contiguous()
        let (k, p) = (g.rows, g.columns)
        return withExtendedLifetime((xc, wc, bc)) {
            Tensor(shape: [n, cout, g.outHeight, g.outWidth]) { out in
                let y = out.baseAddress!, wp = wc.basePointer
                let beta: Float = bc == nil ? 0 : 1
                if let bc { fillChannels(y, values: bc.basePointer, planes: n * cout, channels: cout, planeSize: p) }
                if g.isPointwise {
                    for b in 0..<n {
                        BLAS.sgemm(m: cout, n: p, k: k, a: wp, lda: k, b: xc.basePointer + b * g.imageCount, ldb: p,
                                   beta: beta, c: y + b * cout * p, ldc: p)
                    }
                    return
                }
                let block = g.outputRowBlock(budget: im2colBlockBudget)
                ScratchBuffers.with(count: k * block * g.outWidth) { col in
                    for b in 0..<n {
                        let image = xc.basePointer + b * g.imageCount
                        for rows in g.outputRowBlocks(block) {
                            let cols = rows.count * g.outWidth
                            im2col(image, geometry: g, outRows: rows, into: col, ldc: cols)
                            BLAS.sgemm(m: cout, n: cols, k: k, a: wp, lda: k, b: col, ldb: cols, beta: beta,
                                       c: y + b * cout * p + rows.lowerBound * g.outWidth, ldc: p)
                        }
                    }
                }
            }
        }
    }

    /// Gradients of `conv2d` with respect to its input, weight and bias, given the gradient
    /// `gradOutput [N, Cout, Hout, Wout]`; each is computed only when asked for.
    ///
    /// `dW = Σ_images g · colᵀ` (im2col recomputed, accumulated by the GEMM), `dx = col2im(Wᵀ · g)`,
    /// `db = Σ g` over images and positions. `transformedWeights` as in `conv2d`.
    package static func conv2dBackward(
        _ x: Tensor, weight: Tensor, gradOutput: Tensor, stride: Int, padding: ConvolutionPadding,
        inputGradient: Bool, weightGradient: Bool, biasGradient: Bool,
        transformedWeights: Winograd.TransformedWeights? = nil
    ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let (n, cin, cout) = (x.shape[0], x.shape[1], weight.shape[0])
        let g = ConvGeometry(channels: cin, height: x.shape[2], width: x.shape[3],
                             kernelHeight: weight.shape[2], kernelWidth: weight.shape[3], stride: stride, padding: padding)
        precondition(gradOutput.shape == [n, cout, g.outHeight, g.outWidth],
                     "conv2d backward: output gradient \(Shape.describe(gradOutput.shape)) for output [\(n), \(cout), \(g.outHeight), \(g.outWidth)]")
        recordWork(n: n, geometry: g, outChannels: cout, passes: (inputGradient ? 1 : 0) + (weightGradient ? 1 : 0))
        if let wino = winogradVariant(x: x, weight: weight, stride: stride, padding: padding) {
            let r = wino.conv3x3Backward(x, weight: weight, gradOutput: gradOutput,
                                         inputGradient: inputGradient, weightGradient: weightGradient,
                                         transformedWeights: transformedWeights)
            return (r.input, r.weight, biasGradient ? channelSums(gradOutput.contiguous(), channels: cout) : nil)
        }
        let xc = x.contiguous(), wc = weight.contiguous(), gc = gradOutput.contiguous()
        let (k, p) = (g.rows, g.columns)
        let dxStorage = inputGradient ? TensorStorage(uninitializedCount: n * g.imageCount) : nil
        let dwStorage = weightGradient ? TensorStorage(uninitializedCount: cout * k) : nil
        withExtendedLifetime((xc, wc, gc)) {
            let wp = wc.basePointer, gp = gc.basePointer
            if g.isPointwise {
                for b in 0..<n {
                    let gy = gp + b * cout * p, image = xc.basePointer + b * g.imageCount
                    if let dwStorage {
                        BLAS.sgemm(transB: true, m: cout, n: k, k: p, a: gy, lda: p, b: image, ldb: p,
                                   beta: b == 0 ? 0 : 1, c: dwStorage.pointer, ldc: k)
                    }
                    if let dxStorage {
                        BLAS.sgemm(transA: true, m: k, n: p, k: cout, a: wp, lda: k, b: gy, ldb: p,
                                   c: dxStorage.pointer + b * g.imageCount, ldc: p)
                    }
                }
                return
            }
            guard inputGradient || weightGradient else { return }
            if let dxStorage { zero(dxStorage.pointer, count: dxStorage.count) }
            let block = g.outputRowBlock(budget: im2colBlockBudget)
            ScratchBuffers.with(count: k * block * g.outWidth) { col in
                for b in 0..<n {
                    let gy = gp + b * cout * p, image = xc.basePointer + b * g.imageCount
                    for rows in g.outputRowBlocks(block) {
                        let cols = rows.count * g.outWidth
                        let gBlock = gy + rows.lowerBound * g.outWidth
                        if let dwStorage {
                            im2col(image, geometry: g, outRows: rows, into: col, ldc: cols)
                            let first = b == 0 && rows.lowerBound == 0
                            BLAS.sgemm(transB: true, m: cout, n: k, k: cols, a: gBlock, lda: p, b: col, ldb: cols,
                                       beta: first ? 0 : 1, c: dwStorage.pointer, ldc: k)
                        }
                        if let dxStorage {
                            BLAS.sgemm(transA: true, m: k, n: cols, k: cout, a: wp, lda: k, b: gBlock, ldb: p,
                                       c: col, ldc: cols)
                            col2imAdd(col, geometry: g, outRows: rows, ldc: cols, into: dxStorage.pointer + b * g.imageCount)
                        }
                    }
                }
            }
        }
        return (dxStorage.map { Tensor(storage: $0, shape: x.shape) },
                dwStorage.map { Tensor(storage: $0, shape: weight.shape) },
                biasGradient ? channelSums(gc, channels: cout) : nil)
    }

    /// Forward transposed convolution (PyTorch `conv_transpose2d`) of `x [N, Cin, H, W]` with
    /// `weight [Cin, Cout, kh, kw]` plus an optional `bias [Cout]`: the adjoint of a
    /// convolution with the same weight, stride and padding. Output
    /// `[N, Cout, (H − 1)·stride − 2·padding + kh, (W − 1)·stride − 2·padding + kw]`.
    ///
    /// Per image (and block of input rows for large images), `col = Wᵀ · x` (one GEMM,
    /// `[Cout·kh·kw, H·W]`) is added onto the output by col2im. When the kernel equals the
    /// stride and there is no padding (the U-Net's 2×2, stride 2 up-convolution) windows do not
    /// overlap: the scatter writes each output pixel once, bias included, without zeroing first.
    package static func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && weight.shape[0] == x.shape[1] && (bias == nil || bias!.count == weight.shape[1]),
                     "Kernels.convTranspose2d: input \(Shape.describe(x.shape)), weight \(Shape.describe(weight.shape)) and bias \(Shape.describe(bias?.shape ?? [])) do not match")
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
        let g = transposedGeometry(channels: cout, inHeight: h, inWidth: w, kernelHeight: kh, kernelWidth: kw,
                                   stride: stride, padding: padding)
        recordWork(n: n, geometry: g, outChannels: cin, passes: 1)
        let xc = x.contiguous(), wc = weight.contiguous(), bc = bias?.contiguous()
        let (k, p) = (g.rows, g.columns)                   // k = Cout·kh·kw, p = H·W
        return withExtendedLifetime((xc, wc, bc)) {
            Tensor(shape: [n, cout, g.height, g.width]) { out in
                let y = out.baseAddress!, plane = g.height * g.width
                let tiling = g.isNonOverlappingTiling
                if !tiling { zero(y, count: n * cout * plane) }
                let block = g.outputRowBlock(budget: im2colBlockBudget)
                ScratchBuffers.with(count: k * block * g.outWidth) { col in
                    for b in 0..<n {
                        let xb = xc.basePointer + b * cin * p, yb = y + b * cout * plane
                        for rows in g.outputRowBlocks(block) {
                            let cols = rows.count * g.outWidth
                            BLAS.sgemm(transA: true, m: k, n: cols, k: cin, a: wc.basePointer, lda: k,
                                       b: xb + rows.lowerBound * g.outWidth, ldb: p, c: col, ldc: cols)
                            if tiling {
                                depthToSpace(col, geometry: g, outRows: rows, ldc: cols, bias: bc?.basePointer, into: yb)
                            } else {
                                col2imAdd(col, geometry: g, outRows: rows, ldc: cols, into: yb)
                            }
                        }
                    }
                }
                if tiling { return }
                if let bc { addChannels(y, values: bc.basePointer, planes: n * cout, channels: cout, planeSize: plane) }
            }
        }
    }

    /// Gradients of `convTranspose2d` with respect to its input, weight and bias, given the
    /// gradient of its output; each is computed only when asked for.
    ///
    /// With `col = im2col(g)` (`[Cout·kh·kw, H·W]`): `dx = W · col`, `dW = Σ_images x · colᵀ`,
    /// `db = Σ g`.
    package static func convTranspose2dBackward(
        _ x: Tensor, weight: Tensor, gradOutput: Tensor, stride: Int, padding: Int,
        inputGradient: Bool, weightGradient: Bool, biasGradient: Bool
    ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
        let g = transposedGeometry(channels: cout, inHeight: h, inWidth: w, kernelHeight: kh, kernelWidth: kw,
                                   stride: stride, padding: padding)
        recordWork(n: n, geometry: g, outChannels: cin, passes: (inputGradient ? 1 : 0) + (weightGradient ? 1 : 0))
        precondition(gradOutput.shape == [n, cout, g.height, g.width],
                     "convTranspose2d backward: output gradient \(Shape.describe(gradOutput.shape)) for output [\(n), \(cout), \(g.height), \(g.width)]")
        let xc = x.contiguous(), wc = weight.contiguous(), gc = gradOutput.contiguous()
        let (k, p) = (g.rows, g.columns)
        let dxStorage = inputGradient ? TensorStorage(uninitializedCount: n * cin * p) : nil
        let dwStorage = weightGradient ? TensorStorage(uninitializedCount: cin * k) : nil
        withExtendedLifetime((xc, wc, gc)) {
            guard inputGradient || weightGradient else { return }
            let block = g.outputRowBlock(budget: im2colBlockBudget)
            ScratchBuffers.with(count: k * block * g.outWidth) { col in
                for b in 0..<n {
                    let image = gc.basePointer + b * g.imageCount, xb = xc.basePointer + b * cin * p
                    for rows in g.outputRowBlocks(block) {
                        let cols = rows.count * g.outWidth
                        let offset = rows.lowerBound * g.outWidth
                        im2col(image, geometry: g, outRows: rows, into: col, ldc: cols)
                        if let dwStorage {
                            let first = b == 0 && rows.lowerBound == 0
                            BLAS.sgemm(transB: true, m: cin, n: k, k: cols, a: xb + offset, lda: p, b: col, ldb: cols,
                                       beta: first ? 0 : 1, c: dwStorage.pointer, ldc: k)
                        }
                        if let dxStorage {
                            BLAS.sgemm(m: cin, n: cols, k: k, a: wc.basePointer, lda: k, b: col, ldb: cols,
                                       c: dxStorage.pointer + b * cin * p + offset, ldc: p)
                        }
                    }
                }
            }
        }
        return (dxStorage.map { Tensor(storage: $0, shape: x.shape) },
                dwStorage.map { Tensor(storage: $0, shape: weight.shape) },
                biasGradient ? channelSums(gc, channels: cout) : nil)
    }

    /// Counts a convolution's direct-equivalent work (`BLAS.convolutionFlopCount`),
    /// `2·N·Cout·Cin·kh·kw·Hout·Wout` per pass, for the convolution `geometry` describes (for a
    /// transposed convolution: the convolution it is the adjoint of, whose output is its input).
    static func recordWork(n: Int, geometry g: ConvGeometry, outChannels: Int, passes: Int) {
        guard passes > 0 else { return }
        BLAS.recordConvolutionWork(passes * n * 2 * outChannels * g.rows * g.columns)
    }

    /// Whether `conv2d` on these shapes runs by Winograd's F(4×4, 3×3) instead of im2col: 3×3
    /// kernels, stride 1, padding 1, images of at least 32×32 and at least 32 input and output
    /// channels (measured faster there, see Docs/Performance.md; on smaller images the GEMMs of
    /// im2col are larger and win, with fewer channels the tile transforms dominate). Setting
    /// `FOCAL_CONV=im2col` in the environment turns it off.
    package static func winogradVariant(x: Tensor, weight: Tensor, stride: Int, padding: ConvolutionPadding) -> Winograd? {
        guard useWinograd, weight.shape[2] == 3, weight.shape[3] == 3, stride == 1, padding == .uniform(1),
              min(x.shape[2], x.shape[3]) >= 32, min(weight.shape[0], weight.shape[1]) >= 32 else { return nil }
        return .f4
    }

    private static let useWinograd = ProcessInfo.processInfo.environment["FOCAL_CONV"] != "im2col"

    /// Sum of `x [N, C, …]` over every axis but the channel axis 1 (`focal_sum`: Float lanes
    /// within blocks, Double across them; a fixed order per channel: the same bits for any
    /// thread count). Returns `[C]`.
    package static func channelSums(_ x: Tensor, channels c: Int) -> Tensor {
        precondition(x.rank >= 2 && x.shape[1] == c, "channelSums: \(Shape.describe(x.shape)) has no \(c) channels on axis 1")
        let xc = x.contiguous()
        let n = x.shape[0], plane = x.count / max(n * c, 1)
        return withExtendedLifetime(xc) {
            Tensor(shape: [c]) { out in
                let src = xc.basePointer, dst = out.baseAddress!
                Threading.parallelFor(c, grain: max(1, 32_768 / max(n * plane, 1))) { range in
                    for ch in range {
                        var total = 0.0
                        for b in 0..<n { total += focal_sum(src + (b * c + ch) * plane, plane, 0) }
                        dst[ch] = Float(total)
                    }
                }
            }
        }
    }

    /// The geometry of the convolution a transposed convolution is the adjoint of: the window
    /// slides over the (larger) output image, and its positions are the input pixels.
    static func transposedGeometry(
        channels: Int, inHeight h: Int, inWidth w: Int, kernelHeight kh: Int, kernelWidth kw: Int, stride: Int, padding: Int
    ) -> ConvGeometry {
        let oh = (h - 1) * stride - 2 * padding + kh, ow = (w - 1) * stride - 2 * padding + kw
        precondition(oh > 0 && ow > 0,
                     "convTranspose2d: input \(h)×\(w), kernel \(kh)×\(kw), stride \(stride), padding \(padding) give an empty output \(oh)×\(ow)")
        let g = ConvGeometry(channels: channels, height: oh, width: ow, kernelHeight: kh, kernelWidth: kw,
                             stride: stride, padding: padding)
        assert(g.outHeight == h && g.outWidth == w)
        return g
    }

    /// Scatters the columns of output rows `outRows` (`col`, row stride `ldc`) of a
    /// non-overlapping tiling (kernel = stride, no padding) onto the image rows they cover:
    /// every pixel is written once, plus `bias[c]`.
    static func depthToSpace(_ col: UnsafePointer<Float>, geometry g: ConvGeometry, outRows: Range<Int>, ldc: Int,
                             bias: UnsafePointer<Float>?, into image: UnsafeMutablePointer<Float>) {
        let (kh, kw, ow, w, h) = (g.kernelHeight, g.kernelWidth, g.outWidth, g.width, g.height)
        let span = outRows.count * kh, iy0 = outRows.lowerBound * kh
        // One job per image row (channel, iy); w = ow·kw exactly.
        Threading.parallelFor(g.channels * span, grain: max(1, 8_192 / max(w, 1))) { range in
            for job in range {
                let c = job / span, iy = iy0 + job % span
                let oy = iy / kh - outRows.lowerBound, ky = iy % kh
                let dst = image + (c * h + iy) * w
                let bv = bias?[c] ?? 0
                for kx in 0..<kw {
                    let src = col + ((c * kh + ky) * kw + kx) * ldc + oy * ow
                    for ox in 0..<ow { dst[ox * kw + kx] = src[ox] + bv }
                }
            }
        }
    }

    /// `y[plane] = values[plane % channels]` for each of `planes` planes of `planeSize`.
    static func fillChannels(_ y: UnsafeMutablePointer<Float>, values: UnsafePointer<Float>, planes: Int, channels: Int, planeSize: Int) {
        Threading.parallelFor(planes, grain: max(1, 32_768 / max(planeSize, 1))) { range in
            for q in range { (y + q * planeSize).update(repeating: values[q % channels], count: planeSize) }
        }
    }

    /// `y[plane] += values[plane % channels]` for each of `planes` planes of `planeSize`.
    static func addChannels(_ y: UnsafeMutablePointer<Float>, values: UnsafePointer<Float>, planes: Int, channels: Int, planeSize: Int) {
        Threading.parallelFor(planes, grain: max(1, 32_768 / max(planeSize, 1))) { range in
            for q in range {
                let v = values[q % channels], dst = y + q * planeSize
                for i in 0..<planeSize { dst[i] += v }
            }
        }
    }

    /// Sets `count` scalars to zero, in parallel.
    static func zero(_ p: UnsafeMutablePointer<Float>, count: Int) {
        Threading.parallelFor(count, grain: 1 << 18) { r in (p + r.lowerBound).update(repeating: 0, count: r.count) }
    }

}

extension ConvGeometry {
    /// True for a 1×1 window with stride 1 and no padding: the column matrix is the image.
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == .uniform(0) }

    /// True when the windows tile the image exactly without overlap (kernel = stride, no padding).
    var isNonOverlappingTiling: Bool {
        kernelHeight == stride && kernelWidth == stride && padding == .uniform(0)
            && height == outHeight * stride && width == outWidth * stride
    }

    /// Consecutive blocks of `block` output rows covering `0..<outHeight`.
    func outputRowBlocks(_ block: Int) -> [Range<Int>] {
        Swift.stride(from: 0, to: outHeight, by: block).map { $0..<Swift.min(outHeight, $0 + block) }
    }
}
