/// The distance-penalty map Φ of one mask and its FDPT weights for several ε, as row-major
/// Float arrays ready for a heat map (`DistancePenalty.maps(mask:epsilons:)`).
public struct DistancePenaltyMaps: Sendable, Equatable {
    /// One FDPT weight map `clip(Φ, 1e-7, 1)^ε`.
    public struct WeightMap: Sendable, Equatable {
        /// The exponent ε.
        public let epsilon: Float
        /// The weights, row-major, in `[0, 1]`.
        public let values: [Float]
    }

    /// The mask's shape (`H, W` or `D, H, W`).
    public let shape: [Int]
    /// Φ, row-major, in `[0, 1]`.
    public let phi: [Float]
    /// One weight map per requested ε, in the order requested.
    public let weights: [WeightMap]
}
