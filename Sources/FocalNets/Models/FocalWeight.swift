/// The learnt exponent ε of one Focal attention module and where it sits: what a network
/// reports (`SegmentationNetwork.focalWeights`), the training log records every epoch, and
/// attention selection compares with its threshold.
///
/// Encoded as `{"name": position, "value": ε}`, the keys of the training logs written before this
/// type existed, so old run folders still read.
public struct FocalWeight: Codable, Sendable, Hashable {
    /// The module's position (`enc0`, `bottleneck`, `skip2`, …).
    public var position: String
    /// Its exponent ε ≥ 0.
    public var epsilon: Float

    /// The exponent `epsilon` of the module at `position`.
    public init(position: String, epsilon: Float) {
        self.position = position
        self.epsilon = epsilon
    }

    private enum CodingKeys: String, CodingKey {
        case position = "name"
        case epsilon = "value"
    }
}
