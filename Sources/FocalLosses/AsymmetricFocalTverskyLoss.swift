import FocalCore

/// Asymmetric focal Tversky loss — the region component of the asymmetric Unified Focal loss
/// (Yeung et al., "Unified Focal loss", CMIG 2022, eq. 15), as in the original code
/// (`asymmetric_focal_tversky_loss`), generalised to C classes with a set of rare classes R:
///
///     p ← clip(p, 1e-7, 1 − 1e-7)
///     TI_c = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)       (s = 1e-7)
///     L = mean_{b,c} [ (1 − TI_c)        for c ∉ R
///                      (1 − TI_c)^{1−γ}  for c ∈ R ]       (focal enhancement of the rare classes)
///
/// With `C = 2` and `R = {1}` (the default: every class but channel 0) this is the original.
/// The rare-class term is `pow(1 − TI, 1 − γ)`, equal to the original's `(1 − TI)(1 − TI)^(−γ)`
/// with a finite slope at `TI → 1`.
///
/// Defaults: `delta = 0.7`, `gamma = 0.75`, `smooth = 1e-7`. Input: `N, C, H, W` or
/// `N, C, D, H, W`, `C ≥ 2`.
public struct AsymmetricFocalTverskyLoss: SegmentationLoss {
    /// FN weight `δ ∈ [0, 1]`.
    public var delta: Float
    /// Focal parameter `γ ∈ [0, 1]`; rare classes get the exponent `1 − γ`.
    public var gamma: Float
    /// Smoothing `s > 0` (the original uses Keras's epsilon, 1e-7).
    public var smooth: Float
    /// The rare classes R (`nil`: every class but channel 0).
    public var rareClasses: [Int]?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// An asymmetric focal Tversky loss with the original's defaults.
    public init(delta: Float = 0.7, gamma: Float = 0.75, smooth: Float = 1e-7, rareClasses: [Int]? = nil,
                inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.gamma = gamma
        self.smooth = smooth
        self.rareClasses = rareClasses
        self.inputKind = inputKind
    }

    /// `asymmetric_focal_tversky_loss`.
    public var name: String { "asymmetric_focal_tversky_loss" }

    /// Checks `delta ∈ [0, 1]`, `gamma ∈ [0, 1]`, `smooth > 0` and the rare classes.
    public func validate() throws {
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.unifiedGamma(gamma, in: name)
        try HyperparameterCheck.positive(smooth, "smooth", in: name)
        try HyperparameterCheck.rareClasses(rareClasses, in: name)
    }

    /// `mean_{b,c}` of `1 − TI_c` (c ∉ R) and `(1 − TI_c)^{1−γ}` (c ∈ R).
    public func loss(_ input: LossInput) throws -> Tensor {
        input.unifiedFocalTversky(delta: delta, gamma: gamma, smooth: smooth,
                                  rare: try input.rareClassMask(rareClasses), asymmetric: true)
    }
}

/// The asymmetric focal Tversky loss (see `AsymmetricFocalTverskyLoss`; Yeung et al. 2022).
public func asymmetricFocalTverskyLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 0.7, gamma: Float = 0.75,
                                       rareClasses: [Int]? = nil, inputKind: InputKind = .probabilities) throws -> Tensor {
    try AsymmetricFocalTverskyLoss(delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}
