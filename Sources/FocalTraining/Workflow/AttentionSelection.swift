import FocalCore
import FocalNets
import Foundation

/// The fate of one attention module in a selection.
public struct ModuleDecision: Codable, Sendable, Equatable {
    /// The module's position (`enc0`, `bottleneck`, `skip2`, …).
    public var position: String
    /// Its learnt ε in the probe's best-validation model.
    public var epsilon: Float
    /// Whether it stays (ε ≥ threshold).
    public var kept: Bool
}

/// The pruning step: which of a network's candidate attention modules stay, given their learnt ε.
public struct PruningDecision: Codable, Sendable, Equatable {
    /// The candidates: the positions of the network's attention modules, in its order (for a
    /// U-Net, its plan's positions in canonical order).
    public var candidates: [String]
    /// Modules with ε strictly below it are removed.
    public var threshold: Float
    /// One decision per Focal module, in the order of the learnt weights.
    public var modules: [ModuleDecision]
    /// The candidates that stay, in their order: the modules of the pruned network (empty: none;
    /// for a U-Net, the plain U-Net). A candidate without a learnt ε stays.
    public var survivors: [String]

    /// The modules that stay.
    public var kept: [ModuleDecision] { modules.filter(\.kept) }
    /// The modules that go.
    public var removed: [ModuleDecision] { modules.filter { !$0.kept } }
}

/// Attention selection, the method of Focal Attention Networks (Yeung et al., ISBI 2022, §II-B):
///
/// 1. **Probe**: train the network with a Focal module at every candidate position and every
///    ε initialised to 0 (each module starts as the identity), with the full protocol.
/// 2. **Prune**: read each module's ε in the best-validation model; a module with
///    ε < threshold (0.2) is removed ("attention modules where the Focal parameter remains
///    close to 0 at convergence are removed"). A removed SE block passes its input through, a
///    removed gate passes the raw skip; removing all gives the plain U-Net.
/// 3. **Retrain** the pruned Focal network from scratch with the identical protocol, its ε
///    initialised to 1, and evaluate it.
///
/// Each stage is a run folder of its own (`probe/`, `retrained/`), so calling `run` again
/// after a kill continues where it stopped (`Experiment.continueRun`). `focal prune --retrain`
/// uses `decide` and `retrain` on an already trained network.
public enum AttentionSelection {
    /// The paper's threshold.
    public static let defaultThreshold = FocalPruning.defaultThreshold
    /// ε₀ of the probe (identity modules).
    public static let probeEpsilonInit: Float = 0
    /// ε₀ of the retrained pruned network (the plain module: the Focal variant of the pruned network).
    public static let retrainEpsilonInit: Float = 1

    /// The probe's configuration: `base` with a Focal module at every candidate position
    /// (`attentionPositions`, whatever their Focal flags) and ε₀ = 0.
    /// - Throws: `TrainingError.invalidConfiguration` when the network has no candidate positions.
    public static func probeConfiguration<Network: SelectableNetworkConfiguration>(
        _ base: RunConfiguration<Network>) throws -> RunConfiguration<Network> {
        let candidates = base.network.attentionPositions
        guard !candidates.isEmpty else {
            throw TrainingError.invalidConfiguration("attention selection needs candidate attention positions; the network (\(base.network.summary)) has none (for a U-Net: use a USE-Net, an Attention U-Net or --positions)")
        }
        var c = base
        c.network = try base.network.withFocalModules(at: candidates, epsilonInit: probeEpsilonInit)
        return c
    }

    /// The retraining's configuration: `base` with a Focal module at each of the decision's
    /// survivors and nowhere else, ε₀ = 1.
    /// - Throws: `TrainingError.invalidConfiguration` when a survivor is not a candidate of `base`
    ///   (the decision was made for another network).
    public static func retrainConfiguration<Network: SelectableNetworkConfiguration>(
        _ base: RunConfiguration<Network>, decision: PruningDecision) throws -> RunConfiguration<Network> {
        let candidates = base.network.attentionPositions
        let foreign = decision.survivors.filter { !candidates.contains($0) }
        guard foreign.isEmpty else {
            throw TrainingError.invalidConfiguration("the pruning decision keeps \(foreign.joined(separator: ", ")), which the network to retrain (\(base.network.summary)) does not have; decide on this network's probe")
        }
        var c = base
        c.network = try base.network.withFocalModules(at: decision.survivors, epsilonInit: retrainEpsilonInit)
        return c
    }

    /// The pruning decision for learnt ε (as `SegmentationNetwork.focalWeights` or
    /// `ExperimentResult.focalWeights` give them) among `candidates` (the rule: `FocalPruning`).
    /// - Throws: `NetworkError.invalidPlan` for a name that is not a candidate, a repeated one or
    ///   a non-finite ε or a bad threshold (`FocalPruning` checks them).
    public static func decide(candidates: [String], focalWeights: [FocalWeight],
                              threshold: Float = defaultThreshold) throws -> PruningDecision {
        let removed = try FocalPruning.removedPositions(focalWeights: focalWeights, candidates: candidates, threshold: threshold)
        let modules = focalWeights.map { ModuleDecision(position: $0.position, epsilon: $0.epsilon, kept: !removed.contains($0.position)) }
        return PruningDecision(candidates: candidates, threshold: threshold, modules: modules,
                               survivors: candidates.filter { !removed.contains($0) })
    }

