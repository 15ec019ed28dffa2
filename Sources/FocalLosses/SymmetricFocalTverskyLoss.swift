import FocalCore

/// Symmetric focal Tversky loss — the region component of the symmetric Unified Focal loss
/// (Yeung et al., "Unified Focal loss", CMIG 2022, eq. 11), as in the original code
/// (`symmetric_focal_tversky_loss`), generalised to C classes:
///
///     p ← clip(p, 1e-7, 1 − 1e-7)
///     TI_c = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)       (s = 1e-7, Keras's epsilon)
///     L = mean_{b,c} (1 − TI_c)^{1−γ}
///
/// The original writes `(1 − TI)·(1 − TI)^(−γ)` (`0·∞ = NaN` at `TI = 1`); here `pow(1 − TI, 1 − γ)`
/// with the same value and a finite slope (`LossOps.channelPower`). Per image and class, then
/// the mean over batch × classes (the original averages the class terms; the paper's Σ_c would
/// be C times larger — spec §4.2).
///
/// Defaults: `delta = 0.7`, `gamma = 0.75`, `smooth = 1e-7`. Input: `N, C, H, W` or
/// `N, C, D, H, W`, `C ≥ 2`.
public struct SymmetricFocalTverskyLoss: SegmentationLoss {
    /// FN weight `δ ∈ [0, 1]`.
    public var delta: Float
    /// Focal parameter `γ ∈ [0, 1]`; the exponent is `1 − γ`.
    public var gamma: Float
    /// Smoothing `s > 0` (the original uses Keras's epsilon, 1e-7).
    public var smooth: Float
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A symmetric focal Tversky loss with the original's defaults.
    public init(delta: Float = 0.7, gamma: Float = 0.75, smooth: Float = 1e-7, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.gamma = gamma
        self.smooth = smooth
        self.inputKind = inputKind
    }

    /// `symmetric_focal_tversky_loss`.
    public var name: String { "symmetric_focal_tversky_loss" }

    /// Checks `delta ∈ [0, 1]`, `gamma ∈ [0, 1]`, `smooth > 0`.
    public func validate() throws {
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.unifiedGamma(gamma, in: name)
        try HyperparameterCheck.positive(smooth, "smooth", in: name)
    }

    /// `mean_{b,c}(1 − TI_c)^{1−γ}`.
    public func loss(_ input: LossInput) throws -> Tensor {
        input.unifiedFocalTversky(delta: delta, gamma: gamma, smooth: smooth,
                                  rare: [Bool](repeating: true, count: input.classCount), asymmetric: false)
    }
}

/// The symmetric focal Tversky loss (see `SymmetricFocalTverskyLoss`; Yeung et al. 2022).
public func symmetricFocalTverskyLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 0.7, gamma: Float = 0.75,
                                      inputKind: InputKind = .probabilities) throws -> Tensor {
    try SymmetricFocalTverskyLoss(delta: delta, gamma: gamma, inputKind: inputKind)(prediction, target)
}
