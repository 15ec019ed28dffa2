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
    @OptionGroup var windows: WindowOptions
    @Option(help: "Normalised surface Dice tolerance, in the units of --pixel-spacing (pixels by default).")
    var nsdTolerance: Double = BoundaryMetrics.defaultTolerance
    @Option(help: "Pixel size for the boundary distances: 'dy,dx' (row, column spacing) or one value for both.")
    var pixelSpacing: String = "1"

    func validate() throws {
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
        let predictor = try windows.predictor(model: net)
        // The training protocol, as predict: the model's training size unless --size or --window.
        let size = try windows.inputSize(typed: try data.size.map { try parseSize($0) }, modelPath: model)
            ?? (data.images == nil && windows.window == nil ? DataSource.bundledNuclei.size : nil)
        if let size { try predictor.checkMemory(for: size) }
        try OutputFolder.create(output)
        var source = try data.source(defaultSize: nil)
        source.size = size
        source.classes = net.classes
        let loaded = try source.load()
        for w in loaded.warnings { say("warning: \(w)") }
        let samples = split == "all" ? loaded.split.train + loaded.split.validation + loaded.split.test : loaded.split.test
        let boundary = BoundaryMetrics.Options(spacing: try spacing(), tolerance: nsdTolerance)
        let evaluator = Evaluator(predictor: predictor, boundary: boundary)
        let report = try evaluator.evaluate(samples, outputDirectory: URL(fileURLWithPath: output))
        printScores(report.mean, images: samples.count, label: data.images == nil ? "bundled nuclei tiles, \(split)" : split)
        if let b = report.boundary { printBoundaryScores(b, tolerance: nsdTolerance) }
        say("per-image scores, masks and overlays in \(output)")
    }
}
