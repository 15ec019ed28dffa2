import FocalLosses

extension TrainingConfiguration {
    /// The `loss` name that marks a loss of your own, passed to `Trainer(model:loss:…)`: the
    /// trainer uses the loss it is given and the saved configuration says it was custom.
    public static let customLoss = "custom"

    /// The loss this configuration names: `loss` with `lossOptions`, wrapped in the FDPT with
    /// `distancePenaltyEpsilon` (when positive) and `distancePenaltyMode`.
    /// - Parameter distancePenaltyMode: how the FDPT applies its penalty map (the default,
    ///   `.replaceTarget`, is the FDPT: the target multiplied by the penalty map).
    /// - Throws: `LossError` for an unknown loss or option, or the custom-loss name (which names
    ///   no loss Focal can build).
    public func makeLoss(distancePenaltyMode: DistancePenalized.Mode = .replaceTarget) throws -> any SegmentationLoss {
        if loss == Self.customLoss {
            throw TrainingError.invalidConfiguration("the configuration names a custom loss; pass it with Trainer(model:loss:configuration:…)")
        }
        return try LossRegistry.make(loss, options: lossOptions, distancePenaltyEpsilon: distancePenaltyEpsilon > 0 ? distancePenaltyEpsilon : nil,
                                     distancePenaltyMode: distancePenaltyMode)
    }

    /// Throws `TrainingError.invalidConfiguration` unless `given` is the loss this configuration
    /// names (the same type, FDPT included) or the configuration says `customLoss`.
    func checkNames(_ given: any SegmentationLoss) throws {
        if loss == Self.customLoss { return }
        let named: any SegmentationLoss
        do { named = try makeLoss() } catch {
            throw TrainingError.invalidConfiguration("the configuration's loss is not valid (\(error)); name the loss you pass, or use \"\(Self.customLoss)\"")
        }
        func signature(_ l: any SegmentationLoss) -> String {
            if let p = l as? DistancePenalized { return "DistancePenalized(\(type(of: p.base)))" }
            return "\(type(of: l))"
        }
        guard signature(named) == signature(given) else {
            throw TrainingError.invalidConfiguration(
                "the loss passed to the trainer is \(signature(given)) but the configuration names '\(loss)' (\(signature(named))); "
                    + "set configuration.loss to the loss you pass, or to \"\(Self.customLoss)\" for a loss of your own")
        }
    }
}
