import FocalCore
import Foundation

/// A training image size, height × width.
public struct ImageSize: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Rows.
    public var height: Int
    /// Columns.
    public var width: Int

    /// A size.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// A square size.
    public init(square side: Int) { self.init(height: side, width: side) }

    public var description: String { "\(height)×\(width)" }
}

/// How `SegmentationDataset` turns files into samples.
public struct SegmentationLoadOptions: Sendable, Equatable, Codable {
    /// Resize every image and mask to this size (`nil`: keep the file sizes, which must then
    /// agree for batching).
    public var size: ImageSize?
    /// Number of classes, background included. With 2, a mask is binary: 0 and one foreground
    /// value (so 0/255 and 0/1 masks both work; any other value is an error, see
    /// `SegmentationDataset.labels(of:classes:path:)`). With more, mask values must already be
    /// the labels `0…classes−1`.
    public var classes: Int
    /// Image channels wanted: 1 (RGB is converted to grey with ITU-R 601 luma,
    /// `0.299 R + 0.587 G + 0.114 B`, as PIL's `convert("L")`), 3 (grey is repeated), or `nil`
    /// (as in the files, which must then all agree). Alpha is always dropped.
    public var channels: Int?
    /// Image interpolation for resizing.
    public var imageResize: ImageResizeMethod
    /// Label-map resizing.
    public var maskResize: LabelResizeMethod
    /// Z-score each image after resizing (`Normalization.zScore`); otherwise values stay in
    /// the file's range.
    public var zScore: Bool

    /// Options; the defaults follow the paper's pipeline (resize, then z-score) for binary masks.
    public init(size: ImageSize? = nil, classes: Int = 2, channels: Int? = nil,
                imageResize: ImageResizeMethod = .cubicBSpline, maskResize: LabelResizeMethod = .nearest,
                zScore: Bool = true) {
        self.size = size
        self.classes = classes
        self.channels = channels
        self.imageResize = imageResize
        self.maskResize = maskResize
        self.zScore = zScore
    }
}

/// Training, validation and test samples.
public struct SegmentationSplit: Sendable {
    /// Training samples.
    public let train: [SegmentationSample]
    /// Validation samples.
    public let validation: [SegmentationSample]
    /// Test samples.
    public let test: [SegmentationSample]
}

/// A segmentation dataset loaded fully into memory: images `[C, H, W]` (resized and
/// z-scored) with label maps `[H, W]`, plus the pairing warnings of its folder.
public struct SegmentationDataset: Sendable {
    /// The samples, in id order.
    public let samples: [SegmentationSample]
    /// Files of the folder that were not paired.
    public let warnings: [PairingWarning]
    /// The options the samples were loaded with.
    public let options: SegmentationLoadOptions

    /// A dataset from samples already in memory.
    public init(samples: [SegmentationSample], warnings: [PairingWarning] = [], options: SegmentationLoadOptions) {
        self.samples = samples
        self.warnings = warnings
        self.options = options
    }

    /// Pairs a folder and loads every pair. Throws `DatasetError` (pairing, size mismatch,
    /// bad mask values) or `ImageError` (unreadable files), naming the files.
    public static func load(_ folder: DatasetFolder, options: SegmentationLoadOptions = .init()) throws -> SegmentationDataset {
        let pairing = try folder.pair()
        return SegmentationDataset(samples: try load(pairs: pairing.pairs, options: options),
                                   warnings: pairing.warnings, options: options)
    }

    /// Loads image/mask pairs.
    public static func load(pairs: [ImageMaskPair], options: SegmentationLoadOptions = .init()) throws -> [SegmentationSample] {
        guard options.classes >= 2 else { throw DatasetError.invalidOptions("classes must be ≥ 2, got \(options.classes)") }
        if let c = options.channels, c != 1 && c != 3 {
            throw DatasetError.invalidOptions("channels must be 1, 3 or nil, got \(c)")
        }
        if let s = options.size, s.height < 1 || s.width < 1 {
            throw DatasetError.invalidOptions("the training size \(s) must be positive")
        }
        var samples: [SegmentationSample] = []
        samples.reserveCapacity(pairs.count)
        var channels = options.channels
        for pair in pairs {
            let sample = try load(pair, options: options, channels: &channels)
            if options.size == nil, let first = samples.first, first.height != sample.height || first.width != sample.width {
                throw DatasetError.invalidImage(
                    pair.image.path,
                    "size \(sample.height)×\(sample.width) differs from \(first.height)×\(first.width) of \(first.imageURL?.path ?? first.name); set a training size")
            }
            samples.append(sample)
        }
        return samples
    }

    /// Loads one pair; `channels` is fixed by the first image when not given.
    static func load(_ pair: ImageMaskPair, options: SegmentationLoadOptions, channels: inout Int?) throws -> SegmentationSample {
        let image = try Image.read(from: pair.image).droppingAlpha()
        let mask = try Image.read(from: pair.mask).droppingAlpha()
        guard image.height == mask.height, image.width == mask.width else {
            throw DatasetError.sizeMismatch(image: pair.image.path, imageSize: [image.height, image.width],
                                            mask: pair.mask.path, maskSize: [mask.height, mask.width])
        }
        let wanted = channels ?? image.channels
        channels = wanted
        var x = try convert(image, to: wanted, path: pair.image.path).tensor
        var y = Tensor(shape: [mask.height, mask.width], scalars: try labels(of: mask, classes: options.classes, path: pair.mask.path))
        if let size = options.size {
            x = try Resize.image(x, height: size.height, width: size.width, method: options.imageResize)
            y = try Resize.labels(y, height: size.height, width: size.width, method: options.maskResize)
        }
        if options.zScore { x = Normalization.zScore(x) }
        return try SegmentationSample(name: pair.id, image: x, mask: y, originalHeight: image.height,
                                      originalWidth: image.width, imageURL: pair.image, maskURL: pair.mask)
    }

