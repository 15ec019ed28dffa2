import FocalCore

/// Exact Euclidean distance transform — Felzenszwalb & Huttenlocher, "Distance transforms of
/// sampled functions", Theory of Computing 8, 2012: the squared distance is computed by one
/// lower-envelope-of-parabolas pass per axis (separable, linear time), so the result is exact,
/// not a chamfer approximation.
///
/// Semantics of `scipy.ndimage.distance_transform_edt(mask, sampling=spacing)`: every non-zero
/// (`true`) element gets its Euclidean distance to the nearest zero (`false`) element, where
/// one step along axis `a` has length `spacing[a]` (default 1 on every axis); zero elements get
/// 0. Where the mask has no zero element at all the distance is undefined; this returns `+∞`
/// there (SciPy returns arbitrary finite numbers).
///
/// With a spacing, the per-axis pass takes the lower envelope of the parabolas
/// `(s·q − s·r)² + f(r)` rooted at the sample positions `s·r` (the same algorithm on a
/// stretched grid). With unit spacing the squared distances are exact integers.
public enum EuclideanDistanceTransform {
    /// Squared Euclidean distances, row-major like `mask` (exact integers for unit spacing).
    /// - Parameters:
    ///   - mask: `true` for the elements whose distance is wanted (foreground).
    ///   - shape: the grid, rank 1, 2 or 3 (`H, W` or `D, H, W`).
    ///   - spacing: the length of one step along each axis (one positive finite value per axis,
    ///     e.g. `[dy, dx]`), or nil for unit spacing.
    public static func squaredDistances(_ mask: [Bool], shape: [Int], spacing: [Double]? = nil) throws -> [Double] {
        let function = "EuclideanDistanceTransform"
        guard (1...3).contains(shape.count) else {
            throw LossError.invalidMask(function: function, shape: shape, reason: "expected rank 1, 2 or 3 (H, W or D, H, W)")
        }
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw LossError.invalidMask(function: function, shape: shape, reason: "every extent must be positive")
        }
        guard Shape.count(shape) == mask.count else {
            throw LossError.invalidMask(function: function, shape: shape, reason: "\(mask.count) mask elements for \(Shape.count(shape)) grid points")
        }
        if let spacing {
            guard spacing.count == shape.count else {
                throw LossError.invalidMask(function: function, shape: shape,
                                            reason: "\(spacing.count) spacing values for a rank-\(shape.count) grid")
            }
            guard spacing.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw LossError.invalidMask(function: function, shape: shape, reason: "spacing \(spacing) must be positive and finite")
            }
        }
        var f = mask.map { $0 ? Double.infinity : 0 }
        let total = f.count
        f.withUnsafeMutableBufferPointer { fb in
            let data = fb.baseAddress!
            for axis in stride(from: shape.count - 1, through: 0, by: -1) {
                let n = shape[axis]
                if n == 1 { continue }
                let step = spacing?[axis] ?? 1
                let inner = shape[(axis + 1)...].reduce(1, *)
                let lines = total / n
                Threading.parallelFor(lines, grain: max(1, 8_192 / n)) { range in
                    let line = UnsafeMutablePointer<Double>.allocate(capacity: n)
                    let out = UnsafeMutablePointer<Double>.allocate(capacity: n)
                    let v = UnsafeMutablePointer<Int>.allocate(capacity: n)
                    let z = UnsafeMutablePointer<Double>.allocate(capacity: n + 1)
                    defer { line.deallocate(); out.deallocate(); v.deallocate(); z.deallocate() }
                    for l in range {
                        let base = (l / inner) * n * inner + l % inner
                        for q in 0..<n { line[q] = data[base + q * inner] }
                        lowerEnvelope(line, count: n, step: step, into: out, v: v, z: z)
                        for q in 0..<n { data[base + q * inner] = out[q] }
                    }
                }
            }
        }
        return f
    }

    /// Euclidean distances: `sqrt` of `squaredDistances` (see the type's documentation).
    public static func distances(_ mask: [Bool], shape: [Int], spacing: [Double]? = nil) throws -> [Double] {
        try squaredDistances(mask, shape: shape, spacing: spacing).map { $0.squareRoot() }
    }

    /// One-dimensional squared distance transform `d(q) = min_r ((s·q − s·r)² + f(r))` of a
    /// sampled function with values in `[0, ∞]` (`∞` = no site) and sample step `s`, by the
    /// lower envelope of the parabolas rooted at the finite samples. For `s = 1` every
    /// intermediate value is an exact integer in Double.
    static func lowerEnvelope(_ f: UnsafeMutablePointer<Double>, count n: Int, step: Double = 1, into d: UnsafeMutablePointer<Double>,
                              v: UnsafeMutablePointer<Int>, z: UnsafeMutablePointer<Double>) {
        var k = -1
        for q in 0..<n {
            let fq = f[q]
            if fq == .infinity { continue }
            if k < 0 {
                k = 0
                v[0] = q
                z[0] = -.infinity
                z[1] = .infinity
                continue
            }
            let xq = step * Double(q)
            let qq = fq + xq * xq
            var s: Double
            repeat {
                let r = v[k]
                let xr = step * Double(r)
                s = (qq - (f[r] + xr * xr)) / (2 * (xq - xr))
                if s <= z[k] { k -= 1 } else { break }
            } while true
            k += 1
            v[k] = q
            z[k] = s
            z[k + 1] = .infinity
        }
        if k < 0 {
            for q in 0..<n { d[q] = .infinity }
            return
        }
        k = 0
        for q in 0..<n {
            let xq = step * Double(q)
            while z[k + 1] < xq { k += 1 }
            let r = v[k]
            let dx = xq - step * Double(r)
            d[q] = dx * dx + f[r]
        }
    }
}
