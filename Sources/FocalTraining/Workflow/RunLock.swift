import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive, advisory lock on a run folder: `flock(2)` on `<folder>/.lock`, which holds the
/// holder's process id. The kernel drops the lock when the holder exits or is killed, so a
/// killed run never leaves a stale lock; the file itself stays.
public final class RunLock {
    /// The lock file.
    public let url: URL
    private var descriptor: Int32

    private init(url: URL, descriptor: Int32) {
        self.url = url
        self.descriptor = descriptor
    }

    /// The lock file's name inside a run folder.
    public static let fileName = ".lock"

    /// Takes the lock of `directory` (which must exist) without waiting.
    /// - Throws: `RunFolderError.busy` naming the holder's pid when another process holds it;
    ///   `RunFolderError.io` when the lock file cannot be opened.
    public static func acquire(in directory: URL) throws -> RunLock {
        let url = directory.appendingPathComponent(fileName)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunFolderError.io(path: url.path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = holderPID(fd)
            close(fd)
            if code == EWOULDBLOCK { throw RunFolderError.busy(folder: directory.path, pid: holder) }
            throw RunFolderError.io(path: url.path, reason: String(cString: strerror(code)))
        }
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) != 0 || pwrite(fd, text, text.count, 0) != text.count {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RunFolderError.io(path: url.path, reason: reason)
        }
        return RunLock(url: url, descriptor: fd)
    }

    /// The pid written in the lock file, if any.
    private static func holderPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the lock (idempotent).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
