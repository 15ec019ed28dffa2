import FocalCore

/// Any loss of the family with the Focal Distance Penalty Term (FDPT) of the Focal Attention
/// Networks (Yeung et al., ISBI 2022; spec Part A "FDPT"), applied on the fly: Φ is computed
/// per image from the (augmented) target at every call (`DistancePenalty.phi(target:)`), so it
/// also affects validation losses.
///
/// Modes:
/// - `replaceTarget` (the paper's FDPT): the ground truth is replaced by `y' = y ⊙ W` on every
///   channel, `W = clip(Φ, 1e-7, 1)^ε`, and the wrapped loss runs unchanged on `y'`
///   (TP = Σ y'p, FN = Σ y'(1 − p), FP = Σ (1 − y')p, CE = −y' log p). ε = 0 gives `W = 1`,
///   exactly the un-penalised loss; ε = 1 is the DPT (`W = Φ`).
/// - `weightPixels` (Caliva et al. 2019 / SegLoss, spec R3, for comparison): `w = (1 + Φ)^ε`
///   weights each pixel: the per-pixel cross-entropy summand (after the sum over channels,
///   focal modulators and class weights included) is multiplied by `w` before the plain mean
///   over batch and pixels; region terms use `TP = Σ w·y·p` and `FN = Σ w·y·(1 − p)` while
///   `FP = Σ (1 − y)·p` stays unweighted. ε = 0 again gives the un-penalised loss.
///
/// Default ε = 0.1 (the paper's setting).
public struct DistancePenalized: SegmentationLoss {
    /// How the distance penalty enters the loss.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// `y' = y ⊙ clip(Φ, 1e-7, 1)^ε` (FDPT).
        case replaceTarget
        /// Per-pixel weights `(1 + Φ)^ε` on CE terms and on TP/FN (Caliva), passed to the
        /// wrapped loss as `LossInput.pixelWeight`: a loss that ignores that weight (instead of
        /// reducing through `LossInput`'s helpers) gets no penalty in this mode.
        case weightPixels
    }

    /// The wrapped loss.
    public var base: any SegmentationLoss
    /// The FDPT exponent ε ≥ 0.
    public var epsilon: Float
    /// How the penalty enters.
    public var mode: Mode

    /// The default FDPT exponent ε (the paper's).
    public static let defaultEpsilon: Float = 0.1

    /// Wraps `base` with the distance penalty.
    public init(_ base: any SegmentationLoss, epsilon: Float = defaultEpsilon, mode: Mode = .replaceTarget) {
        self.base = base
        self.epsilon = epsilon
        self.mode = mode
    }

    /// The wrapped loss's name.
    public var name: String { base.name }
    /// The wrapped loss's input kind.
    public var inputKind: InputKind { base.inputKind }

    /// Checks the wrapped loss and `epsilon ≥ 0`.
    public func validate() throws {
        try base.validate()
        try HyperparameterCheck.nonNegative(epsilon, "epsilon", in: "\(base.name) (distance penalty)")
    }

    /// The wrapped loss on the penalised target (or with the per-pixel weights).
    public func loss(_ input: LossInput) throws -> Tensor {
        let phi = try DistancePenalty.phi(target: input.target)
        switch mode {
        case .replaceTarget:
            let w = DistancePenalty.focalWeight(phi: phi, epsilon: epsilon)
            return try base.loss(input.replacingTarget(input.target.detached() * w))
        case .weightPixels:
            return try base.loss(input.weightingPixels(by: DistancePenalty.pixelWeight(phi: phi, epsilon: epsilon)))
        }
    }
}

extension SegmentationLoss {
    /// This loss with the Focal Distance Penalty Term (see `DistancePenalized`).
    public func distancePenalized(epsilon: Float = DistancePenalized.defaultEpsilon,
                                  mode: DistancePenalized.Mode = .replaceTarget) -> DistancePenalized {
        DistancePenalized(self, epsilon: epsilon, mode: mode)
    }
}
