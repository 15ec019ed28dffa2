/// What the augmentation did to one sample (for logging, debugging and tests).
public struct AugmentationRecord: Sendable, Equatable, Codable {
    /// The flipped spatial axes (0 = rows, 1 = columns), in the order applied.
    public var mirroredAxes: [Int] = []
    /// The per-channel brightness multipliers, or nil when brightness did not fire.
    public var brightnessMultipliers: [Float]?
    /// The spatial transform (identity when no spatial event fired).
    public var spatial = SpatialTransform()

    /// An empty record (nothing applied).
    public init() {}

    /// True when the sample was returned unchanged.
    public var isIdentity: Bool { mirroredAxes.isEmpty && brightnessMultipliers == nil && spatial.isIdentity }
}
