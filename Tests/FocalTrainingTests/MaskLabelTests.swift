import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// How mask files become label maps: valid binary masks and label maps exactly as before,
/// anything else refused with the file, the count of odd values and the values seen.
@Suite("MaskLabels")
struct MaskLabelTests {
    private static func mask(_ values: [Float], channels: Int = 1, bitDepth: Int = 8) throws -> Image {
        try Image(width: values.count / channels, height: 1, channels: channels, bitDepth: bitDepth, pixels: values)
    }

    @Test("binary masks (0/255, 0/1, 0/65535, colour 0/255, all zero) give the non-zero pixels as class 1")
    func validBinary() throws {
        for (values, channels, depth) in [([0, 255, 255, 0], 1, 8), ([0, 1, 0, 1], 1, 8), ([65535, 0, 0, 0], 1, 16),
                                          ([0, 0, 0, 0], 1, 8), ([255, 0, 0, 0, 0, 255], 3, 8)] as [([Float], Int, Int)] {
            let image = try Self.mask(values, channels: channels, bitDepth: depth)
            let plane = values.count / channels
            let thresholded = (0..<plane).map { p in (0..<channels).contains { values[$0 * plane + p] != 0 } ? Float(1) : 0 }
            #expect(try SegmentationDataset.labels(of: image, classes: 2, path: "m.png") == thresholded, "\(values)")
        }
    }

    @Test("a binary mask with other values is refused with the count, the values and the JPEG hint")
    func oddBinary() throws {
        let image = try Self.mask([0, 255, 254, 3, 255, 0, 128, 255])
        #expect {
            try SegmentationDataset.labels(of: image, classes: 2, path: "m/a.jpg")
        } throws: { error in
            guard case let .invalidMask(path, why)? = error as? DatasetError else { return false }
            return path == "m/a.jpg" && why.hasPrefix("3 of 8 pixel values are neither 0 nor 255 (5 distinct values: 0, 3, 128, 254, 255)")
                && why.contains("JPEG masks are lossy, save them as PNG")
        }
        // NaN and negative values of .npy masks are odd values too.
        #expect(throws: DatasetError.self) { try SegmentationDataset.labels(of: try Self.mask([0, 1, .nan, 0], bitDepth: 32), classes: 2, path: "m.npy") }
        #expect(throws: DatasetError.self) { try SegmentationDataset.labels(of: try Self.mask([0, -1, 0, 0], bitDepth: 32), classes: 2, path: "m.npy") }
    }

    @Test("label maps: 0…C−1 kept, others refused with the count")
    func labelMaps() throws {
        #expect(try SegmentationDataset.labels(of: try Self.mask([0, 1, 2, 2]), classes: 3, path: "m.png") == [0, 1, 2, 2])
        #expect {
            try SegmentationDataset.labels(of: try Self.mask([0, 1, 2, 5, 5]), classes: 3, path: "m.png")
        } throws: { error in
            guard case let .invalidMask(_, why)? = error as? DatasetError else { return false }
            return why.hasPrefix("2 of 5 pixel values are not a label 0…2 (4 distinct values: 0, 1, 2, 5)")
        }
    }

    @Test("a folder of JPEG images with PNG masks loads; the JPEG-saved mask is refused")
    func jpegDataset() throws {
        let jpeg = try #require(Bundle.module.url(forResource: "jpeg", withExtension: nil, subdirectory: "Fixtures"))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("focal-jpegdata-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        for sub in ["images", "masks"] { try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true) }
        try fm.copyItem(at: jpeg.appendingPathComponent("mask_image.jpg"), to: root.appendingPathComponent("images/a.jpeg"))
        // The lossy mask, thresholded at 128 and saved as PNG: a valid 0/255 mask.
        let lossy = try Image.read(from: jpeg.appendingPathComponent("mask_lossy.jpg"))
        let clean = try Image(width: lossy.width, height: lossy.height, channels: 1, bitDepth: 8,
                              pixels: lossy.pixels.map { $0 >= 128 ? 255 : 0 })
        try PNGCodec.write(clean, to: root.appendingPathComponent("masks/a.png"), as: .grey8)
        let dataset = try SegmentationDataset.load(DatasetFolder(root: root))
        #expect(dataset.samples.count == 1 && dataset.samples[0].image.shape == [3, 32, 32])
        let fraction = dataset.samples[0].foregroundFraction
        #expect(fraction > 0.2 && fraction < 0.3, "\(fraction)")
        try fm.removeItem(at: root.appendingPathComponent("masks/a.png"))
        try fm.copyItem(at: jpeg.appendingPathComponent("mask_lossy.jpg"), to: root.appendingPathComponent("masks/a.jpg"))
        #expect(throws: DatasetError.self) { try SegmentationDataset.load(DatasetFolder(root: root)) }
    }
}
