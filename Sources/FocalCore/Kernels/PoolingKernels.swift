// Max pooling and nearest-neighbour upsampling on raw contiguous `[planes, H, W]` buffers,
// forward and backward. Every loop runs in parallel over planes (or rows) that no other
// thread writes, so results do not depend on the thread count.

extension Kernels {
    /// Max pooling of `x [N, C, H, W]` with a `kernel × kernel` window moved by `stride`, no
    /// padding, floor output size `(H − kernel) / stride + 1`. Returns the pooled tensor and,
    /// for each output element, the index within its input plane (`iy·W + ix`) of the
    /// maximum: the first one in row-major window order on ties; a NaN wins (and propagates).
    package static func maxPool2d(_ x: Tensor, kernel: Int, stride: Int) -> (output: Tensor, argmax: [Int32]) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1
        precondition(h * w <= Int(Int32.max), "maxPool2d: plane \(h)×\(w) too large")
        let planes = n * c, outPlane = oh * ow
        var argmax = [Int32](repeating: 0, count: planes * outPlane)
        let y = argmax.withUnsafeMutableBufferPointer { ab in
            let am = ab.baseAddress!
            return parallelFill([n, c, oh, ow], from: x, jobs: planes * oh,
                                grain: max(1, 8_192 / max(ow * kernel * kernel, 1))) { src, dst, range in
                for job in range {
                    let q = job / oh, oy = job % oh
                    let plane = src + q * h * w
                    let o = (q * oh + oy) * ow
                    if kernel == 2 && stride == 2 {
                        maxPool2x2Row(plane + 2 * oy * w, width: w, firstIndex: 2 * oy * w, count: ow,
                                      into: dst + o, argmax: am + o)
                        continue
                    }
                    for ox in 0..<ow {
                        let y0 = oy * stride, x0 = ox * stride
                        var best = plane[y0 * w + x0], bestIndex = y0 * w + x0
                        for ky in 0..<kernel {
                            let row = (y0 + ky) * w + x0
                            for kx in 0..<kernel {
                                let v = plane[row + kx]
                                if v > best || (v.isNaN && !best.isNaN) { best = v; bestIndex = row + kx }
                            }
                        }
                        dst[o + ox] = best
                        am[o + ox] = Int32(bestIndex)
                    }
                }
            }
        }
        return (y, argmax)
    }

    /// One output row of 2×2, stride-2 max pooling from the two input rows at `rows`: eight
    /// outputs at a time with SIMD selects (the comparisons are data dependent and would
    /// mispredict as branches), then a scalar tail. Same tie and NaN rules as the general loop.
    @inline(__always)
    static func maxPool2x2Row(_ rows: UnsafePointer<Float>, width w: Int, firstIndex: Int, count: Int,
                              into dst: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        let r0 = rows, r1 = rows + w
        var ox = 0
        let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        while ox + 8 <= count {
            let a = UnsafeRawPointer(r0 + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(r1 + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
            let index0 = lanes &+ Int32(firstIndex + 2 * ox)
            var best = a.evenHalf, at = index0
            for (v, offset) in [(a.oddHalf, 1), (b.evenHalf, w), (b.oddHalf, w + 1)] {
                let take = (v .> best) .| ((v .!= v) .& (best .== best))
                best.replace(with: v, where: take)
                at.replace(with: index0 &+ Int32(offset), where: take)
            }
            UnsafeMutableRawPointer(dst + ox).storeBytes(of: best, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(argmax + ox).storeBytes(of: at, as: SIMD8<Int32>.self)
            ox += 8
        }
        while ox < count {
            let i = 2 * ox
            var best = r0[i], at = firstIndex + i
            for (v, index) in [(r0[i + 1], firstIndex + i + 1), (r1[i], firstIndex + w + i), (r1[i + 1], firstIndex + w + i + 1)]
            where v > best || (v.isNaN && !best.isNaN) {
                best = v; at = index
            }
            dst[ox] = best
            argmax[ox] = Int32(at)
            ox += 1
        }
    }

    /// Gradient of `maxPool2d`: each output gradient goes to the input element that was the
    /// maximum of its window (added up where windows overlap). `inputShape` is `[N, C, H, W]`.
    package static func maxPool2dBackward(_ gradOutput: Tensor, argmax: [Int32], inputShape: [Int]) -> Tensor {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let outPlane = gradOutput.count / max(n * c, 1)
        precondition(argmax.count == gradOutput.count, "maxPool2d backward: \(argmax.count) indices for \(gradOutput.count) gradients")
        return argmax.withUnsafeBufferPointer { ab in
            let am = ab.baseAddress!
            return parallelFill(inputShape, from: gradOutput, jobs: n * c, grain: max(1, 16_384 / max(h * w, 1))) { g, dst, range in
                for q in range {
                    let plane = dst + q * h * w
                    plane.update(repeating: 0, count: h * w)
                    for i in (q * outPlane)..<((q + 1) * outPlane) { plane[Int(am[i])] += g[i] }
                }
            }
        }
    }

    /// Nearest-neighbour upsampling of `x [N, C, H, W]` by an integer `scale`:
    /// `y[n, c, i, j] = x[n, c, i / scale, j / scale]`, shape `[N, C, H·scale, W·scale]`.
    package static func upsampleNearest2d(_ x: Tensor, scale: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (h * scale, w * scale)
        // One job per input row: it writes `scale` output rows.
        return parallelFill([n, c, oh, ow], from: x, jobs: n * c * h, grain: max(1, 16_384 / max(ow * scale, 1))) { src, dst, range in
            for row in range {
                let s = src + row * w
                let d = dst + row * scale * ow
                for j in 0..<w {
                    let v = s[j]
                    for k in 0..<scale { d[j * scale + k] = v }
                }
                for r in 1..<max(scale, 1) { (d + r * ow).update(from: d, count: ow) }
            }
        }
    }

    /// Gradient of `upsampleNearest2d`: each input element receives the sum of the
    /// `scale × scale` output gradients it was copied to.
    package static func upsampleNearest2dBackward(_ gradOutput: Tensor, scale: Int) -> Tensor {
        let (n, c, oh, ow) = (gradOutput.shape[0], gradOutput.shape[1], gradOutput.shape[2], gradOutput.shape[3])
        let (h, w) = (oh / scale, ow / scale)
        // One job per output row: it reads `scale` gradient rows.
        return parallelFill([n, c, h, w], from: gradOutput, jobs: n * c * h, grain: max(1, 16_384 / max(ow * scale, 1))) { g, dst, range in
            for row in range {
                let d = dst + row * w
                d.update(repeating: 0, count: w)
                for r in 0..<scale {
                    let s = g + (row * scale + r) * ow
                    for j in 0..<w {
                        var acc: Float = 0
                        for k in 0..<scale { acc += s[j * scale + k] }
                        d[j] += acc
                    }
                }
            }
        }
    }

    /// The frame of every loop in this file: a new tensor of `shape` whose scalars
    /// `body(source, destination, jobs)` writes, run in parallel over `count` jobs (at least
    /// `grain` per chunk), `source` being the scalars of `input` made contiguous and kept alive
    /// for the call.
    @inline(__always)
    private static func parallelFill(
        _ shape: [Int], from input: Tensor, jobs count: Int, grain: Int,
        _ body: (_ source: UnsafeMutablePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ jobs: Range<Int>) -> Void
    ) -> Tensor {
        let contiguous = input.contiguous()
        return withExtendedLifetime(contiguous) {
            Tensor(shape: shape) { out in
                let source = contiguous.basePointer, destination = out.baseAddress!
                Threading.parallelFor(count, grain: grain) { jobs in body(source, destination, jobs) }
            }
        }
    }
}
