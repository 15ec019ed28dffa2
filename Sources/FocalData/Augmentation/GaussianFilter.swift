import FocalCore
import Foundation

/// Separable Gaussian smoothing of 2-D planes with a constant 0 border — the
/// `scipy.ndimage.gaussian_filter(x, sigma, mode="constant", cval=0, truncate=4)` that
/// batchgenerators applies to the random displacement fields of its elastic deformation.
///
/// The 1-D kernel has radius `Int(truncate·σ + 0.5)` and weights `exp(−x²/(2σ²))` normalised to
/// sum 1; samples beyond the edges count as 0 (so values near the edges shrink towards 0, as in
/// SciPy). Rows are filtered first, then columns; both passes are parallel and work on
/// contiguous rows (the column pass accumulates whole shifted rows).
public enum GaussianFilter {
    /// The normalised 1-D kernel for `sigma` (length `2·radius + 1`, radius
    /// `Int(truncate·sigma + 0.5)`). `sigma ≤ 0` gives the identity kernel `[1]`.
    public static func kernel(sigma: Float, truncate: Float = 4) -> [Float] {
        guard sigma > 0, sigma.isFinite else { return [1] }
        let radius = Int(truncate * sigma + 0.5)
        let s2 = Double(sigma) * Double(sigma)
        var w = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / s2) }
        let total = w.reduce(0, +)
        for i in w.indices { w[i] /= total }
        return w.map { Float($0) }
    }

    /// Smooths a `[height, width]` plane (row-major) in place. `sigma ≤ 0` leaves it unchanged.
    public static func apply(_ plane: inout [Float], height: Int, width: Int, sigma: Float, truncate: Float = 4) {
        precondition(plane.count == height * width, "plane holds \(plane.count) values, expected \(height)×\(width)")
        let w = kernel(sigma: sigma, truncate: truncate)
        guard w.count > 1, height > 0, width > 0 else { return }
        let radius = w.count / 2
        var tmp = [Float](repeating: 0, count: plane.count)
        w.withUnsafeBufferPointer { k in
            plane.withUnsafeMutableBufferPointer { x in
                tmp.withUnsafeMutableBufferPointer { t in
                    let xp = x.baseAddress!, tp = t.baseAddress!, kp = k.baseAddress!
                    // Rows: t[r, j] = Σ_o k[o + radius] · x[r, j + o], zero outside.
                    Threading.parallelFor(height, grain: max(1, 4_096 / width)) { rows in
                        for r in rows {
                            let src = xp + r * width, dst = tp + r * width
                            for j in 0..<width {
                                let lo = max(-radius, -j), hi = min(radius, width - 1 - j)
                                var s: Float = 0
                                var o = lo
                                while o <= hi {
                                    s += kp[o + radius] * src[j + o]
                                    o += 1
                                }
                                dst[j] = s
                            }
                        }
                    }
                    // Columns: x[r, :] = Σ_o k[o + radius] · t[r + o, :], zero outside.
                    Threading.parallelFor(height, grain: max(1, 4_096 / width)) { rows in
                        for r in rows {
                            let dst = xp + r * width
                            for j in 0..<width { dst[j] = 0 }
                            let lo = max(-radius, -r), hi = min(radius, height - 1 - r)
                            for o in lo...hi {
                                let wk = kp[o + radius]
                                let src = tp + (r + o) * width
                                for j in 0..<width { dst[j] += wk * src[j] }
                            }
                        }
                    }
                }
            }
        }
    }
}
