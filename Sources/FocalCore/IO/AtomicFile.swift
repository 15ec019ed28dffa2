import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an atomic write failed: the step, the file and the system's reason.
public struct AtomicFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The step that failed (e.g. "create temporary file", "fsync", "rename").
    public let operation: String
    /// The path the step worked on.
    public let path: String
    /// The system error number (`errno`).
    public let code: Int32

    /// E.g. "atomic write: rename failed for /out/a.bin: Is a directory (errno 21)".
    public var description: String {
        "atomic write: \(operation) failed for \(path): \(String(cString: strerror(code))) (errno \(code))"
    }
}

/// Writes files so that a reader (or a run restarted after a kill or power loss) sees either
/// the old contents or the new ones, never a mixture or a truncated file.
public enum AtomicFile {
    /// Writes `data` to `url` atomically:
    /// 1. creates a uniquely named temporary file in the destination's directory (same file
    ///    system, so the rename is atomic), mode 0644;
    /// 2. writes all bytes (retrying short writes and `EINTR`);
    /// 3. `fsync`s the file, so its contents are on disk before its name is;
    /// 4. renames it over the destination (`rename(2)` replaces atomically);
    /// 5. `fsync`s the directory, so the new name itself survives a crash.
    ///
    /// On any failure the temporary file is removed, the destination is left as it was and an
    /// `AtomicFileError` names the failed step. Symbolic links at the destination are replaced,
    /// not followed.
    public static func write(_ data: Data, to url: URL) throws {
        let destination = url.standardizedFileURL.path
        let directory = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        guard !name.isEmpty, name != "/" else {
            throw AtomicFileError(operation: "resolve destination", path: destination, code: EISDIR)
        }
        var template = Array(((directory.isEmpty ? "." : directory) + "/.\(name)\(temporaryMarker)XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard fd >= 0 else { throw AtomicFileError(operation: "create temporary file", path: temporary, code: errno) }

        var fileOpen = true
        var renamed = false
        defer {
            if fileOpen { close(fd) }
            if !renamed { unlink(temporary) }
        }
        func fail(_ operation: String, _ path: String) -> AtomicFileError {
            AtomicFileError(operation: operation, path: path, code: errno)
        }

        if fchmod(fd, 0o644) != 0 { throw fail("chmod", temporary) }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var done = 0
            while done < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw fail("write", temporary)
                }
                done += n
            }
        }
        if fsync(fd) != 0 { throw fail("fsync", temporary) }
        fileOpen = false
        if close(fd) != 0 { throw fail("close", temporary) }
        if rename(temporary, destination) != 0 { throw fail("rename to \(destination)", temporary) }
        renamed = true

        let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        guard dirfd >= 0 else { throw fail("open directory", directory) }
        defer { close(dirfd) }
        if fsync(dirfd) != 0 && errno != EINVAL { throw fail("fsync directory", directory) }
    }

    /// The marker between a destination's name and the random suffix in temporary names.
    static let temporaryMarker = ".tmp-"

    /// True when `name` (a file name, no folder) is a temporary file of `write(_:to:)`:
    /// `.<destination>.tmp-XXXXXX`. A process killed between creating and renaming one leaves
    /// it behind; `RunFolder` removes them when it starts a run.
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let marker = name.range(of: temporaryMarker, options: .backwards) else { return false }
        let suffix = name[marker.upperBound...]
        return marker.lowerBound > name.index(after: name.startIndex) && suffix.count == 6
            && suffix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    @inline(__always)
    private static func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, p, n)
        #elseif canImport(Musl)
        return Musl.write(fd, p, n)
        #else
        return Darwin.write(fd, p, n)
        #endif
    }
}