    /// Converts an alpha-free image to 1 or 3 channels.
    static func convert(_ image: Image, to channels: Int, path: String) throws -> Image {
        if image.channels == channels { return image }
        let plane = image.width * image.height
        switch (image.channels, channels) {
        case (1, 3):
            return try Image(width: image.width, height: image.height, channels: 3, bitDepth: image.bitDepth,
                             pixels: image.pixels + image.pixels + image.pixels)
        case (3, 1):
            var grey = [Float](repeating: 0, count: plane)
            for p in 0..<plane {
                grey[p] = 0.299 * image.pixels[p] + 0.587 * image.pixels[plane + p] + 0.114 * image.pixels[2 * plane + p]
            }
            return try Image(width: image.width, height: image.height, channels: 1, bitDepth: image.bitDepth, pixels: grey)
        default:
            throw DatasetError.invalidImage(path, "has \(image.channels) channel(s) without alpha; the dataset uses \(channels)")
        }
    }

    /// The label map of an alpha-free mask, refusing masks whose values are not labels.
    ///
    /// - 2 classes (binary): every sample is 0 or one and the same foreground value (0/255,
    ///   0/1, 0/65535…; over all colour channels), and a pixel with any non-zero sample is
    ///   class 1.
    /// - More classes: one grey channel (or three equal ones) holding the labels `0…classes−1`.
    ///
    /// Anything else — the dozens of grey levels of a mask saved as JPEG or resized with
    /// interpolation, a 0/1/2 map given as binary — throws `DatasetError.invalidMask` naming
    /// the file, the number of odd pixels and the values seen, rather than being silently
    /// thresholded.
    public static func labels(of mask: Image, classes: Int, path: String) throws -> [Float] {
        let plane = mask.width * mask.height
        if classes == 2 {
            let histogram = MaskValueHistogram(mask.pixels)
            let nonZero = histogram.values.filter { $0 != 0 }
            if nonZero.count > 1 || nonZero.contains(where: { !($0 > 0 && $0.isFinite) }) {
                // The foreground value the file most likely meant: the format's maximum, 1, or
                // the most frequent non-zero value.
                let foreground = [mask.maximumValue, 1].compactMap { $0 }.first(where: nonZero.contains)
                    ?? nonZero.max { histogram.count(of: $0) < histogram.count(of: $1) }!
                throw DatasetError.invalidMask(path, histogram.oddValues(expected: [0, foreground], total: mask.pixels.count,
                                                                         what: "neither 0 nor \(Self.format(foreground))"))
            }
            var out = [Float](repeating: 0, count: plane)
            for c in 0..<mask.channels {
                for p in 0..<plane where mask.pixels[c * plane + p] != 0 { out[p] = 1 }
            }
            return out
        }
        if mask.channels == 3 {
            for p in 0..<plane where mask.pixels[p] != mask.pixels[plane + p] || mask.pixels[p] != mask.pixels[2 * plane + p] {
                throw DatasetError.invalidMask(path, "a colour mask (pixel at row \(p / mask.width), column \(p % mask.width) is not grey) cannot hold \(classes) class labels")
            }
        } else if mask.channels != 1 {
            throw DatasetError.invalidMask(path, "a label map needs one channel, this mask has \(mask.channels)")
        }
        let out = Array(mask.pixels[0..<plane])
        if out.contains(where: { !($0 >= 0 && $0 < Float(classes) && $0 == $0.rounded()) }) {
            throw DatasetError.invalidMask(path, MaskValueHistogram(out).oddValues(
                expected: Set((0..<classes).map(Float.init)), total: plane, what: "not a label 0…\(classes - 1)"))
        }
        return out
    }

    /// `255.0` → "255"; `0.5` → "0.5".
    static func format(_ v: Float) -> String {
        v.isFinite && v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : "\(v)"
    }

    /// The fraction of all mask pixels that are not background.
    public var foregroundFraction: Double {
        var foreground = 0.0, total = 0.0
        for s in samples {
            foreground += s.foregroundFraction * Double(s.mask.count)
            total += Double(s.mask.count)
        }
        return total > 0 ? foreground / total : 0
    }

    /// A seeded split (`DatasetSplitter`): 80% development / 20% test, development 80% train /
    /// 20% validation. With `test`, that dataset is the test set (DRIVE-style) and this one is
    /// split into training and validation only.
    public func split(seed: UInt64, test: SegmentationDataset? = nil,
                      testFraction: Double = DatasetSplitter.defaultTestFraction,
                      validationFraction: Double = DatasetSplitter.defaultValidationFraction) throws -> SegmentationSplit {
        if let test {
            let indices = try DatasetSplitter.split(count: samples.count, seed: seed, validationFraction: validationFraction, fixedTest: [])
            let parts = indices.apply(to: samples)
            return SegmentationSplit(train: parts.train, validation: parts.validation, test: test.samples)
        }
        let indices = try DatasetSplitter.split(count: samples.count, seed: seed, testFraction: testFraction,
                                                validationFraction: validationFraction)
        let parts = indices.apply(to: samples)
        return SegmentationSplit(train: parts.train, validation: parts.validation, test: parts.test)
    }
}
