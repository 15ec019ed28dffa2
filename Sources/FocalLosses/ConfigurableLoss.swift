import FocalCore

/// A loss whose hyperparameters are listed in one table, so that checking them, building the
/// loss from named options (`LossRegistry`) and writing them to a configuration file all read
/// the same names and ranges. Every loss of the family conforms; a loss of your own may too.
public protocol ConfigurableLoss: SegmentationLoss {
    /// The loss's hyperparameters, in the order messages and option lists show them.
    static var hyperparameters: [Hyperparameter<Self>] { get }
}

extension ConfigurableLoss {
    /// Checks every hyperparameter of the table (derived ones excepted) against its range.
    public func checkHyperparameters() throws {
        for h in Self.hyperparameters where !h.isDerived { try h.check(self, in: name) }
    }

    /// The default check: the table. Losses with further conditions (rare classes) add them.
    public func validate() throws { try checkHyperparameters() }

    /// The names of the table's hyperparameters, in order.
    public static var hyperparameterNames: [String] { hyperparameters.map(\.name) }

    /// The hyperparameter named `name`, if the table has it.
    public static func hyperparameter(named name: String) -> Hyperparameter<Self>? {
        hyperparameters.first { $0.name == name }
    }

    /// Sets the hyperparameters `options` names (registry conventions: NaN is `None`), leaving
    /// the others as they are. Unknown names are ignored here; `LossRegistry` refuses them.
    public mutating func set(options: [String: Double]) {
        for h in Self.hyperparameters {
            if let v = options[h.name] { h.assign(&self, v.isNaN ? nil : Float(v)) }
        }
    }

    /// The hyperparameters `names` (default: every one that is not derived) as registry
    /// options: `None` is NaN, and each value is the `Double` of the `Float`'s shortest decimal,
    /// so `0.6` stays `0.6` (not `0.6000000238…`) in configuration files.
    public func registryOptions(_ names: [String]? = nil) -> [String: Double] {
        var options: [String: Double] = [:]
        for name in names ?? Self.hyperparameters.filter({ !$0.isDerived }).map(\.name) {
            guard let h = Self.hyperparameter(named: name) else { continue }
            let values = h.values(self)
            options[name] = values.first.map { Double("\($0)")! } ?? .nan
        }
        return options
    }
}
