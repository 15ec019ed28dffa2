import FocalCore

/// How image intensities are interpolated when resizing.
public enum ImageResizeMethod: String, Codable, Sendable, CaseIterable {
    /// Cubic B-spline (order 3) with the exact interpolating prefilter — the resampling of
    /// batchgenerators/MIScnn's `Resize` (`skimage.transform.resize(order=3)`), the default.
    case cubicBSpline = "cubic-bspline"
    /// Bicubic convolution (Keys, a = −0.5; as PIL's BICUBIC, without antialiasing).
    case bicubic
    /// Bilinear.
    case bilinear
}

/// How label maps are resized.
public enum LabelResizeMethod: String, Codable, Sendable, CaseIterable {
    /// Nearest neighbour: every output pixel takes the label under its centre.
    case nearest
    /// batchgenerators' `resize_segmentation(order=1)`: each label's indicator map is resized
    /// bilinearly and the label is written where it reaches ≥ 0.5 (labels in increasing
    /// order, later ones win; pixels no label reaches get 0). Smoother boundaries than nearest.
    case linearPerLabel = "linear-per-label"
}

/// A resize request that cannot be carried out.
public enum ResizeError: Error, Equatable, CustomStringConvertible {
    /// The input does not have the expected rank or has an empty axis.
    case invalidInput(String)
    /// The target size is not positive.
    case invalidSize(height: Int, width: Int)

    public var description: String {
        switch self {
        case let .invalidInput(why): return "cannot resize: \(why)"
        case let .invalidSize(h, w): return "cannot resize to \(h)×\(w): both sizes must be positive"
        }
    }
}

/// Resizing of images (`[C, H, W]`) and label maps (`[H, W]`).
///
/// Output pixel `i` covers the same area as input positions `(i + 0.5)·in/out − 0.5` (pixel
/// centres aligned, the convention of scikit-image, PIL and OpenCV). Positions beyond the
/// outermost pixel centres take the edge value (scikit-image `mode="edge"`). There is no
/// antialiasing on downsampling, as in batchgenerators.
public enum Resize {
    /// Resizes every channel of a `[C, H, W]` image to `height × width`.
    public static func image(_ image: Tensor, height: Int, width: Int, method: ImageResizeMethod = .cubicBSpline) throws -> Tensor {
        guard image.rank == 3, image.count > 0 else {
            throw ResizeError.invalidInput("an image must be a non-empty [C, H, W] tensor, got shape \(image.shape)")
        }
        guard height > 0, width > 0 else { throw ResizeError.invalidSize(height: height, width: width) }
        let (c, h, w) = (image.shape[0], image.shape[1], image.shape[2])
        if h == height && w == width { return image.contiguous() }
        var source = image.contiguous().scalars
        if method == .cubicBSpline {
            source.withUnsafeMutableBufferPointer { all in
                for ch in 0..<c {
                    let plane = UnsafeMutableBufferPointer(rebasing: all[(ch * h * w)..<((ch + 1) * h * w)])
                    Interpolation.cubicSplinePrefilter(plane, height: h, width: w)
                }
            }
        }
        let output = separable(source, planes: c, height: h, width: w,
                               rowTaps: taps(input: h, output: height, method: method),
                               columnTaps: taps(input: w, output: width, method: method))
        return Tensor(shape: [c, height, width], scalars: output)
    }

    /// Resizes a `[H, W]` label map to `height × width`.
    public static func labels(_ labels: Tensor, height: Int, width: Int, method: LabelResizeMethod = .nearest) throws -> Tensor {
        guard labels.rank == 2, labels.count > 0 else {
            throw ResizeError.invalidInput("a label map must be a non-empty [H, W] tensor, got shape \(labels.shape)")
        }
        guard height > 0, width > 0 else { throw ResizeError.invalidSize(height: height, width: width) }
        let (h, w) = (labels.shape[0], labels.shape[1])
        let source = labels.contiguous().scalars
        if h == height && w == width { return Tensor(shape: [h, w], scalars: source) }
        switch method {
        case .nearest:
            let rows = (0..<height).map { nearestIndex($0, input: h, output: height) }
            let cols = (0..<width).map { nearestIndex($0, input: w, output: width) }
            var out = [Float](repeating: 0, count: height * width)
            for y in 0..<height {
                let base = rows[y] * w
                for x in 0..<width { out[y * width + x] = source[base + cols[x]] }
            }
            return Tensor(shape: [height, width], scalars: out)
        case .linearPerLabel:
            let rowTaps = taps(input: h, output: height, method: .bilinear)
            let columnTaps = taps(input: w, output: width, method: .bilinear)
            var out = [Float](repeating: 0, count: height * width)
            for label in Set(source).sorted() {
                let indicator = source.map { $0 == label ? Float(1) : 0 }
                let resized = separable(indicator, planes: 1, height: h, width: w, rowTaps: rowTaps, columnTaps: columnTaps)
                for i in 0..<out.count where resized[i] >= 0.5 { out[i] = label }
            }
            return Tensor(shape: [height, width], scalars: out)
        }
    }

