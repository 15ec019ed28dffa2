import ArgumentParser
import FocalCore
import FocalData
import FocalTraining
import Foundation

/// `focal train`: train a network and evaluate it on the test split.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a (Focal) U-Net / USE-Net / Attention U-Net, then evaluate the best model on the test split.",
        discussion: "Writes checkpoints, logs, plots, predicted masks and metrics to --output. A killed run continues with --resume.")

    @OptionGroup var data: DataOptions
    @OptionGroup var network: NetworkOptions
    @OptionGroup var training: TrainingOptions
    @Option(help: "Output folder.") var output: String = "out/train"
    @Flag(help: "Continue from the last checkpoint in --output.") var resume = false
    @Option(help: "Threads (default: FOCAL_NUM_THREADS, else all cores; under mpirun the cores shared by the ranks on the machine).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        // Under mpirun this process is one rank of a data-parallel run (Docs/Distributed.md).
        let distributed = try DistributedContext.fromEnvironment()
        if let threads {
            Threading.threadCount = threads
        } else if Threading.environmentThreadCount == nil, let launch = MPILaunch() {
            Threading.threadCount = launch.defaultThreadCount()
        }
        let root = distributed?.isRoot ?? true
        let config = try training.configuration(network: network, data: data)
        try OutputFolder.create(output)
        let started = Date()
        let reporter = TrainingReporter(epochs: config.training.epochs)
        let result = try Experiment.run(config, output: URL(fileURLWithPath: output), resume: resume, distributed: distributed,
                                        onEvent: root ? reporter.handle : nil, log: { if root { say($0) } })
        if let distributed {
            if root {
                let perStep = distributed.allReduceCount > 0 ? distributed.allReduceSeconds / Double(distributed.allReduceCount) : 0
                say(String(format: "distributed: %d ranks × %d threads, batch %d per rank; all-reduce %.1f ms per step, fastest %.1f ms (%d steps)",
                           distributed.size, Threading.threadCount, config.training.batchSize, perStep * 1000,
                           distributed.allReduceCount > 0 ? distributed.fastestAllReduceSeconds * 1000 : 0, distributed.allReduceCount))
            }
            try distributed.finalize()
            if !root { return }
        }
        say("stopped: \(result.stopReason); best epoch \(result.bestEpoch)")
        if !result.focalWeights.isEmpty {
            say("learnt ε: " + result.focalWeights.map { "\($0.name) \(String(format: "%.3f", $0.value))" }.joined(separator: ", "))
        }
        printScores(result.test, images: result.testImages)
        say(String(format: "time: %.0f s training, %.1f s evaluation, %.0f s in all; outputs in %@",
                     result.trainingSeconds, result.evaluationSeconds, Date().timeIntervalSince(started), output))
    }
}
