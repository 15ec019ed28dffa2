import FocalCore
import FocalNets
import Foundation

/// Runs the paper's Tables II–IV (`ReproductionPlan`) in one folder:
///
///     <root>/reproduction.json        the configuration (the folder's record)
///     <root>/seed<k>/<run>/           one run folder per configuration and seed
///     <root>/results.md, .csv, .json  the tables with mean ± sd over seeds and paired tests
///     <root>/fig4-se.svg, fig4-ag.svg the paper's Fig. 4 (first seed)
///
/// A killed reproduction continues where it stopped when run again (finished runs are reused,
/// the interrupted one resumes from its checkpoint). For a scheduler, `prepare` writes the
/// configuration, each run is started on its own (`run(key:)`, any order within a stage, the
/// selected networks after their probes) and `collect` builds the tables from the folders.
public enum Reproduction {
    /// The configuration file in the reproduction folder.
    public static let configurationFile = "reproduction.json"

    /// Writes `configuration` to `root/reproduction.json`; a folder that already holds a
    /// reproduction with other settings is refused (the same settings are accepted: that is a
    /// continuation).
    public static func prepare(_ configuration: ReproductionConfiguration, root: URL) throws {
        try configuration.validate()
        if let saved = try savedConfiguration(root: root) {
            guard saved == configuration else {
                throw TrainingError.invalidConfiguration(
                    "\(root.path) holds a reproduction with other settings (\(differences(saved, configuration))); use another --output, or the same settings to continue it")
            }
            return
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(configuration), to: root.appendingPathComponent(configurationFile))
    }

    /// The configuration saved in `root`, or `nil` when there is none.
    public static func savedConfiguration(root: URL) throws -> ReproductionConfiguration? {
        let url = root.appendingPathComponent(configurationFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(ReproductionConfiguration.self, from: Data(contentsOf: url))
        } catch {
            throw TrainingError.invalidConfiguration("\(url.path) is not a readable reproduction configuration (\(Experiment.shortDescription(error))); use another --output")
        }
    }

    /// The configuration of the reproduction in `root`.
    /// - Throws: when `root` holds none ("run the plan first").
    public static func configuration(root: URL) throws -> ReproductionConfiguration {
        guard let c = try savedConfiguration(root: root) else {
            throw TrainingError.invalidConfiguration("\(root.path) holds no \(configurationFile); write the plan first (focal reproduce --plan-only)")
        }
        return c
    }

    private static func differences(_ a: ReproductionConfiguration, _ b: ReproductionConfiguration) -> String {
        var d: [String] = []
        if a.tables != b.tables { d.append("tables \(a.tables.map(\.rawValue)) vs \(b.tables.map(\.rawValue))") }
        if a.seeds != b.seeds { d.append("seeds \(a.seeds) vs \(b.seeds)") }
        if a.threshold != b.threshold { d.append("threshold \(a.threshold) vs \(b.threshold)") }
        if a.fdptEpsilon != b.fdptEpsilon { d.append("FDPT ε \(a.fdptEpsilon) vs \(b.fdptEpsilon)") }
        if !a.base.isSameRun(as: b.base) { d += Experiment.differences(a.base, b.base) }
        return d.isEmpty ? "settings" : d.joined(separator: "; ")
    }

    /// The folder of a run.
    public static func folder(of run: ReproductionRun, root: URL) -> URL {
        root.appendingPathComponent("seed\(run.seed)").appendingPathComponent(run.name)
    }

    /// Where a run's result lives and how it is configured: a selected network's configuration
    /// comes from its probe's learnt ε; when it equals another run of the plan (e.g. nothing
    /// removed, or everything removed: the plain U-Net), that run's folder is used instead of
    /// training the same configuration twice.
    public struct ResolvedRun: Sendable {
        /// The planned run.
        public var run: ReproductionRun
        /// What it trains.
        public var configuration: ExperimentConfiguration
        /// Where its result lives (another run's folder when `sameAs` is set).
        public var folder: URL
        /// For a selected network: its pruning decision.
        public var decision: PruningDecision?
        /// The plan's run this one is the same as (its folder is shared), if any.
        public var sameAs: String?
    }

