import FocalCore

/// Focal Tversky loss — Abraham & Khan, "A novel focal Tversky loss function with improved
/// attention U-Net for lesion segmentation", ISBI 2019; as in the Unified Focal loss code
/// (`focal_tversky_loss`).
///
///     p ← clip(p, 1e-7, 1 − 1e-7)
///     L = mean_{b,c} (1 − TI_s(δ)[b,c])^γ,   TI_s(δ) = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)
///
/// Abraham & Khan write the exponent as `1/γ'` with `γ' = 4/3`, i.e. `γ = 0.75` here. For
/// `γ < 1` the slope at `TI → 1` is held finite (`LossOps.channelPower`).
///
/// Defaults: `delta = 0.7`, `gamma = 0.75`, `smooth = 1e-6`. Input: `N, C, H, W` or
/// `N, C, D, H, W`, `C ≥ 2`.
public struct FocalTverskyLoss: ConfigurableLoss {
    /// FN weight `δ ∈ [0, 1]`.
    public var delta: Float
    /// Focal exponent `γ ≥ 0` applied to `1 − TI`.
    public var gamma: Float
    /// Smoothing `s > 0`.
    public var smooth: Float
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A focal Tversky loss with the original's defaults.
    public init(delta: Float = 0.7, gamma: Float = 0.75, smooth: Float = 1e-6, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.gamma = gamma
        self.smooth = smooth
        self.inputKind = inputKind
    }

    /// `focal_tversky_loss`.
    public var name: String { "focal_tversky_loss" }

    /// `delta ∈ [0, 1]`, `gamma ≥ 0`, `smooth > 0`.
    public static var hyperparameters: [Hyperparameter<Self>] {
        [.value("delta", \.delta, .unitInterval), .value("gamma", \.gamma, .nonNegative), .value("smooth", \.smooth, .positive)]
    }

    /// `mean_{b,c}(1 − TI_s(δ))^γ` on clipped probabilities.
    public func loss(_ input: LossInput) throws -> Tensor {
        input.focalTverskyTerm(delta: delta, smooth: smooth, exponents: [Float](repeating: gamma, count: input.classCount), clipped: true)
    }
}

/// The focal Tversky loss `mean_{b,c}(1 − TI_s(δ))^γ` (see `FocalTverskyLoss`; Abraham & Khan 2019).
public func focalTverskyLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = FocalTverskyLoss().delta,
                             gamma: Float = FocalTverskyLoss().gamma, smooth: Float = FocalTverskyLoss().smooth,
                             inputKind: InputKind = .probabilities) throws -> Tensor {
    try FocalTverskyLoss(delta: delta, gamma: gamma, smooth: smooth, inputKind: inputKind)(prediction, target)
}
