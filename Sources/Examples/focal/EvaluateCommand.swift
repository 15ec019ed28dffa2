import ArgumentParser
import FocalCore
import FocalNets
import FocalData
import FocalTraining
import Foundation

/// `focal evaluate`: score a saved model on images with masks.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a saved model (per-image foreground DSC, precision, recall, IoU, HD95, ASSD, NSD; mean over images).")

    @Option(help: "Model file (e.g. out/train/best.safetensors).") var model: String
    @OptionGroup var data: DataOptions
    @Option(help: "Which images: test (the seeded test split, as in training) or all.") var split: String = "test"
    @Option(help: "Output folder for metrics.csv, predictions/ and overlays/.") var output: String = "out/evaluate"
    @Option(help: "Sliding window size (default: whole images).") var window: Int?
    @Option(help: "Sliding window stride (default: half the window).") var stride: Int?
    @Option(help: "Normalised surface Dice tolerance, in the units of --pixel-spacing (pixels by default).")
    var nsdTolerance: Double = BoundaryMetrics.defaultTolerance
    @Option(help: "Pixel size for the boundary distances: 'dy,dx' (row, column spacing) or one value for both.")
    var pixelSpacing: String = "1"

    func validate() throws {
        if let window, window < 1 { throw ValidationError("--window must be at least 1") }
        if let stride, stride < 1 { throw ValidationError("--stride must be at least 1") }
        guard ["test", "all"].contains(split) else { throw ValidationError("--split must be test or all") }
        guard nsdTolerance.isFinite, nsdTolerance >= 0 else { throw ValidationError("--nsd-tolerance must be finite and at least 0") }
        _ = try spacing()
    }

    /// `--pixel-spacing` parsed: `dy,dx` or one value for both, each positive and finite.
    func spacing() throws -> PixelSpacing {
        let parts = pixelSpacing.split(separator: ",", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: .whitespaces)) }
        let s: PixelSpacing?
        switch parts.count {
        case 1: s = parts[0].map { PixelSpacing($0) }
        case 2: s = parts[0].flatMap { dy in parts[1].map { PixelSpacing(dy: dy, dx: $0) } }
        default: s = nil
        }
        guard let s, s.isValid else {
            throw ValidationError("--pixel-spacing must be 'dy,dx' or one value, positive and finite; got '\(pixelSpacing)'")
        }
        return s
    }

    func run() throws {
        let net = try InputFiles.loadModel(model)
        if let classes = data.classes, classes != net.classes {
            throw CLIError("--classes \(classes) does not match the model, which has \(net.classes) classes (\(model)); omit --classes")
        }
        try OutputFolder.create(output)
        var source = try data.source(defaultSize: data.images == nil ? ImageSize(square: 128) : nil)
        source.classes = net.classes
        let loaded = try source.load()
        for w in loaded.warnings { say("warning: \(w)") }
        let samples = split == "all" ? loaded.split.train + loaded.split.validation + loaded.split.test : loaded.split.test
        let mode: Predictor.Mode = window.map { .slidingWindow(size: $0, stride: stride ?? max(1, $0 / 2)) } ?? .fullImage
        let boundary = BoundaryMetrics.Options(spacing: try spacing(), tolerance: nsdTolerance)
        let evaluator = Evaluator(predictor: Predictor(model: net, mode: mode), boundary: boundary)
        let report = try evaluator.evaluate(samples, outputDirectory: URL(fileURLWithPath: output))
        printScores(report.mean, images: samples.count, label: data.images == nil ? "bundled nuclei tiles, \(split)" : split)
        if let b = report.boundary { printBoundaryScores(b, tolerance: nsdTolerance) }
        say("per-image scores, masks and overlays in \(output)")
    }
}
