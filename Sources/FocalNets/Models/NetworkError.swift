import FocalCore

/// Errors of the FocalNets networks: bad input tensors, invalid configurations or attention
/// plans, and checkpoints that do not fit. Every description says what is wrong and where.
public enum NetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is not a rank-4 `[N, C, H, W]` tensor.
    case invalidRank(network: String, shape: [Int])
    /// The input has no samples or an empty spatial extent.
    case emptyInput(network: String, shape: [Int])
    /// The input's channel count differs from the network's.
    case channelMismatch(network: String, expected: Int, shape: [Int])
    /// A spatial extent is not a multiple of `2^depth` (every pooling level halves it).
    case spatialSizeNotDivisible(axis: String, size: Int, multiple: Int, depth: Int)
    /// A spatial extent is not a multiple of what the network needs.
    case notAMultiple(network: String, axis: String, size: Int, multiple: Int)
    /// Batch normalisation in training mode needs at least two values per channel at the
    /// coarsest level (`N·(H/2^depth)·(W/2^depth) ≥ 2`).
    case batchTooSmallForBatchNorm(shape: [Int], depth: Int)
    /// A configuration value is out of range (the message names the field).
    case invalidConfiguration(String)
    /// An attention plan is malformed or does not fit the network (the message says why).
    case invalidPlan(String)
    /// A checkpoint does not fit the model; one entry per difference (positions added or
    /// removed, Focal flags, configuration fields, missing/unexpected tensors, shapes).
    case checkpointMismatch(differences: [String])
    /// A checkpoint file cannot be used (not a Focal U-Net checkpoint, bad metadata, …).
    case invalidCheckpoint(path: String, reason: String)

    /// A readable explanation.
    public var description: String {
        switch self {
        case let .invalidRank(network, shape):
            return "\(network): input must be a rank-4 tensor [N, C, H, W], got shape \(shape) (rank \(shape.count))"
        case let .emptyInput(network, shape):
            return "\(network): input \(shape) is empty; N, H and W must be at least 1"
        case let .channelMismatch(network, expected, shape):
            return "\(network): input has \(shape.count > 1 ? shape[1] : 0) channels (shape \(shape)), the network expects \(expected)"
        case let .spatialSizeNotDivisible(axis, size, multiple, depth):
            let below = size / multiple * multiple, above = below + multiple
            let hint = below > 0 ? "\(below) or \(above)" : "\(above)"
            return "\(axis)=\(size) is not a multiple of \(multiple) (2^\(depth): a depth-\(depth) U-Net halves it \(depth) times); resize or pad the image to \(hint)"
        case let .notAMultiple(network, axis, size, multiple):
            let below = size / multiple * multiple
            return "\(network): \(axis)=\(size) is not a multiple of \(multiple); resize or pad the image to \(below > 0 ? "\(below) or \(below + multiple)" : "\(multiple)")"
        case let .batchTooSmallForBatchNorm(shape, depth):
            return "input \(shape) leaves one value per channel at the depth-\(depth) bottleneck "
                + "(\(shape[2] >> depth)×\(shape[3] >> depth), batch \(shape[0])): batch normalisation cannot train on it; "
                + "use a larger batch or image, instance normalisation, or evaluation mode"
        case let .invalidConfiguration(message):
            return "invalid U-Net configuration: \(message)"
        case let .invalidPlan(message):
            return "invalid attention plan: \(message)"
        case let .checkpointMismatch(differences):
            return "checkpoint does not match the model (nothing was loaded); \(differences.count) difference(s):\n"
                + differences.map { "  - \($0)" }.joined(separator: "\n")
        case let .invalidCheckpoint(path, reason):
            return "cannot use checkpoint \(path): \(reason)"
        }
    }
}
