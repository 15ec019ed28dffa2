import FocalData
import Foundation

/// An 8-bit RGB drawing surface with anti-aliased primitives, for rendering plots to PNG
/// without an SVG renderer.
///
/// Coordinates are continuous pixels: pixel (row i, column j) covers the unit square
/// `[j, j+1) × [i, i+1)`, origin top-left, y down (the SVG convention). Every primitive computes
/// a coverage `c ∈ [0, 1]` per pixel and blends its colour over the pixel with weight `α·c`
/// (`out = α·c·colour + (1 − α·c)·dst`, in sRGB code values, rounded):
///
/// - rectangles: the exact area of the pixel inside the rectangle;
/// - strokes: a box filter across the stroke, `c = |[d − ½, d + ½] ∩ [−w/2, w/2]|` for a pixel
///   centre at distance `d` from the centre line (so a 1-pixel line on a pixel edge covers both
///   neighbours by ½ and a 2-pixel line on a pixel edge covers two rows fully), times the same
///   overlap along the segment at butt caps; round caps and joins use the distance to the end
///   point, `c = clamp(w/2 + ½ − |p − a|, 0, 1)`;
/// - a polyline's segments (and dashes) are merged into one coverage mask by the per-pixel
///   maximum before blending, so joins and overlaps are not blended twice (as in SVG, where a
///   stroke is one shape);
/// - discs: `c = clamp(r + ½ − |p − centre|, 0, 1)`.
///
/// Dashes follow SVG `stroke-dasharray`: the pattern restarts at each polyline's first point
/// and runs on along its arc length; each dash gets the stroke's caps.
public struct RasterCanvas: Sendable, Equatable {
    /// An axis-aligned rectangle in canvas pixels.
    public struct Rectangle: Sendable, Equatable {
        /// Left edge.
        public var minX: Double
        /// Top edge.
        public var minY: Double
        /// Right edge.
        public var maxX: Double
        /// Bottom edge.
        public var maxY: Double

        /// The rectangle with top-left corner (`x`, `y`) and the given size.
        public init(x: Double, y: Double, width: Double, height: Double) {
            minX = x
            minY = y
            maxX = x + width
            maxY = y + height
        }
    }

