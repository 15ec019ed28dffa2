import Foundation

/// Probabilities and ranges of the training-time augmentation (spec Part B §3, MIScnn's
/// `Data_Augmentation` over batchgenerators). `.paper` holds the original's values, `.none`
/// disables everything. Every probability is per sample (mirroring: per axis); an event with
/// probability 0 never fires and draws nothing from the generator, one with probability 1
/// always fires without a draw.
///
/// Decoding from JSON accepts partial objects: a missing key keeps its `.paper` value.
public struct AugmentationConfig: Codable, Sendable, Equatable {
    /// Probability of flipping each spatial axis (independently). Paper: 0.5.
    public var mirrorProbability: Double = 0.5
    /// The spatial axes that may be flipped: 0 = rows (H), 1 = columns (W). Paper: both.
    public var mirrorAxes: [Int] = [0, 1]
    /// Probability of the multiplicative brightness change. Paper: 0.15.
    public var brightnessProbability: Double = 0.15
    /// Range of each channel's brightness multiplier. Paper: U(0.5, 2).
    public var brightnessRange: ClosedRange<Float> = 0.5...2
    /// Probability of the elastic deformation. Paper: 0.15.
    public var elasticProbability: Double = 0.15
    /// Range of the elastic magnitude α. Paper: U(0, 900).
    public var elasticAlphaRange: ClosedRange<Float> = 0...900
    /// Range of the elastic smoothness σ (pixels). Paper: U(9, 13).
    public var elasticSigmaRange: ClosedRange<Float> = 9...13
    /// Probability of the rotation. Paper: 0.15.
    public var rotationProbability: Double = 0.15
    /// Range of the rotation angle in degrees. Paper: U(−15°, 15°).
    public var rotationDegreesRange: ClosedRange<Float> = -15...15
    /// Probability of the scaling. Paper: 0.15.
    public var scaleProbability: Double = 0.15
    /// When scaling, the probability of drawing from `scaleDownRange` (else `scaleUpRange`).
    /// Paper: 0.5.
    public var scaleDownProbability: Double = 0.5
    /// Scale factors ≤ 1 (coordinates multiplied: the content grows). Paper: U(0.85, 1).
    public var scaleDownRange: ClosedRange<Float> = 0.85...1
    /// Scale factors ≥ 1 (the content shrinks). Paper: U(1, 1.25).
    public var scaleUpRange: ClosedRange<Float> = 1...1.25
    /// Resampling of the image channels (the mask always uses nearest neighbour).
    /// Paper: cubic B-spline (order 3).
    public var imageInterpolation: ImageInterpolation = .cubicBSpline

    /// The paper's augmentation (the defaults).
    public init() {}

    /// The paper's augmentation (spec Part B §3).
    public static let paper = AugmentationConfig()

    /// No augmentation: every probability 0 (images and masks pass through unchanged and the
    /// generator is not advanced).
    public static let none: AugmentationConfig = {
        var c = AugmentationConfig()
        c.mirrorProbability = 0
        c.brightnessProbability = 0
        c.elasticProbability = 0
        c.rotationProbability = 0
        c.scaleProbability = 0
        return c
    }()

