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
        abstract: "Segment images (a file or a folder) with a saved model; writes one mask PNG per image.")

    @Option(help: "Model file (e.g. out/train/best.safetensors).") var model: String
    @Option(help: "An image file or a folder of images.") var input: String
    @Option(help: "Output folder.") var output: String = "out/predict"
    @Option(help: "Resize images to this size first (N or HxW); default: keep the size (padded to the network's multiple).")
    var size: String?
    @Option(help: "Sliding window size for large images (default: whole images).") var window: Int?
    @Option(help: "Sliding window stride (default: half the window).") var stride: Int?

    func validate() throws {
        if let window, window < 1 { throw ValidationError("--window must be at least 1") }
        if let stride, stride < 1 { throw ValidationError("--stride must be at least 1") }
    }

    func run() throws {
        let net = try InputFiles.loadModel(model)
        let inputURL = URL(fileURLWithPath: input)
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
        let target = try size.map(parseSize)
        let mode: Predictor.Mode = window.map { .slidingWindow(size: $0, stride: stride ?? max(1, $0 / 2)) } ?? .fullImage
        let predictor = Predictor(model: net, mode: mode)
        let out = URL(fileURLWithPath: output)
        try OutputFolder.create(output)
        for file in files {
            let masks = try predictor.segment(file: file, size: target)
            let url = out.appendingPathComponent(file.deletingPathExtension().lastPathComponent + ".png")
            try PNGCodec.write(masks, to: url, as: .grey8)
            say("\(file.lastPathComponent) → \(url.path)")
        }
    }
}
