import FocalCore

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
public struct TverskyLoss: SegmentationLoss {
    /// FN weight `δ ∈ [0, 1]` (FP gets `1 − δ`).
    public var delta: Float
    /// Smoothing `s > 0`.
    public var smooth: Float
    /// Probabilities or logits.
    public var inputKind: InputKind

    /// A Tversky loss with the original's defaults.
    public init(delta: Float = 0.7, smooth: Float = 1e-6, inputKind: InputKind = .probabilities) {
        self.delta = delta
        self.smooth = smooth
        self.inputKind = inputKind
    }

    /// `tversky_loss`.
    public var name: String { "tversky_loss" }

    /// Checks `delta ∈ [0, 1]` and `smooth > 0`.
    public func validate() throws {
        try HyperparameterCheck.unitInterval(delta, "delta", in: name)
        try HyperparameterCheck.positive(smooth, "smooth", in: name)
    }

    /// `mean_{b,c}(1 − TI_s(δ))` on unclipped probabilities.
    public func loss(_ input: LossInput) throws -> Tensor {
        input.focalTverskyTerm(delta: delta, smooth: smooth, exponents: [Float](repeating: 1, count: input.classCount), clipped: false)
    }
}

/// The Tversky loss `mean_{b,c}(1 − TI_s(δ))` (see `TverskyLoss`; Salehi et al. 2017).
public func tverskyLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = TverskyLoss().delta,
                        smooth: Float = TverskyLoss().smooth, inputKind: InputKind = .probabilities) throws -> Tensor {
    try TverskyLoss(delta: delta, smooth: smooth, inputKind: inputKind)(prediction, target)
}
