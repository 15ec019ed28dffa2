import FocalCore

/// Asymmetric focal loss — the cross-entropy component of the asymmetric Unified Focal loss
/// (Yeung et al., "Unified Focal loss", CMIG 2022, eq. 14), as in the original code
/// (`asymmetric_focal_loss`), generalised to C classes with a set of rare classes R:
///
///     p ← clip(p, 1e-7, 1 − 1e-7),   CE_c = −y_c · log p_c
///     L = mean_{b,x} [ Σ_{c∉R} (1 − δ) · (1 − p_c)^γ · CE_c  +  Σ_{c∈R} δ · CE_c ]
///
/// The focal modulator suppresses only the non-rare (background) classes; the rare classes
/// keep their full cross-entropy. With `C = 2` and `R = {1}` (the default: every class but
/// channel 0) this is the original. 2-D and 3-D inputs.
///
/// Defaults: `delta = 0.7`, `gamma = 2`. Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct AsymmetricFocalLoss: SegmentationLoss {
    /// Weight `δ ∈ [0, 1]` of the rare classes (`1 − δ` for the others).
    public var delta: Float
    /// Focusing exponent `γ ≥ 0` of the background modulator.
    public var gamma: Float
    /// The rare classes R (`nil`: every class but channel 0).
    public var rareClasses: [Int]?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// An asymmetric focal loss with the original's defaults.
    public init(delta: Float = 0.7, gamma: Float = 2, rareClasses: [Int]? = nil, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.gamma = gamma
        self.rareClasses = rareClasses
        self.inputKind = inputKind
    }

    /// `asymmetric_focal_loss`.
    public var name: String { "asymmetric_focal_loss" }

    /// Checks `delta ∈ [0, 1]`, `gamma ≥ 0` and the rare classes.
    public func validate() throws {
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.nonNegative(gamma, "gamma", in: name)
        try HyperparameterCheck.rareClasses(rareClasses, in: name)
    }

    /// `mean_{b,x}[Σ_{c∉R}(1 − δ)(1 − p_c)^γ CE_c + Σ_{c∈R} δ CE_c]`.
    public func loss(_ input: LossInput) throws -> Tensor {
        input.unifiedFocalCrossEntropy(delta: delta, gamma: gamma, rare: try input.rareClassMask(rareClasses), asymmetric: true)
    }
}

/// The asymmetric focal loss (see `AsymmetricFocalLoss`; Yeung et al. 2022).
public func asymmetricFocalLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 0.7, gamma: Float = 2,
                                rareClasses: [Int]? = nil, inputKind: InputKind = .probabilities) throws -> Tensor {
    try AsymmetricFocalLoss(delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}
