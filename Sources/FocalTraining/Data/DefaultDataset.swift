import Foundation

/// The nuclei dataset bundled with the repository at `Data/nuclei` (128×128 grey PNG tiles of
/// real fluorescence microscopy with 0/255 nucleus masks; see `Data/nuclei/SOURCE.md`).
public enum DefaultDataset {
    /// The dataset folder relative to the repository root.
    public static let relativePath = "Data/nuclei"

    /// Finds `Data/nuclei`: in the current directory or any parent (so executables and tests
    /// run from inside the repository find it), then next to the package root derived from this
    /// source file's location at build time. The folder counts when it has `images/` and
    /// `masks/`. Throws `DatasetError.defaultDatasetNotFound` listing the places searched.
    public static func url(currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> URL {
        var searched: [String] = []
        var candidates: [URL] = []
        var directory = currentDirectory.standardizedFileURL
        while true {
            candidates.append(directory.appendingPathComponent(relativePath))
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        // Sources/FocalTraining/Data/DefaultDataset.swift → package root, 4 levels up.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(relativePath))
        for candidate in candidates {
            searched.append(candidate.path)
            if isDatasetFolder(candidate) { return candidate }
        }
        throw DatasetError.defaultDatasetNotFound(searched: searched)
    }

    /// The bundled dataset's folder pairing (`images/` ↔ `masks/` by stem).
    public static func folder(currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> DatasetFolder {
        DatasetFolder(root: try url(currentDirectory: currentDirectory))
    }

    private static func isDatasetFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        for sub in ["images", "masks"] {
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent(sub).path, isDirectory: &isDirectory),
                  isDirectory.boolValue else { return false }
        }
        return true
    }
}
