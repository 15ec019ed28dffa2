import FocalCore
import Foundation

/// The one metadata scheme of every Focal file that holds a network: model files
/// (`best.safetensors`, written by `NetworkFile.save`) and training checkpoints (which add the
/// run's state and the optimiser's tensors). Both carry, in the safetensors `__metadata__`:
///
/// | key | value |
/// |---|---|
/// | `format` | `focal.model` or `focal.checkpoint` |
/// | `format_version` | `2` |
/// | `network` | the network's kind (`unet`, or a registered type's `kind`) |
/// | `configuration` | the network's configuration as JSON (sorted keys) |
/// | `architecture` | facts a port needs (normalisation ε, operation order, …), when the network states them |
/// | `description` | a one-line human description (informational) |
///
/// The network's tensors are stored under their own names (`encoder.0.conv1.weight`, …) in
/// both kinds of file, so a file loads into PyTorch with `load_state_dict(strict=True)`.
///
/// Older files still load: version-1 model files (`format` `focal.unet`, no `network` key) and
/// version-1 training checkpoints (see `Checkpoint`).
public enum NetworkFile {
    /// `format` of a model file.
    public static let modelFormat = "focal.model"
    /// `format` of a training checkpoint.
    public static let checkpointFormat = "focal.checkpoint"
    /// The layout version written by this library.
    public static let version = 2
    /// `format` of version-1 U-Net model files (still read).
    public static let legacyUNetFormat = "focal.unet"

    /// The metadata keys.
    public enum Key {
        public static let format = "format"
        public static let version = "format_version"
        public static let network = "network"
        public static let configuration = "configuration"
        public static let architecture = "architecture"
        public static let description = "description"
        /// Every key this scheme reserves (callers' extra metadata may not use them).
        public static let reserved = [format, version, network, configuration, architecture, description]
    }

    /// The metadata describing `model` in a file of `format`.
    public static func metadata(for model: any SegmentationNetwork, format: String = modelFormat) throws -> [String: String] {
        var meta = [
            Key.format: format,
            Key.version: String(version),
            Key.network: type(of: model).kind,
            Key.configuration: try model.configurationJSON(),
            Key.description: (model as? CustomStringConvertible)?.description ?? type(of: model).kind,
        ]
        if let facts = model.architectureFacts { meta[Key.architecture] = facts }
        return meta
    }

    /// Saves `model` — its description and every parameter and buffer under its PyTorch-style
    /// name — as a safetensors model file, atomically.
    /// - Parameters:
    ///   - model: the network to save.
    ///   - url: the file to write (replaced atomically).
    ///   - metadata: extra metadata (e.g. epoch, validation loss); the keys of
    ///     `Key.reserved` are refused.
    /// - Throws: `NetworkError.invalidCheckpoint` for a reserved key; I/O errors from
    ///   `SafeTensors.write`.
    public static func save(_ model: any SegmentationNetwork, to url: URL, metadata: [String: String] = [:]) throws {
        if let clash = Key.reserved.first(where: { metadata[$0] != nil }) {
            throw NetworkError.invalidCheckpoint(path: url.path, reason: "metadata key '\(clash)' is reserved for the model description")
        }
        let meta = try self.metadata(for: model).merging(metadata) { a, _ in a }
        try SafeTensors.write(model.stateDict(), metadata: meta, dtypes: model.stateDictDTypes(), to: url)
    }

