import FocalCore
import Foundation

// The U-Net as a `SegmentationNetwork`: what the trainer, checkpoints, prediction and model files
// need to know of it.

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
