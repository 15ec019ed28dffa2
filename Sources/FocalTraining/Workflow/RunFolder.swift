import FocalCore
import Foundation

/// An output folder that holds one training run: its record (`configuration.json`, with the run
/// id), checkpoints, logs and results. Opening it takes the folder's `RunLock` for as long as the
/// `RunFolder` is open, so a second process is kept out, and then removes the temporary files
/// a killed run left behind (`AtomicFile` names; only once the lock is ours, so never another
/// live run's).
public final class RunFolder {
    /// The folder.
    public let directory: URL
    /// Temporary files removed when the folder was opened (paths).
    public private(set) var removedTemporaryFiles: [String] = []
    private let lock: RunLock

    /// The run's record: configuration and run id.
    public var configurationURL: URL { directory.appendingPathComponent("configuration.json") }

    /// Files and folders a run writes, relative to the folder: what `clear()` removes.
    public static let runFiles = ["configuration.json", "checkpoint.safetensors", "checkpoint.prev.safetensors",
                                  "best.safetensors", "log.csv", "log.jsonl", "loss.svg", "loss.png",
                                  "focal-weights.svg", "focal-weights.png", "metrics.csv", "summary.json",
                                  "predictions", "overlays"]
    /// Subfolders whose stale temporary files are removed too.
    static let subfolders = ["predictions", "overlays"]

    /// Creates `directory` if needed, locks it and removes stale temporary files.
    /// - Throws: `RunFolderError.busy` (naming the holder's pid) when another process has it open.
    public init(_ directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        lock = try RunLock.acquire(in: directory)
        removedTemporaryFiles = try removeTemporaryFiles()
    }

    /// Releases the lock; the folder must not be used afterwards.
    public func close() { lock.release() }

    private func removeTemporaryFiles() throws -> [String] {
        let fm = FileManager.default
        var removed: [String] = []
        for folder in [directory] + Self.subfolders.map(directory.appendingPathComponent) {
            guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names.sorted() where AtomicFile.isTemporaryName(name) {
                let path = folder.appendingPathComponent(name).path
                do { try fm.removeItem(atPath: path) } catch {
                    throw RunFolderError.io(path: path, reason: "cannot remove a stale temporary file (\(error.localizedDescription))")
                }
                removed.append(path)
            }
        }
        return removed
    }

    /// True when the folder holds (part of) a run: a record or a checkpoint or model file.
    public var holdsRun: Bool {
        ["configuration.json", "checkpoint.safetensors", "checkpoint.prev.safetensors", "best.safetensors"]
            .contains { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
    }

    /// The run id in the record, `nil` when there is no record or it predates run ids.
    /// - Throws: `TrainingError.invalidConfiguration` for an unreadable record.
    public func runID() throws -> UUID? {
        guard FileManager.default.fileExists(atPath: configurationURL.path) else { return nil }
        struct Field: Decodable { var runID: UUID? }
        do {
            return try JSONDecoder().decode(Field.self, from: Data(contentsOf: configurationURL)).runID
        } catch {
            throw TrainingError.invalidConfiguration("\(configurationURL.path) is not a readable experiment configuration (\(Experiment.shortDescription(error))); move the folder away or use another output folder")
        }
    }

    /// Epochs finished by the run in the folder, from its newest readable checkpoint (0 when none).
    public var epochsCompleted: Int {
        CheckpointStore(directory: directory).loadLatest()?.checkpoint.state.epochsCompleted ?? 0
    }

    /// Writes the record: `configuration` with the key `runID` added.
    public func writeRecord<Network>(_ configuration: RunConfiguration<Network>, runID: UUID?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(configuration)
        if let runID, var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
            object["runID"] = runID.uuidString
            data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        }
        try AtomicFile.write(data, to: configurationURL)
    }

    /// Removes the files of the run in the folder (`runFiles`); other files stay.
    public func clear() throws {
        let fm = FileManager.default
        for name in Self.runFiles {
            let url = directory.appendingPathComponent(name)
            guard fm.fileExists(atPath: url.path) else { continue }
            do { try fm.removeItem(at: url) } catch {
                throw RunFolderError.io(path: url.path, reason: "cannot remove the old run's file (\(error.localizedDescription))")
            }
        }
    }
}
