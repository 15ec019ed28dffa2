import Foundation
import FocalCore
import FocalData
import FocalNets

/// Runs a trained network on images of any size.
///
/// Full-image mode pads the image (with zeros, i.e. the z-score mean) up to a multiple of
/// the network's size factor and crops the result. Sliding-window mode (`SlidingWindow`)
/// covers a large image with overlapping, Gaussian-weighted windows in bounded memory. Before
/// every forward pass the memory it needs is estimated (`ForwardMemory`); above
/// `memoryBudget` it throws `MemoryBudgetError` instead of allocating.
public struct Predictor {
    /// How to cover an image.
    public enum Mode: Sendable, Equatable {
        /// One pass over the whole (padded) image.
        case fullImage
        /// Overlapping windows blended with Gaussian weights.
        case slidingWindow(SlidingWindow)
    }

    /// The network (switched to evaluation mode while predicting).
    public let model: any SegmentationNetwork
    /// The covering mode.
    public var mode: Mode
    /// The most memory one forward pass may take.
    public var memoryBudget: MemoryBudget

    /// A predictor; throws `TrainingError.invalidConfiguration` when a window's height or width
    /// is not a multiple of the network's size factor.
    public init(model: any SegmentationNetwork, mode: Mode = .fullImage, memoryBudget: MemoryBudget = .standard) throws {
        if case let .slidingWindow(window) = mode {
            let m = model.sizeMultiple
            guard window.size.height % m == 0, window.size.width % m == 0 else {
                throw TrainingError.invalidConfiguration("sliding window \(window.size): its height and width must each be a multiple of \(m)")
            }
        }
        self.model = model
        self.mode = mode
        self.memoryBudget = memoryBudget
    }

    /// Class probabilities `[C, H, W]` for a `[channels, H, W]` image.
    public func probabilities(_ image: Tensor) throws -> Tensor {
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        return try withNoGrad {
            switch mode {
            case .fullImage: return try padded(image)
            case let .slidingWindow(window): return try window.probabilities(of: image, predict: padded)
            }
        }
    }

    /// The argmax label map `[H·W]` of an image (ties to the lower class).
    public func labels(_ image: Tensor) throws -> [Int32] {
        try Self.argmax(try probabilities(image))
    }

    /// The argmax label map `[H·W]` of `[C, H, W]` probabilities (ties to the lower class).
    public static func argmax(_ p: Tensor) throws -> [Int32] {
        try SegmentationMetrics.argmax(p.reshaped([1] + p.shape))[0]
    }

    /// Throws `MemoryBudgetError` unless predicting an image of `size` fits the budget (with
    /// windows: the window's pass).
    public func checkMemory(for size: ImageSize) throws {
        var pass = size
        if case let .slidingWindow(window) = mode {
            pass = ImageSize(height: min(size.height, window.size.height), width: min(size.width, window.size.width))
        }
        let f = model.sizeMultiple
        try ForwardMemory.checkInference(model, size: ImageSize(height: (pass.height + f - 1) / f * f,
                                                                              width: (pass.width + f - 1) / f * f),
                                         budget: memoryBudget)
    }

    private func padded(_ image: Tensor) throws -> Tensor {
        let f = model.sizeMultiple
        let (c, h, w) = (image.shape[0], image.shape[1], image.shape[2])
        let ph = (h + f - 1) / f * f, pw = (w + f - 1) / f * f
        try ForwardMemory.checkInference(model, size: ImageSize(height: ph, width: pw), budget: memoryBudget)
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
}

extension Predictor {
    /// Segments an image file the way `Evaluator` scores a sample: reads it (PNG, TIFF, GIF,
    /// JPEG, `.npy`), drops alpha, resizes it to `size` when given (as training did), z-scores
    /// it, predicts, and brings the result back to the file's own size by nearest neighbour.
    /// Returns the label map as an 8-bit image (labels scaled to 0…255) and the class
    /// probabilities `[C, H, W]` at the file's size (nearest neighbour too, so their argmax is
    /// the mask).
    public func segment(file: URL, size: ImageSize? = nil) throws -> (mask: Image, probabilities: Tensor) {
        let raw = try Image.read(from: file).droppingAlpha()
        guard raw.channels == model.inChannels else {
            throw DatasetError.invalidOptions("\(file.path) has \(raw.channels) channels; the model expects \(model.inChannels)")
        }
        let resize = size.map { ($0.height, $0.width) != (raw.height, raw.width) } ?? false
        try checkMemory(for: resize ? size! : ImageSize(height: raw.height, width: raw.width))
        var x = raw.tensor
        if let size, resize { x = try Resize.image(x, height: size.height, width: size.width) }
        x = Normalization.zScore(x)
        var p = try probabilities(x)
        if resize {
            let (k, h, w) = (p.shape[0], p.shape[1], p.shape[2])
            var planes: [Float] = []
            planes.reserveCapacity(k * raw.height * raw.width)
            for c in 0..<k {
                let plane = p.slice(axis: 0, c..<(c + 1)).contiguous().reshaped([h, w])
                planes += try Resize.labels(plane, height: raw.height, width: raw.width, method: .nearest).scalars
            }
            p = Tensor(shape: [k, raw.height, raw.width], scalars: planes)
        }
        let labels = try Self.argmax(p)
        let scale = Float(255 / max(1, model.classes - 1))
        let mask = try Image(width: raw.width, height: raw.height, channels: 1, bitDepth: 8, pixels: labels.map { Float($0) * scale })
        return (mask, p)
    }
}
