import Foundation

/// Plain sentences for the errors Foundation's file operations throw. On Linux their
/// `localizedDescription` is often "The operation could not be completed. (NSCocoaErrorDomain
/// error 512.)", which tells a user nothing; this names the cause ("permission denied", "the
/// disk is full") from the error's code or its underlying POSIX error.
public enum FileErrorReason {
    /// The cause of a Foundation file error in a few words ("no such file or folder",
    /// "permission denied", "it is a folder", "a part of the path is a file, not a folder",
    /// "the disk is full", "read-only file system", "it already exists"), or `nil` when
    /// `error` is not one (not in the Cocoa or POSIX error domain).
    public static func reason(for error: Error) -> String? {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
        if let code = posixCode(of: ns), let text = sentence(errno: code) { return text }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "the disk is full"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileWriteFileExists: return "it already exists"
        case .fileReadCorruptFile: return "the file is corrupt"
        case .fileReadTooLarge: return "the file is too large"
        case .fileWriteInvalidFileName, .fileReadInvalidFileName: return "invalid file name"
        default:
            if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))).lowercased() }
            return "the file operation failed (code \(ns.code))"
        }
    }

    /// The path a Foundation file error names, if any.
    public static func path(of error: Error) -> String? {
        let ns = error as NSError
        if let path = ns.userInfo[NSFilePathErrorKey] as? String { return path }
        if let url = ns.userInfo[NSURLErrorKey] as? URL { return url.path }
        return nil
    }

    /// The POSIX error number behind `error`: its own code in the POSIX domain, else that of
    /// its underlying error.
    private static func posixCode(of error: NSError) -> Int32? {
        if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nil
    }

    private static func sentence(errno code: Int32) -> String? {
        switch code {
        case ENOENT: return "no such file or folder"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "it is a folder"
        case ENOTDIR: return "a part of the path is a file, not a folder"
        case ENOSPC, EDQUOT: return "the disk is full"
        case EROFS: return "read-only file system"
        case EEXIST: return "it already exists"
        case ENAMETOOLONG: return "the file name is too long"
        default: return nil
        }
    }
}
