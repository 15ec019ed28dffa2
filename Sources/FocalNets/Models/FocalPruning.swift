/// The pruning rule of Focal Attention Networks (Yeung et al., ISBI 2022, §II-B): "attention
/// modules where the Focal parameter remains close to 0 at convergence are removed" — a module
/// whose learnt ε is strictly below the threshold (0.2 in the paper) goes, every other stays.
///
/// One rule for every network: `AttentionPlan.pruned(focalWeights:threshold:)` applies it to a
/// U-Net's plan, `AttentionSelection` to the candidates of any `SelectableNetworkConfiguration`.
public enum FocalPruning {
    /// The paper's threshold.
    public static let defaultThreshold: Float = 0.2

    /// The positions among `focalWeights` whose ε is strictly below `threshold`.
    /// - Parameters:
    ///   - focalWeights: the learnt ε of the network's Focal modules, by position.
    ///   - candidates: the positions a weight may name (the network's Focal modules).
    ///   - threshold: modules with ε strictly below it are removed.
    /// - Throws: `NetworkError.invalidPlan` when a weight names a position outside `candidates`
    ///   or names one twice, when an ε is not finite, or when `threshold` is not finite and ≥ 0.
    public static func removedPositions(focalWeights: [FocalWeight], candidates: [String],
                                        threshold: Float = defaultThreshold) throws -> Set<String> {
        guard threshold.isFinite, threshold >= 0 else {
            throw NetworkError.invalidPlan("pruning threshold \(threshold) must be finite and ≥ 0")
        }
        let allowed = Set(candidates)
        var seen = Set<String>(), removed = Set<String>()
        for weight in focalWeights {
            guard allowed.contains(weight.position) else {
                throw NetworkError.invalidPlan(
                    "focal weight for '\(weight.position)', which is not a Focal module of the network (its Focal modules: "
                    + (candidates.isEmpty ? "none" : candidates.joined(separator: " ")) + ")")
            }
            guard seen.insert(weight.position).inserted else {
                throw NetworkError.invalidPlan("focal weight for \(weight.position) given twice")
            }
            guard weight.epsilon.isFinite else {
                throw NetworkError.invalidPlan("focal weight ε = \(weight.epsilon) of \(weight.position) is not finite")
            }
            if weight.epsilon < threshold { removed.insert(weight.position) }
        }
        return removed
    }
}
