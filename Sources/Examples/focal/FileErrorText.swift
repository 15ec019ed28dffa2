import FocalCore
import Foundation

/// Foundation file errors as one plain sentence ("out/x: permission denied"), never as
/// "NSCocoaErrorDomain error 512".
enum FileErrorText {
    /// `path: reason` for a Foundation file error, `nil` for any other error.
    static func sentence(for error: Error) -> String? {
        guard let reason = FileErrorReason.reason(for: error) else { return nil }
        return (FileErrorReason.path(of: error).map { "\($0): " } ?? "") + reason
    }
}

/// The output folder a command writes into, created up front so that a bad path fails at
/// once with the reason, not in the middle of a run with a Foundation error.
enum OutputFolder {
    /// Creates `path` (and its parents) unless it exists. Throws "cannot create output folder
    /// X: Y is a file" when a part of the path is a regular file, and the plain reason
    /// (permission denied, read-only file system, disk full) for other failures.
    static func create(_ path: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let url = URL(fileURLWithPath: path).standardizedFileURL
        // The first part of the path that exists must be a folder.
        var probe = url
        while true {
            if fm.fileExists(atPath: probe.path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue {
                    let what = probe.path == url.path ? "it is a file" : "\(probe.path) is a file"
                    throw CLIError("cannot create output folder \(path): \(what)")
                }
                break
            }
            let parent = probe.deletingLastPathComponent()
            if parent.path == probe.path { break }
            probe = parent
        }
        if fm.fileExists(atPath: url.path) {
            guard fm.isWritableFile(atPath: url.path) else {
                throw CLIError("cannot write to output folder \(path): permission denied", status: .failure)
            }
            return
        }
        do {
            try fm.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create output folder \(path): \(FileErrorReason.reason(for: error) ?? "\(error)")", status: .failure)
        }
    }
}
