import FocalCore

/// The soft Dice coefficient as a metric (higher is better) — Milletari et al. 2016; the
/// Unified Focal loss code's `dice_coefficient` (also Combo's Dice term):
///
///     DSC = mean_{b,c} TI_s(δ)[b,c],   TI_s(δ) = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)
///
/// `δ = 0.5` gives `(2TP + 2s)/(2TP + FN + FP + 2s)`. Per image and class (background
/// included), unclipped probabilities. The result is a differentiable scalar (training-time
/// metric, e.g. MIScnn's `dice_soft`); per-image hard DSC after argmax belongs to evaluation.
///
/// Defaults: `delta = 0.5`, `smooth = 1e-6`. Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct DiceCoefficient: Sendable {
    /// `δ ∈ [0, 1]` (0.5: Dice).
    public var delta: Float
    /// Smoothing `s > 0`.
    public var smooth: Float
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A soft Dice coefficient with the original's defaults.
    public init(delta: Float = 0.5, smooth: Float = 1e-6, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.smooth = smooth
        self.inputKind = inputKind
    }

    /// `dice_coefficient`.
    public var name: String { "dice_coefficient" }

    /// The soft Dice coefficient of `prediction` against the one-hot `target`.
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.positive(smooth, "smooth", in: name)
        let input = try LossInput(prediction: prediction, target: target, kind: inputKind, lossName: name)
        return input.tverskyIndex(delta: delta, smooth: smooth, clipped: false).mean()
    }
}

/// The soft Dice coefficient `mean_{b,c} TI_s(0.5)` (see `DiceCoefficient`).
public func diceCoefficient(_ prediction: Tensor, _ target: Tensor, delta: Float = DiceCoefficient().delta,
                            smooth: Float = DiceCoefficient().smooth, inputKind: InputKind = .probabilities) throws -> Tensor {
    try DiceCoefficient(delta: delta, smooth: smooth, inputKind: inputKind)(prediction, target)
}
