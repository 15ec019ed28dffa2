import FocalCore

/// The symmetric focal Tversky loss (see `ModifiedFocalTverskyLoss`; eq. 11 of Yeung et al. 2022).
public typealias SymmetricFocalTverskyLoss = ModifiedFocalTverskyLoss<FocalVariant.Symmetric>
/// The asymmetric focal Tversky loss (see `ModifiedFocalTverskyLoss`; eq. 15 of Yeung et al. 2022).
public typealias AsymmetricFocalTverskyLoss = ModifiedFocalTverskyLoss<FocalVariant.Asymmetric>

/// The modified focal Tversky loss — the region component of the Unified Focal loss (Yeung et
/// al., "Unified Focal loss", CMIG 2022), symmetric (eq. 11, `SymmetricFocalTverskyLoss`, the
/// original's `symmetric_focal_tversky_loss`) or asymmetric (eq. 15,
/// `AsymmetricFocalTverskyLoss`, `asymmetric_focal_tversky_loss`), generalised to C classes with
/// a set of rare classes R:
///
///     p ← clip(p, 1e-7, 1 − 1e-7)
///     TI_c = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)       (s = 1e-7, Keras's epsilon)
///     symmetric:   L = mean_{b,c} (1 − TI_c)^{1−γ}
///     asymmetric:  L = mean_{b,c} [ (1 − TI_c) for c ∉ R,  (1 − TI_c)^{1−γ} for c ∈ R ]
///
/// The asymmetric variant enhances only the rare classes; the symmetric one treats every class
/// alike and so does not use `rareClasses`. With `C = 2` and the default `R = {1}` (every class
/// but channel 0) both are the original. The original writes `(1 − TI)·(1 − TI)^(−γ)`
/// (`0·∞ = NaN` at `TI = 1`); here `pow(1 − TI, 1 − γ)`, with the same value and a finite slope
/// (`LossOps.channelPower`). Per image and class, then the mean over batch × classes (the
/// original averages the class terms; the paper's Σ_c would be C times larger — spec §4.2).
///
/// Defaults: `delta = 0.7`, `gamma = 0.75`, `smooth = 1e-7`. Input: `N, C, H, W` or
/// `N, C, D, H, W`, `C ≥ 2`.
public struct ModifiedFocalTverskyLoss<Variant: FocalSymmetry>: RareClassLoss {
    /// FN weight `δ ∈ [0, 1]`.
    public var delta: Float
    /// Focal parameter `γ ∈ [0, 1]`; the exponent is `1 − γ`.
    public var gamma: Float
    /// Smoothing `s > 0` (the original uses Keras's epsilon, 1e-7).
    public var smooth: Float
    /// The rare classes R of the asymmetric variant (`nil`: every class but channel 0).
    public var rareClasses: [Int]?
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A modified focal Tversky loss with the original's defaults.
    public init(delta: Float = 0.7, gamma: Float = 0.75, smooth: Float = 1e-7, rareClasses: [Int]? = nil,
                inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.gamma = gamma
        self.smooth = smooth
        self.rareClasses = rareClasses
        self.inputKind = inputKind
    }

    /// `symmetric_focal_tversky_loss` or `asymmetric_focal_tversky_loss`.
    public var name: String { "\(Variant.longName)_focal_tversky_loss" }

    /// `delta ∈ [0, 1]`, `gamma ∈ [0, 1]`, `smooth > 0`.
    public static var hyperparameters: [Hyperparameter<Self>] {
        [.value("delta", \.delta, .unitInterval), .value("gamma", \.gamma, .unifiedGamma), .value("smooth", \.smooth, .positive)]
    }

    /// The loss of the type's formula for `Variant`.
    public func loss(_ input: LossInput) throws -> Tensor {
        let rare = Variant.isAsymmetric ? try input.rareClassMask(rareClasses) : [Bool](repeating: true, count: input.classCount)
        return input.unifiedFocalTversky(delta: delta, gamma: gamma, smooth: smooth, rare: rare, asymmetric: Variant.isAsymmetric)
    }
}

/// The symmetric focal Tversky loss (see `ModifiedFocalTverskyLoss`; Yeung et al. 2022).
public func symmetricFocalTverskyLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = SymmetricFocalTverskyLoss().delta,
                                      gamma: Float = SymmetricFocalTverskyLoss().gamma,
                                      inputKind: InputKind = .probabilities) throws -> Tensor {
    try SymmetricFocalTverskyLoss(delta: delta, gamma: gamma, inputKind: inputKind)(prediction, target)
}

/// The asymmetric focal Tversky loss (see `ModifiedFocalTverskyLoss`; Yeung et al. 2022).
public func asymmetricFocalTverskyLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = AsymmetricFocalTverskyLoss().delta,
                                       gamma: Float = AsymmetricFocalTverskyLoss().gamma, rareClasses: [Int]? = nil,
                                       inputKind: InputKind = .probabilities) throws -> Tensor {
    try AsymmetricFocalTverskyLoss(delta: delta, gamma: gamma, rareClasses: rareClasses, inputKind: inputKind)(prediction, target)
}
