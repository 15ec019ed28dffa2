import FocalCore
import Foundation

extension LossOps {
    /// `x^{e_c}` with one exponent per channel (axis 1), guarded for the focal exponents
    /// below 1 that the Unified Focal loss uses (`(1 − TI)^{1−γ}`, `(1 − p)^γ`).
    ///
    /// Value: `pow(max(x, 0), e_c)` — for `x ≥ 0` exactly the original's
    /// `x · x^(−γ)` (which is `0 · ∞ = NaN` at `x = 0`; here `0` for `e > 0`, `1` for `e = 0`).
    /// Gradient: `e_c · x^{e_c − 1}`, except that for `0 < e_c < 1` the base is floored,
    /// `e_c · max(x, floor)^{e_c − 1}`, so the slope stays finite as `x → 0` (the true slope
    /// is unbounded there). `e_c = 0` has gradient 0, `e_c = 1` passes the gradient unchanged.
    ///
    /// - Parameters:
    ///   - x: shape `N, C, …` (any rank ≥ 2).
    ///   - exponents: `C` non-negative exponents.
    ///   - floor: the base below which the slope is held constant (default `1e-7`, Keras's
    ///     `epsilon()`; below it Float32 cannot resolve `1 − TI` anyway).
    public static func channelPower(_ x: Tensor, exponents: [Float], floor: Float = 1e-7) -> Tensor {
        let shape = x.shape
        precondition(shape.count >= 2 && shape[1] == exponents.count,
                     "channelPower: \(exponents.count) exponents for shape \(Shape.describe(shape)) (channels on axis 1)")
        let c = shape[1]
        let rows = shape[0] * c
        let inner = rows > 0 ? x.count / rows : 0
        let xc = x.detached().contiguous()
        let grain = max(1, 16_384 / max(inner, 1))
        let y = xc.withUnsafeBufferPointer { xb in
            Tensor(shape: shape) { ob in
                let xp = xb.baseAddress!, o = ob.baseAddress!
                Threading.parallelFor(rows, grain: grain) { range in
                    for row in range {
                        let e = exponents[row % c]
                        let base = row * inner
                        if e == 1 {
                            for i in 0..<inner { o[base + i] = Swift.max(xp[base + i], 0) }
                        } else if e == 0 {
                            for i in 0..<inner { o[base + i] = 1 }
                        } else {
                            for i in 0..<inner { o[base + i] = Foundation.pow(Swift.max(xp[base + i], 0), e) }
                        }
                    }
                }
            }
        }
        return Tensor.record("channelPower", output: y, inputs: [x]) { g in
            let gc = g.contiguous()
            let grad = xc.withUnsafeBufferPointer { xb in
                gc.withUnsafeBufferPointer { gb in
                    Tensor(shape: shape) { ob in
                        let xp = xb.baseAddress!, gp = gb.baseAddress!, o = ob.baseAddress!
                        Threading.parallelFor(rows, grain: grain) { range in
                            for row in range {
                                let e = exponents[row % c]
                                let base = row * inner
                                for i in 0..<inner {
                                    let xi = Swift.max(xp[base + i], 0)
                                    let slope: Float
                                    if e == 0 {
                                        slope = 0
                                    } else if e == 1 {
                                        slope = 1
                                    } else if e < 1 {
                                        slope = e * Foundation.pow(Swift.max(xi, floor), e - 1)
                                    } else {
                                        slope = e * Foundation.pow(xi, e - 1)
                                    }
                                    o[base + i] = gp[base + i] * slope
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
