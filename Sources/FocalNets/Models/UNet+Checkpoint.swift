import FocalCore
import Foundation

// Whole-model checkpoints: the configuration (with the attention plan) and every parameter and
// buffer in one safetensors file.

extension UNet {
    /// The `__metadata__` value of key `format` in Focal U-Net checkpoints.
    public static let checkpointFormat = "focal.unet"
    /// The checkpoint layout version written by this library.
    public static let checkpointVersion = 1

    /// Metadata keys written by `save(to:metadata:)`.
    public enum CheckpointKey {
        /// `focal.unet`.
        public static let format = "format"
        /// The layout version (`1`).
        public static let version = "format_version"
        /// The `UNetConfiguration` as JSON (sorted keys).
        public static let configuration = "configuration"
        /// The attention plan in its printed form (informational; the JSON is authoritative).
        public static let plan = "attention_plan"
    }

    /// The configuration as compact JSON with sorted keys.
    public func configurationJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(configuration), as: UTF8.self)
    }

    /// Saves the whole model — configuration, attention plan and every parameter and buffer
    /// (PyTorch-style names, e.g. `encoder.0.conv1.weight`) — as a safetensors file, written
    /// atomically. The configuration is stored as JSON in `__metadata__` under `configuration`.
    ///
    /// - Parameter metadata: extra metadata (e.g. epoch, validation loss); the keys `format`,
    ///   `format_version`, `configuration` and `attention_plan` are reserved.
    /// - Throws: `NetworkError.invalidCheckpoint` for a reserved key; I/O errors from
    ///   `SafeTensors.write`.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        let reserved = [CheckpointKey.format, CheckpointKey.version, CheckpointKey.configuration, CheckpointKey.plan,
                        UNetArchitecture.metadataKey]
        if let clash = reserved.first(where: { metadata[$0] != nil }) {
            throw NetworkError.invalidCheckpoint(path: url.path, reason: "metadata key '\(clash)' is reserved for the model description")
        }
        var meta = metadata
        meta[CheckpointKey.format] = UNet.checkpointFormat
        meta[CheckpointKey.version] = String(UNet.checkpointVersion)
        meta[CheckpointKey.configuration] = try configurationJSON()
        meta[CheckpointKey.plan] = plan.description
        meta[UNetArchitecture.metadataKey] = try UNetArchitecture.current.json()
        try SafeTensors.write(stateDict(), metadata: meta, dtypes: stateDictDTypes(), to: url)
    }

    /// The configuration stored in a checkpoint's metadata.
    /// - Throws: `NetworkError.invalidCheckpoint` when it is absent, of another format or version,
    ///   or not a valid configuration.
    public static func configuration(fromMetadata metadata: [String: String], path: String) throws -> UNetConfiguration {
        if let format = metadata[CheckpointKey.format], format != checkpointFormat {
            throw NetworkError.invalidCheckpoint(path: path, reason: "format is '\(format)', expected '\(checkpointFormat)'")
        }
        if let v = metadata[CheckpointKey.version], Int(v) != checkpointVersion {
            throw NetworkError.invalidCheckpoint(
                path: path, reason: "format version \(v) is not supported (this library reads version \(checkpointVersion))")
        }
        guard let json = metadata[CheckpointKey.configuration] else {
            throw NetworkError.invalidCheckpoint(
                path: path, reason: "no '\(CheckpointKey.configuration)' in the metadata (not saved by UNet.save(to:)); "
                    + "build the model yourself and use loadWeights(from:)")
        }
        let configuration: UNetConfiguration
        do {
            configuration = try JSONDecoder().decode(UNetConfiguration.self, from: Data(json.utf8))
        } catch {
            throw NetworkError.invalidCheckpoint(path: path, reason: "the stored configuration is not valid JSON for UNetConfiguration: \(error)")
        }
        do {
            try configuration.validate()
        } catch let error as NetworkError {
            throw NetworkError.invalidCheckpoint(path: path, reason: "the stored configuration is invalid: \(error)")
        }
        return configuration
    }

    /// Rebuilds a model from a checkpoint written by `save(to:metadata:)`: its configuration
    /// (architecture and attention plan) from the metadata, then its weights.
    /// - Throws: `NetworkError.invalidCheckpoint` (no or bad configuration),
    ///   `NetworkError.checkpointMismatch` (the tensors do not fit the stored configuration), or
    ///   the read error of `SafeTensors.read`.
    public static func load(from url: URL) throws -> UNet {
        let file = try SafeTensors.read(from: url)
        let configuration = try configuration(fromMetadata: file.metadata, path: url.path)
        var generator = RandomGenerator(seed: 0)  // every weight is overwritten below
        let model = try UNet(configuration: configuration, generator: &generator)
        try model.loadTensors(file.tensors, checkpointConfiguration: configuration)
        return model
    }

    /// Loads a checkpoint's weights into this model. The checkpoint must describe the same
    /// architecture and attention plan (when it stores a configuration) and hold exactly this
    /// model's tensors with the same shapes.
    ///
    /// - Throws: `NetworkError.checkpointMismatch` listing every difference — attention modules
    ///   present in only one of them, Focal flags, configuration fields, missing and unexpected
    ///   tensors, shape mismatches — in which case nothing is loaded; `NetworkError.invalidCheckpoint`
    ///   for unreadable metadata; the read error of `SafeTensors.read`.
    public func loadWeights(from url: URL) throws {
        let file = try SafeTensors.read(from: url)
        let stored: UNetConfiguration? = file.metadata[CheckpointKey.configuration] == nil
            ? nil : try UNet.configuration(fromMetadata: file.metadata, path: url.path)
        try loadTensors(file.tensors, checkpointConfiguration: stored)
    }

    /// Loads `tensors` strictly, after checking `checkpointConfiguration` (if any) against the
    /// model's; throws `checkpointMismatch` with every difference and loads nothing on failure.
    func loadTensors(_ tensors: [(String, Tensor)], checkpointConfiguration: UNetConfiguration?) throws {
        var differences = checkpointConfiguration.map { configuration.differences(from: $0) } ?? []
        var dict: [String: Tensor] = [:]
        for (name, t) in tensors {
            if dict.updateValue(t, forKey: name) != nil { differences.append("tensor \(name) appears twice in the checkpoint") }
        }
        dict = addingAbsentOptionalBuffers(to: dict)  // e.g. num_batches_tracked of older files
        // Dry run first: the model is modified only when everything matches.
        let report = probeStateDict(dict)
        if !report.missingKeys.isEmpty {
            differences.append("missing from the checkpoint (\(report.missingKeys.count)): \(report.missingKeys.joined(separator: ", "))")
        }
        if !report.unexpectedKeys.isEmpty {
            differences.append("not in the model (\(report.unexpectedKeys.count)): \(report.unexpectedKeys.joined(separator: ", "))")
        }
        for m in report.shapeMismatches {
            differences.append("shape of \(m.name): \(m.expected) in the model, \(m.found) in the checkpoint")
        }
        guard differences.isEmpty else { throw NetworkError.checkpointMismatch(differences: differences) }
        try load(stateDict: dict, strict: true)
    }

    /// What a strict load of `dict` would report, computed without modifying the model.
    private func probeStateDict(_ dict: [String: Tensor]) -> StateDictReport {
        var report = StateDictReport()
        let own = stateDict()
        for (name, t) in own {
            guard let other = dict[name] else { report.missingKeys.append(name); continue }
            if other.shape != t.shape {
                report.shapeMismatches.append(ShapeMismatch(name: name, expected: t.shape, found: other.shape))
            } else {
                report.loadedKeys.append(name)
            }
        }
        let known = Set(own.map(\.0))
        report.unexpectedKeys = dict.keys.filter { !known.contains($0) }.sorted()
        return report
    }
}
