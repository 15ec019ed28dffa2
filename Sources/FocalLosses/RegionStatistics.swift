import FocalCore

extension LossOps {
    /// True positives, false negatives and false positives per image and class, summed over
    /// the spatial axes (Double accumulation, deterministic):
    ///
    ///     TP[b,c] = Σ_x w·y·p      FN[b,c] = Σ_x w·y·(1 − p)      FP[b,c] = Σ_x (1 − y)·p
    ///
    /// - Parameters:
    ///   - probabilities: `p`, shape `N, C, spatial…` (may require a gradient).
    ///   - target: `y`, same shape (a constant; one-hot or soft).
    ///   - pixelWeight: optional `w` of shape `N, 1, spatial…` (a constant; 1 when `nil`). It
    ///     weights TP and FN only, as in Caliva et al.'s distance-weighted Dice (spec R3).
    /// - Returns: shape `[3, N, C]`: TP, FN, FP stacked on axis 0. Backward:
    ///   `∂/∂p = w·y·(g_TP − g_FN) + (1 − y)·g_FP`.
    public static func regionStatistics(_ probabilities: Tensor, target: Tensor, pixelWeight: Tensor? = nil) -> Tensor {
        let shape = probabilities.shape
        precondition(shape.count >= 2 && target.shape == shape,
                     "regionStatistics: prediction \(Shape.describe(shape)) and target \(Shape.describe(target.shape)) must agree (N, C, spatial…)")
        let n = shape[0], c = shape[1]
        let rows = n * c
        let s = rows > 0 ? probabilities.count / rows : 0
        if let w = pixelWeight {
            precondition(w.count == n * s && w.shape.first == n,
                         "regionStatistics: pixel weight \(Shape.describe(w.shape)) must be N, 1, spatial…")
        }
        let p = probabilities.detached().contiguous()
        let y = target.detached().contiguous()
        let w = pixelWeight?.detached().contiguous()
        let grain = max(1, 16_384 / max(s, 1))
        let out = p.withUnsafeBufferPointer { pb in
            y.withUnsafeBufferPointer { yb in
                withOptionalBuffer(w) { wb in
                    Tensor(shape: [3, n, c]) { ob in
                        let pp = pb.baseAddress!, yp = yb.baseAddress!, o = ob.baseAddress!
                        Threading.parallelFor(rows, grain: grain) { range in
                            for row in range {
                                let base = row * s
                                var tp = 0.0, fn = 0.0, fp = 0.0
                                if let wb {
                                    let wp = wb.baseAddress! + (row / c) * s
                                    for i in 0..<s {
                                        let pi = pp[base + i], yi = yp[base + i], wi = wp[i]
                                        tp += Double(yi * pi * wi)
                                        fn += Double(yi * (1 - pi) * wi)
                                        fp += Double((1 - yi) * pi)
                                    }
                                } else {
                                    for i in 0..<s {
                                        let pi = pp[base + i], yi = yp[base + i]
                                        tp += Double(yi * pi)
                                        fn += Double(yi * (1 - pi))
                                        fp += Double((1 - yi) * pi)
                                    }
                                }
                                o[row] = Float(tp)
                                o[rows + row] = Float(fn)
                                o[2 * rows + row] = Float(fp)
                            }
                        }
                    }
                }
            }
        }
        return Tensor.record("regionStatistics", output: out, inputs: [probabilities]) { g in
            let gs = g.scalars
            let grad = y.withUnsafeBufferPointer { yb in
                withOptionalBuffer(w) { wb in
                    Tensor(shape: shape) { gb in
                        let yp = yb.baseAddress!, gp = gb.baseAddress!
                        Threading.parallelFor(rows, grain: grain) { range in
                            for row in range {
                                let a = gs[row] - gs[rows + row], f = gs[2 * rows + row]
                                let base = row * s
                                if let wb {
                                    let wp = wb.baseAddress! + (row / c) * s
                                    for i in 0..<s {
                                        let yi = yp[base + i]
                                        gp[base + i] = yi * wp[i] * a + (1 - yi) * f
                                    }
                                } else {
                                    for i in 0..<s {
                                        let yi = yp[base + i]
                                        gp[base + i] = yi * a + (1 - yi) * f
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return [grad]
        }
    }
}

/// Calls `body` with the contiguous scalars of `t`, or with `nil` when `t` is `nil`.
@inline(__always)
func withOptionalBuffer<R>(_ t: Tensor?, _ body: (UnsafeBufferPointer<Float>?) throws -> R) rethrows -> R {
    if let t { return try t.withUnsafeBufferPointer { try body($0) } }
    return try body(nil)
}
