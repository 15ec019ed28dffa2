import FocalCore

/// Asymmetric Unified Focal loss — Yeung, Sala, Schönlieb & Rundo, "Unified Focal loss",
/// Computerized Medical Imaging and Graphics 95, 2022 (eq. 16), the loss of the Focal Attention
/// Networks (Yeung et al., ISBI 2022, eq. 1–4); as in the original code
/// (`asym_unified_focal_loss`), generalised to C classes with a set of rare classes R:
///
///     L = weight · L_aFT(δ, γ) + (1 − weight) · L_aF(δ, γ)        (weight = nil: L_aFT + L_aF)
///
/// with `L_aFT` = `AsymmetricFocalTverskyLoss` (smoothing 1e-7; rare classes `(1 − TI)^{1−γ}`,
/// others `1 − TI`) and `L_aF` = `AsymmetricFocalLoss` (others `(1 − δ)(1 − p)^γ CE`, rare
/// classes `δ·CE`), both with the same `δ` and `γ`. With `C = 2` and `R = {1}` (the default:
/// every class but channel 0) this is the original.
///
/// **λ vs weight.** The paper (eq. 1) writes `L = λ·L_aF + (1 − λ)·L_aFT` — `λ` weights the
/// focal (cross-entropy) term — while the code's `weight` multiplies the Tversky term. This type
/// stores the code's `weight`; `init(lambda:…)` and `lambda` use the paper's meaning
/// (`λ = 1 − weight`). At the default 0.5 they agree.
///
/// Defaults (code 411c9c5): `weight = 0.5`, `delta = 0.6`, `gamma = 0.5` (the Sep-2021 code,
/// contemporary with FAN, used `gamma = 0.2`; the paper's per-dataset γ are 0.1–0.3).
/// Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct AsymmetricUnifiedFocalLoss: SegmentationLoss {
    /// The original code's `weight` on the focal Tversky term (`nil`: plain sum), in `[0, 1]`.
    public var weight: Float?
    /// `δ ∈ [0, 1]`: rare-class weight in the focal term and FN weight in the Tversky term.
    public var delta: Float
    /// `γ ∈ [0, 1]`: background suppression `(1 − p)^γ` and rare-class enhancement `(1 − TI)^{1−γ}`.
    public var gamma: Float
    /// The rare classes R (`nil`: every class but channel 0).
    public var rareClasses: [Int]?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// An asymmetric Unified Focal loss in the original code's terms (`weight` on the Tversky term).
    public init(weight: Float? = 0.5, delta: Float = 0.6, gamma: Float = 0.5, rareClasses: [Int]? = nil,
                inputKind: InputKind = .probabilities) {
        self.weight = weight
        self.delta = delta
        self.gamma = gamma
        self.rareClasses = rareClasses
        self.inputKind = inputKind
    }

    /// An asymmetric Unified Focal loss in the paper's terms: `λ` weights the focal term,
    /// `L = λ·L_aF + (1 − λ)·L_aFT` (stored as `weight = 1 − λ`).
    public init(lambda: Float, delta: Float = 0.6, gamma: Float = 0.5, rareClasses: [Int]? = nil,
                inputKind: InputKind = .probabilities) {
        self.init(weight: 1 - lambda, delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)
    }

    /// The paper's `λ` (weight of the focal term) = `1 − weight`; `nil` for the plain sum.
    public var lambda: Float? { weight.map { 1 - $0 } }

    /// `asym_unified_focal_loss`.
    public var name: String { "asym_unified_focal_loss" }

    /// Checks `weight, delta ∈ [0, 1]`, `gamma ∈ [0, 1]` and the rare classes.
    public func validate() throws {
        if let weight { try HyperparameterCheck.unitInterval(weight, "weight", in: name) }
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.unifiedGamma(gamma, in: name)
        try HyperparameterCheck.rareClasses(rareClasses, in: name)
    }

    /// `weight·L_aFT + (1 − weight)·L_aF`.
    public func loss(_ input: LossInput) throws -> Tensor {
        let rare = try input.rareClassMask(rareClasses)
        let ftl = input.unifiedFocalTversky(delta: delta, gamma: gamma, smooth: 1e-7, rare: rare, asymmetric: true)
        let fl = input.unifiedFocalCrossEntropy(delta: delta, gamma: gamma, rare: rare, asymmetric: true)
        guard let weight else { return ftl + fl }
        return ftl * weight + fl * (1 - weight)
    }
}

/// The asymmetric Unified Focal loss `weight·L_aFT + (1 − weight)·L_aF` (the code's `weight`;
/// the paper's `λ = 1 − weight`). See `AsymmetricUnifiedFocalLoss`; Yeung et al. 2022.
public func asymmetricUnifiedFocalLoss(_ prediction: Tensor, _ target: Tensor, weight: Float? = 0.5, delta: Float = 0.6,
                                       gamma: Float = 0.5, rareClasses: [Int]? = nil,
                                       inputKind: InputKind = .probabilities) throws -> Tensor {
    try AsymmetricUnifiedFocalLoss(weight: weight, delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}
