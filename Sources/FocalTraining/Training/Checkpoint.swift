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

/// A training checkpoint: the network's description and weights, the optimiser's state and the
/// run's state, in one safetensors file written in the scheme of `NetworkFile` (`format`
/// `focal.checkpoint`, version 2): the network's tensors under their own names, the optimiser's
/// under `optimizer.`, the run's state as JSON under `state`. Version-1 checkpoints (`focal.format`
/// `focal-training-checkpoint-1`, tensors under `model.`) still load.
public struct Checkpoint {
    /// The network's kind and configuration.
    public var network: NetworkDescription
    /// The rest of the network's metadata as written (architecture facts, description).
    public var networkMetadata: [String: String]
    /// Model parameters and buffers by name.
    public var model: [(String, Tensor)]
    /// Stored types other than float32 of model tensors (e.g. int64 `num_batches_tracked`).
    public var modelDTypes: [String: SafeTensorsDType] = [:]
    /// Optimiser state by name.
    public var optimizer: [(String, Tensor)]
    /// Everything else needed to resume.
    public var state: TrainingState

    /// A checkpoint of `network` (its description, facts and current weights).
    public init(network: any SegmentationNetwork, optimizer: [(String, Tensor)], state: TrainingState) throws {
        self.network = try NetworkDescription(of: network)
        self.networkMetadata = try NetworkFile.metadata(for: network, format: NetworkFile.checkpointFormat)
        self.model = network.stateDict()
        self.modelDTypes = network.stateDictDTypes()
        self.optimizer = optimizer
        self.state = state
    }

    /// A checkpoint from its parts.
    public init(network: NetworkDescription, model: [(String, Tensor)], optimizer: [(String, Tensor)], state: TrainingState) {
        self.network = network
        self.networkMetadata = [:]
        self.model = model
        self.optimizer = optimizer
        self.state = state
    }

    /// The metadata key of the run's state.
    static let stateKey = "state"
    /// The prefix of the optimiser's tensors.
    static let optimizerPrefix = "optimizer."
    /// Version 1: the format key and value, the configuration key and the model tensor prefix.
    static let legacyFormatKey = "focal.format", legacyFormatValue = "focal-training-checkpoint-1"
    static let legacyNetworkKey = "network", legacyModelPrefix = "model."

    /// Writes the checkpoint atomically (temporary file, fsync, rename), with `extra` metadata
    /// (e.g. `ModelMetadata`) beside the checkpoint's own keys, which win on a clash.
    /// - Throws: `TrainingError.checkpoint` when a network tensor's name starts with
    ///   `optimizer.` (it would be read back as optimiser state); I/O errors.
    public func write(to url: URL, metadata extra: [String: String] = [:]) throws {
        if let clash = model.first(where: { $0.0.hasPrefix(Checkpoint.optimizerPrefix) }) {
            throw TrainingError.checkpoint("network tensor '\(clash.0)' starts with '\(Checkpoint.optimizerPrefix)', which checkpoints reserve for the optimiser")
        }
        var metadata = networkMetadata.merging(extra) { own, _ in own }
        metadata[NetworkFile.Key.format] = NetworkFile.checkpointFormat
        metadata[NetworkFile.Key.version] = String(NetworkFile.version)
        metadata[NetworkFile.Key.network] = network.kind
        metadata[NetworkFile.Key.configuration] = network.configuration
        metadata[Checkpoint.stateKey] = try NetworkFile.encode(state)
        let tensors = model + optimizer.map { (Checkpoint.optimizerPrefix + $0.0, $0.1) }
        try SafeTensors.write(tensors, metadata: metadata, dtypes: modelDTypes, to: url)
    }

    /// Reads a checkpoint; a truncated or corrupt file gives a typed error.
    public static func read(from url: URL) throws -> Checkpoint {
        try decode(try SafeTensors.read(from: url), url: url)
    }

    /// A checkpoint from the bytes of a checkpoint file (`url` names it in errors), e.g. the
    /// file rank 0 of a distributed run read and broadcast.
    public static func decode(_ data: Data, url: URL) throws -> Checkpoint {
        try decode(try SafeTensors.decode(data), url: url)
    }

    /// True when `metadata` is that of a Focal training checkpoint (either version).
    public static func isTrainingCheckpoint(metadata: [String: String]) -> Bool {
        metadata[NetworkFile.Key.format] == NetworkFile.checkpointFormat || metadata[legacyFormatKey] == legacyFormatValue
    }

    /// The checkpoint's network with its weights.
    /// - Throws: `NetworkError` when the stored description is invalid or unregistered or the
    ///   tensors do not fit it.
    public func makeModel(path: String = "checkpoint") throws -> any SegmentationNetwork {
        let model = try NetworkRegistry.make(network, path: path)
        try NetworkFile.loadTensors(self.model, into: model, stored: nil)
        return model
    }

    /// A network from either kind of file: a model file (such as `best.safetensors`) or a
    /// training checkpoint (`checkpoint.safetensors`), of either version.
    /// - Throws: the read error of `SafeTensors.read`, `TrainingError.checkpoint`,
    ///   `NetworkError.invalidCheckpoint` / `.checkpointMismatch`.
    public static func loadModel(from url: URL) throws -> any SegmentationNetwork {
        let file = try SafeTensors.read(from: url)
        if isTrainingCheckpoint(metadata: file.metadata) { return try decode(file, url: url).makeModel(path: url.path) }
        return try NetworkFile.load(from: url)
    }

    private static func decode(_ file: SafeTensorsFile, url: URL) throws -> Checkpoint {
        guard isTrainingCheckpoint(metadata: file.metadata) else {
            throw TrainingError.checkpoint("\(url.path) is not a Focal training checkpoint (metadata \(NetworkFile.Key.format) is \(file.metadata[NetworkFile.Key.format] ?? "missing"))")
        }
        let legacy = file.metadata[legacyFormatKey] == legacyFormatValue
        let network: NetworkDescription
        if legacy {
            guard let json = file.metadata[legacyNetworkKey] else {
                throw TrainingError.checkpoint("\(url.path) lacks the network metadata")
            }
            network = .legacyUNet(configuration: json)
        } else {
            network = try NetworkFile.networkDescription(fromMetadata: file.metadata, path: url.path)
        }
        guard let st = file.metadata[stateKey] else { throw TrainingError.checkpoint("\(url.path) lacks the state metadata") }
        let state: TrainingState
        do {
            state = try JSONDecoder().decode(TrainingState.self, from: Data(st.utf8))
        } catch let e as DecodingError {
            throw TrainingError.checkpoint("\(url.path): unreadable metadata (\(e))")
        }
        var model: [(String, Tensor)] = [], optimizer: [(String, Tensor)] = []
        for (name, t) in file.tensors {
            if name.hasPrefix(optimizerPrefix) { optimizer.append((String(name.dropFirst(optimizerPrefix.count)), t)) }
            else if !legacy { model.append((name, t)) }
            else if name.hasPrefix(legacyModelPrefix) { model.append((String(name.dropFirst(legacyModelPrefix.count)), t)) }
        }
        var checkpoint = Checkpoint(network: network, model: model, optimizer: optimizer, state: state)
        checkpoint.networkMetadata = file.metadata.filter { $0.key != stateKey && $0.key != legacyFormatKey && $0.key != legacyNetworkKey }
        return checkpoint
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
