import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// Runs the `focal` executable that `swift build --build-tests` builds next to the tests.
enum FocalProcess {
    /// What a finished run printed and how it ended.
    struct Result {
        var status: Int32
        var output: String
        var error: String
        /// The `Error:` lines on standard error.
        var errorLines: [Substring] { error.split(separator: "\n").filter { $0.hasPrefix("Error:") } }
    }

    /// The executable's location.
    static func executable() throws -> URL {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates: [URL] = []
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("focal"))
            dir = dir.deletingLastPathComponent()
        }
        candidates += [root.appendingPathComponent(".build/debug/focal"),
                       root.appendingPathComponent(".build/x86_64-unknown-linux-gnu/debug/focal")]
        guard let found = candidates.first(where: { fm.isExecutableFile(atPath: $0.path) }) else {
            throw DatasetError.invalidOptions("the focal executable was not built; looked in \(candidates.map(\.path))")
        }
        return found
    }

    /// The children's environment: the parent's, with OpenBLAS's worker threads off. Focal
    /// drives OpenBLAS single-threaded anyway, so the idle workers only compete for the cores
    /// with the other test processes. (They were also behind a start-up race in the run-time
    /// kernel switch, since fixed; see Docs/Performance.md.)
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { _, new in new }
    }

    /// A process that runs `focal` with `arguments`, or — with a `launcher` such as
    /// `["/usr/bin/mpirun", "-np", "2"]` — runs the launcher with the `focal` path and
    /// `arguments` after it; `extra` is added to the environment.
    static func process(_ arguments: [String], launcher: [String] = [], extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        let focal = try executable()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [focal.path] + arguments
        } else {
            process.executableURL = focal
            process.arguments = arguments
        }
        process.environment = environment.merging(extra) { _, new in new }
        return process
    }

    /// A started (not yet finished) `focal` process whose output goes to files in `logs`.
    static func start(_ arguments: [String], logs: URL, launcher: [String] = [], extra: [String: String] = [:]) throws -> Process {
        let process = try process(arguments, launcher: launcher, extra: extra)
        _ = FileManager.default.createFile(atPath: logs.appendingPathExtension("out").path, contents: nil)
        _ = FileManager.default.createFile(atPath: logs.appendingPathExtension("err").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: logs.appendingPathExtension("out"))
        process.standardError = try FileHandle(forWritingTo: logs.appendingPathExtension("err"))
        try process.run()
        return process
    }

    /// Runs `focal` with `arguments` to the end (see `process(_:launcher:extra:)`).
    static func run(_ arguments: [String], launcher: [String] = [], extra: [String: String] = [:]) throws -> Result {
        let process = try process(arguments, launcher: launcher, extra: extra)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a full stderr pipe cannot block the child.
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errorData = err.fileHandleForReading.readDataToEndOfFile() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: o, as: UTF8.self),
                      error: String(decoding: errorData, as: UTF8.self))
    }

    /// Rows of a run folder's `log.csv` (finished epochs), 0 before the first.
    static func finishedEpochs(_ output: URL) -> Int {
        guard let text = try? String(contentsOf: output.appendingPathComponent("log.csv"), encoding: .utf8) else { return 0 }
        return max(0, text.split(separator: "\n").count - 1)
    }

    /// The model and optimiser tensors of a run folder's checkpoint as bit patterns.
    static func checkpointBits(_ folder: URL) throws -> [String: [UInt32]] {
        let checkpoint = try Checkpoint.read(from: folder.appendingPathComponent("checkpoint.safetensors"))
        var bits: [String: [UInt32]] = [:]
        for (name, tensor) in checkpoint.model { bits["model." + name] = tensor.scalars.map(\.bitPattern) }
        for (name, tensor) in checkpoint.optimizer { bits["optimizer." + name] = tensor.scalars.map(\.bitPattern) }
        return bits
    }

    /// Runs `focal` with `arguments` (and `environment` added to the usual one) to the end, its
    /// output discarded, and returns its exit status and peak resident memory in bytes, as GNU
    /// `time` (Debian's `time`, installed by scripts/setup.sh) reports it for exactly that child.
    ///
    /// Not `wait4` on a child spawned from this process: `posix_spawn` starts the child in this
    /// (large) test process's address space, and Linux carries that address space's high-water
    /// mark into the child's `ru_maxrss` at `exec`, so the figure would be the test runner's.
    /// `time` forks the program from its own small process.
    static func runMeasuringPeakMemory(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, peakBytes: Int) {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("focal-peak-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: report) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%M", "-o", report.path, try executable().path] + arguments
        process.environment = environment.merging(extra) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = try String(contentsOf: report, encoding: .utf8)
        // With a non-zero exit, time writes "Command exited with non-zero status N" first.
        guard let kilobytes = text.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw DatasetError.invalidOptions("cannot read the peak memory from /usr/bin/time: \(text)")
        }
        return (process.terminationStatus, kilobytes * 1024)
    }

    /// The CLI fixtures (`Fixtures/cli`: `good/`, `odd/`, `special/`; see Tools/make_cli_fixtures.py).
    static var fixtures: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "cli", withExtension: nil, subdirectory: "Fixtures"))
        }
    }

    /// A fresh temporary folder.
    static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("focal-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