    /// Throws `AugmentationError.invalidConfiguration` naming the first field that is out of
    /// range (probabilities outside [0, 1], non-finite bounds, negative α or σ, non-positive
    /// scale factors or brightness multipliers, axes other than 0 and 1).
    public func validate() throws {
        func probability(_ p: Double, _ name: String) throws {
            guard p.isFinite, p >= 0, p <= 1 else {
                throw AugmentationError.invalidConfiguration(field: name, reason: "probability \(p) is not in [0, 1]")
            }
        }
        func range(_ r: ClosedRange<Float>, _ name: String, minimum: Float? = nil, positive: Bool = false) throws {
            guard r.lowerBound.isFinite, r.upperBound.isFinite else {
                throw AugmentationError.invalidConfiguration(field: name, reason: "bounds \(r) are not finite")
            }
            if let m = minimum, r.lowerBound < m {
                throw AugmentationError.invalidConfiguration(field: name, reason: "lower bound \(r.lowerBound) is below \(m)")
            }
            if positive, r.lowerBound <= 0 {
                throw AugmentationError.invalidConfiguration(field: name, reason: "lower bound \(r.lowerBound) must be > 0")
            }
        }
        try probability(mirrorProbability, "mirrorProbability")
        for a in mirrorAxes where a != 0 && a != 1 {
            throw AugmentationError.invalidConfiguration(field: "mirrorAxes", reason: "axis \(a) is not a spatial axis (0 = rows, 1 = columns)")
        }
        guard Set(mirrorAxes).count == mirrorAxes.count else {
            throw AugmentationError.invalidConfiguration(field: "mirrorAxes", reason: "axes \(mirrorAxes) repeat an axis")
        }
        try probability(brightnessProbability, "brightnessProbability")
        try range(brightnessRange, "brightnessRange", positive: true)
        try probability(elasticProbability, "elasticProbability")
        try range(elasticAlphaRange, "elasticAlphaRange", minimum: 0)
        try range(elasticSigmaRange, "elasticSigmaRange", minimum: 0)
        try probability(rotationProbability, "rotationProbability")
        try range(rotationDegreesRange, "rotationDegreesRange")
        try probability(scaleProbability, "scaleProbability")
        try probability(scaleDownProbability, "scaleDownProbability")
        try range(scaleDownRange, "scaleDownRange", positive: true)
        try range(scaleUpRange, "scaleUpRange", positive: true)
    }

    private enum CodingKeys: String, CodingKey {
        case mirrorProbability, mirrorAxes, brightnessProbability, brightnessRange
        case elasticProbability, elasticAlphaRange, elasticSigmaRange
        case rotationProbability, rotationDegreesRange
        case scaleProbability, scaleDownProbability, scaleDownRange, scaleUpRange
        case imageInterpolation
    }

    /// Decodes a configuration; missing keys keep their `.paper` values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AugmentationConfig.paper
        mirrorProbability = try c.decodeIfPresent(Double.self, forKey: .mirrorProbability) ?? d.mirrorProbability
        mirrorAxes = try c.decodeIfPresent([Int].self, forKey: .mirrorAxes) ?? d.mirrorAxes
        brightnessProbability = try c.decodeIfPresent(Double.self, forKey: .brightnessProbability) ?? d.brightnessProbability
        brightnessRange = try c.decodeIfPresent(ClosedRange<Float>.self, forKey: .brightnessRange) ?? d.brightnessRange
        elasticProbability = try c.decodeIfPresent(Double.self, forKey: .elasticProbability) ?? d.elasticProbability
        elasticAlphaRange = try c.decodeIfPresent(ClosedRange<Float>.self, forKey: .elasticAlphaRange) ?? d.elasticAlphaRange
        elasticSigmaRange = try c.decodeIfPresent(ClosedRange<Float>.self, forKey: .elasticSigmaRange) ?? d.elasticSigmaRange
        rotationProbability = try c.decodeIfPresent(Double.self, forKey: .rotationProbability) ?? d.rotationProbability
        rotationDegreesRange = try c.decodeIfPresent(ClosedRange<Float>.self, forKey: .rotationDegreesRange) ?? d.rotationDegreesRange
        scaleProbability = try c.decodeIfPresent(Double.self, forKey: .scaleProbability) ?? d.scaleProbability
        scaleDownProbability = try c.decodeIfPresent(Double.self, forKey: .scaleDownProbability) ?? d.scaleDownProbability
        scaleDownRange = try c.decodeIfPresent(ClosedRange<Float>.self, forKey: .scaleDownRange) ?? d.scaleDownRange
        scaleUpRange = try c.decodeIfPresent(ClosedRange<Float>.self, forKey: .scaleUpRange) ?? d.scaleUpRange
        imageInterpolation = try c.decodeIfPresent(ImageInterpolation.self, forKey: .imageInterpolation) ?? d.imageInterpolation
    }
}
