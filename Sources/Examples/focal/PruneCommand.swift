import ArgumentParser
import FocalCore
import FocalNets
import FocalData
import FocalTraining
import Foundation

/// `focal prune`: the pruning step of the paper's attention selection on a trained network.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Read a trained Focal network's ε, drop the attention modules whose ε is below the threshold, optionally retrain.",
        discussion: """
            A removed SE block passes its input through; a removed attention gate passes the raw skip. With --retrain the pruned \
            network is trained from scratch with the same protocol, its ε initialised to 1 (the paper's procedure). The paper reads \
            the ε of a probe trained with every ε initialised to 0 (`focal train --epsilon-init 0`); `focal select` runs all three steps.
            """)

    @Option(help: "Trained model (e.g. out/probe/best.safetensors).") var model: String
    @Option(help: "Modules with ε strictly below this are removed (paper: 0.2).") var threshold: Float = AttentionSelection.defaultThreshold
    @Option(help: "Write the pruned plan here (one line, e.g. 'enc0+focal dec1+focal').") var planOutput: String?
    @Flag(help: "Train the pruned network from scratch (uses the training options below).") var retrain = false
    @OptionGroup var data: DataOptions
    @OptionGroup var training: TrainingOptions
    @Option(help: "Output folder of the retraining.") var output: String = "out/pruned"

    func validate() throws {
        guard threshold.isFinite, threshold >= 0 else { throw ValidationError("--threshold must be a finite number ≥ 0") }
    }

    func run() throws {
        let net = try InputFiles.loadUNet(model, for: "prune")
        guard !net.focalWeights.isEmpty else { throw ValidationError("\(model) has no Focal attention modules (plan: \(net.plan)); nothing to prune") }
        let decision = try AttentionSelection.decide(configuration: net.configuration, focalWeights: net.focalWeights,
                                                     threshold: threshold)
        let pruned = try net.configuration.withFocalModules(at: decision.survivors, epsilonInit: AttentionSelection.retrainEpsilonInit)
        for m in decision.modules {
            say(m.position.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "ε %.4f  ", m.epsilon) + (m.kept ? "kept" : "removed (ε < \(threshold))"))
        }
        say("pruned plan: \(pruned.plan)  (\(decision.survivors.count) of \(net.plan.count) modules kept)")
        if let planOutput {
            try AtomicFile.write(Data((pruned.plan.description + "\n").utf8), to: URL(fileURLWithPath: planOutput))
            say("plan written to \(planOutput)")
        }
        guard retrain else { return }
        try OutputFolder.create(output)
        let base = try training.configuration(network: net.configuration, data: data)
        say("== retraining the pruned network from scratch, ε₀ = 1")
        let reporter = TrainingReporter(epochs: base.training.epochs)
        let (result, _) = try AttentionSelection.retrain(base, decision: decision, output: URL(fileURLWithPath: output),
                                                         onEvent: reporter.handle, log: { say($0) })
        printScores(result.test, images: result.testImages, label: "pruned network, test")
    }
}
