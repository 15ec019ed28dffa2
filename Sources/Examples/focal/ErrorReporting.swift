import ArgumentParser
import FocalCore
import FocalExport
import FocalLosses
import FocalNets
import FocalData
import FocalTraining
import Foundation

/// A failure found by the command itself, with the message to show and its class of exit
/// status (`ExitStatus`).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let status: ExitStatus
    /// A command-line mistake (exit 64) unless `status` says otherwise.
    init(_ description: String, status: ExitStatus = .usage) {
        self.description = description
        self.status = status
    }
}

/// `focal`'s exit statuses, by class of failure (the BSD `sysexits.h` values).
enum ExitStatus: Int32 {
    /// 64, `EX_USAGE`: the command line is wrong (unknown option, bad value, a missing path).
    case usage = 64
    /// 65, `EX_DATAERR`: an input file is unusable (unreadable or corrupt image, a mask whose
    /// values are not labels, a truncated, corrupt or non-finite model, a bad .npy array).
    case data = 65
    /// 1: anything else (a failure while running: a write error, a diverged training run).
    case failure = 1

    /// The class of `error`.
    static func of(_ error: Error) -> ExitStatus {
        switch error {
        case let e as CLIError: return e.status
        case let e as ImageError:
            switch e {
            case .fileNotFound: return .usage  // a path given on the command line
            case .writeFailed: return .failure
            default: return .data
            }
        case let e as DatasetError:
            switch e {
            case .folderNotFound, .invalidPattern, .invalidOptions: return .usage
            case .defaultDatasetNotFound: return .failure
            case .unreadableFolder, .noPairs, .duplicateID, .sizeMismatch, .invalidMask, .invalidImage: return .data
            }
        case let e as NumPyError:
            if case .io = e { return .failure }
            return .data
        case is SafeTensorsError, is StateDictError, is NonFiniteStateError: return .data
        case let e as TrainingError:
            if case .checkpoint = e { return .data }
            if case .invalidConfiguration = e { return .usage }
            return .failure
        case let e as NetworkError:
            switch e {
            case .checkpointMismatch, .invalidCheckpoint: return .data
            default: return .usage
            }
        case is LossError, is ResizeError, is TilingError, is SplitError, is MemoryBudgetError: return .usage
        case let e as ONNXExportError:
            if case .outputExists = e { return .usage }
            return .failure
        case let e as RunFolderError:
            if case .holdsRun = e { return .usage }
            return .failure
        default: return .failure
        }
    }
}

/// How `focal` reports a failure: exactly one line on standard error, `Error: <what and where>`,
/// and an exit status by class (`ExitStatus`: 64 for a bad command line, 65 for bad data, 1
/// for a failure while running). No usage dump, no Foundation error domains and never a
/// crash: help and version requests still print normally.
enum ErrorReporting {
    /// Prints `error` as one line and exits; help requests (`--help`) go to ArgumentParser.
    static func exit(with error: Error, subcommand: String?) -> Never {
        let code = Focal.exitCode(for: error)
        if code == .success { Focal.exit(withError: error) }  // --help, --version
        var line = oneLine(message(for: error, subcommand: subcommand))
        if line.isEmpty { line = "failed (\(type(of: error)))" }
        let status: ExitStatus = code == .validationFailure ? .usage : ExitStatus.of(error)
        if status == .usage {
            line += " (see 'focal\(subcommand.map { " " + $0 } ?? "") --help')"
        }
        FileHandle.standardError.write(Data(("Error: " + line + "\n").utf8))
        Foundation.exit(status.rawValue)
    }

    /// The message of `error`: ArgumentParser's for its own errors (with a closest-name
    /// suggestion for an unknown option), the description for the library's typed errors, and
    /// a plain sentence naming the file for Foundation errors.
    static func message(for error: Error, subcommand: String?) -> String {
        if let plain = FileErrorText.sentence(for: error) { return plain }
        let text = Focal.message(for: error)
        return OptionSuggestions.annotate(text, subcommand: subcommand, arguments: Array(CommandLine.arguments.dropFirst()))
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
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CLIError("\(what) '\(path)' cannot be read: permission denied", status: .data)
        }
    }

    /// A network from a model file (`best.safetensors`, `UNet.save`) or a training checkpoint
    /// (`checkpoint.safetensors`); every error names the file. Unless `allowNonFinite`, a
    /// model with NaN or infinite weights is refused (`Module.requireFiniteState`): it would
    /// predict all background and look like a result.
    static func loadModel(_ path: String, allowNonFinite: Bool = false) throws -> any SegmentationNetwork {
        try requireFile(path, what: "model file")
        let net: any SegmentationNetwork
        do {
            net = try Checkpoint.loadModel(from: URL(fileURLWithPath: path))
        } catch {
            let text = "\(error)"
            let absolute = URL(fileURLWithPath: path).path
            if text.contains(path) || text.contains(absolute) { throw error }
            throw CLIError("model file '\(path)': \(text)", status: ExitStatus.of(error) == .failure ? .failure : .data)
        }
        if !allowNonFinite {
            do { try net.requireFiniteState() } catch {
                throw CLIError("model file '\(path)': \(error); it cannot predict (retrain, or resume from an earlier checkpoint)",
                               status: .data)
            }
        }
        return net
    }

    /// A U-Net from a model file or checkpoint (`loadModel`), for the commands that work on
    /// its attention plan; another network kind is one clear error.
    static func loadUNet(_ path: String, for command: String) throws -> UNet {
        let net = try loadModel(path)
        guard let unet = net as? UNet else {
            throw CLIError("model file '\(path)' holds a '\(type(of: net).kind)' network; \(command) works on U-Nets and their attention plans", status: .data)
        }
        return unet
    }
}
