import FocalCore

/// A validated loss input — prediction, target and optional per-pixel weights, channels
/// first — with the quantities the losses share (clipped probabilities, log-probabilities,
/// focal modulators, TP/FN/FP), each computed once per call and kept on the tape.
///
/// Conventions of the original Keras code (mlyg/unified-focal-loss@411c9c5) that the
/// helpers reproduce: "clip" is `clip(p, 1e-7, 1 − 1e-7)` (Float32 upper bound
/// 0.99999988), with the gradient passed at the bounds inclusive; TP, FN and FP are sums over
/// the spatial axes per image and class; cross-entropy terms are summed over the channels and
/// averaged over batch and pixels.
public final class LossInput {
    /// Lower clip bound, Keras's `epsilon()`.
    public static let clipLow: Float = 1e-7
    /// Upper clip bound `1 − 1e-7` (rounds to 0.99999988 in Float32, as in TensorFlow).
    public static let clipHigh: Float = Float(1.0 - 1e-7)

    /// The prediction (probabilities or logits, see `kind`), `N, C, spatial…`; may be on the tape.
    public let prediction: Tensor
    /// The target, same shape; a constant (its tape node is dropped).
    public let target: Tensor
    /// How `prediction` is interpreted.
    public let kind: InputKind
    /// Optional per-pixel weight `N, 1, spatial…` (a constant): it multiplies the per-pixel
    /// cross-entropy terms and the TP/FN summands (see `DistancePenalized.Mode.weightPixels`).
    public let pixelWeight: Tensor?
    /// The loss's name, for error messages.
    public let lossName: String
    /// `N`.
    public let batchSize: Int
    /// `C` (≥ 2).
    public let classCount: Int
    /// The spatial extents (`H, W` or `D, H, W`).
    public let spatialShape: [Int]

    /// Validates shapes: rank 4 or 5, equal prediction and target shapes, `C ≥ 2`, no empty
    /// dimension, and a pixel weight of shape `N, 1, spatial…`.
    public init(prediction: Tensor, target: Tensor, kind: InputKind = .probabilities,
                lossName: String = "loss", pixelWeight: Tensor? = nil) throws {
        let shape = prediction.shape
        guard shape.count == 4 || shape.count == 5 else {
            throw LossError.invalidRank(loss: lossName, argument: "prediction", shape: shape)
        }
        guard target.rank == 4 || target.rank == 5 else {
            throw LossError.invalidRank(loss: lossName, argument: "target", shape: target.shape)
        }
        guard target.shape == shape else {
            throw LossError.shapeMismatch(loss: lossName, prediction: shape, target: target.shape)
        }
        guard !shape.contains(0) else {
            throw LossError.emptyDimension(loss: lossName, argument: "prediction", shape: shape)
        }
        guard shape[1] >= 2 else { throw LossError.tooFewClasses(loss: lossName, classes: shape[1]) }
        var weightShape = shape
        weightShape[1] = 1
        if let w = pixelWeight, w.shape != weightShape {
            throw LossError.pixelWeightShape(loss: lossName, weight: w.shape, expected: weightShape)
        }
        self.prediction = prediction
        self.target = target.detached()
        self.kind = kind
        self.pixelWeight = pixelWeight?.detached()
        self.lossName = lossName
        self.batchSize = shape[0]
        self.classCount = shape[1]
        self.spatialShape = Array(shape[2...])
    }

    /// The same prediction with another target (e.g. `y ⊙ W`), validated again.
    public func replacingTarget(_ newTarget: Tensor) throws -> LossInput {
        try LossInput(prediction: prediction, target: newTarget, kind: kind, lossName: lossName, pixelWeight: pixelWeight)
    }

    /// The same input with the per-pixel weight multiplied by `weight` (`N, 1, spatial…`).
    public func weightingPixels(by weight: Tensor) throws -> LossInput {
        var combined = weight.detached()
        if let existing = pixelWeight, existing.shape == combined.shape { combined = existing.detached() * combined }
        return try LossInput(prediction: prediction, target: target, kind: kind, lossName: lossName, pixelWeight: combined)
    }

    /// Unclipped probabilities: the prediction itself, or `softmax(z)` for logits. Used by the
    /// losses that do not clip in the original (Dice, Tversky, the Dice coefficient, Combo's
    /// Dice term, MIScnn's soft Dice).
    public private(set) lazy var probabilities: Tensor = {
        switch kind {
        case .probabilities: return prediction
        case .logits: return prediction.softmax(axis: 1)
        }
    }()

    /// `clip(p, 1e-7, 1 − 1e-7)` (gradient passes at the bounds inclusive), or `softmax(z)`
    /// unclipped for logits.
    public private(set) lazy var clippedProbabilities: Tensor = {
        switch kind {
        case .probabilities: return prediction.clamped(min: Self.clipLow, max: Self.clipHigh)
        case .logits: return probabilities
        }
    }()

    /// `log(clip(p))`, or `logSoftmax(z)` for logits (never `log(clip(softmax))`).
    public private(set) lazy var logProbabilities: Tensor = {
        switch kind {
        case .probabilities: return clippedProbabilities.log()
        case .logits: return prediction.logSoftmax(axis: 1)
        }
    }()

    /// Keras `categorical_crossentropy`'s log-probabilities: `log(clip(p / Σ_c p))` (the sum
    /// floored at 1e-30 so an all-zero prediction stays finite), or `logSoftmax(z)`.
    public private(set) lazy var renormalisedLogProbabilities: Tensor = {
        switch kind {
        case .probabilities:
            let total = prediction.sum(axes: [1], keepDims: true).clamped(min: 1e-30, max: .greatestFiniteMagnitude)
            return (prediction / total).clamped(min: Self.clipLow, max: Self.clipHigh).log()
        case .logits: return logProbabilities
        }
    }()

