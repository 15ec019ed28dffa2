import FocalCore

/// A segmentation loss of the Unified Focal family (or any loss built the same way).
///
/// Inputs are channels first: `N, C, H, W` (2-D) or `N, C, D, H, W` (3-D), with channel 0 the
/// background and `C ≥ 2`. The prediction is softmax probabilities or logits (`inputKind`);
/// the target is one-hot (or soft, e.g. after a distance penalty) with the same shape and is
/// never differentiated. The result is a rank-0 tensor on the FocalCore tape, so
/// `try loss(prediction, target).backward()` fills the gradients of everything upstream.
///
/// Conforming types implement `loss(_:)` on a validated `LossInput`; wrappers such as
/// `DistancePenalized` transform the input (target or per-pixel weights) and call the wrapped
/// loss, so one mechanism serves every loss. A loss of your own gets the penalty only if it
/// reads `input.target` (`replaceTarget`) and reduces through `LossInput`'s helpers or
/// multiplies by `input.pixelWeight` itself (`weightPixels`); one that ignores `pixelWeight`
/// silently gets no penalty in that mode. See the *Writing a custom loss* article.
public protocol SegmentationLoss: Sendable {
    /// The loss's name in the original code (e.g. `asym_unified_focal_loss`); used in messages.
    var name: String { get }
    /// How the prediction is interpreted (probabilities or logits).
    var inputKind: InputKind { get }
    /// Throws `LossError` when a hyperparameter is out of range (independent of the inputs).
    func validate() throws
    /// The loss of a validated input (a scalar on the tape).
    func loss(_ input: LossInput) throws -> Tensor
}

extension SegmentationLoss {
    /// The loss of `prediction` against the one-hot `target` (same shape, channels first):
    /// a differentiable scalar. Throws `LossError` on a wrong rank, a shape mismatch, fewer
    /// than 2 channels or an invalid hyperparameter.
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try validate()
        return try loss(LossInput(prediction: prediction, target: target, kind: inputKind, lossName: name))
    }
}
