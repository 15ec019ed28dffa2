import FocalCore

/// DSC + CE — MIScnn's `dice_crossentropy` (Müller & Kramer, "MIScnn", BMC Med. Imaging 2021),
/// the compound loss of the Focal Attention Networks baselines (spec §1.4).
///
///     dice_soft = mean_{b,c} (2·TP + s) / (Σ_x y + Σ_x p + s)            (s = 1e-5, p unclipped)
///     CE        = mean_{b,x} −Σ_c y_c · log clip(p_c / Σ_k p_k)           (Keras categorical CE)
///     L         = (1 − dice_soft) + CE
///
/// Keras `categorical_crossentropy` renormalises `p / Σ_c p`, then clips to `[1e-7, 1 − 1e-7]`.
/// (`Σy + Σp = 2TP + FN + FP` for any target, so `dice_soft = TI_{s/2}(0.5)`; with per-pixel
/// weights TP and FN are weighted as in every region term.)
///
/// Default: `smooth = 1e-5`. Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct DiceCrossEntropyLoss: ConfigurableLoss {
    /// Smoothing `s > 0` of the soft Dice.
    public var smooth: Float
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// MIScnn's DSC + CE.
    public init(smooth: Float = 1e-5, inputKind: InputKind = .probabilities) {
        self.smooth = smooth
        self.inputKind = inputKind
    }

    /// `dice_crossentropy`.
    public var name: String { "dice_crossentropy" }

    /// `smooth > 0`.
    public static var hyperparameters: [Hyperparameter<Self>] { [.value("smooth", \.smooth, .positive)] }

    /// `(1 − dice_soft) + CE`, with `1 − dice_soft = mean_{b,c} (FN + FP)/(2TP + FN + FP + s)`
    /// (`LossInput.tverskyComplement`, no cancellation as `dice_soft → 1`).
    public func loss(_ input: LossInput) throws -> Tensor {
        let diceComplement = input.tverskyComplement(delta: 0.5, smooth: smooth / 2, clipped: false).mean()
        return diceComplement + input.crossEntropyTerm(kerasRenormalised: true)
    }
}

/// MIScnn's `dice_crossentropy`: `(1 − dice_soft) + categorical CE` (see `DiceCrossEntropyLoss`).
public func diceCrossEntropyLoss(_ prediction: Tensor, _ target: Tensor, smooth: Float = DiceCrossEntropyLoss().smooth,
                                 inputKind: InputKind = .probabilities) throws -> Tensor {
    try DiceCrossEntropyLoss(smooth: smooth, inputKind: inputKind)(prediction, target)
}