    /// The network kind and configuration JSON a file's metadata records.
    /// - Throws: `NetworkError.invalidCheckpoint` when the metadata is of another format or
    ///   version, or names no configuration.
    public static func networkDescription(fromMetadata metadata: [String: String], path: String) throws -> NetworkDescription {
        let format = metadata[Key.format]
        if format == legacyUNetFormat {
            if let v = metadata[Key.version], v != "1" {
                throw NetworkError.invalidCheckpoint(path: path, reason: "format version \(v) of \(legacyUNetFormat) is not supported")
            }
            guard let json = metadata[Key.configuration] else { throw noConfiguration(path) }
            return .legacyUNet(configuration: json)
        }
        guard let format else { throw noConfiguration(path) }
        guard format == modelFormat || format == checkpointFormat else {
            throw NetworkError.invalidCheckpoint(path: path, reason: "format is '\(format)', expected '\(modelFormat)' or '\(checkpointFormat)'")
        }
        guard let v = metadata[Key.version], Int(v) == version else {
            throw NetworkError.invalidCheckpoint(
                path: path, reason: "format version \(metadata[Key.version] ?? "missing") is not supported (this library reads versions 1 and \(version))")
        }
        guard let kind = metadata[Key.network], let json = metadata[Key.configuration] else { throw noConfiguration(path) }
        return NetworkDescription(kind: kind, configuration: json)
    }

    private static func noConfiguration(_ path: String) -> NetworkError {
        .invalidCheckpoint(path: path, reason: "no network description in the metadata (not saved by Focal); build the model yourself and use loadWeights(from:)")
    }

    /// Rebuilds the network a model file describes (its type from `NetworkRegistry`) and loads
    /// its weights.
    /// - Throws: `NetworkError.invalidCheckpoint` (no or bad description, unknown kind),
    ///   `NetworkError.checkpointMismatch` (the tensors do not fit), or the read error of
    ///   `SafeTensors.read`.
    public static func load(from url: URL) throws -> any SegmentationNetwork {
        let file = try SafeTensors.read(from: url)
        let description = try networkDescription(fromMetadata: file.metadata, path: url.path)
        let model = try NetworkRegistry.make(description, path: url.path)
        try loadTensors(file.tensors, into: model, stored: description.configuration)
        return model
    }

    /// Loads `tensors` into `model` strictly, after checking the stored configuration (if any)
    /// against the model's architecture; on any difference nothing is loaded and
    /// `NetworkError.checkpointMismatch` lists every one (architecture, duplicate, missing and
    /// unexpected tensors, shapes).
    public static func loadTensors(_ tensors: [(String, Tensor)], into model: any SegmentationNetwork, stored configuration: String?) throws {
        var differences = try configuration.map { try model.architectureDifferences(fromConfigurationJSON: $0) } ?? []
        var dict: [String: Tensor] = [:]
        for (name, t) in tensors where dict.updateValue(t, forKey: name) != nil {
            differences.append("tensor \(name) appears twice in the checkpoint")
        }
        dict = model.addingAbsentOptionalBuffers(to: dict)  // e.g. num_batches_tracked of older files
        let report = model.matchStateDict(dict)
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
        try model.load(stateDict: dict, strict: true)
    }

    /// `value` as compact JSON with sorted keys (the form `configurationJSON()` returns).
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A configuration decoded from JSON.
    /// - Throws: `NetworkError.invalidConfiguration` naming the type when the JSON does not fit.
    public static func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(json.utf8))
        } catch {
            throw NetworkError.invalidConfiguration("the stored configuration is not valid JSON for \(type): \(error)")
        }
    }
}

/// A network's kind and configuration JSON, as a file records them.
public struct NetworkDescription: Codable, Sendable, Hashable {
    /// The network type's `kind` (e.g. `unet`).
    public var kind: String
    /// Its configuration as JSON.
    public var configuration: String
}

extension NetworkDescription {
    /// The description of `model`.
    public init(of model: any SegmentationNetwork) throws {
        self.init(kind: type(of: model).kind, configuration: try model.configurationJSON())
    }

    /// The description a version-1 file implies (`focal.unet` model files, version-1 training
    /// checkpoints): those files held U-Nets only, so the kind is `unet` and `configuration` is
    /// a `UNetConfiguration`'s JSON.
    public static func legacyUNet(configuration: String) -> NetworkDescription {
        NetworkDescription(kind: UNet.kind, configuration: configuration)
    }
}
