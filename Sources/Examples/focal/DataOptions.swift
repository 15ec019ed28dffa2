import ArgumentParser
import FocalData
import FocalTraining
import Foundation

/// Where the images are (shared by train, evaluate and reproduce).
struct DataOptions: ParsableArguments {
    @Option(help: "Folder of training images (PNG, TIFF, GIF, JPEG or .npy). Default: the bundled nuclei tiles.")
    var images: String?
    @Option(help: "Folder of masks (binary: any non-zero is foreground; or label maps).")
    var masks: String?
    @Option(help: "Image file-name pattern with {id}, e.g. '{id}_training.tif' (with --mask-pattern).")
    var imagePattern: String?
    @Option(help: "Mask file-name pattern with {id}, e.g. '{id}_manual1.gif'.")
    var maskPattern: String?
    @Option(help: "The dataset's own test images (kept as the test split).")
    var testImages: String?
    @Option(help: "The dataset's own test masks.")
    var testMasks: String?
    @Option(help: "Training size: N (square) or HxW, e.g. 256 or 288x384. Default: the preset's.")
    var size: String?
    @Option(help: "Number of classes including the background (default 2; evaluate: the model's).")
    var classes: Int?
    @Option(help: "Seed of the 80/20 development/test and 80/20 train/validation split.")
    var splitSeed: UInt64 = 0

    func validate() throws {
        for path in [images, masks, testImages, testMasks].compactMap({ $0 }) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("'\(path)' is not a folder")
            }
        }
        if let classes, classes < 2 { throw ValidationError("--classes must be at least 2 (background and one foreground class)") }
        if let size { _ = try parseSize(size) }
    }

    /// The data source, with `defaultSize` when no --size was given.
    /// The pairing checks are here rather than in `validate()`: ArgumentParser validates
    /// before it reports unknown options, so `--images a --mask b` (a typo of --masks) would
    /// otherwise say "give both" instead of naming the unknown option.
    func source(defaultSize: ImageSize?) throws -> DataSource {
        if (images == nil) != (masks == nil) { throw CLIError("give both --images and --masks, or neither (bundled nuclei data)") }
        if (testImages == nil) != (testMasks == nil) { throw CLIError("give both --test-images and --test-masks") }
        return DataSource(images: images, masks: masks, imagePattern: imagePattern, maskPattern: maskPattern,
                   testImages: testImages, testMasks: testMasks, size: try size.map(parseSize) ?? defaultSize,
                   classes: classes ?? 2, splitSeed: splitSeed)
    }
}

/// `256` → 256×256; `288x384` → 288×384; anything else (`32x`, `x32`, `3x4x5`) is refused.
func parseSize(_ text: String) throws -> ImageSize {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
    guard !parts.isEmpty, parts.count <= 2, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("size '\(text)' is not N or HxW (positive integers, e.g. 256 or 288x384)")
    }
    return parts.count == 1 ? ImageSize(square: parts[0]!) : ImageSize(height: parts[0]!, width: parts[1]!)
}
