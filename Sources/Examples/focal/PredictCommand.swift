import ArgumentParser
import FocalCore
import FocalNets
import FocalData
import FocalTraining
import Foundation

/// `focal predict`: segment images with a saved model.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Segment images (a file or a folder) with a saved model; writes one mask PNG per image into --output.",
        discussion: """
            Images are resized to the model's training size first (recorded in the model file), as evaluate does; \
            --size overrides it, --window predicts at the image's own size in sliding windows. Masks are named \
            <stem>.png; when several inputs share a stem (a.png, a.tif) each keeps its whole name (a.png.png, a.tif.png).
            """)

    @Option(help: "Model file (e.g. out/train/best.safetensors).") var model: String
    @Option(help: "An image file or a folder of images (not searched recursively).") var input: String
    @Option(help: "Output folder (not the input folder).") var output: String = "out/predict"
    @Option(help: "Resize images to this size first (N or HxW); default: the model's training size, or with --window the image's own size.")
    var size: String?
    @OptionGroup var windows: WindowOptions
    @Flag(help: "Also write each image's class probabilities as float32 .npy [C,H,W] in <output>/probabilities/<stem>.npy.")
    var probabilities = false

    func run() throws {
        let net = try InputFiles.loadModel(model)
        let inputURL = URL(fileURLWithPath: input).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw ValidationError("'\(input)' does not exist")
        }
        let files = isDirectory.boolValue
            ? try FileManager.default.contentsOfDirectory(at: inputURL, includingPropertiesForKeys: nil)
                .filter { DatasetFolder.imageExtensions.contains($0.pathExtension.lowercased()) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
            : [inputURL]
        guard !files.isEmpty else { throw ValidationError("no images (.png, .tif, .gif, .jpg, .npy) in '\(input)'") }
        let out = URL(fileURLWithPath: output).standardizedFileURL
        if isDirectory.boolValue && out.resolvingSymlinksInPath().path == inputURL.resolvingSymlinksInPath().path {
            throw CLIError("--output \(output) is the input folder: the masks would mix with the images (and could overwrite them); use another folder, e.g. a subfolder")
        }
        let names = PredictionNames(files: files)
        let inputs = Set(files.map { $0.resolvingSymlinksInPath().path })
        for file in files {
            for url in [out.appendingPathComponent(names.mask(file))] + (probabilities ? [out.appendingPathComponent("probabilities/" + names.probabilities(file))] : [])
            where inputs.contains(url.resolvingSymlinksInPath().path) {
                throw CLIError("predicting \(file.path) into --output \(output) would overwrite the input \(url.path); use another output folder")
            }
        }
        let target = try windows.inputSize(typed: try size.map { try parseSize($0) }, modelPath: model)
        let predictor = try windows.predictor(model: net)
        try OutputFolder.create(output)
        if probabilities { try OutputFolder.create(out.appendingPathComponent("probabilities").path) }
        if let target, size == nil { say("resizing to the model's training size \(target) (--size to change)") }
        let clock = ContinuousClock(), start = clock.now
        for file in files {
            let result = try predictor.segment(file: file, size: target)
            let url = out.appendingPathComponent(names.mask(file))
            try PNGCodec.write(result.mask, to: url, as: .grey8)
            var line = "\(file.lastPathComponent) → \(url.path)"
            if probabilities {
                let npy = out.appendingPathComponent("probabilities/" + names.probabilities(file))
                try NumPyArray.write(result.probabilities, to: npy)
                line += ", \(npy.path)"
            }
            say(line)
        }
        let seconds = (clock.now - start) / .seconds(1)
        say(String(format: "%d image%@ in %.2f s: %.2f images/s (reading, predicting and writing; loading the model not counted)",
                   files.count, files.count == 1 ? "" : "s", seconds, Double(files.count) / max(seconds, 1e-9)))
    }
}
