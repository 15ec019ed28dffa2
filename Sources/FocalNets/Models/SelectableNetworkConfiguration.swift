/// The settings of a network whose attention modules attention selection can choose
/// (Focal Attention Networks, §II-B): it names its candidate positions and builds the same
/// network with a Focal module at any subset of them. `UNetConfiguration` conforms (its plan's
/// positions); so can the configuration of a network of your own, which then runs through
/// `AttentionSelection.run` — probe, prune, retrain — like the paper's networks (the
/// FocalTraining article "A custom network trained by the trainer" shows one).
public protocol SelectableNetworkConfiguration: NetworkConfiguration {
    /// The positions of the attention modules these settings build, in the network's order
    /// (Focal or not): a selection's candidates. Names match the network's `focalLayers`.
    var attentionPositions: [String] { get }
    /// These settings with a module at exactly `positions` (a subset of `attentionPositions`;
    /// empty: no attention modules), each with a Focal layer whose ε starts at `epsilonInit`.
    /// Everything else stays as it is.
    /// - Throws: when a position cannot be built.
    func withFocalModules(at positions: [String], epsilonInit: Float) throws -> Self
}
