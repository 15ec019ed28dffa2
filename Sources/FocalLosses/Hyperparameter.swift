import FocalCore

/// One hyperparameter of a loss type, named as in the original code (`delta`, `gamma_f`, …):
/// the range it must lie in, whether the original accepts `None` for it, and how to read it
/// from and write it to a value of the loss.
///
/// A loss's table of them (`ConfigurableLoss.hyperparameters`) is the one place its options are
/// named: `validate()` checks the table, `LossRegistry` accepts exactly the table's options and
/// sets them through it, and `registryOptions` reads them back for configuration files.
public struct Hyperparameter<Loss>: Sendable {
    /// The range a value must lie in.
    public enum Requirement: Sendable {
        /// Finite, in `[0, 1]`.
        case unitInterval
        /// Finite, `≥ 0`.
        case nonNegative
        /// Finite, `> 0` (smoothing terms).
        case positive
        /// The Unified Focal `γ ∈ [0, 1]` (the Tversky part's exponent `1 − γ` must be in `[0, 1]`).
        case unifiedGamma

        /// Throws `LossError.invalidHyperparameter` when `value` is outside the range.
        func check(_ value: Float, _ name: String, in loss: String) throws {
            switch self {
            case .unitInterval: try HyperparameterCheck.unitInterval(value, name, in: loss)
            case .nonNegative: try HyperparameterCheck.nonNegative(value, name, in: loss)
            case .positive: try HyperparameterCheck.positive(value, name, in: loss)
            case .unifiedGamma: try HyperparameterCheck.unifiedGamma(value, name, in: loss)
            }
        }
    }

    /// The name in the original code, used as the registry option and in messages.
    public let name: String
    /// The range its values must lie in.
    public let requirement: Requirement
    /// Whether the original accepts `None` (`nil` here, NaN as a registry option).
    public let acceptsNone: Bool
    /// Whether it restates another entry of the table (the paper's `lambda` = 1 − `weight`):
    /// checked when given as an option, not again when the loss is validated.
    public let isDerived: Bool
    /// The values to check (empty for `None`).
    let values: @Sendable (Loss) -> [Float]
    /// Sets it (`nil`: `None`).
    let assign: @Sendable (inout Loss, Float?) -> Void

    /// A hyperparameter read and written through closures, for stored forms other than one
    /// `Float` (a list of class weights, a value derived from another).
    public init(name: String, requirement: Requirement, acceptsNone: Bool = false, isDerived: Bool = false,
                values: @escaping @Sendable (Loss) -> [Float], assign: @escaping @Sendable (inout Loss, Float?) -> Void) {
        self.name = name
        self.requirement = requirement
        self.acceptsNone = acceptsNone
        self.isDerived = isDerived
        self.values = values
        self.assign = assign
    }

    /// A hyperparameter stored as one `Float`.
    public static func value(_ name: String, _ keyPath: WritableKeyPath<Loss, Float> & Sendable,
                             _ requirement: Requirement) -> Self {
        Self(name: name, requirement: requirement, values: { [$0[keyPath: keyPath]] },
             assign: { loss, value in if let value { loss[keyPath: keyPath] = value } })
    }

    /// A hyperparameter the original allows to be `None`, stored as `Float?`.
    public static func optionalValue(_ name: String, _ keyPath: WritableKeyPath<Loss, Float?> & Sendable,
                                     _ requirement: Requirement) -> Self {
        Self(name: name, requirement: requirement, acceptsNone: true, values: { $0[keyPath: keyPath].map { [$0] } ?? [] },
             assign: { loss, value in loss[keyPath: keyPath] = value })
    }

    /// Throws `LossError.invalidHyperparameter` when a value of it in `loss` is out of range.
    func check(_ loss: Loss, in lossName: String) throws {
        for v in values(loss) { try requirement.check(v, name, in: lossName) }
    }
}
