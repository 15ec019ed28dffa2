import FocalCore

/// The symmetric Unified Focal loss (see `UnifiedFocalLoss`; eq. 12 of Yeung et al. 2022).
public typealias SymmetricUnifiedFocalLoss = UnifiedFocalLoss<FocalVariant.Symmetric>
/// The asymmetric Unified Focal loss, the loss of Focal Attention Networks (see
/// `UnifiedFocalLoss`; eq. 16 of Yeung et al. 2022).
public typealias AsymmetricUnifiedFocalLoss = UnifiedFocalLoss<FocalVariant.Asymmetric>

/// The Unified Focal loss — Yeung, Sala, Schönlieb & Rundo, "Unified Focal loss: generalising
/// Dice and cross entropy-based losses to handle class imbalanced medical image segmentation",
/// Computerized Medical Imaging and Graphics 95, 2022 — symmetric (eq. 12,
/// `SymmetricUnifiedFocalLoss`, the original's `sym_unified_focal_loss`) or asymmetric (eq. 16,
/// `AsymmetricUnifiedFocalLoss`, `asym_unified_focal_loss`, the loss of the Focal Attention
/// Networks, Yeung et al., ISBI 2022, eq. 1–4), generalised to C classes with a set of rare
/// classes R:
///
///     L = weight · L_mFT(δ, γ) + (1 − weight) · L_mF(δ, γ)        (weight = nil: L_mFT + L_mF)
///
/// with `L_mFT` = `ModifiedFocalTverskyLoss` (its default smoothing 1e-7) and `L_mF` =
/// `ModifiedFocalLoss` of the same variant, both built from the same `δ`, `γ` and R. With
/// `C = 2` and the default `R = {1}` (every class but channel 0) this is the original.
///
/// **λ vs weight.** The paper writes `L = λ·L_mF + (1 − λ)·L_mFT` — its `λ` weights the focal
/// (cross-entropy) term — while the original code's `weight` multiplies the Tversky term. This
/// type stores the code's `weight`; `init(lambda:…)` and `lambda` use the paper's meaning
/// (`λ = 1 − weight`). At the default 0.5 both agree.
///
/// Defaults (code 411c9c5): `weight = 0.5`, `delta = 0.6`, `gamma = 0.5` (the Sep-2021 code,
/// contemporary with FAN, used `gamma = 0.2`: `september2021Gamma`; the paper's per-dataset γ
/// are 0.1–0.3). Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public struct UnifiedFocalLoss<Variant: FocalSymmetry>: RareClassLoss {
    /// The original code's `weight` on the focal Tversky term (`nil`: plain sum), in `[0, 1]`.
    public var weight: Float?
    /// `δ ∈ [0, 1]`: class weight of the rare classes in the focal term and FN weight in the
    /// Tversky term.
    public var delta: Float
    /// `γ ∈ [0, 1]`: focal exponent of both terms.
    public var gamma: Float
    /// The rare classes R (`nil`: every class but channel 0).
    public var rareClasses: [Int]?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A Unified Focal loss in the original code's terms (`weight` on the Tversky term).
    public init(weight: Float? = 0.5, delta: Float = 0.6, gamma: Float = 0.5, rareClasses: [Int]? = nil,
                inputKind: InputKind = .probabilities) {
        self.weight = weight
        self.delta = delta
        self.gamma = gamma
        self.rareClasses = rareClasses
        self.inputKind = inputKind
    }

    /// A Unified Focal loss in the paper's terms: `λ` weights the focal term,
    /// `L = λ·L_mF + (1 − λ)·L_mFT` (stored as `weight = 1 − λ`).
    public init(lambda: Float, delta: Float = Self().delta, gamma: Float = Self().gamma, rareClasses: [Int]? = nil,
                inputKind: InputKind = .probabilities) {
        self.init(weight: 1 - lambda, delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)
    }

    /// The `gamma` of the Sep-2021 code (7996904, contemporary with FAN, registered as
    /// `unified_focal_loss`).
    public static var september2021Gamma: Float { 0.2 }

    /// The paper's `λ` (weight of the focal term) = `1 − weight`; `nil` for the plain sum.
    public var lambda: Float? { weight.map { 1 - $0 } }

    /// These hyperparameters as `LossRegistry` options: `weight` — or, with `paperTerms`, the
    /// paper's `lambda` — then `delta` and `gamma`. The plain sum (`weight == nil`) is `weight`
    /// NaN, the registry's `None`.
    public func registryOptions(paperTerms: Bool = false) -> [String: Double] {
        registryOptions([paperTerms && weight != nil ? "lambda" : "weight", "delta", "gamma"])
    }

    /// `sym_unified_focal_loss` or `asym_unified_focal_loss`.
    public var name: String { "\(Variant.shortName)_unified_focal_loss" }

    /// `weight ∈ [0, 1]` or `None`, the paper's `lambda = 1 − weight` (an option only),
    /// `delta ∈ [0, 1]`, `gamma ∈ [0, 1]`.
    public static var hyperparameters: [Hyperparameter<Self>] {
        [.optionalValue("weight", \.weight, .unitInterval),
         Hyperparameter(name: "lambda", requirement: .unitInterval, isDerived: true,
                        values: { $0.lambda.map { [$0] } ?? [] }, assign: { loss, value in if let value { loss.weight = 1 - value } }),
         .value("delta", \.delta, .unitInterval), .value("gamma", \.gamma, .unifiedGamma)]
    }

    /// The focal Tversky component (`L_mFT`).
    public var tverskyComponent: ModifiedFocalTverskyLoss<Variant> {
        ModifiedFocalTverskyLoss(delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)
    }

    /// The focal cross-entropy component (`L_mF`).
    public var focalComponent: ModifiedFocalLoss<Variant> {
        ModifiedFocalLoss(delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)
    }

    /// `weight·L_mFT + (1 − weight)·L_mF`.
    public func loss(_ input: LossInput) throws -> Tensor {
        let ftl = try tverskyComponent.loss(input)
        let fl = try focalComponent.loss(input)
        guard let weight else { return ftl + fl }
        return ftl * weight + fl * (1 - weight)
    }
}

/// The symmetric Unified Focal loss `weight·L_sFT + (1 − weight)·L_sF` (the code's `weight`;
/// the paper's `λ = 1 − weight`). See `UnifiedFocalLoss`; Yeung et al. 2022.
public func symmetricUnifiedFocalLoss(_ prediction: Tensor, _ target: Tensor, weight: Float? = SymmetricUnifiedFocalLoss().weight,
                                      delta: Float = SymmetricUnifiedFocalLoss().delta, gamma: Float = SymmetricUnifiedFocalLoss().gamma,
                                      rareClasses: [Int]? = nil, inputKind: InputKind = .probabilities) throws -> Tensor {
    try SymmetricUnifiedFocalLoss(weight: weight, delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}

/// The asymmetric Unified Focal loss `weight·L_aFT + (1 − weight)·L_aF` (the code's `weight`;
/// the paper's `λ = 1 − weight`). See `UnifiedFocalLoss`; Yeung et al. 2022.
public func asymmetricUnifiedFocalLoss(_ prediction: Tensor, _ target: Tensor, weight: Float? = AsymmetricUnifiedFocalLoss().weight,
                                       delta: Float = AsymmetricUnifiedFocalLoss().delta, gamma: Float = AsymmetricUnifiedFocalLoss().gamma,
                                       rareClasses: [Int]? = nil, inputKind: InputKind = .probabilities) throws -> Tensor {
    try AsymmetricUnifiedFocalLoss(weight: weight, delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}
