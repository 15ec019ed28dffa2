import ArgumentParser
import FocalCore
import FocalNets
import FocalData
import FocalTraining
import Foundation

/// `focal reproduce`: the paper's Tables II–IV on a dataset folder.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce the paper's Tables II–IV (nine losses; U-Net, USE-Net, Focal USE-Net, selected; the same with attention gates), with seeds and paired statistics.",
        discussion: """
            Every distinct configuration is trained once per seed and shared between tables; each run has its own folder \
            <output>/seed<k>/<run>. Results: <output>/results.md, .csv, .json and fig4-se.svg / fig4-ag.svg. Run the same \
            command again to continue a killed reproduction. For a cluster: --plan-only writes the settings and one command line \
            per run (commands.txt, then commands-selected.txt, which needs the probes), each run starts with --run, and \
            --collect builds the tables from the finished folders.
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var network: NetworkOptions
    @Option(help: "Output folder.") var output: String = "out/reproduce"
    @Option(help: "Which tables: losses (II), se (III), ag (IV), comma-separated.") var tables: String = "losses,se,ag"
    @Option(help: "Seeds, comma-separated (each configuration is trained once per seed).") var seeds: String = "0"
    @Option(help: "Pruning threshold of the selection (paper: 0.2).") var threshold: Float = AttentionSelection.defaultThreshold
    @Flag(help: "Only write the settings and the run commands (commands.txt, commands-selected.txt).") var planOnly = false
    @Option(name: .customLong("run"), help: "Train only this run of the plan in --output (e.g. seed0/unet-ufl).") var onlyRun: String?
    @Flag(help: "Only build the tables from the finished runs in --output.") var collect = false
    @Option(help: "Threads (default: FOCAL_NUM_THREADS or all cores).") var threads: Int?

    func validate() throws {
        if [planOnly, onlyRun != nil, collect].filter({ $0 }).count > 1 {
            throw ValidationError("--plan-only, --run and --collect exclude each other")
        }
        _ = try chosenTables()
        _ = try chosenSeeds()
        guard threshold.isFinite, threshold >= 0 else { throw ValidationError("--threshold must be a finite number ≥ 0") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    private func chosenTables() throws -> [ReproductionConfiguration.Table] {
        let names = tables.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if names.isEmpty { throw ValidationError("--tables is empty; use losses, se, ag or a comma-separated subset") }
        return try names.map { name in
            guard let t = ReproductionConfiguration.Table(rawValue: name) else {
                throw ValidationError("unknown table '\(name)' in --tables; use losses, se, ag or a comma-separated subset")
            }
            return t
        }
    }

    private func chosenSeeds() throws -> [UInt64] {
        let parts = seeds.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.map { UInt64($0) }
        guard !parts.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--seeds '\(seeds)' is not a comma-separated list of non-negative integers, e.g. 0,1,2")
        }
        guard Set(values).count == values.count else { throw ValidationError("--seeds '\(seeds)' names a seed twice") }
        return values.map { $0! }
    }

    func run() throws {
        if let threads { Threading.threadCount = threads }
        let root = URL(fileURLWithPath: output)
        if !collect && onlyRun == nil { try OutputFolder.create(output) }
        if collect {
            report(try Reproduction.collect(root: root), root: root)
            return
        }
        if let run = onlyRun {
            say("== \(run)")
            let epochs = try Reproduction.configuration(root: root).base.training.epochs
            let (resolved, outcome) = try Reproduction.run(key: run, root: root, onEvent: TrainingReporter(epochs: epochs).handle, log: { say($0) })
            say("\(run): \(outcome.rawValue) in \(resolved.folder.path)" + (resolved.sameAs.map { " (the configuration of \($0))" } ?? ""))
            return
        }
        var base = try training.configuration(network: network, data: data)
        base.network.plan = .none
        let fdpt = training.lossOptions.fdptEpsilon.flatMap { $0 > 0 ? $0 : nil } ?? 0.1
        base.training.distancePenaltyEpsilon = 0
        let configuration = ReproductionConfiguration(base: base, tables: try chosenTables(), seeds: try chosenSeeds(),
                                                      threshold: threshold, fdptEpsilon: fdpt)
        if planOnly {
            try Reproduction.prepare(configuration, root: root)
            let plan = ReproductionPlan(configuration)
            let executable = CommandLine.arguments[0]
            func line(_ r: ReproductionRun) -> String {
                [executable, "reproduce", "--output", output, "--run", r.key].map(shellQuoted).joined(separator: " ")
            }
            let first = plan.runs.filter { $0.configuration != nil }, second = plan.runs.filter { $0.configuration == nil }
            try AtomicFile.write(Data((first.map(line).joined(separator: "\n") + "\n").utf8), to: root.appendingPathComponent("commands.txt"))
            try AtomicFile.write(Data((second.map(line).joined(separator: "\n") + (second.isEmpty ? "" : "\n")).utf8),
                                 to: root.appendingPathComponent("commands-selected.txt"))
            say("\(plan.runs.count) runs (\(first.count) independent, \(second.count) selected after their probes); settings in \(output)/\(Reproduction.configurationFile)")
            say("run them, e.g.:  parallel < \(output)/commands.txt && parallel < \(output)/commands-selected.txt")
            say("then:            \(executable) reproduce --output \(output) --collect")
            return
        }
        let results = try Reproduction.runAll(
            configuration, root: root,
            onRun: { run, index, total in say("== run \(index)/\(total): \(run.key)") },
            onEvent: TrainingReporter(epochs: base.training.epochs).handle, log: { say($0) })
        report(results, root: root)
    }

    private func report(_ results: ReproductionResults, root: URL) {
        say(results.markdown())
        say(String(format: "training time of the distinct runs: %.0f s; written to %@/results.md, results.csv, results.json", results.trainingSeconds, root.path))
    }
}

/// `text` quoted for a POSIX shell when it needs it.
func shellQuoted(_ text: String) -> String {
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+")
    if !text.isEmpty, text.unicodeScalars.allSatisfy(safe.contains) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