    /// How the ends of a stroke (and of each dash) are drawn (SVG `stroke-linecap`).
    public enum LineCap: Sendable, Equatable {
        /// The stroke ends at the end point.
        case butt
        /// A half disc of the stroke width around the end point.
        case round
    }

    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width · height · 3` bytes: R, G, B per pixel, row-major from the top-left.
    public private(set) var pixels: [UInt8]

    /// The largest number of pixels a canvas may have (a third of `PNGCodec.maximumSamples`).
    public static let maximumPixels = PNGCodec.maximumSamples / 3

    /// A canvas filled with `background`. Throws `PlotError.invalidSize` unless both sizes are
    /// positive and the pixel count is at most `maximumPixels`.
    public init(width: Int, height: Int, background: RGBColor = RGBColor(red: 255, green: 255, blue: 255)) throws {
        guard width > 0, height > 0 else {
            throw PlotError.invalidSize("canvas size \(width)×\(height) must be positive")
        }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count <= Self.maximumPixels else {
            throw PlotError.invalidSize("canvas size \(width)×\(height) exceeds \(Self.maximumPixels) pixels")
        }
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: count * 3)
        for k in 0..<count {
            pixels[3 * k] = background.red
            pixels[3 * k + 1] = background.green
            pixels[3 * k + 2] = background.blue
        }
    }

    /// The colour of pixel (`row`, `column`) (both must be in range).
    public subscript(row: Int, column: Int) -> RGBColor {
        precondition(row >= 0 && row < height && column >= 0 && column < width, "pixel (\(row), \(column)) outside \(width)×\(height)")
        let k = (row * width + column) * 3
        return RGBColor(red: pixels[k], green: pixels[k + 1], blue: pixels[k + 2])
    }

    /// The pixels as an `RGBImage` (interleaved bytes).
    public var rgbImage: RGBImage { RGBImage(width: width, height: height, pixels: pixels) }

    /// The pixels as FocalTraining's planar `Image`: 3 channels, bit depth 8, values 0…255.
    public var image: Image {
        Image(checkedWidth: width, height: height, channels: 3, bitDepth: 8, pixels: rgbImage.planarPixels)
    }

    // MARK: - Blending

    /// Blends `color` over pixel (`row`, `column`) with weight `alpha` (clamped to [0, 1]);
    /// pixels outside the canvas are ignored.
    public mutating func blend(row: Int, column: Int, color: RGBColor, alpha: Double) {
        guard row >= 0, row < height, column >= 0, column < width else { return }
        let a = min(max(alpha, 0), 1)
        guard a > 0 else { return }
        let k = (row * width + column) * 3
        pixels.withUnsafeMutableBufferPointer { Self.blend($0, k, color, a) }
    }

    @inline(__always)
    private static func blend(_ px: UnsafeMutableBufferPointer<UInt8>, _ k: Int, _ c: RGBColor, _ a: Double) {
        if a >= 1 {
            px[k] = c.red
            px[k + 1] = c.green
            px[k + 2] = c.blue
            return
        }
        func mix(_ dst: UInt8, _ src: UInt8) -> UInt8 {
            UInt8((Double(src) * a + Double(dst) * (1 - a)).rounded())
        }
        px[k] = mix(px[k], c.red)
        px[k + 1] = mix(px[k + 1], c.green)
        px[k + 2] = mix(px[k + 2], c.blue)
    }

    /// The length of `[a, b] ∩ [lo, hi]` (0 when they do not overlap).
    @inline(__always)
    static func overlap(_ a: Double, _ b: Double, _ lo: Double, _ hi: Double) -> Double {
        max(0, min(b, hi) - max(a, lo))
    }

    /// The pixel index range whose unit intervals meet `(a, b)`, clamped to `0..<n`.
    private static func span(_ a: Double, _ b: Double, _ n: Int) -> Range<Int> {
        guard a.isFinite, b.isFinite, b > 0, a < Double(n) else { return 0..<0 }
        let lo = Swift.max(0, Int(Foundation.floor(Swift.max(a, 0))))
        let hi = Swift.min(n, Int(Foundation.ceil(Swift.min(b, Double(n)))))
        return lo < hi ? lo..<hi : 0..<0
    }

    // MARK: - Primitives

    /// Fills `rect` with `color`; edge pixels get their covered area as coverage. `clip`
    /// (optional) limits the fill to its area the same way.
    public mutating func fill(_ rect: Rectangle, color: RGBColor, alpha: Double = 1, clip: Rectangle? = nil) {
        var r = rect
        if let c = clip {
            r.minX = max(r.minX, c.minX)
            r.minY = max(r.minY, c.minY)
            r.maxX = min(r.maxX, c.maxX)
            r.maxY = min(r.maxY, c.maxY)
        }
        guard r.maxX > r.minX, r.maxY > r.minY else { return }
        let columns = Self.span(r.minX, r.maxX, width), rows = Self.span(r.minY, r.maxY, height)
        let a = min(max(alpha, 0), 1)
        let w = width
        pixels.withUnsafeMutableBufferPointer { px in
            for i in rows {
                let cy = Self.overlap(Double(i), Double(i + 1), r.minY, r.maxY)
                for j in columns {
                    let c = cy * Self.overlap(Double(j), Double(j + 1), r.minX, r.maxX) * a
                    if c > 0 { Self.blend(px, (i * w + j) * 3, color, c) }
                }
            }
        }
    }

    /// Fills the disc of `radius` around `center`.
    public mutating func fillCircle(center: SIMD2<Double>, radius: Double, color: RGBColor, alpha: Double = 1,
                                    clip: Rectangle? = nil) {
        guard radius > 0 else { return }
        let columns = Self.span(center.x - radius - 1, center.x + radius + 1, width)
        let rows = Self.span(center.y - radius - 1, center.y + radius + 1, height)
        let a = min(max(alpha, 0), 1)
        let w = width
        pixels.withUnsafeMutableBufferPointer { px in
            for i in rows {
                for j in columns {
                    let p = SIMD2(Double(j) + 0.5, Double(i) + 0.5)
                    let d = p - center
                    var c = min(max(radius + 0.5 - (d * d).sum().squareRoot(), 0), 1)
                    if let r = clip { c *= Self.clipCoverage(i, j, r) }
                    if c > 0 { Self.blend(px, (i * w + j) * 3, color, c * a) }
                }
            }
        }
    }

    /// Strokes the segment from `start` to `end` (see `strokePolyline`).
    public mutating func strokeLine(from start: SIMD2<Double>, to end: SIMD2<Double>, width lineWidth: Double,
                                    color: RGBColor, alpha: Double = 1, cap: LineCap = .butt,
                                    dash: [Double] = [], clip: Rectangle? = nil) {
        strokePolyline([start, end], width: lineWidth, color: color, alpha: alpha, cap: cap, dash: dash, clip: clip)
    }

    /// Strokes the polyline through `points` with a line `width` pixels wide, round joins and
    /// the given caps. `dash` is an SVG dash array (on, off, on, … lengths in pixels; an odd
    /// count is repeated, as SVG does; empty or all-zero = solid). `clip` limits the stroke to
    /// a rectangle (pixels straddling its edge get the covered fraction). Parts of the polyline
    /// far outside the canvas (or the clip) are cut off before rasterising, with the dash
    /// phase carried across them, so distant points cost nothing.
    public mutating func strokePolyline(_ points: [SIMD2<Double>], width lineWidth: Double, color: RGBColor,
                                        alpha: Double = 1, cap: LineCap = .round, dash: [Double] = [],
                                        clip: Rectangle? = nil) {
        guard lineWidth > 0, lineWidth.isFinite, !points.isEmpty,
              points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return }
        let hw = lineWidth / 2
        // The pixels that can change: the canvas, within the clip.
        var visible = Rectangle(x: 0, y: 0, width: Double(width), height: Double(height))
        if let c = clip {
            visible.minX = Swift.max(visible.minX, c.minX)
            visible.minY = Swift.max(visible.minY, c.minY)
            visible.maxX = Swift.min(visible.maxX, c.maxX)
            visible.maxY = Swift.min(visible.maxY, c.maxY)
        }
        guard visible.maxX > visible.minX, visible.maxY > visible.minY else { return }
        let margin = hw + 1.5
        let box = Rectangle(x: visible.minX - margin, y: visible.minY - margin,
                            width: visible.maxX - visible.minX + 2 * margin, height: visible.maxY - visible.minY + 2 * margin)
        let pieces = Self.dashPieces(points, dash: dash, within: box)
        guard !pieces.isEmpty else { return }
        // Bounding box of the pieces, within the visible pixels.
        var lo = pieces[0][0], hi = pieces[0][0]
        for piece in pieces {
            for p in piece {
                lo = pointwiseMin(lo, p)
                hi = pointwiseMax(hi, p)
            }
        }
        let columns = Self.span(Swift.max(lo.x - hw - 1, visible.minX), Swift.min(hi.x + hw + 1, visible.maxX), width)
        let rows = Self.span(Swift.max(lo.y - hw - 1, visible.minY), Swift.min(hi.y + hw + 1, visible.maxY), height)
        guard !columns.isEmpty, !rows.isEmpty else { return }
        let maskW = columns.count
        var mask = [Double](repeating: 0, count: maskW * rows.count)
        mask.withUnsafeMutableBufferPointer { m in
            for piece in pieces {
                for s in 0..<Swift.max(piece.count - 1, 1) {
                    let a = piece[s], b = piece.count == 1 ? piece[0] : piece[s + 1]
                    let startCap: LineCap = s == 0 ? cap : .round
                    let endCap: LineCap = s == piece.count - 2 || piece.count == 1 ? cap : .round
                    Self.accumulateSegment(a, b, hw: hw, startCap: startCap, endCap: endCap,
                                           columns: columns, rows: rows, mask: m)
                }
            }
        }
        let opacity = min(max(alpha, 0), 1)
        let w = width
        mask.withUnsafeBufferPointer { m in
            pixels.withUnsafeMutableBufferPointer { px in
                for (ii, i) in rows.enumerated() {
                    for (jj, j) in columns.enumerated() {
                        var c = m[ii * maskW + jj]
                        guard c > 0 else { continue }
                        if let r = clip { c *= Self.clipCoverage(i, j, r) }
                        if c > 0 { Self.blend(px, (i * w + j) * 3, color, c * opacity) }
                    }
                }
            }
        }
    }

    /// The fraction of pixel (`i`, `j`) inside `r`.
    @inline(__always)
    private static func clipCoverage(_ i: Int, _ j: Int, _ r: Rectangle) -> Double {
        overlap(Double(j), Double(j + 1), r.minX, r.maxX) * overlap(Double(i), Double(i + 1), r.minY, r.maxY)
    }

    /// Max-merges one segment's coverage into `mask` (indexed from `rows.lowerBound`,
    /// `columns.lowerBound`). A zero-length segment is a dot with round caps and nothing with butt caps.
    private static func accumulateSegment(_ a: SIMD2<Double>, _ b: SIMD2<Double>, hw: Double,
                                          startCap: LineCap, endCap: LineCap,
                                          columns: Range<Int>, rows: Range<Int>, mask: UnsafeMutableBufferPointer<Double>) {
        let ab = b - a
        let length = (ab * ab).sum().squareRoot()
        if length < 1e-9 && (startCap == .butt || endCap == .butt) { return }
        let u = length < 1e-9 ? SIMD2<Double>(1, 0) : ab / length
        let cols = span(Swift.min(a.x, b.x) - hw - 1, Swift.max(a.x, b.x) + hw + 1, columns.upperBound).clamped(to: columns)
        let rws = span(Swift.min(a.y, b.y) - hw - 1, Swift.max(a.y, b.y) + hw + 1, rows.upperBound).clamped(to: rows)
        let maskW = columns.count
        let alongLo = startCap == .butt ? 0 : -Double.infinity
        let alongHi = endCap == .butt ? length : Double.infinity
        for i in rws {
            for j in cols {
                let d = SIMD2(Double(j) + 0.5, Double(i) + 0.5) - a
                let t = (d * u).sum()
                let c: Double
                if t < 0 && startCap == .round {
                    c = min(max(hw + 0.5 - (d * d).sum().squareRoot(), 0), 1)
                } else if t > length && endCap == .round {
                    let e = d - ab
                    c = min(max(hw + 0.5 - (e * e).sum().squareRoot(), 0), 1)
                } else {
                    let perp = abs(d.x * u.y - d.y * u.x)
                    c = min(overlap(perp - 0.5, perp + 0.5, -hw, hw), 1) * min(overlap(t - 0.5, t + 0.5, alongLo, alongHi), 1)
                }
                let k = (i - rows.lowerBound) * maskW + (j - columns.lowerBound)
                if c > mask[k] { mask[k] = c }
            }
        }
    }

    /// The parameter interval `[t0, t1] ⊂ [0, 1]` of the segment `a + t·(b − a)` inside `box`
    /// (Liang–Barsky), nil when it misses the box.
    static func clipInterval(_ a: SIMD2<Double>, _ b: SIMD2<Double>, to box: Rectangle) -> (Double, Double)? {
        var t0 = 0.0, t1 = 1.0
        let d = b - a
        for (p, q) in [(-d.x, a.x - box.minX), (d.x, box.maxX - a.x), (-d.y, a.y - box.minY), (d.y, box.maxY - a.y)] {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let r = q / p
                if p < 0 { t0 = Swift.max(t0, r) } else { t1 = Swift.min(t1, r) }
            }
        }
        return t0 <= t1 ? (t0, t1) : nil
    }

    /// Splits a polyline into its dashes (each a polyline of at least one point) and keeps
    /// what lies inside `box`: the dash pattern runs along the whole polyline (restarting at
    /// its first point), parts outside the box are dropped. `dash` empty or summing to zero is
    /// a solid line; lengths are taken as magnitudes, an odd count is repeated.
    static func dashPieces(_ points: [SIMD2<Double>], dash: [Double], within box: Rectangle) -> [[SIMD2<Double>]] {
        var pattern = dash.map { abs($0) }.filter(\.isFinite)
        if pattern.count % 2 == 1 { pattern += pattern }
        if pattern.isEmpty || pattern.reduce(0, +) <= 0 { pattern = [.infinity, 0] }
        let period = pattern.reduce(0, +)
        func inside(_ p: SIMD2<Double>) -> Bool {
            p.x >= box.minX && p.x <= box.maxX && p.y >= box.minY && p.y <= box.maxY
        }
        if points.count == 1 { return inside(points[0]) ? [points] : [] }

        var pieces: [[SIMD2<Double>]] = []
        var index = 0, remaining = pattern[0], on = true
        var current: [SIMD2<Double>]? = nil
        func next() {
            on.toggle()
            index = (index + 1) % pattern.count
            remaining = pattern[index]
        }
        /// Moves the pattern on by `length` without drawing (ends the current dash).
        func skip(_ length: Double) {
            if let c = current { pieces.append(c) }
            current = nil
            guard length > 0 else { return }
            if length < remaining {
                remaining -= length
                return
            }
            var rest = length - remaining
            next()
            if period.isFinite { rest = rest.truncatingRemainder(dividingBy: period) }
            while rest >= remaining {
                rest -= remaining
                next()
            }
            remaining -= rest
        }
        for s in 0..<(points.count - 1) {
            let a = points[s], b = points[s + 1]
            let ab = b - a
            let length = Foundation.hypot(ab.x, ab.y)
            guard length.isFinite, length > 0 else { continue }
            guard let (u0, u1) = clipInterval(a, b, to: box) else {
                skip(length)
                continue
            }
            func point(_ t: Double) -> SIMD2<Double> { a + ab * (t / length) }
            let t0 = u0 * length, t1 = u1 * length
            if t0 > 0 { skip(t0) }
            if on && current == nil { current = [point(t0)] }
            var t = t0
            while t1 - t > remaining {
                t += remaining
                let p = point(t)
                if on {
                    current!.append(p)
                    pieces.append(current!)
                    current = nil
                } else {
                    current = [p]
                }
                next()
            }
            remaining -= t1 - t
            if on { current!.append(point(t1)) }
            if t1 < length { skip(length - t1) }
        }
        if let c = current { pieces.append(c) }
        return pieces
    }
}
