import ArgumentParser
import FocalLosses

/// The loss hyperparameters and the distance penalty, declared once for every command that
/// builds a loss (`train`, `prune --retrain`, `reproduce`, `loss`). Each option is spelled on
/// the command line as the registry's key with `-` for `_` (`gamma_f` → `--gamma-f`).
struct LossOptions: ParsableArguments {
    @Option(help: "Loss δ (class / false-negative weight).") var delta: Double?
    @Option(help: "Loss γ (focal parameter).") var gamma: Double?
    @Option(help: "Focal loss γ_f.") var gammaF: Double?
    @Option(help: "Unified Focal λ, the weight of the focal (CE) term (paper's eq. 1).") var lambda: Double?
    @Option(help: "Unified Focal weight of the Tversky term (original code's 'weight' = 1 − λ).") var weight: Double?
    @Option(help: "Loss α.") var alpha: Double?
    @Option(help: "Loss β.") var beta: Double?
    @Option(help: "Smoothing constant.") var smooth: Double?
    @Option(help: "FDPT exponent ε (0 = no distance penalty; paper: 0.1).") var fdptEpsilon: Float?
    @Option(help: "FDPT mode: replace-target (y' = y·W) or pixel-weight ((1+Φ)^ε).") var fdptMode: String?

    /// Every hyperparameter option: its flag, its key in `LossRegistry`, and its value.
    var hyperparameters: [(flag: String, key: String, value: Double?)] {
        [("delta", delta), ("gamma", gamma), ("gamma_f", gammaF), ("lambda", lambda), ("weight", weight),
         ("alpha", alpha), ("beta", beta), ("smooth", smooth)].map { key, value in
            (Self.flag(forKey: key), key, value)
        }
    }

    func validate() throws {
        try FiniteOptions.check(hyperparameters.map { ($0.flag, $0.value) } + [("--fdpt-epsilon", fdptEpsilon.map(Double.init))])
        if let fdptMode, Self.mode(fdptMode) == nil {
            throw ValidationError("unknown FDPT mode '\(fdptMode)'; use replace-target or pixel-weight")
        }
        if let fdptEpsilon, !(fdptEpsilon >= 0) { throw ValidationError("--fdpt-epsilon must be ≥ 0") }
    }

    /// The hyperparameters given, by their registry keys (`LossRegistry.make`'s `options`).
    var values: [String: Double] {
        var o: [String: Double] = [:]
        for case let (_, key, value?) in hyperparameters { o[key] = value }
        return o
    }

    /// The command-line flag of the registry option `key` (`gamma_f` → `--gamma-f`).
    static func flag(forKey key: String) -> String { "--" + key.replacingOccurrences(of: "_", with: "-") }

    /// The FDPT mode given, if any.
    var distancePenaltyMode: DistancePenalized.Mode? { fdptMode.flatMap(Self.mode) }

    /// The FDPT mode named `text` on the command line.
    static func mode(_ text: String) -> DistancePenalized.Mode? {
        switch text {
        case "replace-target", "replaceTarget": return .replaceTarget
        case "pixel-weight", "weightPixels": return .weightPixels
        default: return nil
        }
    }

    /// The command-line name of `mode`.
    static func name(of mode: DistancePenalized.Mode) -> String {
        mode == .replaceTarget ? "replace-target" : "pixel-weight"
    }
}
