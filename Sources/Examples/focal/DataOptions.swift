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
    @Option(help: "Seed of the 80/20 development/test and 80/20 train/validation split (default 0).")
    var splitSeed: UInt64?

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
                   testImages: testImages, testMasks: testMasks, size: try size.map { try parseSize($0) } ?? defaultSize,
                   classes: classes ?? 2, splitSeed: splitSeed ?? 0)
    }
}

/// `256` → 256×256; `288x384` → 288×384; anything else (`32x`, `x32`, `3x4x5`) is refused.
func parseSize(_ text: String, option: String = "size") throws -> ImageSize {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
    guard !parts.isEmpty, parts.count <= 2, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("\(option) '\(text)' is not N or HxW (positive integers, e.g. 256 or 288x384)")
    }
    return parts.count == 1 ? ImageSize(square: parts[0]!) : ImageSize(height: parts[0]!, width: parts[1]!)
}

extension DataOptions {
    /// The options typed on the command line, for comparison with a saved run; folders are
    /// compared as absolute paths.
    var givenOptions: [GivenOption] {
        get throws {
            func folder(_ flag: String, _ typed: String?, _ saved: @escaping (DataSource) -> String?) -> GivenOption? {
                .value(flag, typed.map(absolutePath), saved: { saved($0.data).map(absolutePath) })
            }
            func sizeText(_ s: ImageSize) -> String { s.height == s.width ? "\(s.height)" : "\(s.height)x\(s.width)" }
            return [
                folder("--images", images) { $0.images }, folder("--masks", masks) { $0.masks },
                .value("--image-pattern", imagePattern, saved: { $0.data.imagePattern }),
                .value("--mask-pattern", maskPattern, saved: { $0.data.maskPattern }),
                folder("--test-images", testImages) { $0.testImages }, folder("--test-masks", testMasks) { $0.testMasks },
                .value("--size", try size.map { try parseSize($0) }.map(sizeText), saved: { $0.data.size.map(sizeText) }),
                .value("--classes", optionText(classes), saved: { optionText($0.data.classes) }),
                .value("--split-seed", optionText(splitSeed), saved: { optionText($0.data.splitSeed) }),
            ].compactMap { $0 }
        }
    }
}

/// `path` as an absolute, standardised path (a run records its folders this way, so that it
/// resumes from any working directory).
func absolutePath(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

extension DataSource {
    /// The same source with every folder as an absolute path.
    var withAbsolutePaths: DataSource {
        var d = self
        d.images = images.map(absolutePath)
        d.masks = masks.map(absolutePath)
        d.testImages = testImages.map(absolutePath)
        d.testMasks = testMasks.map(absolutePath)
        return d
    }
}
