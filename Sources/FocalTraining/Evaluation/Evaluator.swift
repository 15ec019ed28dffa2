import FocalData
import FocalCore
import FocalNets
import Foundation

/// What `Evaluator` found on a set of images.
public struct EvaluationReport: Sendable {
    /// Per-image metrics (foreground classes after argmax) and their means.
    public var metrics: MetricsAccumulator
    /// Mean per-image scores (the paper's figures).
    public var mean: MetricScores { metrics.mean }
    /// Mean per-image boundary scores (HD95, ASSD, NSD; see `BoundaryMean` for the images left
    /// out of the distance means), or nil when they were not computed.
    public var boundary: BoundaryMean? { metrics.boundaryMean }
    /// Files written (masks, overlays, CSV).
    public var files: [URL]
}

/// Evaluates a network the way the paper does (spec Part B §3): predict each full image at
/// training resolution, take the argmax, resize the label map back to the image's original
/// size by nearest neighbour, and score foreground DSC, precision, recall and IoU per image
/// against the original mask; report the mean over images. By default it also scores the
/// boundaries (`BoundaryMetrics`: HD95, ASSD, NSD per foreground class, at the original
/// resolution). Optionally writes each predicted mask and an overlay (true positives green,
/// false positives red, false negatives blue on the grey image) as PNG, and the per-image
/// scores as CSV.
public struct Evaluator {
    /// The predictor (full image or sliding window).
    public var predictor: Predictor
    /// Spacing and surface Dice tolerance of the boundary metrics, or nil to skip them.
    public var boundary: BoundaryMetrics.Options?

    /// An evaluator; `boundary` nil skips the boundary metrics.
    public init(predictor: Predictor, boundary: BoundaryMetrics.Options? = BoundaryMetrics.Options()) {
        self.predictor = predictor
        self.boundary = boundary
    }

    /// Scores `samples`; with `outputDirectory`, writes `predictions/`, `overlays/` and
    /// `metrics.csv` there.
    public func evaluate(_ samples: [SegmentationSample], outputDirectory: URL? = nil) throws -> EvaluationReport {
        let classes = predictor.model.classes
        if let boundary { try BoundaryMetrics.check(boundary) }
        var metrics = MetricsAccumulator()
        var files: [URL] = []
        let fm = FileManager.default
        let predictionDir = outputDirectory?.appendingPathComponent("predictions")
        let overlayDir = outputDirectory?.appendingPathComponent("overlays")
        for dir in [predictionDir, overlayDir].compactMap({ $0 }) { try fm.createDirectory(at: dir, withIntermediateDirectories: true) }
        for sample in samples {
            var labels = try predictor.labels(sample.image)
            var truth = sample.mask
            var height = sample.height, width = sample.width
            var image = sample.image
            // Back to the original resolution, against the original mask (paper protocol).
            if (sample.originalHeight, sample.originalWidth) != (height, width), let maskURL = sample.maskURL {
                let resized = try Resize.labels(Tensor(shape: [height, width], scalars: labels.map(Float.init)),
                                                height: sample.originalHeight, width: sample.originalWidth, method: .nearest)
                labels = resized.scalars.map { Int32($0) }
                let original = try SegmentationDataset.load(
                    pairs: [ImageMaskPair(id: sample.name, image: sample.imageURL ?? maskURL, mask: maskURL)],
                    options: SegmentationLoadOptions(size: nil, classes: classes))
                truth = original[0].mask
                image = original[0].image
                (height, width) = (sample.originalHeight, sample.originalWidth)
            }
            let truthLabels = truth.scalars.map { Int32($0) }
            if let boundary {
                try metrics.add(name: sample.name, prediction: labels, target: truthLabels, classes: classes,
                                height: height, width: width, boundary: boundary)
            } else {
                try metrics.add(name: sample.name, prediction: labels, target: truthLabels, classes: classes)
            }
            if let predictionDir, let overlayDir {
                let scale = Float(255 / max(1, classes - 1))
                let mask = try Image(width: width, height: height, channels: 1, bitDepth: 8, pixels: labels.map { Float($0) * scale })
                let maskURL = predictionDir.appendingPathComponent(sample.name + ".png")
                try PNGCodec.write(mask, to: maskURL, as: .grey8)
                let overlayURL = overlayDir.appendingPathComponent(sample.name + ".png")
                try PNGCodec.write(try Evaluator.overlay(image: image, predicted: labels, truth: truthLabels, width: width, height: height),
                                   to: overlayURL, as: .rgb8)
                files += [maskURL, overlayURL]
            }
        }
        if let outputDirectory {
            let csv = outputDirectory.appendingPathComponent("metrics.csv")
            try metrics.writeCSV(to: csv)
            files.append(csv)
        }
        return EvaluationReport(metrics: metrics, files: files)
    }

    /// An RGB overlay: the first image channel min–max scaled to grey, foreground true
    /// positives tinted green, false positives red, false negatives blue.
    public static func overlay(image: Tensor, predicted: [Int32], truth: [Int32], width: Int, height: Int) throws -> Image {
        let plane = width * height
        let grey = Array(image.scalars.prefix(plane))
        let lo = grey.min() ?? 0, hi = grey.max() ?? 1
        let span = hi > lo ? hi - lo : 1
        var pixels = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            let g = (grey[i] - lo) / span * 200
            var rgb = (g, g, g)
            let p = predicted[i] != 0, t = truth[i] != 0
            if p && t { rgb = (g * 0.5, g * 0.5 + 127, g * 0.5) }
            else if p { rgb = (g * 0.5 + 127, g * 0.5, g * 0.5) }
            else if t { rgb = (g * 0.5, g * 0.5, g * 0.5 + 127) }
            pixels[i] = rgb.0
            pixels[plane + i] = rgb.1
            pixels[2 * plane + i] = rgb.2
        }
        return try Image(width: width, height: height, channels: 3, bitDepth: 8, pixels: pixels)
    }
}
