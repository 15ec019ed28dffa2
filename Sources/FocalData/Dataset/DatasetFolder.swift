import FocalCore
import Foundation

/// A file-name template with one `{id}` placeholder, e.g. DRIVE's `{id}_training.tif` and
/// `{id}_manual1.gif`. Matching is case-sensitive and the id must be non-empty.
public struct FilePattern: Sendable, Equatable, CustomStringConvertible {
    /// The template as given.
    public let template: String
    private let prefix: String
    private let suffix: String

    /// A pattern; throws `DatasetError.invalidPattern` unless `{id}` occurs exactly once.
    public init(_ template: String) throws {
        let parts = template.components(separatedBy: "{id}")
        guard parts.count == 2 else { throw DatasetError.invalidPattern(template) }
        self.template = template
        prefix = parts[0]
        suffix = parts[1]
    }

    /// The id of a file name that matches, else nil.
    public func id(of fileName: String) -> String? {
        guard fileName.count > prefix.count + suffix.count, fileName.hasPrefix(prefix), fileName.hasSuffix(suffix) else {
            return nil
        }
        return String(fileName.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// The file name of an id.
    public func fileName(for id: String) -> String { prefix + id + suffix }

    public var description: String { template }
}

/// One image with its mask.
public struct ImageMaskPair: Sendable, Equatable {
    /// The shared id (the file stem, or the `{id}` part of a pattern).
    public let id: String
    /// The image file.
    public let image: URL
    /// The mask file.
    public let mask: URL

    /// A pair of files with the id `id`.
    public init(id: String, image: URL, mask: URL) {
        self.id = id
        self.image = image
        self.mask = mask
    }
}

/// A file left out of the pairing, reported rather than dropped silently.
public struct PairingWarning: Sendable, Equatable, CustomStringConvertible {
    /// Why the file was left out.
    public enum Reason: String, Sendable, Equatable {
        /// An image without a mask.
        case imageWithoutMask = "image without a mask"
        /// A mask without an image.
        case maskWithoutImage = "mask without an image"
        /// A file whose name matches neither a known image extension nor the pattern.
        case notAnImageFile = "not an image file of this dataset"
    }

    /// The file left out.
    public let file: URL
    /// Why.
    public let reason: Reason

    public var description: String { "\(file.path): \(reason.rawValue)" }
}

/// The result of pairing a dataset folder: the pairs (sorted by id) and every file left out.
public struct DatasetPairing: Sendable, Equatable {
    /// Image/mask pairs, sorted by id.
    public let pairs: [ImageMaskPair]
    /// Files that were not paired.
    public let warnings: [PairingWarning]
}

/// An image folder and a mask folder whose files are paired by id.
///
/// Without patterns, the id is the file stem (name without its last extension) and files
/// with the extensions `png`, `tif`, `tiff`, `gif`, `jpg`, `jpeg` and `npy` (any case) take part: `a.png`
/// pairs with `a.png` or `a.tif` in the mask folder. With patterns (e.g. DRIVE:
/// `{id}_training.tif` ↔ `{id}_manual1.gif`) the id is the `{id}` part. Hidden files
/// (starting with `.`) and subfolders are skipped; every other file that is not paired is
/// reported in `DatasetPairing.warnings`.
public struct DatasetFolder: Sendable, Equatable {
    /// File extensions (lower case) read as images when no pattern is given.
    public static let imageExtensions: Set<String> = ["png", "tif", "tiff", "gif", "jpg", "jpeg", "npy"]

    /// The image folder.
    public let images: URL
    /// The mask folder.
    public let masks: URL
    /// The image name pattern (`nil`: pair by stem).
    public let imagePattern: FilePattern?
    /// The mask name pattern (`nil`: pair by stem).
    public let maskPattern: FilePattern?

    /// Folders paired by file stem.
    public init(images: URL, masks: URL) {
        self.images = images
        self.masks = masks
        imagePattern = nil
        maskPattern = nil
    }

    /// Folders paired by explicit patterns, each with one `{id}` placeholder.
    public init(images: URL, masks: URL, imagePattern: String, maskPattern: String) throws {
        self.images = images
        self.masks = masks
        self.imagePattern = try FilePattern(imagePattern)
        self.maskPattern = try FilePattern(maskPattern)
    }

    /// `root/images` and `root/masks`, paired by stem.
    public init(root: URL) {
        self.init(images: root.appendingPathComponent("images"), masks: root.appendingPathComponent("masks"))
    }

    /// Lists both folders and pairs their files. Throws `DatasetError` when a folder is missing,
    /// two files share an id, or no pair is found.
    public func pair() throws -> DatasetPairing {
        let (imageIDs, imageWarnings) = try index(images, pattern: imagePattern)
        let (maskIDs, maskWarnings) = try index(masks, pattern: maskPattern)
        var pairs: [ImageMaskPair] = []
        var warnings = imageWarnings + maskWarnings
        for (id, url) in imageIDs {
            if let mask = maskIDs[id] {
                pairs.append(ImageMaskPair(id: id, image: url, mask: mask))
            } else {
                warnings.append(PairingWarning(file: url, reason: .imageWithoutMask))
            }
        }
        for (id, url) in maskIDs where imageIDs[id] == nil {
            warnings.append(PairingWarning(file: url, reason: .maskWithoutImage))
        }
        guard !pairs.isEmpty else { throw DatasetError.noPairs(images: images.path, masks: masks.path) }
        pairs.sort { $0.id.localizedStandardCompare($1.id) == .orderedAscending }
        warnings.sort { $0.file.path < $1.file.path }
        return DatasetPairing(pairs: pairs, warnings: warnings)
    }

    /// Maps ids to files in one folder, collecting files that take no part.
    private func index(_ folder: URL, pattern: FilePattern?) throws -> ([String: URL], [PairingWarning]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.folderNotFound(folder.path)
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        } catch {
            throw DatasetError.unreadableFolder(folder.path, FileErrorReason.reason(for: error) ?? "\(error)")
        }
        var ids: [String: URL] = [:]
        var duplicates: [String: [String]] = [:]
        var warnings: [PairingWarning] = []
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &dir), dir.boolValue { continue }
            let id: String?
            if let pattern {
                id = pattern.id(of: name)
            } else {
                let ext = url.pathExtension.lowercased()
                id = Self.imageExtensions.contains(ext) ? url.deletingPathExtension().lastPathComponent : nil
            }
            guard let id, !id.isEmpty else {
                warnings.append(PairingWarning(file: url, reason: .notAnImageFile))
                continue
            }
            if let existing = ids[id] {
                duplicates[id, default: [existing.path]].append(url.path)
            } else {
                ids[id] = url
            }
        }
        if let (id, files) = duplicates.min(by: { $0.key < $1.key }) {
            throw DatasetError.duplicateID(id: id, files: files)
        }
        return (ids, warnings)
    }
}
