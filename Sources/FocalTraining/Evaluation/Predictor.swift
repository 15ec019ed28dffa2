import FocalData
import Foundation
import FocalCore
import FocalNets

/// Runs a trained network on images of any size.
///
/// Full-image mode pads the image (with zeros, i.e. the z-score mean) up to a multiple of
/// the network's size factor and crops the result. Sliding-window mode covers an image
/// larger than the training size with overlapping windows of `window` pixels and averages
/// the overlapping probabilities.
public struct Predictor {
    /// How to cover an image.
    public enum Mode: Sendable, Equatable {
        /// One pass over the whole (padded) image.
        case fullImage
        /// Windows of `size × size` pixels, moved by `stride` pixels.
        case slidingWindow(size: Int, stride: Int)
    }

    /// The network (switched to evaluation mode while predicting).
    public let model: any SegmentationNetwork
    /// The covering mode.
    public var mode: Mode

    public init(model: any SegmentationNetwork, mode: Mode = .fullImage) {
        self.model = model
        self.mode = mode
    }

    /// Class probabilities `[C, H, W]` for a `[channels, H, W]` image.
    public func probabilities(_ image: Tensor) throws -> Tensor {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        return try withNoGrad {
            switch mode {
            case .fullImage: return try padded(image)
            case let .slidingWindow(size, stride): return try windows(image, size: size, stride: stride)
            }
        }
    }

    /// The argmax label map `[H·W]` of an image (ties to the lower class).
    public func labels(_ image: Tensor) throws -> [Int32] {
        let p = try probabilities(image)
        return try SegmentationMetrics.argmax(p.reshaped([1] + p.shape))[0]
    }

    private func padded(_ image: Tensor) throws -> Tensor {
        let f = model.sizeMultiple
        let (c, h, w) = (image.shape[0], image.shape[1], image.shape[2])
        let ph = (h + f - 1) / f * f, pw = (w + f - 1) / f * f
        var x = image
        if ph != h || pw != w {
            x = Tensor(shape: [c, ph, pw]) { out in
                out.initialize(repeating: 0)
                image.withUnsafeBufferPointer { src in
                    for ch in 0..<c {
                        for y in 0..<h {
                            for xx in 0..<w { out[(ch * ph + y) * pw + xx] = src[(ch * h + y) * w + xx] }
                        }
                    }
                }
            }
        }
        let p = try model(x.reshaped([1, c, ph, pw]))
        let k = p.shape[1]
        if ph == h && pw == w { return p.reshaped([k, h, w]).detached() }
        return p.reshaped([k, ph, pw]).slice(axis: 1, 0..<h).slice(axis: 2, 0..<w).contiguous().detached()
    }

    private func windows(_ image: Tensor, size: Int, stride: Int) throws -> Tensor {
        let (c, h, w) = (image.shape[0], image.shape[1], image.shape[2])
        if h <= size && w <= size { return try padded(image) }
        let multiple = model.sizeMultiple
        guard size % multiple == 0, stride >= 1, stride <= size else {
            throw TrainingError.invalidConfiguration("sliding window: size \(size) must be a multiple of \(multiple) and 1 ≤ stride (\(stride)) ≤ size")
        }
        let grid = try TileGrid(image: ImageSize(height: h, width: w), tile: ImageSize(height: min(size, h), width: min(size, w)), stride: stride)
        var accumulator = try TileAccumulator(grid: grid, channels: model.classes)
        for (index, tile) in try grid.cut(image).enumerated() {
            try accumulator.add(try padded(tile.reshaped([c] + Array(tile.shape.suffix(2)))), at: index)
        }
        return try accumulator.result()
    }
}

extension Predictor {
    /// Segments an image file: reads it (PNG, TIFF, GIF, JPEG, `.npy`), drops alpha, optionally
    /// resizes it to `size`, z-scores it as in training, predicts, and returns the label map at
    /// the file's own size as an 8-bit image (labels scaled to 0…255).
    public func segment(file: URL, size: ImageSize? = nil) throws -> Image {
        let raw = try Image.read(from: file).droppingAlpha()
        guard raw.channels == model.inChannels else {
            throw DatasetError.invalidOptions("\(file.path) has \(raw.channels) channels; the model expects \(model.inChannels)")
        }
        var x = raw.tensor
        if let size, (size.height, size.width) != (raw.height, raw.width) {
            x = try Resize.image(x, height: size.height, width: size.width)
        }
        x = Normalization.zScore(x)
        var labels = try labels(x).map { Float($0) }
        if let size, (size.height, size.width) != (raw.height, raw.width) {
            labels = try Resize.labels(Tensor(shape: [size.height, size.width], scalars: labels),
                                       height: raw.height, width: raw.width, method: .nearest).scalars
        }
        let scale = Float(255 / max(1, model.classes - 1))
        return try Image(width: raw.width, height: raw.height, channels: 1, bitDepth: 8, pixels: labels.map { $0 * scale })
    }
}
