import Foundation

/// Why a dataset folder could not be paired or loaded. Every case names the files or folders.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// A folder that does not exist (or is not a directory).
    case folderNotFound(String)
    /// A folder listing failed.
    case unreadableFolder(String, String)
    /// No image had a mask.
    case noPairs(images: String, masks: String)
    /// Two files of one folder map to the same id (e.g. `a.png` and `a.tif`).
    case duplicateID(id: String, files: [String])
    /// A file pattern without exactly one `{id}` placeholder.
    case invalidPattern(String)
    /// An image and its mask differ in size.
    case sizeMismatch(image: String, imageSize: [Int], mask: String, maskSize: [Int])
    /// A mask whose values do not fit the requested classes.
    case invalidMask(String, String)
    /// An image that cannot be used (e.g. wrong channel count for the dataset).
    case invalidImage(String, String)
    /// Loading options that make no sense.
    case invalidOptions(String)
    /// The bundled default dataset was not found.
    case defaultDatasetNotFound(searched: [String])

    public var description: String {
        switch self {
        case let .folderNotFound(path): return "dataset folder not found: \(path)"
        case let .unreadableFolder(path, why): return "cannot list dataset folder \(path): \(why)"
        case let .noPairs(images, masks): return "no image in \(images) has a mask in \(masks)"
        case let .duplicateID(id, files): return "several files have the id \"\(id)\": \(files.joined(separator: ", "))"
        case let .invalidPattern(p): return "file pattern \"\(p)\" must contain \"{id}\" exactly once"
        case let .sizeMismatch(image, imageSize, mask, maskSize):
            func size(_ s: [Int]) -> String { s.map(String.init).joined(separator: "×") }
            return "image \(image) (size \(size(imageSize))) and its mask \(mask) (size \(size(maskSize))) differ in height or width"
        case let .invalidMask(path, why): return "mask \(path): \(why)"
        case let .invalidImage(path, why): return "image \(path): \(why)"
        case let .invalidOptions(why): return "invalid dataset options: \(why)"
        case let .defaultDatasetNotFound(searched):
            return "the bundled nuclei tiles (the resource bundle Focal_FocalData.resources, which SwiftPM puts next to the executable) were not found; looked in: "
                + searched.joined(separator: ", ")
                + ". Run the executable from its build folder, or pass --images and --masks."
        }
    }
}
