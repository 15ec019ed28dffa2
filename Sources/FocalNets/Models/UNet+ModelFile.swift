import FocalCore
import Foundation

// The U-Net's model files (the scheme of `NetworkFile`).

extension UNet {
    /// Saves the whole model — configuration, attention plan and every parameter and buffer
    /// (PyTorch-style names, e.g. `encoder.0.conv1.weight`) — as a safetensors model file,
    /// written atomically (`NetworkFile.save`).
    ///
    /// - Parameters:
    ///   - url: the file to write (replaced atomically).
    ///   - metadata: extra metadata (e.g. epoch, validation loss); the keys of
    ///     `NetworkFile.Key.reserved` are refused.
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
