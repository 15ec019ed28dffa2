import FocalCore
import FocalNets
import Foundation

/// The resumable state of a training run besides tensors.
public struct TrainingState: Codable, Sendable {
    /// Epochs finished (the next epoch to run is `epochsCompleted + 1`).
    public var epochsCompleted: Int
    /// The run's generator after the last finished epoch.
    public var generator: RandomGenerator
    /// Learning-rate schedule state.
    public var plateau: ReduceLROnPlateau
    /// Early-stopping state.
    public var earlyStopping: EarlyStopping
    /// Learning rate for the next epoch.
    public var learningRate: Float
    /// Best validation loss so far and its epoch.
    public var bestValidationLoss: Double
    public var bestEpoch: Int
    /// The log so far.
    public var history: [EpochRecord]
    /// The configuration the run was started with.
    public var configuration: TrainingConfiguration
    /// The run this checkpoint belongs to (`RunFolder`); `nil` in checkpoints written before run
    /// ids existed (decoded with `decodeIfPresent`, so those files still load).
    public var runID: UUID? = nil
}

/// A training checkpoint: network configuration and weights, optimiser state and the run's
/// state, in one safetensors file (tensors `model.*` and `optimizer.*`; JSON in metadata).
public struct Checkpoint {
    /// The network's configuration (plan included).
    public var network: UNetConfiguration
    /// Model parameters and buffers by name.
    public var model: [(String, Tensor)]
    /// Optimiser state by name.
    public var optimizer: [(String, Tensor)]
    /// Everything else needed to resume.
    public var state: TrainingState

    public init(network: UNetConfiguration, model: [(String, Tensor)], optimizer: [(String, Tensor)], state: TrainingState) {
        self.network = network
        self.model = model
        self.optimizer = optimizer
        self.state = state
    }

    static let formatKey = "focal.format"
    static let formatValue = "focal-training-checkpoint-1"

    /// Writes the checkpoint atomically (temporary file, fsync, rename), with `extra` metadata
    /// (e.g. `ModelMetadata`) beside the checkpoint's own keys, which win on a clash.
    public func write(to url: URL, metadata extra: [String: String] = [:]) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let metadata = extra.merging([
            Checkpoint.formatKey: Checkpoint.formatValue,
            "network": String(decoding: try enc.encode(network), as: UTF8.self),
            "state": String(decoding: try enc.encode(state), as: UTF8.self),
        ]) { _, own in own }
        let tensors = model.map { ("model." + $0.0, $0.1) } + optimizer.map { ("optimizer." + $0.0, $0.1) }
        try SafeTensors.write(tensors, metadata: metadata, to: url)
    }

    /// Reads a checkpoint; a truncated or corrupt file gives a typed error.
    public static func read(from url: URL) throws -> Checkpoint {
        try decode(try SafeTensors.read(from: url), url: url)
    }

    /// True when `metadata` is that of a Focal training checkpoint.
    public static func isTrainingCheckpoint(metadata: [String: String]) -> Bool {
        metadata[formatKey] == formatValue
    }

    /// The checkpoint's network with its weights.
    /// - Throws: `NetworkError` when the stored configuration is invalid or the tensors do not
    ///   fit it.
    public func makeModel() throws -> UNet {
        try network.validate()
        var generator = RandomGenerator(seed: 0)  // every weight is overwritten below
        let model = try UNet(configuration: network, generator: &generator)
        try model.load(stateDict: Dictionary(self.model, uniquingKeysWith: { a, _ in a }), strict: true)
        return model
    }

    /// A network from either kind of file: a model file written by `UNet.save(to:)` (such as
    /// `best.safetensors`) or a training checkpoint (`checkpoint.safetensors`).
    /// - Throws: the read error of `SafeTensors.read`, `TrainingError.checkpoint`,
    ///   `NetworkError.invalidCheckpoint` / `.checkpointMismatch`.
    public static func loadModel(from url: URL) throws -> UNet {
        let file = try SafeTensors.read(from: url)
        if isTrainingCheckpoint(metadata: file.metadata) { return try decode(file, url: url).makeModel() }
        return try UNet.load(from: url)
    }

    private static func decode(_ file: SafeTensorsFile, url: URL) throws -> Checkpoint {
        guard file.metadata[formatKey] == formatValue else {
            throw TrainingError.checkpoint("\(url.path) is not a Focal training checkpoint (metadata \(formatKey) is \(file.metadata[formatKey] ?? "missing"))")
        }
        guard let net = file.metadata["network"], let st = file.metadata["state"] else {
            throw TrainingError.checkpoint("\(url.path) lacks the network or state metadata")
        }
        let dec = JSONDecoder()
        do {
            let network = try dec.decode(UNetConfiguration.self, from: Data(net.utf8))
            let state = try dec.decode(TrainingState.self, from: Data(st.utf8))
            var model: [(String, Tensor)] = [], optimizer: [(String, Tensor)] = []
            for (name, t) in file.tensors {
                if name.hasPrefix("model.") { model.append((String(name.dropFirst(6)), t)) }
                else if name.hasPrefix("optimizer.") { optimizer.append((String(name.dropFirst(10)), t)) }
            }
            return Checkpoint(network: network, model: model, optimizer: optimizer, state: state)
        } catch let e as DecodingError {
            throw TrainingError.checkpoint("\(url.path): unreadable metadata (\(e))")
        }
    }
}

