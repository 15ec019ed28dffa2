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

/// The pruning step: which modules of a plan stay, given their learnt ε.
public struct PruningDecision: Codable, Sendable, Equatable {
    /// The plan the ε were learnt with.
    public var plan: AttentionPlan
    /// Modules with ε strictly below it are removed.
    public var threshold: Float
    /// One decision per Focal module, in plan order.
    public var modules: [ModuleDecision]
    /// The plan without the removed modules (empty: the plain U-Net).
    public var prunedPlan: AttentionPlan

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
    public static let defaultThreshold: Float = 0.2
    /// ε₀ of the probe (identity modules).
    public static let probeEpsilonInit: Float = 0
    /// ε₀ of the retrained pruned network (the plain module: the Focal variant of the pruned network).
    public static let retrainEpsilonInit: Float = 1

    /// The probe's configuration: `base` with a Focal module at every position of its plan
    /// (whatever their Focal flags) and ε₀ = 0.
    /// - Throws: `TrainingError.invalidConfiguration` when the plan has no positions.
    public static func probeConfiguration(_ base: ExperimentConfiguration) throws -> ExperimentConfiguration {
        guard !base.network.plan.isEmpty else {
            throw TrainingError.invalidConfiguration("attention selection needs candidate attention positions; the network's plan is empty (use a USE-Net, an Attention U-Net or --positions)")
        }
        var c = base
        c.network.plan = AttentionPlan(base.network.plan.positions, focal: true)
        c.network.focalEpsilonInit = probeEpsilonInit
        return c
    }

    /// The retraining's configuration: `base` with the pruned plan (its survivors Focal) and ε₀ = 1.
    public static func retrainConfiguration(_ base: ExperimentConfiguration, decision: PruningDecision) -> ExperimentConfiguration {
        var c = base
        c.network.plan = AttentionPlan(decision.prunedPlan.positions, focal: true)
        c.network.focalEpsilonInit = retrainEpsilonInit
        return c
    }

    /// The pruning decision for learnt ε (as `UNet.focalWeights` or
    /// `ExperimentResult.focalWeights` give them) on `plan`.
    /// - Throws: `NetworkError.invalidPlan` for a name that is not a Focal module of the plan,
    ///   a repeated one or a non-finite ε; `TrainingError.invalidConfiguration` for a bad threshold.
    public static func decide(plan: AttentionPlan, focalWeights: [FocalWeight],
                              threshold: Float = defaultThreshold) throws -> PruningDecision {
        try validate(threshold: threshold)
        let pruned = try plan.pruned(focalWeights: focalWeights, threshold: threshold)
        let modules = focalWeights.map { w in
            ModuleDecision(position: w.position, epsilon: w.epsilon, kept: AttentionPosition(name: w.position).map(pruned.contains) ?? true)
        }
        return PruningDecision(plan: plan, threshold: threshold, modules: modules, prunedPlan: pruned)
    }

    /// Throws `TrainingError.invalidConfiguration` unless `threshold` is finite and ≥ 0.
    public static func validate(threshold: Float) throws {
        guard threshold.isFinite, threshold >= 0 else {
            throw TrainingError.invalidConfiguration("pruning threshold \(threshold) must be finite and ≥ 0")
        }
    }

    /// The decision for a trained network.
    public static func decide(model: UNet, threshold: Float = defaultThreshold) throws -> PruningDecision {
        guard !model.focalWeights.isEmpty else {
            throw TrainingError.invalidConfiguration("the network has no Focal attention modules (plan: \(model.configuration.plan)); nothing to select")
        }
        return try decide(plan: model.configuration.plan, focalWeights: model.focalWeights, threshold: threshold)
    }

    /// Retrains the pruned network from scratch in `output` (continuing a killed retraining).
    public static func retrain(_ base: ExperimentConfiguration, decision: PruningDecision, output: URL,
                               onEvent: ((TrainingEvent) -> Void)? = nil,
                               log: (String) -> Void = { _ in }) throws -> (result: ExperimentResult, outcome: ExperimentOutcome) {
        try Experiment.continueRun(retrainConfiguration(base, decision: decision), output: output, onEvent: onEvent, log: log)
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
    /// `base.network.plan` gives the candidate positions. Calling it again continues a killed
    /// selection and reuses finished stages.
    public static func run(_ base: ExperimentConfiguration, output: URL, threshold: Float = defaultThreshold,
                           onStage: ((Stage, ExperimentConfiguration) -> Void)? = nil,
                           onEvent: ((TrainingEvent) -> Void)? = nil,
                           log: (String) -> Void = { _ in }) throws -> Result {
        try validate(threshold: threshold)  // before the probe trains, not after
        let probeConfig = try probeConfiguration(base)
        try probeConfig.validate()
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        onStage?(.probe, probeConfig)
        let probe = try Experiment.continueRun(probeConfig, output: output.appendingPathComponent("probe"), onEvent: onEvent, log: log)
        if probe.outcome == .reused { log("probe: finished earlier, reused") }
        let decision = try decide(plan: probeConfig.network.plan,
                                  focalWeights: probe.result.focalWeights, threshold: threshold)
        let retrainConfig = retrainConfiguration(base, decision: decision)
        onStage?(.retrain, retrainConfig)
        let retrained = try Experiment.continueRun(retrainConfig, output: output.appendingPathComponent("retrained"), onEvent: onEvent, log: log)
        if retrained.outcome == .reused { log("retraining: finished earlier, reused") }
        let result = Result(probe: probe.result, retrained: retrained.result, decision: decision, files: [])
        return try SelectionReport.write(result, to: output)
    }
}
