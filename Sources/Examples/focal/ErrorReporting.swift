import ArgumentParser
import FocalNets
import FocalTraining
import Foundation

/// A failure of the command line itself, with the message to show.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// How `focal` reports a failure: exactly one line on standard error, `Error: <what and where>`,
/// and a non-zero exit status (64 for a bad command line, 1 for a failure while running). No
/// usage dump and never a crash: help and version requests still print normally.
enum ErrorReporting {
    /// Prints `error` as one line and exits; help requests (`--help`) go to ArgumentParser.
    static func exit(with error: Error, subcommand: String?) -> Never {
        let code = Focal.exitCode(for: error)
        if code == .success { Focal.exit(withError: error) }  // --help, --version
        var line = oneLine(message(for: error))
        if line.isEmpty { line = "failed (\(type(of: error)))" }
        if code == .validationFailure {
            line += " (see 'focal\(subcommand.map { " " + $0 } ?? "") --help')"
        }
        FileHandle.standardError.write(Data(("Error: " + line + "\n").utf8))
        Foundation.exit(code.rawValue)
    }

    /// The message of `error`: ArgumentParser's for its own errors, the description for the
    /// library's typed errors, and the file and the system's reason for Foundation errors.
    static func message(for error: Error) -> String {
        if let cocoa = error as? CocoaError {
            let path = (cocoa.userInfo[NSFilePathErrorKey] as? String) ?? cocoa.url?.path
            return (path.map { "\($0): " } ?? "") + cocoa.localizedDescription
        }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain || ns.domain == NSCocoaErrorDomain {
            let path = ns.userInfo[NSFilePathErrorKey] as? String
            return (path.map { "\($0): " } ?? "") + ns.localizedDescription
        }
        return Focal.message(for: error)
    }

    /// Joins a multi-line message (e.g. a list of checkpoint differences) into one line:
    /// `a:\n  - b\n  - c` becomes `a: b; c`.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for raw in text.split(whereSeparator: \.isNewline) {
            var part = raw.trimmingCharacters(in: .whitespaces)
            if part.hasPrefix("- ") || part.hasPrefix("• ") { part.removeFirst(2) }
            guard !part.isEmpty else { continue }
            if out.isEmpty { out = part }
            else if out.hasSuffix(":") || out.hasSuffix(";") { out += " " + part }
            else { out += "; " + part }
        }
        return out
    }

    /// The subcommand named on the command line (for the help hint).
    static var subcommandArgument: String? {
        let names = Focal.configuration.subcommands.compactMap { $0.configuration.commandName }
        return CommandLine.arguments.dropFirst().first { names.contains($0) }
    }
}

/// Checked access to the files the commands read.
enum InputFiles {
    /// Throws a clear error unless `path` is an existing regular file.
    static func requireFile(_ path: String, what: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("\(what) '\(path)' does not exist")
        }
        if isDirectory.boolValue { throw CLIError("\(what) '\(path)' is a folder, not a file") }
    }

    /// A network from a model file (`best.safetensors`, `UNet.save`) or a training checkpoint
    /// (`checkpoint.safetensors`); every error names the file.
    static func loadModel(_ path: String) throws -> UNet {
        try requireFile(path, what: "model file")
        do {
            return try Checkpoint.loadModel(from: URL(fileURLWithPath: path))
        } catch {
            let text = "\(error)"
            let absolute = URL(fileURLWithPath: path).path
            if text.contains(path) || text.contains(absolute) { throw error }
            throw CLIError("model file '\(path)': \(text)")
        }
    }
}