    /// The input index nearest to the centre of output pixel `i`.
    static func nearestIndex(_ i: Int, input: Int, output: Int) -> Int {
        min(input - 1, Int((Double(i) + 0.5) * Double(input) / Double(output)))
    }

    /// Interpolation taps of one axis: for each output index, input indices and weights.
    struct Taps {
        var width: Int
        var indices: [Int]
        var weights: [Float]
    }

    static func taps(input n: Int, output m: Int, method: ImageResizeMethod) -> Taps {
        let k = method == .bilinear ? 2 : 4
        var indices = [Int](repeating: 0, count: m * k)
        var weights = [Float](repeating: 0, count: m * k)
        let scale = Double(n) / Double(m)
        for o in 0..<m {
            var x = (Double(o) + 0.5) * scale - 0.5
            x = min(max(x, 0), Double(n - 1))  // edge mode: clamp onto the outermost centres
            let f = x.rounded(.down)
            let t = x - f
            let i0 = Int(f)
            switch method {
            case .bilinear:
                indices[o * 2] = i0
                indices[o * 2 + 1] = min(i0 + 1, n - 1)
                weights[o * 2] = Float(1 - t)
                weights[o * 2 + 1] = Float(t)
            case .bicubic:
                let a = -0.5
                func keys(_ d: Double) -> Double {
                    let d = abs(d)
                    if d <= 1 { return ((a + 2) * d - (a + 3)) * d * d + 1 }
                    if d < 2 { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a }
                    return 0
                }
                for j in 0..<4 {
                    indices[o * 4 + j] = min(max(i0 - 1 + j, 0), n - 1)
                    weights[o * 4 + j] = Float(keys(t - Double(j - 1)))
                }
            case .cubicBSpline:
                let w = Interpolation.cubicWeights(Float(t))
                let ws = [w.0, w.1, w.2, w.3]
                for j in 0..<4 {
                    indices[o * 4 + j] = Interpolation.mirror(i0 - 1 + j, n)
                    weights[o * 4 + j] = ws[j]
                }
            }
        }
        return Taps(width: k, indices: indices, weights: weights)
    }

    /// Applies column taps along each row, then row taps along each column, plane by plane.
    static func separable(_ source: [Float], planes: Int, height h: Int, width w: Int, rowTaps: Taps, columnTaps: Taps) -> [Float] {
        let outH = rowTaps.indices.count / rowTaps.width, outW = columnTaps.indices.count / columnTaps.width
        var horizontal = [Float](repeating: 0, count: planes * h * outW)
        var output = [Float](repeating: 0, count: planes * outH * outW)
        parallelPass(source, into: &horizontal, taps: columnTaps, rows: planes * h, width: outW) { src, mid, ci, cw, rows in
            let k = columnTaps.width
            for r in rows {
                let s = src.baseAddress! + r * w, d = mid.baseAddress! + r * outW
                for x in 0..<outW {
                    var acc: Float = 0
                    for j in 0..<k { acc += s[ci[x * k + j]] * cw[x * k + j] }
                    d[x] = acc
                }
            }
        }
        parallelPass(horizontal, into: &output, taps: rowTaps, rows: planes * outH, width: outW) { mid, dst, ri, rw, rows in
            let k = rowTaps.width
            for r in rows {
                let plane = r / outH, y = r % outH
                let d = dst.baseAddress! + r * outW
                for x in 0..<outW { d[x] = 0 }
                for j in 0..<k {
                    let s = mid.baseAddress! + (plane * h + ri[y * k + j]) * outW
                    let weight = rw[y * k + j]
                    for x in 0..<outW { d[x] += s[x] * weight }
                }
            }
        }
        return output
    }

    /// The frame of both passes of `separable`: `source`, `output` and the taps bound to
    /// buffers, then `body(source, output, indices, weights, rows)` in parallel over `rows`
    /// output rows of `width` values.
    private static func parallelPass(
        _ source: [Float], into output: inout [Float], taps: Taps, rows: Int, width: Int,
        _ body: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<Float>, Range<Int>) -> Void
    ) {
        source.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                taps.indices.withUnsafeBufferPointer { indices in
                    taps.weights.withUnsafeBufferPointer { weights in
                        Threading.parallelFor(rows, grain: max(1, 4096 / max(1, width))) { body(src, dst, indices, weights, $0) }
                    }
                }
            }
        }
    }
}
