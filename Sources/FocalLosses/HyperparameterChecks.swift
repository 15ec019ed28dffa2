import FocalCore

/// Range checks of loss hyperparameters; each throws `LossError.invalidHyperparameter`
/// naming the loss and the hyperparameter.
enum HyperparameterCheck {
    /// `value` must be finite and in `[0, 1]`.
    static func unitInterval(_ value: Float, _ name: String, in loss: String) throws {
        guard value.isFinite, value >= 0, value <= 1 else {
            throw LossError.invalidHyperparameter(loss: loss, name: name, value: Double(value), requirement: "a finite number in [0, 1]")
        }
    }

    /// `value` must be finite and `≥ 0`.
    static func nonNegative(_ value: Float, _ name: String, in loss: String) throws {
        guard value.isFinite, value >= 0 else {
            throw LossError.invalidHyperparameter(loss: loss, name: name, value: Double(value), requirement: "a finite number ≥ 0")
        }
    }

    /// `value` must be finite and `> 0` (smoothing terms keep empty classes defined).
    static func positive(_ value: Float, _ name: String, in loss: String) throws {
        guard value.isFinite, value > 0 else {
            throw LossError.invalidHyperparameter(
                loss: loss, name: name, value: Double(value),
                requirement: "a finite number > 0 (it keeps the index defined for classes absent from an image)")
        }
    }

    /// A focal exponent `γ` of the Unified Focal family: the Tversky part raises `1 − TI` to
    /// `1 − γ`, so `γ ∈ [0, 1]` (γ > 1 would reward worse overlap).
    static func unifiedGamma(_ value: Float, _ name: String, in loss: String) throws {
        guard value.isFinite, value >= 0, value <= 1 else {
            throw LossError.invalidHyperparameter(
                loss: loss, name: name, value: Double(value),
                requirement: "in [0, 1] (the focal Tversky exponent 1 − gamma must be in [0, 1])")
        }
    }

    /// Checks a user-given list of rare classes (non-empty, non-negative, no duplicates).
    static func rareClasses(_ classes: [Int]?, in loss: String) throws {
        guard let classes else { return }
        if classes.isEmpty {
            throw LossError.invalidRareClasses(loss: loss, classes: classes, reason: "the set is empty; pass nil for the default (every class but channel 0)")
        }
        if let bad = classes.first(where: { $0 < 0 }) {
            throw LossError.invalidRareClasses(loss: loss, classes: classes, reason: "index \(bad) is negative")
        }
        if Set(classes).count != classes.count {
            throw LossError.invalidRareClasses(loss: loss, classes: classes, reason: "an index is repeated")
        }
    }
}

extension LossInput {
    /// One flag per channel: true for a rare class. `nil` means every class but channel 0.
    /// Throws `LossError.rareClassOutOfRange` for an index beyond the channels.
    func rareClassMask(_ classes: [Int]?) throws -> [Bool] {
        guard let classes else { return (0..<classCount).map { $0 != 0 } }
        var mask = [Bool](repeating: false, count: classCount)
        for k in classes {
            guard k >= 0, k < classCount else {
                throw LossError.rareClassOutOfRange(loss: lossName, index: k, classes: classCount)
            }
            mask[k] = true
        }
        return mask
    }
}
