import FocalCore
import Foundation

/// How the image channels are resampled by a spatial transform.
public enum ImageInterpolation: String, Codable, Sendable, CaseIterable {
    /// Cubic B-spline (order 3) with the exact interpolating prefilter — what batchgenerators
    /// does (`scipy.ndimage.map_coordinates(order=3)`). The default and the faithful choice.
    case cubicBSpline = "cubic-bspline"
    /// Bilinear (order 1). Cheaper, smoother, slightly blurs the image.
    case linear
    /// Nearest neighbour (order 0), as for label maps.
    case nearest
}

/// Resampling of 2-D planes at arbitrary (row, column) positions with the boundary rules of
/// `scipy.ndimage.map_coordinates(mode="constant", cval=0)`, which batchgenerators uses for its
/// spatial transform:
///
/// - a position outside `[0, H−1] × [0, W−1]` (with a tolerance of `boundaryTolerance` pixels,
///   see below) gives 0 — no extrapolation beyond the edges;
/// - a position inside uses its neighbours, mirrored (whole-sample symmetric, `d c b | a b c d |
///   c b a`) where the interpolation stencil crosses an edge;
/// - cubic B-spline interpolation first converts the samples to B-spline coefficients with the
///   exact recursive prefilter (pole `z = √3 − 2`, mirror boundary, as SciPy's `spline_filter`
///   with `mode="constant"`), so the spline passes through every sample: resampling on the
///   identity grid returns the input up to Float rounding.
///
/// The tolerance: SciPy tests `0 ≤ c ≤ n−1` exactly, which makes a pixel on the edge flip to
/// the border value when a rotation by 90° lands it at `n−1 + 1e-7`. Focal accepts positions
/// within `boundaryTolerance` (1e-3 pixel) of the edge and clamps them onto it.
public enum Interpolation {
    /// Positions within this many pixels outside the valid range are clamped onto the edge.
    public static let boundaryTolerance: Float = 1e-3

    /// The single pole of the cubic B-spline prefilter, `√3 − 2`.
    public static let cubicPole: Double = 3.0.squareRoot() - 2

    /// Converts a `[height, width]` plane (row-major, in place) to cubic B-spline coefficients
    /// with the exact recursive prefilter and mirror boundary, first along rows, then along
    /// columns. A plane whose extent is 1 along an axis is left unchanged along that axis.
    public static func cubicSplinePrefilter(_ plane: UnsafeMutableBufferPointer<Float>, height: Int, width: Int) {
        precondition(plane.count >= height * width, "plane holds \(plane.count) values, needs \(height)×\(width)")
        guard height > 0, width > 0 else { return }
        // Rows (contiguous).
        if width > 1 {
            Threading.parallelFor(height, grain: max(1, 16_384 / width)) { rows in
                var line = [Double](repeating: 0, count: width)
                for r in rows {
                    let base = plane.baseAddress! + r * width
                    for k in 0..<width { line[k] = Double(base[k]) }
                    filterLine(&line)
                    for k in 0..<width { base[k] = Float(line[k]) }
                }
            }
        }
        // Columns: gather each column into a line buffer.
        if height > 1 {
            Threading.parallelFor(width, grain: max(1, 16_384 / height)) { cols in
                var line = [Double](repeating: 0, count: height)
                for c in cols {
                    let base = plane.baseAddress! + c
                    for k in 0..<height { line[k] = Double(base[k * width]) }
                    filterLine(&line)
                    for k in 0..<height { base[k * width] = Float(line[k]) }
                }
            }
        }
    }

    /// In-place cubic B-spline prefilter of one line (gain 6, causal + anticausal recursion,
    /// mirror-symmetric initial conditions, Unser 1993 / Thévenaz 2000).
    static func filterLine(_ c: inout [Double]) {
        let n = c.count
        guard n > 1 else { return }
        let z = cubicPole
        let gain = (1 - z) * (1 - 1 / z)  // = 6
        for k in 0..<n { c[k] *= gain }
        // Causal initial value, mirror boundary.
        let horizon = Int((log(1e-15) / log(abs(z))).rounded(.up))
        if horizon < n {
            var zn = z, sum = c[0]
            for k in 1..<horizon {
                sum += zn * c[k]
                zn *= z
            }
            c[0] = sum
        } else {
            var zn = z
            let iz = 1 / z
            var z2n = pow(z, Double(n - 1))
            var sum = c[0] + z2n * c[n - 1]
            z2n *= z2n * iz
            if n > 2 {
                for k in 1...(n - 2) {
                    sum += (zn + z2n) * c[k]
                    zn *= z
                    z2n *= iz
                }
            }
            c[0] = sum / (1 - zn * zn)
        }
        for k in 1..<n { c[k] += z * c[k - 1] }
        // Anticausal initial value, mirror boundary.
        c[n - 1] = (z / (z * z - 1)) * (z * c[n - 2] + c[n - 1])
        for k in stride(from: n - 2, through: 0, by: -1) { c[k] = z * (c[k + 1] - c[k]) }
    }