/// The checkpoint files of one output folder: the latest (`checkpoint.safetensors`), the one
/// before it (`checkpoint.prev.safetensors`, kept so that a file damaged by a kill never
/// loses more than one epoch) and the best-validation model (`best.safetensors`). With a
/// `runID`, every checkpoint saved is stamped with it and only checkpoints of that run are
/// resumed from, so a fallback never crosses into another run's file.
public struct CheckpointStore {
    /// The output folder.
    public let directory: URL
    /// The run whose checkpoints this store writes and reads (`nil`: any, as before run ids).
    public var runID: UUID?
    /// Metadata written into every checkpoint and the best model (`ModelMetadata.dictionary`).
    public var modelMetadata: [String: String] = [:]
    public var latestURL: URL { directory.appendingPathComponent("checkpoint.safetensors") }
    public var previousURL: URL { directory.appendingPathComponent("checkpoint.prev.safetensors") }
    public var bestURL: URL { directory.appendingPathComponent("best.safetensors") }

    /// A store in `directory` for the run `runID` (`nil`: checkpoints of any run).
    public init(directory: URL, runID: UUID? = nil) {
        self.directory = directory
        self.runID = runID
    }

    /// Saves `checkpoint` as the latest, keeping the former latest as the previous one.
    public func save(_ checkpoint: Checkpoint) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        if fm.fileExists(atPath: latestURL.path) {
            if rename(latestURL.path, previousURL.path) != 0 {
                throw TrainingError.checkpoint("cannot rotate \(latestURL.path): \(String(cString: strerror(errno)))")
            }
        }
        var stamped = checkpoint
        if let runID { stamped.state.runID = runID }
        try stamped.write(to: latestURL, metadata: modelMetadata)
    }

    /// The newest readable checkpoint, with a warning for every damaged file skipped.
    /// Returns `nil` when there is none (no file, or only damaged ones).
    public func loadLatest() -> (checkpoint: Checkpoint, url: URL, warnings: [String])? {
        try? loadLatestForResume()
    }

    /// The newest readable checkpoint to resume from, with a warning for every damaged file
    /// skipped; `nil` when the folder holds no checkpoint file at all.
    /// - Throws: `TrainingError.checkpoint` when checkpoint files exist but none is readable
    ///   (resuming must not silently start over and rotate the damaged files away).
    public func loadLatestForResume() throws -> (checkpoint: Checkpoint, url: URL, warnings: [String])? {
        var warnings: [String] = []
        for url in [latestURL, previousURL] where FileManager.default.fileExists(atPath: url.path) {
            do {
                let checkpoint = try Checkpoint.read(from: url)
                if let runID, checkpoint.state.runID != runID {
                    warnings.append("skipping \(url.path): it belongs to another run (run id \(checkpoint.state.runID?.uuidString ?? "none"), this run is \(runID.uuidString))")
                    continue
                }
                return (checkpoint, url, warnings)
            } catch {
                warnings.append("skipping damaged checkpoint \(url.path): \(error)")
            }
        }
        if warnings.isEmpty { return nil }
        throw TrainingError.checkpoint("no readable checkpoint of this run to resume from in \(directory.path) ("
            + warnings.joined(separator: "; ") + "); move the damaged files away to start a new run")
    }
}