    /// The pruning decision for learnt ε of a network built from `configuration` (its
    /// `attentionPositions` are the candidates).
    public static func decide(configuration: some SelectableNetworkConfiguration, focalWeights: [FocalWeight],
                              threshold: Float = defaultThreshold) throws -> PruningDecision {
        try decide(candidates: configuration.attentionPositions, focalWeights: focalWeights, threshold: threshold)
    }

    /// Throws `TrainingError.invalidConfiguration` unless `threshold` is finite and ≥ 0: the
    /// check of a selection's settings before anything trains (`run`, `ReproductionPlan`);
    /// `decide` leaves it to `FocalPruning`.
    public static func validate(threshold: Float) throws {
        guard threshold.isFinite, threshold >= 0 else {
            throw TrainingError.invalidConfiguration("pruning threshold \(threshold) must be finite and ≥ 0")
        }
    }

    /// The decision for a trained network: its Focal modules are the candidates (a module
    /// without a Focal layer is not one; to keep such modules of a U-Net, decide on its
    /// configuration).
    /// - Throws: `TrainingError.invalidConfiguration` when the network has no Focal modules.
    public static func decide(model: some SegmentationNetwork, threshold: Float = defaultThreshold) throws -> PruningDecision {
        let weights = model.focalWeights
        guard !weights.isEmpty else {
            throw TrainingError.invalidConfiguration("the \(type(of: model).kind) network has no Focal attention modules; nothing to select")
        }
        return try decide(candidates: weights.map(\.position), focalWeights: weights, threshold: threshold)
    }

    /// Retrains the pruned network from scratch in `output` (continuing a killed retraining).
    public static func retrain<Network: SelectableNetworkConfiguration>(
        _ base: RunConfiguration<Network>, decision: PruningDecision, output: URL,
        onEvent: ((TrainingEvent) -> Void)? = nil,
        log: (String) -> Void = { _ in }) throws -> (result: ExperimentResult, outcome: ExperimentOutcome) {
        try Experiment.continueRun(try retrainConfiguration(base, decision: decision), output: output, onEvent: onEvent, log: log)
    }

    /// What a whole selection produced.
    public struct Result: Sendable {
        /// The probe (every candidate Focal, ε₀ = 0) and the retrained pruned network (ε₀ = 1).
        public var probe: ExperimentResult
        public var retrained: ExperimentResult
        /// Which modules stayed, with their ε.
        public var decision: PruningDecision
        /// Files written in the selection folder (report, figure).
        public var files: [URL]
    }

    /// The stages of a selection, for progress reports.
    public enum Stage: String, Sendable {
        /// Training the probe (every candidate Focal, ε₀ = 0).
        case probe
        /// Retraining the pruned network (ε₀ = 1).
        case retrain
    }

    /// Runs probe → prune → retrain in `output` (`probe/`, `retrained/`) and writes the report
    /// (`selection.md`, `selection.json`) and the paper's Fig. 4 (`focal-weights.svg`, `.png`).
    /// `base.network.attentionPositions` are the candidates (a U-Net's plan; a network of your
    /// own through `SelectableNetworkConfiguration`). Calling it again continues a killed
    /// selection and reuses finished stages.
    public static func run<Network: SelectableNetworkConfiguration>(
        _ base: RunConfiguration<Network>, output: URL, threshold: Float = defaultThreshold,
        onStage: ((Stage, RunConfiguration<Network>) -> Void)? = nil,
        onEvent: ((TrainingEvent) -> Void)? = nil,
        log: (String) -> Void = { _ in }) throws -> Result {
        try validate(threshold: threshold)  // before the probe trains, not after
        let probeConfig = try probeConfiguration(base)
        try probeConfig.validate()
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        onStage?(.probe, probeConfig)
        let probe = try Experiment.continueRun(probeConfig, output: output.appendingPathComponent("probe"), onEvent: onEvent, log: log)
        if probe.outcome == .reused { log("probe: finished earlier, reused") }
        let decision = try decide(configuration: probeConfig.network, focalWeights: probe.result.focalWeights,
                                  threshold: threshold)
        let retrainConfig = try retrainConfiguration(base, decision: decision)
        onStage?(.retrain, retrainConfig)
        let retrained = try Experiment.continueRun(retrainConfig, output: output.appendingPathComponent("retrained"), onEvent: onEvent, log: log)
        if retrained.outcome == .reused { log("retraining: finished earlier, reused") }
        let result = Result(probe: probe.result, retrained: retrained.result, decision: decision, files: [])
        return try SelectionReport.write(result, to: output)
    }
}
