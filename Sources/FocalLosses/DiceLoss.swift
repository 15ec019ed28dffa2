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
public typealias DiceLoss = TverskyIndexLoss<DiceVariant>

/// The `DiceLoss` variant: `dice_loss`, `δ = 0.5`.
public enum DiceVariant: TverskyIndexVariant {
    /// `dice_loss`.
    public static var name: String { "dice_loss" }
    /// 0.5.
    public static var defaultDelta: Float { 0.5 }
}

/// The Dice loss `mean_{b,c}(1 − TI_s(δ))` of `prediction` against the one-hot `target`
/// (see `DiceLoss`; Milletari et al. 2016).
public func diceLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = DiceLoss().delta, smooth: Float = DiceLoss().smooth,
                     inputKind: InputKind = .probabilities) throws -> Tensor {
    try DiceLoss(delta: delta, smooth: smooth, inputKind: inputKind)(prediction, target)
}
