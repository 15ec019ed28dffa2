import FocalCore

/// The symmetric focal loss (see `ModifiedFocalLoss`; eq. 10 of Yeung et al. 2022).
public typealias SymmetricFocalLoss = ModifiedFocalLoss<FocalVariant.Symmetric>
/// The asymmetric focal loss (see `ModifiedFocalLoss`; eq. 14 of Yeung et al. 2022).
public typealias AsymmetricFocalLoss = ModifiedFocalLoss<FocalVariant.Asymmetric>

/// The modified focal loss — the cross-entropy component of the Unified Focal loss (Yeung,
/// Sala, Schönlieb & Rundo, "Unified Focal loss", CMIG 2022), symmetric (eq. 10,
/// `SymmetricFocalLoss`, the original's `symmetric_focal_loss`) or asymmetric (eq. 14,
/// `AsymmetricFocalLoss`, `asymmetric_focal_loss`), generalised to C classes with a set of rare
/// classes R:
///
///     p ← clip(p, 1e-7, 1 − 1e-7),   CE_c = −y_c · log p_c,   δ_c = δ (c ∈ R), 1 − δ (c ∉ R)
///     symmetric:   L = mean_{b,x} Σ_c δ_c · (1 − p_c)^γ · CE_c
///     asymmetric:  L = mean_{b,x} [ Σ_{c∉R} (1 − δ) · (1 − p_c)^γ · CE_c  +  Σ_{c∈R} δ · CE_c ]
///
/// The asymmetric modulator suppresses only the non-rare (background) classes; the rare classes
/// keep their full cross-entropy. With `C = 2` and the default `R = {1}` (every class but
/// channel 0) both are the original. Works for 2-D and 3-D inputs (the original's
/// `y_pred[:,:,:,k]` slicing is wrong on 5-D tensors; this indexes the channel axis).
///
/// Defaults: `delta = 0.7`, `gamma = 2`. Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct ModifiedFocalLoss<Variant: FocalSymmetry>: RareClassLoss {
    /// Weight `δ ∈ [0, 1]` of the rare classes (`1 − δ` for the others).
    public var delta: Float
    /// Focusing exponent `γ ≥ 0` (of the background classes only, in the asymmetric variant).
    public var gamma: Float
    /// The rare classes R (`nil`: every class but channel 0).
    public var rareClasses: [Int]?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A modified focal loss with the original's defaults.
    public init(delta: Float = 0.7, gamma: Float = 2, rareClasses: [Int]? = nil, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.gamma = gamma
        self.rareClasses = rareClasses
        self.inputKind = inputKind
    }

    /// `symmetric_focal_loss` or `asymmetric_focal_loss`.
    public var name: String { "\(Variant.longName)_focal_loss" }

    /// `delta ∈ [0, 1]`, `gamma ≥ 0`.
    public static var hyperparameters: [Hyperparameter<Self>] {
        [.value("delta", \.delta, .unitInterval), .value("gamma", \.gamma, .nonNegative)]
    }

    /// The loss of the type's formula for `Variant`.
    public func loss(_ input: LossInput) throws -> Tensor {
        input.unifiedFocalCrossEntropy(delta: delta, gamma: gamma, rare: try input.rareClassMask(rareClasses),
                                       asymmetric: Variant.isAsymmetric)
    }
}

/// The symmetric focal loss (see `ModifiedFocalLoss`; Yeung et al. 2022).
public func symmetricFocalLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = SymmetricFocalLoss().delta,
                               gamma: Float = SymmetricFocalLoss().gamma, rareClasses: [Int]? = nil,
                               inputKind: InputKind = .probabilities) throws -> Tensor {
    try SymmetricFocalLoss(delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}

/// The asymmetric focal loss (see `ModifiedFocalLoss`; Yeung et al. 2022).
public func asymmetricFocalLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = AsymmetricFocalLoss().delta,
                                gamma: Float = AsymmetricFocalLoss().gamma, rareClasses: [Int]? = nil,
                                inputKind: InputKind = .probabilities) throws -> Tensor {
    try AsymmetricFocalLoss(delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}
