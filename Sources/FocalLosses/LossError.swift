import FocalCore
import Foundation

/// An invalid call of a loss of the Unified Focal family, of the distance penalty or of the
/// loss registry. The description says what is wrong and where (which loss, which argument).
public enum LossError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// An input does not have rank 4 (`N, C, H, W`) or 5 (`N, C, D, H, W`).
    case invalidRank(loss: String, argument: String, shape: [Int])
    /// The prediction and the target differ in shape.
    case shapeMismatch(loss: String, prediction: [Int], target: [Int])
    /// Fewer than two channels: every loss needs a background channel and at least one class.
    case tooFewClasses(loss: String, classes: Int)
    /// A dimension of the input is zero.
    case emptyDimension(loss: String, argument: String, shape: [Int])
    /// A hyperparameter is outside its valid range (or not finite).
    case invalidHyperparameter(loss: String, name: String, value: Double, requirement: String)
    /// A rare-class index does not exist in the prediction's channels.
    case rareClassOutOfRange(loss: String, index: Int, classes: Int)
    /// The set of rare classes is empty or has duplicates.
    case invalidRareClasses(loss: String, classes: [Int], reason: String)
    /// A per-pixel weight map does not have the shape `N, 1, spatial…` of the prediction.
    case pixelWeightShape(loss: String, weight: [Int], expected: [Int])
    /// A mask handed to the distance transform or distance penalty is not 2-D or 3-D.
    case invalidMask(function: String, shape: [Int], reason: String)
    /// The registry does not know this loss name.
    case unknownLoss(name: String, valid: [String])
    /// The registry's loss does not take this option.
    case unknownOption(loss: String, option: String, valid: [String])
    /// Two options that mean the same thing were both given.
    case conflictingOptions(loss: String, options: [String], reason: String)

    /// What is wrong and where, in one sentence.
    public var description: String {
        switch self {
        case let .invalidRank(loss, argument, shape):
            return "\(loss): \(argument) has shape \(Shape.describe(shape)) (rank \(shape.count)); expected rank 4 (N, C, H, W) or 5 (N, C, D, H, W), channels first"
        case let .shapeMismatch(loss, prediction, target):
            return "\(loss): prediction shape \(Shape.describe(prediction)) differs from target shape \(Shape.describe(target)); the target must be one-hot with the prediction's shape"
        case let .tooFewClasses(loss, classes):
            return "\(loss): \(classes) channel(s) on axis 1; at least 2 are needed (channel 0 = background, one-hot target)"
        case let .emptyDimension(loss, argument, shape):
            return "\(loss): \(argument) has an empty dimension in shape \(Shape.describe(shape))"
        case let .invalidHyperparameter(loss, name, value, requirement):
            return "\(loss): hyperparameter '\(name)' = \(value) is invalid; it must be \(requirement)"
        case let .rareClassOutOfRange(loss, index, classes):
            return "\(loss): rare class \(index) does not exist; the prediction has \(classes) channels (valid indices 0..<\(classes))"
        case let .invalidRareClasses(loss, classes, reason):
            return "\(loss): rare classes \(classes) are invalid: \(reason)"
        case let .pixelWeightShape(loss, weight, expected):
            return "\(loss): per-pixel weight has shape \(Shape.describe(weight)); expected \(Shape.describe(expected)) (N, 1, spatial…)"
        case let .invalidMask(function, shape, reason):
            return "\(function): mask of shape \(Shape.describe(shape)) is invalid: \(reason)"
        case let .unknownLoss(name, valid):
            let close = ClosestNames.suggestions(for: name, among: valid)
            let hint = close.isEmpty ? "" : "; did you mean \(ClosestNames.alternatives(close))?"
            return "unknown loss '\(name)'\(hint) (`focal loss --list` lists every loss and its options)"
        case let .unknownOption(loss, option, valid):
            let list = valid.isEmpty ? "(none)" : valid.joined(separator: ", ")
            let close = ClosestNames.suggestions(for: option, among: valid)
            let hint = close.isEmpty ? "" : " (did you mean \(ClosestNames.alternatives(close))?)"
            return "\(loss): unknown option '\(option)'\(hint); valid options: \(list)"
        case let .conflictingOptions(loss, options, reason):
            return "\(loss): options \(options.joined(separator: " and ")) conflict: \(reason)"
        }
    }

    /// Same as `description` (for `localizedDescription`).
    public var errorDescription: String? { description }
}
