import FocalCore
import Foundation

// The U-Net as a `SegmentationNetwork`, and its model files (the scheme of `NetworkFile`).

extension UNet: SegmentationNetwork, CustomStringConvertible {
    /// `unet`.
    public static let kind = "unet"

    /// A U-Net rebuilt from `configurationJSON()` (weights from seed 0; a file's tensors are
    /// loaded afterwards).
    public static func make(configurationJSON: String) throws -> UNet {
        let configuration = try NetworkFile.decode(UNetConfiguration.self, from: configurationJSON)
        var generator = RandomGenerator(seed: 0)
        return try UNet(configuration: configuration, generator: &generator)
    }

    /// The configuration as compact JSON with sorted keys.
    public func configurationJSON() throws -> String { try NetworkFile.encode(configuration) }

    public var inChannels: Int { configuration.inChannels }
    public var classes: Int { configuration.classes }
    public var sizeMultiple: Int { configuration.sizeMultiple }

    /// The facts of `UNetArchitecture` (normalisation ε, operation order, preprocessing, …) as
    /// JSON, stored under `architecture` in every file.
    public var architectureFacts: String? { try? UNetArchitecture.current.json() }

    /// `configuration.featureValuesPerPixel`.
    public var featureValuesPerPixel: Double? { configuration.featureValuesPerPixel }

    /// The configuration's description, e.g. `U-Net 3→2 classes, 32 filters, depth 4, …`.
    public var description: String { configuration.description }

    /// The differences of `UNetConfiguration.differences(from:)` (the initial Focal ε is not
    /// architectural and is ignored).
    public func architectureDifferences(fromConfigurationJSON json: String) throws -> [String] {
        configuration.differences(from: try NetworkFile.decode(UNetConfiguration.self, from: json))
    }
}

extension UNet {
    /// Saves the whole model — configuration, attention plan and every parameter and buffer
    /// (PyTorch-style names, e.g. `encoder.0.conv1.weight`) — as a safetensors model file,
    /// written atomically (`NetworkFile.save`).
    ///
    /// - Parameter metadata: extra metadata (e.g. epoch, validation loss); the keys of
    ///   `NetworkFile.Key.reserved` are refused.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try NetworkFile.save(self, to: url, metadata: metadata)
    }

    /// The U-Net configuration stored in a file's metadata (a model file or a training
    /// checkpoint, of either version).
    /// - Throws: `NetworkError.invalidCheckpoint` when it is absent, of another format, version
    ///   or network kind, or not a valid configuration.
    public static func configuration(fromMetadata metadata: [String: String], path: String) throws -> UNetConfiguration {
        let description = try NetworkFile.networkDescription(fromMetadata: metadata, path: path)
        guard description.kind == kind else {
            throw NetworkError.invalidCheckpoint(path: path, reason: "it holds a '\(description.kind)' network, not a U-Net")
        }
        let configuration: UNetConfiguration
        do {
            configuration = try NetworkFile.decode(UNetConfiguration.self, from: description.configuration)
            try configuration.validate()
        } catch let error as NetworkError {
            throw NetworkError.invalidCheckpoint(path: path, reason: "the stored configuration is invalid: \(error)")
        }
        return configuration
    }

    /// Rebuilds a U-Net from a model file: its configuration (architecture and attention plan)
    /// from the metadata, then its weights.
    /// - Throws: `NetworkError.invalidCheckpoint` (no or bad configuration, another network
    ///   kind), `NetworkError.checkpointMismatch` (the tensors do not fit the stored
    ///   configuration), or the read error of `SafeTensors.read`.
    public static func load(from url: URL) throws -> UNet {
        let file = try SafeTensors.read(from: url)
        let configuration = try configuration(fromMetadata: file.metadata, path: url.path)
        var generator = RandomGenerator(seed: 0)  // every weight is overwritten below
        let model = try UNet(configuration: configuration, generator: &generator)
        try NetworkFile.loadTensors(file.tensors, into: model, stored: nil)
        return model
    }

    /// Loads a model file's weights into this model. The file must describe the same
    /// architecture and attention plan (when it stores a configuration) and hold exactly this
    /// model's tensors with the same shapes.
    ///
    /// - Throws: `NetworkError.checkpointMismatch` listing every difference — attention modules
    ///   present in only one of them, Focal flags, configuration fields, missing and unexpected
    ///   tensors, shape mismatches — in which case nothing is loaded; `NetworkError.invalidCheckpoint`
    ///   for unreadable metadata; the read error of `SafeTensors.read`.
    public func loadWeights(from url: URL) throws {
        let file = try SafeTensors.read(from: url)
        let stored: String? = file.metadata[NetworkFile.Key.configuration] == nil
            ? nil : try NetworkFile.encode(UNet.configuration(fromMetadata: file.metadata, path: url.path))
        try NetworkFile.loadTensors(file.tensors, into: self, stored: stored)
    }
}
