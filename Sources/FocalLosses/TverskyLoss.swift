import FocalCore

/// The loss `mean_{b,c} (1 − TI_s(δ)[b,c])` on unclipped probabilities, of which the original
/// code has two copies that differ only in name and default `δ`: `dice_loss` (δ = 0.5,
/// `DiceLoss`) and `tversky_loss` (δ = 0.7, `TverskyLoss`). `Variant` says which.
///
///     TI_s(δ) = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)
///
/// TP, FN and FP are summed over the spatial axes per image `b` and class `c` (background
/// included). Input: probabilities (or logits, see `InputKind`) and a one-hot target,
/// `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`, channel 0 = background.
public struct TverskyIndexLoss<Variant: TverskyIndexVariant>: ConfigurableLoss {
    /// FN weight `δ ∈ [0, 1]` (FP gets `1 − δ`); 0.5 gives the Dice coefficient.
    public var delta: Float
    /// Smoothing `s > 0` added to numerator and denominator.
    public var smooth: Float
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// The loss with the original's defaults for `Variant` (`smooth = 1e-6`).
    public init(delta: Float = Variant.defaultDelta, smooth: Float = 1e-6, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.smooth = smooth
        self.inputKind = inputKind
    }

    /// `dice_loss` or `tversky_loss`.
    public var name: String { Variant.name }

    /// `delta ∈ [0, 1]`, `smooth > 0`.
    public static var hyperparameters: [Hyperparameter<Self>] {
        [.value("delta", \.delta, .unitInterval), .value("smooth", \.smooth, .positive)]
    }

    /// `mean_{b,c}(1 − TI_s(δ))` on unclipped probabilities.
    public func loss(_ input: LossInput) throws -> Tensor {
        input.focalTverskyTerm(delta: delta, smooth: smooth, exponents: [Float](repeating: 1, count: input.classCount), clipped: false)
    }
}

/// What tells `DiceLoss` from `TverskyLoss`: the original code's name and default `δ`.
public protocol TverskyIndexVariant: Sendable {
    /// The name in the original code.
    static var name: String { get }
    /// The original's default FN weight `δ`.
    static var defaultDelta: Float { get }
}

/// Tversky loss — Salehi, Erdogmus & Gholipour, "Tversky loss function for image segmentation
/// using 3D fully convolutional deep networks", MLMI 2017; as in the Unified Focal loss code
/// (`tversky_loss`).
///
///     L = mean_{b,c} (1 − TI_s(δ)[b,c]),   TI_s(δ) = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)
///
/// `δ` weights false negatives (δ > 0.5 favours recall). Per image and class, background
/// included; the prediction is not clipped.
///
/// Defaults: `delta = 0.7`, `smooth = 1e-6`. Input: `N, C, H, W` or `N, C, D, H, W`, `C ≥ 2`.
public typealias TverskyLoss = TverskyIndexLoss<TverskyVariant>

/// The `TverskyLoss` variant: `tversky_loss`, `δ = 0.7`.
public enum TverskyVariant: TverskyIndexVariant {
    /// `tversky_loss`.
    public static var name: String { "tversky_loss" }
    /// 0.7.
    public static var defaultDelta: Float { 0.7 }
}

/// The Tversky loss `mean_{b,c}(1 − TI_s(δ))` (see `TverskyLoss`; Salehi et al. 2017).
public func tverskyLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = TverskyLoss().delta,
                        smooth: Float = TverskyLoss().smooth, inputKind: InputKind = .probabilities) throws -> Tensor {
    try TverskyLoss(delta: delta, smooth: smooth, inputKind: inputKind)(prediction, target)
}
