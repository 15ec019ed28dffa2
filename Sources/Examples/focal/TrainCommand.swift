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
        discussion: """
            Writes checkpoints, logs, plots, predicted masks and metrics to --output, which holds one run. \
            A killed run continues with `--output X --resume` alone: every setting comes from the folder.
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var network: NetworkOptions
    @OptionGroup var training: TrainingOptions
    @Option(help: "Output folder (holds one run).") var output: String = "out/train"
    @Flag(help: "Continue the run in --output from its last checkpoint, with the settings it was made with.") var resume = false
    @Flag(help: "With --resume: let --epochs change the saved run's number of epochs.") var override = false
    @Flag(help: "Remove the run in --output (its checkpoints, logs and results) and start a new one.") var overwrite = false
    @Option(help: "Threads (default: FOCAL_NUM_THREADS, else all cores; under mpirun the cores shared by the ranks on the machine).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other: continue the run or replace it") }
        if override && !resume { throw ValidationError("--override only applies with --resume") }
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
        try OutputFolder.create(output)
        let folder = URL(fileURLWithPath: output)
        var config: ExperimentConfiguration
        var announcement: String? = nil
        if resume, let saved = try Experiment.savedConfiguration(in: folder) {
            if let preset = training.preset {
                throw CLIError("--preset \(preset) conflicts with the run in \(output): a resumed run keeps the settings it was made with; drop it or start a new run with --overwrite")
            }
            config = try RunResumption.configuration(saved: saved, given: try data.givenOptions + network.givenOptions + training.givenOptions,
                                                     folder: output, override: override)
            announcement = ("resuming the run in \(output) with its saved settings (\(config.data.label), size \(config.data.size.map { "\($0)" } ?? "of the files"), \(config.training.epochs) epochs)")
        } else {
            config = try training.configuration(network: network, data: data)
            config.data = config.data.withAbsolutePaths
        }
        let started = Date()
        let reporter = TrainingReporter(epochs: config.training.epochs)
        let start: RunStart = resume ? .resume : (overwrite ? .overwrite : .new)
        // Said once the run holds the folder (the first log line), not before a refusal.
        let result = try Experiment.run(config, output: folder, start: start, distributed: distributed,
                                        onEvent: root ? reporter.handle : nil, log: { line in
            guard root else { return }
            if let a = announcement { say(a); announcement = nil }
            say(line)
        })
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
            say("learnt ε: " + result.focalWeights.map { "\($0.position) \(String(format: "%.3f", $0.epsilon))" }.joined(separator: ", "))
        }
        printScores(result.test, images: result.testImages)
        if let boundary = result.testMetrics.boundaryMean { printBoundaryScores(boundary, tolerance: BoundaryMetrics.defaultTolerance) }
        say(String(format: "time: %.0f s training, %.1f s evaluation, %.0f s in all; outputs in %@",
                     result.trainingSeconds, result.evaluationSeconds, Date().timeIntervalSince(started), output))
    }
}
