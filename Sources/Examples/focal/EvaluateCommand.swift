import ArgumentParser
import FocalCore
import FocalNets
import FocalTraining
import Foundation

/// `focal evaluate`: score a saved model on images with masks.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a saved model (per-image foreground DSC, precision, recall, IoU; mean over images).")

    @Option(help: "Model file (e.g. out/train/best.safetensors).") var model: String
    @OptionGroup var data: DataOptions
    @Option(help: "Which images: test (the seeded test split, as in training) or all.") var split: String = "test"
    @Option(help: "Output folder for metrics.csv, predictions/ and overlays/.") var output: String = "out/evaluate"
    @Option(help: "Sliding window size (default: whole images).") var window: Int?
    @Option(help: "Sliding window stride (default: half the window).") var stride: Int?

    func validate() throws {
        if let window, window < 1 { throw ValidationError("--window must be at least 1") }
        if let stride, stride < 1 { throw ValidationError("--stride must be at least 1") }
        guard ["test", "all"].contains(split) else { throw ValidationError("--split must be test or all") }
    }

    func run() throws {
        let net = try InputFiles.loadModel(model)
        if let classes = data.classes, classes != net.configuration.classes {
            throw CLIError("--classes \(classes) does not match the model, which has \(net.configuration.classes) classes (\(model)); omit --classes")
        }
        try OutputFolder.create(output)
        var source = try data.source(defaultSize: data.images == nil ? ImageSize(square: 128) : nil)
        source.classes = net.configuration.classes
        let loaded = try source.load()
        for w in loaded.warnings { say("warning: \(w)") }
        let samples = split == "all" ? loaded.split.train + loaded.split.validation + loaded.split.test : loaded.split.test
        let mode: Predictor.Mode = window.map { .slidingWindow(size: $0, stride: stride ?? max(1, $0 / 2)) } ?? .fullImage
        let report = try Evaluator(predictor: Predictor(model: net, mode: mode)).evaluate(samples, outputDirectory: URL(fileURLWithPath: output))
        printScores(report.mean, images: samples.count, label: data.images == nil ? "bundled nuclei tiles, \(split)" : split)
        say("per-image scores, masks and overlays in \(output)")
    }
}
