import FocalCore

/// Symmetric Unified Focal loss — Yeung, Sala, Schönlieb & Rundo, "Unified Focal loss:
/// generalising Dice and cross entropy-based losses to handle class imbalanced medical image
/// segmentation", Computerized Medical Imaging and Graphics 95, 2022 (eq. 12); as in the
/// original code (`sym_unified_focal_loss`), generalised to C classes:
///
///     L = weight · L_sFT(δ, γ) + (1 − weight) · L_sF(δ, γ)        (weight = nil: L_sFT + L_sF)
///
/// with `L_sFT` = `SymmetricFocalTverskyLoss` (smoothing 1e-7) and `L_sF` = `SymmetricFocalLoss`,
/// both built from the same `δ` and `γ`.
///
/// **λ vs weight.** The paper writes `L = λ·L_F + (1 − λ)·L_FT` — its `λ` weights the focal
/// (cross-entropy) term — while the original code's `weight` multiplies the Tversky term. This
/// type stores the code's `weight`; `init(lambda:…)` and `lambda` use the paper's meaning
/// (`λ = 1 − weight`). At the default 0.5 both agree.
///
/// Defaults (code 411c9c5): `weight = 0.5`, `delta = 0.6`, `gamma = 0.5`. Input: `N, C, H, W`
/// or `N, C, D, H, W`, `C ≥ 2`.
public struct SymmetricUnifiedFocalLoss: SegmentationLoss {
    /// The original code's `weight` on the focal Tversky term (`nil`: plain sum), in `[0, 1]`.
    public var weight: Float?
    /// `δ ∈ [0, 1]`: class weight of the rare classes in the focal term and FN weight in the
    /// Tversky term.
    public var delta: Float
    /// `γ ∈ [0, 1]`: focal exponent of both terms.
    public var gamma: Float
    /// Classes weighted by `δ` in the focal term (`nil`: every class but channel 0).
    public var rareClasses: [Int]?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A symmetric Unified Focal loss in the original code's terms (`weight` on the Tversky term).
    public init(weight: Float? = 0.5, delta: Float = 0.6, gamma: Float = 0.5, rareClasses: [Int]? = nil,
                inputKind: InputKind = .probabilities) {
        self.weight = weight
        self.delta = delta
        self.gamma = gamma
        self.rareClasses = rareClasses
        self.inputKind = inputKind
    }

    /// A symmetric Unified Focal loss in the paper's terms: `λ` weights the focal term,
    /// `L = λ·L_sF + (1 − λ)·L_sFT` (stored as `weight = 1 − λ`).
    public init(lambda: Float, delta: Float = 0.6, gamma: Float = 0.5, rareClasses: [Int]? = nil,
                inputKind: InputKind = .probabilities) {
        self.init(weight: 1 - lambda, delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)
    }

    /// The paper's `λ` (weight of the focal term) = `1 − weight`; `nil` for the plain sum.
    public var lambda: Float? { weight.map { 1 - $0 } }

    /// `sym_unified_focal_loss`.
    public var name: String { "sym_unified_focal_loss" }

    /// Checks `weight, delta ∈ [0, 1]`, `gamma ∈ [0, 1]` and the rare classes.
    public func validate() throws {
        if let weight { try HyperparameterCheck.unitInterval(weight, "weight", in: name) }
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.unifiedGamma(gamma, in: name)
        try HyperparameterCheck.rareClasses(rareClasses, in: name)
    }

    /// `weight·L_sFT + (1 − weight)·L_sF`.
    public func loss(_ input: LossInput) throws -> Tensor {
        let rare = try input.rareClassMask(rareClasses)
        let ftl = input.unifiedFocalTversky(delta: delta, gamma: gamma, smooth: 1e-7,
                                            rare: [Bool](repeating: true, count: input.classCount), asymmetric: false)
        let fl = input.unifiedFocalCrossEntropy(delta: delta, gamma: gamma, rare: rare, asymmetric: false)
        guard let weight else { return ftl + fl }
        return ftl * weight + fl * (1 - weight)
    }
}

/// The symmetric Unified Focal loss `weight·L_sFT + (1 − weight)·L_sF` (the code's `weight`;
/// the paper's `λ = 1 − weight`). See `SymmetricUnifiedFocalLoss`; Yeung et al. 2022.
public func symmetricUnifiedFocalLoss(_ prediction: Tensor, _ target: Tensor, weight: Float? = 0.5, delta: Float = 0.6,
                                      gamma: Float = 0.5, rareClasses: [Int]? = nil,
                                      inputKind: InputKind = .probabilities) throws -> Tensor {
    try SymmetricUnifiedFocalLoss(weight: weight, delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}
