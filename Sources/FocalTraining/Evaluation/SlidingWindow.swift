import FocalData
import FocalCore
import Foundation

/// Sliding-window inference the way MONAI's `sliding_window_inference` does it with
/// `mode="gaussian"`: windows of `size` pixels, `overlap` of a window shared by neighbours
/// (the step is `⌊window·(1 − overlap)⌋`, at least 1), the last window of each row and column
/// flush with the image edge, and every window's probabilities weighted by a Gaussian centred
/// on it (σ = `sigmaScale`·window per axis, normalised to 1 at the centre, clamped below at
/// 10⁻³) before the weighted average. Memory: one window's forward pass plus the `[K, H, W]`
/// sum and an `[H, W]` weight map, whatever the image size.
///
/// An image that one window covers (height and width both within the window) is predicted in
/// one pass exactly as without windows, so both give identical results there.
public struct SlidingWindow: Sendable, Equatable {
    /// Window height and width.
    public var size: ImageSize
    /// Fraction of a window shared with its neighbour, in `[0, 1)` (default 0.25, MONAI's).
    public var overlap: Double
    /// σ of the Gaussian weights as a fraction of the window (default 0.125, MONAI's).
    public var sigmaScale: Double

    /// The default overlap.
    public static let defaultOverlap = 0.25
    /// The default σ scale.
    public static let defaultSigmaScale = 0.125

    /// A window; throws `TilingError.invalidGeometry` for a non-positive size, an overlap
    /// outside `[0, 1)` or a non-positive σ scale.
    public init(size: ImageSize, overlap: Double = SlidingWindow.defaultOverlap, sigmaScale: Double = SlidingWindow.defaultSigmaScale) throws {
        guard size.height > 0, size.width > 0 else { throw TilingError.invalidGeometry("window \(size) must be positive") }
        guard overlap >= 0, overlap < 1 else { throw TilingError.invalidGeometry("overlap \(overlap) must be in [0, 1)") }
        guard sigmaScale > 0, sigmaScale.isFinite else { throw TilingError.invalidGeometry("σ scale \(sigmaScale) must be positive") }
        self.size = size
        self.overlap = overlap
        self.sigmaScale = sigmaScale
    }

    /// Window origins along an axis of `extent` pixels for windows of `window` (≤ extent).
    public func starts(extent: Int, window: Int) -> [Int] {
        guard window < extent else { return [0] }
        let step = max(1, Int(Double(window) * (1 - overlap)))
        var s = Array(Swift.stride(from: 0, through: extent - window, by: step))
        if s.last! != extent - window { s.append(extent - window) }
        return s
    }

    /// The Gaussian weight of every pixel of a `height × width` window, row-major.
    public func weights(height: Int, width: Int) -> [Float] {
        func axis(_ n: Int) -> [Double] {
            let sigma = sigmaScale * Double(n), centre = Double(n - 1) / 2
            return (0..<n).map { exp(-pow(Double($0) - centre, 2) / (2 * sigma * sigma)) }
        }
        let ys = axis(height), xs = axis(width)
        let peak = (ys.max() ?? 1) * (xs.max() ?? 1)
        var w = [Float](repeating: 0, count: height * width)
        for r in 0..<height {
            for c in 0..<width { w[r * width + c] = Float(max(ys[r] * xs[c] / peak, 1e-3)) }
        }
        return w
    }

    /// Class probabilities `[K, H, W]` of a `[C, H, W]` image; `predict` maps a `[C, h, w]`
    /// window to its `[K, h, w]` probabilities.
    public func probabilities(of image: Tensor, predict: (Tensor) throws -> Tensor) throws -> Tensor {
        let (c, h, w) = (image.shape[0], image.shape[1], image.shape[2])
        if h <= size.height && w <= size.width { return try predict(image) }
        let th = min(size.height, h), tw = min(size.width, w)
        let weight = weights(height: th, width: tw)
        let source = image.contiguous()
        var sum: [Float] = [], total = [Float](repeating: 0, count: h * w)
        var classes = 0
        for y0 in starts(extent: h, window: th) {
            for x0 in starts(extent: w, window: tw) {
                let tile = source.withUnsafeBufferPointer { src in
                    Tensor(shape: [c, th, tw]) { out in
                        for ch in 0..<c {
                            for r in 0..<th {
                                let s = (ch * h + y0 + r) * w + x0, d = (ch * th + r) * tw
                                for k in 0..<tw { out[d + k] = src[s + k] }
                            }
                        }
                    }
                }
                let p = try predict(tile).contiguous()
                if sum.isEmpty {
                    classes = p.shape[0]
                    sum = [Float](repeating: 0, count: classes * h * w)
                }
                guard p.shape == [classes, th, tw] else {
                    throw TilingError.shapeMismatch("window prediction: expected [\(classes), \(th), \(tw)], got \(p.shape)")
                }
                p.withUnsafeBufferPointer { q in
                    for k in 0..<classes {
                        for r in 0..<th {
                            let d = (k * h + y0 + r) * w + x0, s = (k * th + r) * tw
                            for x in 0..<tw { sum[d + x] += q[s + x] * weight[r * tw + x] }
                        }
                    }
                }
                for r in 0..<th {
                    for x in 0..<tw { total[(y0 + r) * w + x0 + x] += weight[r * tw + x] }
                }
            }
        }
        let plane = h * w
        return Tensor(shape: [classes, h, w]) { out in
            for k in 0..<classes {
                for i in 0..<plane { out[k * plane + i] = sum[k * plane + i] / total[i] }
            }
        }
    }
}
