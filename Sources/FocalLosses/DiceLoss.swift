import FocalCore

/// Dice (DSC) loss — Milletari, Navab & Ahmadi, "V-Net", 3DV 2016; as written in the Unified
/// Focal loss code (`dice_loss`, Yeung et al. 2022).
///
///     L = mean_{b,c} (1 − TI_s(δ)[b,c]),   TI_s(δ) = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)
///
/// With `δ = 0.5`, `TI = (2TP + 2s)/(2TP + FN + FP + 2s)`, the soft Dice coefficient. TP, FN
/// and FP are summed over the spatial axes per image `b` and class `c` (background included);
/// the prediction is **not** clipped (as in the original).
///
/// Defaults: `delta = 0.5`, `smooth = 1e-6` (original `dice_loss(delta=0.5, smooth=1e-6)`).
/// Input: probabilities (or logits, see `InputKind`) and a one-hot target, `N, C, H, W` or
/// `N, C, D, H, W`, `C ≥ 2`, channel 0 = background.
public struct DiceLoss: SegmentationLoss {
    /// FN weight `δ` (FP gets `1 − δ`); 0.5 gives the Dice coefficient. In `[0, 1]`.
    public var delta: Float
    /// Smoothing `s` added to numerator and denominator (> 0).
    public var smooth: Float
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A Dice loss with the original's defaults.
    public init(delta: Float = 0.5, smooth: Float = 1e-6, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.smooth = smooth
        self.inputKind = inputKind
    }

    /// `dice_loss`.
    public var name: String { "dice_loss" }

    /// Checks `delta ∈ [0, 1]` and `smooth > 0`.
    public func validate() throws {
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.positive(smooth, "smooth", in: name)
    }

    /// `mean_{b,c}(1 − TI_s(δ))` on unclipped probabilities.
    public func loss(_ input: LossInput) throws -> Tensor {
        input.focalTverskyTerm(delta: delta, smooth: smooth, exponents: [Float](repeating: 1, count: input.classCount), clipped: false)
    }
}

/// The Dice loss `mean_{b,c}(1 − TI_s(δ))` of `prediction` against the one-hot `target`
/// (see `DiceLoss`; Milletari et al. 2016).
public func diceLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = DiceLoss().delta, smooth: Float = DiceLoss().smooth,
                     inputKind: InputKind = .probabilities) throws -> Tensor {
    try DiceLoss(delta: delta, smooth: smooth, inputKind: inputKind)(prediction, target)
}
