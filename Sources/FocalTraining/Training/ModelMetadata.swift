import FocalData
import FocalCore
import Foundation

/// What a trained model file records about the run that made it, in its safetensors metadata
/// (both `best.safetensors` and the training checkpoints): the run id and the training size.
/// `predict` and `evaluate` resize images to `trainingSize` by default, so they preprocess
/// exactly as training did.
public struct ModelMetadata: Sendable, Equatable {
    /// Metadata key of the run id (a UUID string).
    public static let runIDKey = "focal.run_id"
    /// Metadata key of the training size (`HxW`, e.g. `256x256`).
    public static let trainingSizeKey = "focal.training_size"

    /// The run that trained the model, when recorded.
    public var runID: UUID?
    /// The size the training images were resized to, when recorded.
    public var trainingSize: ImageSize?

    /// Metadata with the given values.
    public init(runID: UUID? = nil, trainingSize: ImageSize? = nil) {
        self.runID = runID
        self.trainingSize = trainingSize
    }

    /// The values found in a file's metadata; missing or unreadable keys are `nil` (files
    /// written before these keys existed).
    public init(metadata: [String: String]) {
        runID = metadata[Self.runIDKey].flatMap(UUID.init(uuidString:))
        trainingSize = metadata[Self.trainingSizeKey].flatMap { text in
            let parts = text.split(separator: "x").compactMap { Int($0) }
            return parts.count == 2 && parts.allSatisfy({ $0 > 0 }) ? ImageSize(height: parts[0], width: parts[1]) : nil
        }
    }

    /// The metadata of the model file at `url`.
    /// - Throws: the read error of `SafeTensors.read`.
    public static func read(from url: URL) throws -> ModelMetadata {
        ModelMetadata(metadata: try SafeTensors.read(from: url).metadata)
    }

    /// The keys to write (only the recorded values).
    public var dictionary: [String: String] {
        var d: [String: String] = [:]
        if let runID { d[Self.runIDKey] = runID.uuidString }
        if let trainingSize { d[Self.trainingSizeKey] = "\(trainingSize.height)x\(trainingSize.width)" }
        return d
    }
}
