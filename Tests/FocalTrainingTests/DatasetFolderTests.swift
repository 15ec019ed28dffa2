import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// A temporary dataset folder written with `PNGCodec`, removed at the end of the test.
private final class TemporaryDataset {
    let root: URL
    let images: URL
    let masks: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("focal-data-\(UUID().uuidString)")
        images = root.appendingPathComponent("images")
        masks = root.appendingPathComponent("masks")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: masks, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ folder: URL, _ name: String, height: Int, width: Int, encoding: PNGEncoding = .grey8,
               value: (Int, Int, Int) -> Float) throws {
        let c = encoding.channels
        var pixels = [Float](repeating: 0, count: c * height * width)
        for ch in 0..<c { for y in 0..<height { for x in 0..<width { pixels[(ch * height + y) * width + x] = value(ch, y, x) } } }
        let image = try Image(width: width, height: height, channels: c, bitDepth: 8, pixels: pixels)
        try PNGCodec.write(image, to: folder.appendingPathComponent(name), as: encoding)
    }
}

@Suite("DatasetFolder")
struct DatasetFolderTests {
    @Test("pairs by stem and reports every unpaired file")
    func stemPairing() throws {
        let d = try TemporaryDataset()
        for name in ["a.png", "b.png", "c10.png", "c2.png", "only_image.png"] {
            try d.write(d.images, name, height: 4, width: 5) { _, y, x in Float(y * 5 + x) }
        }
        for name in ["a.png", "b.png", "c10.png", "c2.png", "only_mask.png"] {
            try d.write(d.masks, name, height: 4, width: 5) { _, y, _ in y > 1 ? 255 : 0 }
        }
        try Data("notes".utf8).write(to: d.images.appendingPathComponent("README.txt"))
        try Data().write(to: d.masks.appendingPathComponent(".DS_Store"))
        let pairing = try DatasetFolder(root: d.root).pair()
        #expect(pairing.pairs.map(\.id) == ["a", "b", "c2", "c10"])
        #expect(pairing.pairs[0].mask.lastPathComponent == "a.png")
        let warnings = pairing.warnings.map { "\($0.file.lastPathComponent): \($0.reason.rawValue)" }
        #expect(Set(warnings) == ["README.txt: not an image file of this dataset", "only_image.png: image without a mask",
                                  "only_mask.png: mask without an image"])
        #expect(pairing.warnings.allSatisfy { $0.description.contains(d.root.path) })
    }

    @Test("pairs by explicit patterns (DRIVE style)")
    func patternPairing() throws {
        let d = try TemporaryDataset()
        for id in ["21", "22", "23"] {
            try d.write(d.images, "\(id)_training.png", height: 3, width: 3) { _, _, _ in 1 }
        }
        for id in ["21", "22", "24"] {
            try d.write(d.masks, "\(id)_manual1.png", height: 3, width: 3) { _, _, _ in 0 }
        }
        try d.write(d.masks, "21_mask.png", height: 3, width: 3) { _, _, _ in 0 }
        let folder = try DatasetFolder(images: d.images, masks: d.masks,
                                       imagePattern: "{id}_training.png", maskPattern: "{id}_manual1.png")
        let pairing = try folder.pair()
        #expect(pairing.pairs.map(\.id) == ["21", "22"])
        #expect(pairing.pairs[1].mask.lastPathComponent == "22_manual1.png")
        #expect(Set(pairing.warnings.map(\.file.lastPathComponent)) == ["23_training.png", "24_manual1.png", "21_mask.png"])
        #expect(throws: DatasetError.invalidPattern("training.png")) {
            try DatasetFolder(images: d.images, masks: d.masks, imagePattern: "training.png", maskPattern: "{id}.png")
        }
        let pattern = try FilePattern("{id}_manual1.gif")
        #expect(pattern.id(of: "07_manual1.gif") == "07" && pattern.id(of: "_manual1.gif") == nil)
        #expect(pattern.fileName(for: "07") == "07_manual1.gif")
    }

    @Test("missing folders, duplicate ids and no pairs are typed errors")
    func pairingErrors() throws {
        let d = try TemporaryDataset()
        let missing = d.root.appendingPathComponent("nope")
        #expect(throws: DatasetError.folderNotFound(missing.path)) { try DatasetFolder(images: missing, masks: d.masks).pair() }
        #expect(throws: DatasetError.noPairs(images: d.images.path, masks: d.masks.path)) { try DatasetFolder(root: d.root).pair() }
        try d.write(d.images, "x.png", height: 2, width: 2) { _, _, _ in 0 }
        try FileManager.default.copyItem(at: d.images.appendingPathComponent("x.png"), to: d.images.appendingPathComponent("x.tif"))
        do {
            _ = try DatasetFolder(root: d.root).pair()
            Issue.record("duplicate stems were accepted")
        } catch let DatasetError.duplicateID(id, files) {
            #expect(id == "x" && files.count == 2)
        }
    }

    @Test("loading: binary masks, resizing, z-scoring, one-hot")
    func loadBinary() throws {
        let d = try TemporaryDataset()
        for (k, name) in ["p", "q", "r"].enumerated() {
            try d.write(d.images, "\(name).png", height: 6, width: 8, encoding: .rgb8) { c, y, x in Float((c * 40 + y * 8 + x + k) % 256) }
            try d.write(d.masks, "\(name).png", height: 6, width: 8) { _, y, x in y >= 3 && x >= 4 ? 255 : 0 }
        }
        let options = SegmentationLoadOptions(size: ImageSize(height: 12, width: 16))
        let dataset = try SegmentationDataset.load(DatasetFolder(root: d.root), options: options)
        #expect(dataset.samples.count == 3 && dataset.warnings.isEmpty)
        let s = dataset.samples[0]
        #expect(s.image.shape == [3, 12, 16] && s.mask.shape == [12, 16])
        #expect((s.originalHeight, s.originalWidth) == (6, 8))
        #expect(Set(s.mask.scalars) == [0, 1])
        #expect(abs(s.foregroundFraction - 0.25) < 1e-9 && abs(dataset.foregroundFraction - 0.25) < 1e-9)
        let stats = Normalization.statistics(of: s.image)
        #expect(abs(stats.mean) < 1e-5 && abs(stats.standardDeviation - 1) < 1e-4)
        let hot = try s.oneHot(classes: 2)
        #expect(hot.shape == [2, 12, 16])
        #expect(hot[0, 0, 0] == 1 && hot[1, 0, 0] == 0 && hot[1, 11, 15] == 1 && hot[0, 11, 15] == 0)
        #expect(throws: DatasetError.self) { try s.oneHot(classes: 1) }

        // Grey output from RGB files: one channel, ITU-R 601 luma before z-scoring.
        let grey = try SegmentationDataset.load(DatasetFolder(root: d.root),
                                                options: SegmentationLoadOptions(channels: 1, zScore: false))
        let g = grey.samples[0]
        #expect(g.image.shape == [1, 6, 8])
        #expect(abs(g.image[0, 1, 2] - (0.299 * 10 + 0.587 * 50 + 0.114 * 90)) < 1e-4)
    }

    @Test("label maps with more classes are kept; bad labels and size mismatches name the files")
    func loadLabelsAndErrors() throws {
        let d = try TemporaryDataset()
        try d.write(d.images, "m.png", height: 4, width: 4) { _, y, x in Float(y * 4 + x) }
        try d.write(d.masks, "m.png", height: 4, width: 4) { _, y, _ in Float(y % 3) }
        let three = try SegmentationDataset.load(DatasetFolder(root: d.root), options: SegmentationLoadOptions(classes: 3))
        #expect(Set(three.samples[0].mask.scalars) == [0, 1, 2])
        #expect(try three.samples[0].oneHot(classes: 3)[2, 2, 0] == 1)
        // The same mask read as 2 classes is refused: 0/1/2 is not a binary mask.
        #expect {
            try SegmentationDataset.load(DatasetFolder(root: d.root))
        } throws: { error in
            guard case let .invalidMask(path, why)? = error as? DatasetError else { return false }
            return path.hasSuffix("masks/m.png") && why.contains("4 of 16 pixel values are neither 0 nor 1")
                && why.contains("3 distinct values: 0, 1, 2")
        }
        // Rows 0…3 as labels: 3 is not a class of a 3-class map.
        try d.write(d.masks, "m.png", height: 4, width: 4) { _, y, _ in Float(y) }
        do {
            _ = try SegmentationDataset.load(DatasetFolder(root: d.root), options: SegmentationLoadOptions(classes: 3))
            Issue.record("label 3 accepted for 3 classes")
        } catch let error as DatasetError {
            #expect(error.description.contains(d.masks.appendingPathComponent("m.png").path))
        }
        try d.write(d.masks, "m.png", height: 4, width: 5) { _, _, _ in 0 }
        do {
            _ = try SegmentationDataset.load(DatasetFolder(root: d.root))
            Issue.record("size mismatch accepted")
        } catch let error as DatasetError {
            guard case .sizeMismatch = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains(d.images.appendingPathComponent("m.png").path))
            #expect(error.description.contains(d.masks.appendingPathComponent("m.png").path))
        }
        #expect(throws: DatasetError.self) {
            try SegmentationDataset.load(DatasetFolder(root: d.root), options: SegmentationLoadOptions(classes: 1))
        }
    }

    @Test("NumPy images and masks load through the same path")
    func numpyPair() throws {
        let d = try TemporaryDataset()
        let fixtures = try #require(Bundle.module.url(forResource: "expected", withExtension: "json", subdirectory: "Fixtures/images"))
            .deletingLastPathComponent()
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("image_hwc.npy"), to: d.images.appendingPathComponent("n.npy"))
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("mask_hw.npy"), to: d.masks.appendingPathComponent("n.npy"))
        let dataset = try SegmentationDataset.load(DatasetFolder(root: d.root), options: SegmentationLoadOptions(zScore: false))
        let s = dataset.samples[0]
        #expect(s.image.shape == [2, 3, 4] && s.image[1, 0, 0] == -2.5 && s.mask[0, 0] == 1 && s.mask[0, 1] == 0)
    }

    @Test("the bundled nuclei dataset is found and loads: 176 tiles of 128×128")
    func defaultDataset() throws {
        let url = try DefaultDataset.url()
        #expect(url.path.hasSuffix("Focal_FocalData.resources/nuclei"))
        let dataset = try SegmentationDataset.load(try DefaultDataset.folder())
        #expect(dataset.samples.count == 176 && dataset.warnings.isEmpty)
        #expect(dataset.samples.allSatisfy { $0.image.shape == [1, 128, 128] && $0.mask.shape == [128, 128] })
        #expect(abs(dataset.foregroundFraction - 0.1018) < 5e-4)
        let message = DatasetError.defaultDatasetNotFound(searched: ["/x/Focal_FocalData.resources/nuclei"]).description
        #expect(message.contains("/x/Focal_FocalData.resources/nuclei") && message.contains("--images"))
    }
}
