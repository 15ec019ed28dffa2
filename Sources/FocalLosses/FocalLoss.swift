import FocalCore

/// Focal loss (cross-entropy based) — Lin, Goyal, Girshick, He & Dollár, "Focal loss for
/// dense object detection", ICCV 2017; as in the Unified Focal loss code (`focal_loss`).
///
///     p ← clip(p, 1e-7, 1 − 1e-7)
///     L = mean_{b,x} Σ_c α_c · (1 − p_c)^{γ_f} · (−y_c · log p_c)
///
/// summed over the channels, averaged over batch and pixels. `α = nil` means 1 for every
/// class; one value multiplies every class (the original's scalar `alpha`); `C` values weight
/// the classes individually (the original broadcasts a list the same way).
///
/// Defaults: `alpha = nil`, `gammaF = 2` (original `focal_loss(alpha=None, gamma_f=2.)`).
/// Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct FocalLoss: ConfigurableLoss {
    /// Class weights: `nil` (all 1), one value for every class, or one per class; each ≥ 0.
    public var alpha: [Float]?
    /// Focusing exponent `γ_f ≥ 0` (`γ_f = 0` is weighted cross-entropy).
    public var gammaF: Float
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A focal loss with a scalar `alpha` (or none) — the original's signature.
    public init(alpha: Float? = nil, gammaF: Float = 2, inputKind: InputKind = .probabilities) {
        self.alpha = alpha.map { [$0] }
        self.gammaF = gammaF
        self.inputKind = inputKind
    }

    /// A focal loss with one `alpha` per class (channel 0 first).
    public init(classAlpha: [Float], gammaF: Float = FocalLoss().gammaF, inputKind: InputKind = .probabilities) {
        self.alpha = classAlpha
        self.gammaF = gammaF
        self.inputKind = inputKind
    }

    /// `focal_loss`.
    public var name: String { "focal_loss" }

    /// `alpha ≥ 0` (as an option one value for every class, or `None`), `gamma_f ≥ 0`.
    public static var hyperparameters: [Hyperparameter<Self>] {
        [Hyperparameter(name: "alpha", requirement: .nonNegative, acceptsNone: true,
                        values: { $0.alpha ?? [] }, assign: { loss, value in loss.alpha = value.map { [$0] } }),
         .value("gamma_f", \.gammaF, .nonNegative)]
    }

    /// Checks the table and that a list of class weights is not empty.
    public func validate() throws {
        if let alpha, alpha.isEmpty {
            throw LossError.invalidHyperparameter(loss: name, name: "alpha", value: .nan, requirement: "one value or one per class, not empty")
        }
        try checkHyperparameters()
    }

    /// `mean_{b,x} Σ_c α_c (1 − p_c)^{γ_f} CE_c`.
    public func loss(_ input: LossInput) throws -> Tensor {
        let c = input.classCount
        var weights: [Float]? = nil
        if let alpha {
            guard alpha.count == 1 || alpha.count == c else {
                throw LossError.invalidHyperparameter(loss: name, name: "alpha", value: Double(alpha.count),
                                                      requirement: "1 value or \(c) values (one per class); got \(alpha.count)")
            }
            weights = alpha.count == 1 ? [Float](repeating: alpha[0], count: c) : alpha
        }
        return input.crossEntropyTerm(classWeights: weights, gammas: [Float](repeating: gammaF, count: c))
    }
}

/// The focal loss `mean_{b,x} Σ_c α (1 − p_c)^{γ_f} (−y_c log p_c)` (see `FocalLoss`; Lin et al. 2017).
public func focalLoss(_ prediction: Tensor, _ target: Tensor, alpha: Float? = nil, gammaF: Float = FocalLoss().gammaF,
                      inputKind: InputKind = .probabilities) throws -> Tensor {
    try FocalLoss(alpha: alpha, gammaF: gammaF, inputKind: inputKind)(prediction, target)
}
