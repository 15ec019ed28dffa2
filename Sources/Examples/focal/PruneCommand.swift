import ArgumentParser
import FocalCore
import FocalNets
import FocalTraining
import Foundation

/// `focal prune`: the paper's attention-module selection.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Read a trained Focal network's ε, drop the attention modules whose ε is below the threshold, optionally retrain.",
        discussion: "A removed SE block passes its input through; a removed attention gate passes the raw skip. With --retrain the pruned network is trained from scratch with the same protocol (the paper's procedure).")

    @Option(help: "Trained model (e.g. out/train/best.safetensors).") var model: String
    @Option(help: "Modules with ε strictly below this are removed (paper: 0.2).") var threshold: Float = 0.2
    @Option(help: "Write the pruned plan here (one line, e.g. 'enc0+focal dec1+focal').") var planOutput: String?
    @Flag(help: "Train the pruned network from scratch (uses the training options below).") var retrain = false
    @OptionGroup var data: DataOptions
    @OptionGroup var training: TrainingOptions
    @Option(help: "Output folder of the retraining.") var output: String = "out/pruned"

    func validate() throws {
        guard threshold.isFinite, threshold >= 0 else { throw ValidationError("--threshold must be a finite number ≥ 0") }
    }

    func run() throws {
        let net = try InputFiles.loadModel(model)
        let weights = net.focalWeights
        guard !weights.isEmpty else { throw ValidationError("\(model) has no Focal attention modules (plan: \(net.plan)); nothing to prune") }
        let pruned = try net.plan.pruned(focalWeights: weights, threshold: threshold)
        for (position, eps) in weights {
            let kept = pruned.contains(AttentionPosition(name: position)!)
            say(String(format: "%-11@ ε %.4f  %@", position, eps, kept ? "kept" : "removed (ε < \(threshold))"))
        }
        say("pruned plan: \(pruned)  (\(pruned.count) of \(net.plan.count) modules kept)")
        if let planOutput {
            try AtomicFile.write(Data((pruned.description + "\n").utf8), to: URL(fileURLWithPath: planOutput))
            say("plan written to \(planOutput)")
        }
        guard retrain else { return }
        try OutputFolder.create(output)
        var config = try training.configuration(network: NetworkOptions(), data: data)
        config.network = net.configuration
        config.network.plan = pruned
        config.network.focalEpsilonInit = 1
        let reporter = TrainingReporter(epochs: config.training.epochs)
        let result = try Experiment.run(config, output: URL(fileURLWithPath: output), onEvent: reporter.handle, log: { say($0) })
        printScores(result.test, images: result.testImages, label: "pruned network, test")
    }
}
