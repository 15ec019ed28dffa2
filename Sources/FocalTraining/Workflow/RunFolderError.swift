/// Why a run folder cannot be used.
public enum RunFolderError: Error, Equatable, CustomStringConvertible {
    /// Another process holds the folder's lock.
    case busy(folder: String, pid: Int32?)
    /// A new run was asked for in a folder that holds a run.
    case holdsRun(folder: String, runID: String, epochs: Int)
    /// The lock file or a stale file could not be handled.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .busy(folder, pid):
            return "\(folder) is in use by another focal process (\(pid.map { "pid \($0)" } ?? "pid unknown")); wait for it to finish or use another output folder"
        case let .holdsRun(folder, runID, epochs):
            return "\(folder) holds a run (run id \(runID), \(epochs) epoch\(epochs == 1 ? "" : "s") done); continue it with --resume or replace it with --overwrite"
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