    /// Resolves `run`. For a selected network its probe must have finished.
    public static func resolve(_ run: ReproductionRun, plan: ReproductionPlan, root: URL) throws -> ResolvedRun {
        if let c = run.configuration { return ResolvedRun(run: run, configuration: c, folder: folder(of: run, root: root)) }
        guard let probeName = run.probe, let probe = plan.run(name: probeName, seed: run.seed), let probeConfig = probe.configuration else {
            throw TrainingError.invalidConfiguration("\(run.key) has no probe run")
        }
        guard let probeResult = try Experiment.finishedResult(in: folder(of: probe, root: root)) else {
            throw TrainingError.invalidConfiguration("\(run.key) needs its probe \(probe.key) to have finished; run that first")
        }
        let decision = try AttentionSelection.decide(configuration: probeConfig.network,
                                                     focalWeights: probeResult.focalWeights,
                                                     threshold: plan.configuration.threshold)
        let c = try AttentionSelection.retrainConfiguration(probeConfig, decision: decision)
        if let twin = plan.runs.first(where: { $0.seed == run.seed && $0.configuration.map { $0.isSameRun(as: c) } == true }) {
            return ResolvedRun(run: run, configuration: c, folder: folder(of: twin, root: root), decision: decision, sameAs: twin.name)
        }
        return ResolvedRun(run: run, configuration: c, folder: folder(of: run, root: root), decision: decision)
    }

    /// Trains (or reuses, or resumes) one run of the reproduction in `root`.
    public static func run(key: String, root: URL, onEvent: ((TrainingEvent) -> Void)? = nil,
                           log: (String) -> Void = { _ in }) throws -> (resolved: ResolvedRun, outcome: ExperimentOutcome) {
        let plan = ReproductionPlan(try configuration(root: root))
        guard let run = plan.run(key: key) else {
            throw TrainingError.invalidConfiguration("no run '\(key)' in \(root.path); runs: \(plan.runs.map(\.key).joined(separator: ", "))")
        }
        return try train(run, plan: plan, root: root, onEvent: onEvent, log: log)
    }

    private static func train(_ run: ReproductionRun, plan: ReproductionPlan, root: URL, onEvent: ((TrainingEvent) -> Void)?,
                              log: (String) -> Void) throws -> (resolved: ResolvedRun, outcome: ExperimentOutcome) {
        let resolved = try resolve(run, plan: plan, root: root)
        let (_, outcome) = try Experiment.continueRun(resolved.configuration, output: resolved.folder, onEvent: onEvent, log: log)
        return (resolved, outcome)
    }

    /// Writes the plan (or checks it against the folder's), trains every run that has not
    /// finished, and writes the tables. `onRun` is told of each run before it starts.
    public static func runAll(_ configuration: ReproductionConfiguration, root: URL,
                              onRun: ((ReproductionRun, Int, Int) -> Void)? = nil,
                              onEvent: ((TrainingEvent) -> Void)? = nil,
                              log: (String) -> Void = { _ in }) throws -> ReproductionResults {
        try prepare(configuration, root: root)
        let plan = ReproductionPlan(configuration)
        for (i, run) in plan.runs.enumerated() {
            onRun?(run, i + 1, plan.runs.count)
            let (resolved, outcome) = try train(run, plan: plan, root: root, onEvent: onEvent, log: log)
            if let twin = resolved.sameAs { log("\(run.key): the selection gives the configuration of \(twin); its run is used") }
            else if outcome == .reused { log("\(run.key): finished earlier, reused") }
        }
        return try collect(root: root)
    }

    /// Builds and writes the tables from the finished runs in `root`.
    /// - Throws: naming every run that has not finished.
    public static func collect(root: URL) throws -> ReproductionResults {
        let configuration = try configuration(root: root)
        let plan = ReproductionPlan(configuration)
        var results: [String: (ResolvedRun, ExperimentResult)] = [:]
        var missing: [String] = []
        for run in plan.runs {
            guard let resolved = try? resolve(run, plan: plan, root: root),
                  let result = try Experiment.finishedResult(in: resolved.folder) else {
                missing.append(run.key)
                continue
            }
            results[run.key] = (resolved, result)
        }
        guard missing.isEmpty else {
            throw TrainingError.invalidConfiguration("\(missing.count) of \(plan.runs.count) runs have not finished in \(root.path): \(missing.joined(separator: ", "))")
        }
        let tables = try ReproductionResults(plan: plan, results: results)
        try tables.write(to: root)
        return tables
    }
}
