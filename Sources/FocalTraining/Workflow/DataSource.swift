import FocalData
import FocalCore
import Foundation

/// Where an experiment's images come from and how they are prepared: a folder of images and
/// masks (paired by file stem or by patterns such as DRIVE's), an optional separate test
/// folder (a dataset's own test split), or the bundled nuclei tiles.
public struct DataSource: Codable, Sendable, Equatable {
    /// Image folder (`nil`: the bundled nuclei tiles, `DefaultDataset`).
    public var images: String?
    /// Mask folder (required with `images`).
    public var masks: String?
    /// Optional file-name patterns with `{id}` (e.g. `{id}_training.tif`, `{id}_manual1.gif`).
    public var imagePattern: String?
    public var maskPattern: String?
    /// A dataset's own test split (images and masks), kept as the test set.
    public var testImages: String?
    public var testMasks: String?
    /// Training size (`nil`: keep the files' size; they must then agree).
    public var size: ImageSize?
    /// Number of classes C (binary masks: 2; label maps: their number of labels).
    public var classes: Int = 2
    /// Seed of the split (80% development / 20% test; development 80% train / 20% validation).
    public var splitSeed: UInt64 = 0

    public init(images: String? = nil, masks: String? = nil, imagePattern: String? = nil, maskPattern: String? = nil,
                testImages: String? = nil, testMasks: String? = nil, size: ImageSize? = nil, classes: Int = 2, splitSeed: UInt64 = 0) {
        self.images = images
        self.masks = masks
        self.imagePattern = imagePattern
        self.maskPattern = maskPattern
        self.testImages = testImages
        self.testMasks = testMasks
        self.size = size
        self.classes = classes
        self.splitSeed = splitSeed
    }

    /// The bundled nuclei tiles (128×128).
    public static let bundledNuclei = DataSource(size: ImageSize(square: 128))

    /// A short human-readable name of the data.
    public var label: String { images ?? DefaultDataset.label }

    private func folder(_ images: String, _ masks: String?) throws -> DatasetFolder {
        guard let masks else { throw DatasetError.invalidOptions("a mask folder is required with the image folder \(images)") }
        let i = URL(fileURLWithPath: images), m = URL(fileURLWithPath: masks)
        if let ip = imagePattern, let mp = maskPattern {
            return try DatasetFolder(images: i, masks: m, imagePattern: ip, maskPattern: mp)
        }
        if imagePattern != nil || maskPattern != nil {
            throw DatasetError.invalidOptions("give both an image pattern and a mask pattern, or neither")
        }
        return DatasetFolder(images: i, masks: m)
    }

    /// Loads, resizes and z-scores every image and splits them; pairing warnings (unpaired
    /// files) are returned, never dropped silently.
    public func load() throws -> (split: SegmentationSplit, warnings: [String], channels: Int) {
        let options = SegmentationLoadOptions(size: size, classes: classes)
        let main: DatasetFolder = try images.map { try folder($0, masks) } ?? DefaultDataset.folder()
        let dataset = try SegmentationDataset.load(main, options: options)
        var testSet: SegmentationDataset? = nil
        if let testImages {
            testSet = try SegmentationDataset.load(try folder(testImages, testMasks), options: options)
        }
        guard let first = dataset.samples.first else {
            throw DatasetError.invalidOptions("no image/mask pairs found in \(label)")
        }
        let channels = first.channels
        for s in dataset.samples + (testSet?.samples ?? []) where s.channels != channels {
            throw DatasetError.invalidOptions("\(s.imageURL?.path ?? s.name) has \(s.channels) channels, \(first.name) has \(channels): use images with the same channels")
        }
        let split = try dataset.split(seed: splitSeed, test: testSet)
        let warnings = (dataset.warnings + (testSet?.warnings ?? [])).map(\.description)
        return (split, warnings, channels)
    }
}
