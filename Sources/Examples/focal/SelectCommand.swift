import ArgumentParser
import FocalCore
import FocalNets
import FocalData
import FocalTraining
import Foundation

/// `focal select`: the paper's attention selection (probe with ε₀ = 0, prune, retrain).
struct SelectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "Select attention modules the paper's way: probe with every ε at 0, remove modules with ε < threshold, retrain the pruned Focal network.",
        discussion: """
            The candidates are the network's attention positions (default: the preset's, 9 SE blocks for --network use-net, \
            4 gates for --network attention-unet, or --positions). Writes <output>/probe, <output>/retrained, selection.md, \
            selection.json and focal-weights.svg (the paper's Fig. 4). Run the same command again to continue a killed selection.
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var network: NetworkOptions
    @OptionGroup var training: TrainingOptions
    @Option(help: "Modules with ε strictly below this are removed (paper: 0.2).") var threshold: Float = AttentionSelection.defaultThreshold
    @Option(help: "Output folder.") var output: String = "out/select"
    @Option(help: "Threads (default: FOCAL_NUM_THREADS or all cores).") var threads: Int?

    func validate() throws {
        guard threshold.isFinite, threshold >= 0 else { throw ValidationError("--threshold must be a finite number ≥ 0") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if network.epsilonInit != nil {
            throw ValidationError("--epsilon-init does not apply to select: the probe starts every ε at 0 and the retraining at 1")
        }
    }

    func run() throws {
        if let threads { Threading.threadCount = threads }
        let config = try training.configuration(network: network, data: data)
        try OutputFolder.create(output)
        let started = Date()
        var reporter = TrainingReporter(epochs: config.training.epochs)
        let result = try AttentionSelection.run(
            config, output: URL(fileURLWithPath: output), threshold: threshold,
            onStage: { stage, c in
                reporter = TrainingReporter(epochs: c.training.epochs)
                switch stage {
                case .probe: say("== probe: \(c.network.plan.count) Focal modules, ε₀ = 0 (\(c.network.plan.positions.map(\.name).joined(separator: " ")))")
                case .retrain: say("== retraining the pruned network from scratch, ε₀ = 1: plan \(c.network.plan)")
                }
            },
            onEvent: { reporter.handle($0) }, log: { say($0) })
        say("")
        for m in result.decision.modules {
            say(m.position.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "ε %.4f  ", m.epsilon) + (m.kept ? "kept" : "removed (ε < \(threshold))"))
        }
        let kept = result.decision.survivors
        say("kept \(result.decision.kept.count) of \(result.decision.modules.count): \(kept.isEmpty ? "none (the plain U-Net)" : kept.joined(separator: " "))")
        printScores(result.probe.test, images: result.probe.testImages, label: "probe (all \(result.decision.modules.count), ε₀ = 0), test")
        printScores(result.retrained.test, images: result.retrained.testImages, label: "selected (\(kept.count), ε₀ = 1), test")
        say(String(format: "time: %.0f s in all; report %@, figure %@", Date().timeIntervalSince(started),
                   "\(output)/selection.md", "\(output)/focal-weights.svg"))
    }
}
