import Foundation

/// The nuclei dataset bundled with Focal as a resource of this library (176 grey 128×128 PNG
/// tiles of real fluorescence microscopy with 0/255 nucleus masks; provenance and licences in
/// the bundle's `SOURCE.md` and `LICENSE.*` files, `Sources/FocalData/Resources/nuclei` in the
/// repository). It travels with the library: a package that depends on Focal finds it too.
public enum DefaultDataset {
    /// How outputs name the dataset.
    public static let label = "bundled nuclei tiles"
    /// The name of the resource folder.
    public static let resourceName = "nuclei"
    /// The name SwiftPM gives this library's resource bundle.
    static let bundleName = "Focal_FocalData.resources"

    /// The dataset folder in the library's resource bundle.
    ///
    /// The bundle sits next to the executable that links the library (SwiftPM copies it
    /// there); an executable copied elsewhere without it gets
    /// `DatasetError.defaultDatasetNotFound` naming the places searched.
    public static func url() throws -> URL {
        var searched: [String] = []
        for directory in bundleDirectories() {
            let bundle = directory.appendingPathComponent(bundleName)
            searched.append(bundle.appendingPathComponent(resourceName).path)
            guard FileManager.default.fileExists(atPath: bundle.path) else { continue }
            if let url = Bundle(path: bundle.path)?.url(forResource: resourceName, withExtension: nil), isDatasetFolder(url) {
                return url
            }
        }
        throw DatasetError.defaultDatasetNotFound(searched: searched)
    }

    /// The bundled dataset's folder pairing (`images/` ↔ `masks/` by stem).
    public static func folder() throws -> DatasetFolder {
        DatasetFolder(root: try url())
    }

    /// Where SwiftPM puts resource bundles: beside the main executable (or the test bundle),
    /// whichever of them exist, first match wins.
    private static func bundleDirectories() -> [URL] {
        var out: [URL] = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { out.append(executable.deletingLastPathComponent()) }
        out.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        for bundle in Bundle.allBundles { out.append(bundle.bundleURL.deletingLastPathComponent()) }
        var seen = Set<String>()
        return out.filter { seen.insert($0.standardizedFileURL.path).inserted }
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
