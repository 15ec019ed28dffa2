import Foundation

/// Why a training run stopped or could not start.
public enum TrainingError: Error, CustomStringConvertible {
    /// The loss became NaN or infinite; the weights were not updated with it.
    case nonFiniteLoss(epoch: Int, step: Int, value: Float, lastCheckpoint: String?)
    /// A gradient became NaN or infinite (e.g. from a NaN pixel); the weights were not updated.
    case nonFiniteGradient(epoch: Int, step: Int, parameter: String, lastCheckpoint: String?)
    /// A split has no images.
    case emptySplit(String)
    /// The checkpoint cannot be used to resume this run.
    case checkpoint(String)
    /// The configuration is invalid.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, step, value, last):
            let where_ = last.map { "the last good checkpoint is \($0)" } ?? "no checkpoint was written yet"
            return "training stopped: the loss became \(value) at epoch \(epoch), step \(step); weights were not updated with it; \(where_). Try a lower learning rate."
        case let .nonFiniteGradient(epoch, step, parameter, last):
            let where_ = last.map { "the last good checkpoint is \($0)" } ?? "no checkpoint was written yet"
            return "training stopped: the gradient of \(parameter) became NaN or infinite at epoch \(epoch), step \(step) (check the input images for NaN values); weights were not updated with it; \(where_)"
        case let .emptySplit(name): return "the \(name) split has no images; add images or change the split fractions"
        case let .checkpoint(msg): return "checkpoint: \(msg)"
        case let .invalidConfiguration(msg): return "invalid training configuration: \(msg)"
        }
    }
}
