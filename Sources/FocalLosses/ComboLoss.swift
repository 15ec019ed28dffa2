import FocalCore

/// Combo loss — Taghanaki et al., "Combo loss: handling input and output imbalance in
/// multi-organ segmentation", CMIG 2019; as in the Unified Focal loss code (`combo_loss`).
///
///     D   = mean_{b,c} TI_{1e-6}(0.5)                  (soft Dice on the unclipped p)
///     CE  = mean_{b,x} Σ_c β_c · (−y_c · log clip(p_c))
///     L   = α·CE − (1 − α)·D          (α = nil: L = CE − D)
///
/// `β_c = β` for channel 0 (background) and `1 − β` for every other channel (`β = nil`: all 1).
/// Note (spec §4.3): the original's docstring says β > 0.5 penalises false negatives, but β
/// multiplies the **background** cross-entropy, so β > 0.5 penalises false positives. The
/// loss can be negative (its minimum is −(1 − α)).
///
/// Defaults: `alpha = 0.5`, `beta = 0.5`. Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct ComboLoss: ConfigurableLoss {
    /// Weight `α ∈ [0, 1]` of the cross-entropy term (`nil`: CE − D).
    public var alpha: Float?
    /// Weight `β ∈ [0, 1]` of the background cross-entropy (`1 − β` for the other classes;
    /// `nil`: unweighted).
    public var beta: Float?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A Combo loss with the original's defaults.
    public init(alpha: Float? = 0.5, beta: Float? = 0.5, inputKind: InputKind = .probabilities) {
        self.alpha = alpha
        self.beta = beta
        self.inputKind = inputKind
    }

    /// `combo_loss`.
    public var name: String { "combo_loss" }

    /// `alpha, beta ∈ [0, 1]`, each may be `None`.
    public static var hyperparameters: [Hyperparameter<Self>] {
        [.optionalValue("alpha", \.alpha, .unitInterval), .optionalValue("beta", \.beta, .unitInterval)]
    }

    /// `α·CE − (1 − α)·D`.
    public func loss(_ input: LossInput) throws -> Tensor {
        let dsc = DiceCoefficient()
        let dice = input.tverskyIndex(delta: dsc.delta, smooth: dsc.smooth, clipped: false).mean()
        let weights = beta.map { b in (0..<input.classCount).map { $0 == 0 ? b : 1 - b } }
        let ce = input.crossEntropyTerm(classWeights: weights)
        if let alpha { return ce * alpha - dice * (1 - alpha) }
        return ce - dice
    }
}

/// The Combo loss `α·CE − (1 − α)·DSC` (see `ComboLoss`; Taghanaki et al. 2019).
public func comboLoss(_ prediction: Tensor, _ target: Tensor, alpha: Float? = ComboLoss().alpha, beta: Float? = ComboLoss().beta,
                      inputKind: InputKind = .probabilities) throws -> Tensor {
    try ComboLoss(alpha: alpha, beta: beta, inputKind: inputKind)(prediction, target)
}
