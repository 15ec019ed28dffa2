import FocalCore

/// Symmetric focal loss — the cross-entropy component of the symmetric Unified Focal loss
/// (Yeung, Sala, Schönlieb & Rundo, "Unified Focal loss", CMIG 2022, eq. 10), as in the
/// original code (`symmetric_focal_loss`), generalised to C classes:
///
///     p ← clip(p, 1e-7, 1 − 1e-7),   CE_c = −y_c · log p_c
///     L = mean_{b,x} Σ_c δ_c · (1 − p_c)^γ · CE_c,   δ_c = δ for the rare classes, 1 − δ otherwise
///
/// With `C = 2` and the default rare classes (`{1}`) this is the original:
/// `(1 − δ)(1 − p_0)^γ CE_0 + δ(1 − p_1)^γ CE_1`. Works for 2-D and 3-D inputs (the original's
/// `y_pred[:,:,:,k]` slicing is wrong on 5-D tensors; this indexes the channel axis).
///
/// Defaults: `delta = 0.7`, `gamma = 2`. Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct SymmetricFocalLoss: SegmentationLoss {
    /// Weight `δ ∈ [0, 1]` of the rare classes (`1 − δ` for the others).
    public var delta: Float
    /// Focusing exponent `γ ≥ 0`.
    public var gamma: Float
    /// Classes weighted by `δ` (`nil`: every class but channel 0).
    public var rareClasses: [Int]?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A symmetric focal loss with the original's defaults.
    public init(delta: Float = 0.7, gamma: Float = 2, rareClasses: [Int]? = nil, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.gamma = gamma
        self.rareClasses = rareClasses
        self.inputKind = inputKind
    }

    /// `symmetric_focal_loss`.
    public var name: String { "symmetric_focal_loss" }

    /// Checks `delta ∈ [0, 1]`, `gamma ≥ 0` and the rare classes.
    public func validate() throws {
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.nonNegative(gamma, "gamma", in: name)
        try HyperparameterCheck.rareClasses(rareClasses, in: name)
    }

    /// `mean_{b,x} Σ_c δ_c (1 − p_c)^γ CE_c`.
    public func loss(_ input: LossInput) throws -> Tensor {
        input.unifiedFocalCrossEntropy(delta: delta, gamma: gamma, rare: try input.rareClassMask(rareClasses), asymmetric: false)
    }
}

/// The symmetric focal loss (see `SymmetricFocalLoss`; Yeung et al. 2022).
public func symmetricFocalLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 0.7, gamma: Float = 2,
                               rareClasses: [Int]? = nil, inputKind: InputKind = .probabilities) throws -> Tensor {
    try SymmetricFocalLoss(delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}
