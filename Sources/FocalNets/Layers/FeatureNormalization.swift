import FocalCore

/// The normalisation layer a network puts after each convolution's activation.
public enum FeatureNormalization: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Instance normalisation (`InstanceNorm2d`, eps 1e-3) — the paper's choice (batch size 1).
    case instance
    /// Batch normalisation (`BatchNorm2d`, Keras momentum 0.99, eps 1e-3) — stock MIScnn.
    case batch
    /// No normalisation.
    case none

    /// `instance`, `batch` or `none`.
    public var description: String { rawValue }

    /// A fresh normalisation layer for `channels` channels, or `nil` for `.none`.
    public func makeLayer(channels: Int) -> (any Layer)? {
        switch self {
        case .instance: InstanceNorm2d(channels: channels)
        case .batch: BatchNorm2d(channels: channels)
        case .none: nil
        }
    }
}
