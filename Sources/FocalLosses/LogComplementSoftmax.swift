import FocalCore
import Foundation

extension LossOps {
    /// `log(1 − softmax(z)_c)` over the channel axis 1, computed in log space:
    ///
    ///     ℓ_c = logsumexp_{k≠c} z_k − logsumexp_k z_k
    ///
    /// Finite for any finite logits (saturated ±80 included), where `log(1 − softmax)` would
    /// give `log 0 = −∞`. The focal modulators of the logits mode are `exp(γ·ℓ_c)`.
    /// Backward: `∂ℓ_c/∂z_j = [j≠c]·e^{z_j}/Σ_{k≠c} e^{z_k} − softmax(z)_j`.
    ///
    /// - Parameter logits: shape `N, C, spatial…` with `C ≥ 2`.
    public static func logComplementSoftmax(_ logits: Tensor) -> Tensor {
        let shape = logits.shape
        precondition(shape.count >= 2 && shape[1] >= 2,
                     "logComplementSoftmax: shape \(Shape.describe(shape)) needs at least 2 channels on axis 1")
        let n = shape[0], c = shape[1]
        let s = n * c > 0 ? logits.count / (n * c) : 0
        let pixels = n * s
        let z = logits.detached().contiguous()
        if c == 2 { return logComplementSoftmax2(logits, contiguous: z) }
        let grain = max(1, 4_096 / c)
        let out = z.withUnsafeBufferPointer { zb in
            Tensor(shape: shape) { ob in
                let zp = zb.baseAddress!, o = ob.baseAddress!
                Threading.parallelFor(pixels, grain: grain) { range in
                    for px in range {
                        let base = (px / s) * c * s + px % s
                        let (m, logTotal) = logSumExpTerms(zp, base: base, stride: s, count: c)
                        for ch in 0..<c {
                            let p = Foundation.exp(zp[base + ch * s] - m - logTotal)
                            if p <= 0.5 {
                                // 1 − p ≥ 0.5: no cancellation.
                                o[base + ch * s] = Foundation.log1p(-p)
                            } else {
                                // The dominant channel: sum the others around their own maximum.
                                var mc = -Float.infinity
                                for k in 0..<c where k != ch { mc = Swift.max(mc, zp[base + k * s]) }
                                var sc: Float = 0
                                for k in 0..<c where k != ch { sc += Foundation.exp(zp[base + k * s] - mc) }
                                o[base + ch * s] = (mc - m) + (Foundation.log(sc) - logTotal)
                            }
                        }
                    }
                }
            }
        }
        return Tensor.record("logComplementSoftmax", output: out, inputs: [logits]) { g in
            let gc = g.contiguous()
            let grad = z.withUnsafeBufferPointer { zb in
                out.withUnsafeBufferPointer { lb in
                    gc.withUnsafeBufferPointer { gb in
                        Tensor(shape: shape) { ob in
                            let zp = zb.baseAddress!, lp = lb.baseAddress!, gp = gb.baseAddress!, o = ob.baseAddress!
                            Threading.parallelFor(pixels, grain: grain) { range in
                                for px in range {
                                    let base = (px / s) * c * s + px % s
                                    let (m, logTotal) = logSumExpTerms(zp, base: base, stride: s, count: c)
                                    let lse = m + logTotal
                                    var gSum: Float = 0
                                    for k in 0..<c { gSum += gp[base + k * s] }
                                    for j in 0..<c {
                                        let zj = zp[base + j * s]
                                        let pj = Foundation.exp(zj - lse)
                                        var acc: Float = 0
                                        for ch in 0..<c where ch != j {
                                            // q = e^{z_j} / Σ_{k≠ch} e^{z_k} = p_j / (1 − p_ch) ≤ 1; in log
                                            // space when 1 − p_ch is small (saturated logits).
                                            let lc = lp[base + ch * s]
                                            let q = lc >= -0.6931472 ? pj / Foundation.exp(lc) : Foundation.exp(Swift.min(zj - lse - lc, 0))
                                            acc += gp[base + ch * s] * q
                                        }
                                        o[base + j * s] = acc - pj * gSum
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

    /// The maximum `m` of the `count` logits at `z[base + k·stride]` and `log Σ_k exp(z_k − m)`.
    @inline(__always)
    private static func logSumExpTerms(_ z: UnsafePointer<Float>, base: Int, stride: Int, count: Int) -> (max: Float, logTotal: Float) {
        var m = -Float.infinity
        for k in 0..<count { m = Swift.max(m, z[base + k * stride]) }
        var total: Float = 0
        for k in 0..<count { total += Foundation.exp(z[base + k * stride] - m) }
        return (m, Foundation.log(total))
    }

    /// Two classes: `ℓ_0 = z_1 − lse`, `ℓ_1 = z_0 − lse` with `lse = max(z_0, z_1) + log1p(e^{−|z_0 − z_1|})`;
    /// backward `∂/∂z_0 = g_1 − p_0(g_0 + g_1)`, `∂/∂z_1 = g_0 − p_1(g_0 + g_1)` with `p_0 = e^{ℓ_1}`,
    /// `p_1 = e^{ℓ_0}`. Contiguous loops over the pixels of each image.
    private static func logComplementSoftmax2(_ logits: Tensor, contiguous z: Tensor) -> Tensor {
        let shape = logits.shape
        let n = shape[0]
        let s = logits.count / (2 * n)
        let out = z.withUnsafeBufferPointer { zb in
            Tensor(shape: shape) { ob in
                for b in 0..<n {
                    let z0 = zb.baseAddress! + 2 * b * s, z1 = z0 + s
                    let o0 = ob.baseAddress! + 2 * b * s, o1 = o0 + s
                    Threading.parallelFor(s) { range in
                        for i in range {
                            let a = z0[i], c = z1[i]
                            let lse = Swift.max(a, c) + Foundation.log1p(Foundation.exp(-abs(a - c)))
                            o0[i] = c - lse
                            o1[i] = a - lse
                        }
                    }
                }
            }
        }
        return Tensor.record("logComplementSoftmax", output: out, inputs: [logits]) { g in
            let gc = g.contiguous()
            let grad = out.withUnsafeBufferPointer { lb in
                gc.withUnsafeBufferPointer { gb in
                    Tensor(shape: shape) { ob in
                        for b in 0..<n {
                            let l0 = lb.baseAddress! + 2 * b * s, l1 = l0 + s
                            let g0 = gb.baseAddress! + 2 * b * s, g1 = g0 + s
                            let o0 = ob.baseAddress! + 2 * b * s, o1 = o0 + s
                            Threading.parallelFor(s) { range in
                                for i in range {
                                    let total = g0[i] + g1[i]
                                    o0[i] = g1[i] - Foundation.exp(l1[i]) * total
                                    o1[i] = g0[i] - Foundation.exp(l0[i]) * total
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