    /// `−y` (constant).
    private lazy var negativeTarget: Tensor = -target.detached()

    private var statisticsCache: [Bool: Tensor] = [:]

    /// `TP, FN, FP` per image and class (`N, C` each) from the unclipped or clipped
    /// probabilities (logits: from `softmax(z)` either way), weighted per pixel when a pixel
    /// weight is set (TP and FN only). See `LossOps.regionStatistics`.
    public func regionStatistics(clipped: Bool) -> (truePositives: Tensor, falseNegatives: Tensor, falsePositives: Tensor) {
        let stats = stackedRegionStatistics(clipped: clipped)
        let nc = [batchSize, classCount]
        return (stats.slice(axis: 0, 0..<1).reshaped(nc),
                stats.slice(axis: 0, 1..<2).reshaped(nc),
                stats.slice(axis: 0, 2..<3).reshaped(nc))
    }

    /// TP, FN, FP stacked as `[3, N, C]` (cached per clipping; see `regionStatistics(clipped:)`).
    private func stackedRegionStatistics(clipped: Bool) -> Tensor {
        let key = clipped && kind == .probabilities
        if let cached = statisticsCache[key] { return cached }
        let stats = LossOps.regionStatistics(key ? clippedProbabilities : probabilities, target: target, pixelWeight: pixelWeight)
        statisticsCache[key] = stats
        return stats
    }

    /// The Tversky index per image and class (`N, C`):
    /// `TI = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)`; `δ = 0.5` is the soft Dice coefficient.
    /// See `LossOps.tverskyIndex`.
    public func tverskyIndex(delta: Float, smooth: Float, clipped: Bool) -> Tensor {
        LossOps.tverskyIndex(stackedRegionStatistics(clipped: clipped), delta: delta, smooth: smooth)
    }

    /// `1 − TI` per image and class (`N, C`), computed as
    /// `(δ·FN + (1 − δ)·FP) / (TP + δ·FN + (1 − δ)·FP + s)` — no cancellation as `TI → 1`
    /// (see `LossOps.tverskyComplement`).
    public func tverskyComplement(delta: Float, smooth: Float, clipped: Bool) -> Tensor {
        LossOps.tverskyComplement(stackedRegionStatistics(clipped: clipped), delta: delta, smooth: smooth)
    }

    /// `mean_{b,c} (1 − TI_c)^{e_c}` — the focal Tversky family's region term (one exponent
    /// per class; all 1 gives the Tversky/Dice loss), with `1 − TI` from `tverskyComplement`.
    public func focalTverskyTerm(delta: Float, smooth: Float, exponents: [Float], clipped: Bool) -> Tensor {
        let complement = tverskyComplement(delta: delta, smooth: smooth, clipped: clipped)
        if exponents.allSatisfy({ $0 == 1 }) { return complement.mean() }
        return LossOps.channelPower(complement, exponents: exponents).mean()
    }

    /// The focal modulators `(1 − p_c)^{γ_c}` from the clipped probabilities, or
    /// `exp(γ_c · log(1 − softmax(z)_c))` in log space for logits; `nil` when every `γ_c` is 0.
    public func focalModulator(gammas: [Float]) -> Tensor? {
        precondition(gammas.count == classCount, "focalModulator: \(gammas.count) exponents for \(classCount) classes")
        if gammas.allSatisfy({ $0 == 0 }) { return nil }
        switch kind {
        case .probabilities:
            return LossOps.channelPower(1 - clippedProbabilities, exponents: gammas)
        case .logits:
            return (LossOps.logComplementSoftmax(prediction) * channelVector(gammas)).exp()
        }
    }

    /// `mean_{b,x} Σ_c a_c · m_c · (−y_c · log p_c)` — the cross-entropy family's term, with
    /// optional class weights `a_c` and focal exponents `γ_c` (modulator `m_c`), weighted per
    /// pixel when a pixel weight is set.
    /// - Parameters:
    ///   - classWeights: `a_c`, one per class (`nil`: all 1).
    ///   - gammas: focal exponents `γ_c`, one per class (`nil`: no modulator).
    ///   - kerasRenormalised: use Keras `categorical_crossentropy`'s `log(clip(p/Σp))`.
    public func crossEntropyTerm(classWeights: [Float]? = nil, gammas: [Float]? = nil, kerasRenormalised: Bool = false) -> Tensor {
        var perClass = (kerasRenormalised ? renormalisedLogProbabilities : logProbabilities) * negativeTarget
        if let gammas, let m = focalModulator(gammas: gammas) { perClass = m * perClass }
        if let a = classWeights {
            precondition(a.count == classCount, "crossEntropyTerm: \(a.count) class weights for \(classCount) classes")
            if !a.allSatisfy({ $0 == 1 }) { perClass = perClass * channelVector(a) }
        }
        return pixelMean(ofClassSum: perClass)
    }

    /// `mean_{b,x} w_x · Σ_c t[b,c,x]`: sum over the channels, per-pixel weight, mean over batch
    /// and pixels.
    public func pixelMean(ofClassSum perClass: Tensor) -> Tensor {
        var perPixel = perClass.sum(axes: [1], keepDims: true)
        if let w = pixelWeight { perPixel = perPixel * w }
        return perPixel.mean()
    }

    /// A constant `[1, C, 1, …]` holding one value per channel, broadcastable over the input.
    public func channelVector(_ values: [Float]) -> Tensor {
        precondition(values.count == classCount, "channelVector: \(values.count) values for \(classCount) classes")
        return Tensor(shape: [1, classCount] + [Int](repeating: 1, count: spatialShape.count), scalars: values)
    }
}