    /// Index `i` reflected into `0..<n` (whole-sample symmetric, period `2n − 2`).
    @inline(__always)
    static func mirror(_ i: Int, _ n: Int) -> Int {
        if i >= 0 && i < n { return i }
        if n == 1 { return 0 }
        let period = 2 * n - 2
        var j = i % period
        if j < 0 { j += period }
        return j >= n ? period - j : j
    }

    /// Maps a position onto `[0, n−1]` if it lies within the tolerance of that range, else nil
    /// (also for NaN).
    @inline(__always)
    static func validPosition(_ x: Float, _ n: Int) -> Float? {
        let hi = Float(n - 1)
        guard x >= -boundaryTolerance, x <= hi + boundaryTolerance else { return nil }
        return min(max(x, 0), hi)
    }

    /// Cubic B-spline weights of the 4 coefficients starting at `floor(x) − 1` for the
    /// fractional part `t`.
    @inline(__always)
    static func cubicWeights(_ t: Float) -> (Float, Float, Float, Float) {
        let t2 = t * t, t3 = t2 * t
        let u = 1 - t
        return (u * u * u / 6, (4 - 6 * t2 + 3 * t3) / 6, (1 + 3 * t + 3 * t2 - 3 * t3) / 6, t3 / 6)
    }

    /// Samples a `[height, width]` plane at the positions of `grid` into `output`
    /// (`grid.height × grid.width` values). For `.cubicBSpline`, `source` must already hold
    /// B-spline coefficients (see `cubicSplinePrefilter`); `resample(_:height:width:grid:method:)`
    /// does both steps. Positions outside the plane give 0.
    public static func sample(
        coefficients source: UnsafeBufferPointer<Float>, height: Int, width: Int, grid: SamplingGrid,
        method: ImageInterpolation, into output: UnsafeMutableBufferPointer<Float>
    ) {
        let count = grid.height * grid.width
        precondition(source.count >= height * width && output.count >= count, "buffer sizes do not fit the grid")
        guard height > 0, width > 0 else {
            for i in 0..<count { output[i] = 0 }
            return
        }
        grid.rows.withUnsafeBufferPointer { rowPos in
            grid.columns.withUnsafeBufferPointer { colPos in
                let src = source.baseAddress!
                Threading.parallelFor(count, grain: 8_192) { range in
                    for p in range {
                        guard let r = validPosition(rowPos[p], height), let c = validPosition(colPos[p], width) else {
                            output[p] = 0
                            continue
                        }
                        switch method {
                        case .nearest:
                            let i = min(Int((r + 0.5).rounded(.down)), height - 1)
                            let j = min(Int((c + 0.5).rounded(.down)), width - 1)
                            output[p] = src[i * width + j]
                        case .linear:
                            let r0 = Int(r.rounded(.down)), c0 = Int(c.rounded(.down))
                            let tr = r - Float(r0), tc = c - Float(c0)
                            let r1 = mirror(r0 + 1, height), c1 = mirror(c0 + 1, width)
                            let top = src[r0 * width + c0] * (1 - tc) + src[r0 * width + c1] * tc
                            let bottom = src[r1 * width + c0] * (1 - tc) + src[r1 * width + c1] * tc
                            output[p] = top * (1 - tr) + bottom * tr
                        case .cubicBSpline:
                            let rf = r.rounded(.down), cf = c.rounded(.down)
                            let wr = cubicWeights(r - rf), wc = cubicWeights(c - cf)
                            let rs = Int(rf) - 1, cs = Int(cf) - 1
                            let c0 = mirror(cs, width), c1 = mirror(cs + 1, width)
                            let c2 = mirror(cs + 2, width), c3 = mirror(cs + 3, width)
                            @inline(__always) func row(_ i: Int) -> Float {
                                let b = src + mirror(i, height) * width
                                return b[c0] * wc.0 + b[c1] * wc.1 + b[c2] * wc.2 + b[c3] * wc.3
                            }
                            output[p] = row(rs) * wr.0 + row(rs + 1) * wr.1 + row(rs + 2) * wr.2 + row(rs + 3) * wr.3
                        }
                    }
                }
            }
        }
    }

    /// Resamples a `[height, width]` plane (row-major) at the positions of `grid`: returns
    /// `grid.height × grid.width` values. Cubic B-spline prefilters a copy first.
    public static func resample(
        _ plane: [Float], height: Int, width: Int, grid: SamplingGrid, method: ImageInterpolation
    ) -> [Float] {
        precondition(plane.count == height * width, "plane holds \(plane.count) values, expected \(height)×\(width)")
        var coefficients = plane
        if method == .cubicBSpline {
            coefficients.withUnsafeMutableBufferPointer { cubicSplinePrefilter($0, height: height, width: width) }
        }
        var out = [Float](repeating: 0, count: grid.height * grid.width)
        coefficients.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                sample(coefficients: src, height: height, width: width, grid: grid, method: method, into: dst)
            }
        }
        return out
    }
}
