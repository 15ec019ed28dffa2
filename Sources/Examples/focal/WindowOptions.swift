import ArgumentParser
import FocalNets
import FocalData
import FocalNets
import FocalTraining
import Foundation

/// How predict and evaluate cover an image (shared by both, so they predict the same way).
struct WindowOptions: ParsableArguments {
    @Option(help: "Sliding window N or HxW (multiples of 2^depth; e.g. the training size): predicts any image size in bounded memory, without resizing. Default: whole images.")
    var window: String?
    @Option(help: "Fraction of a window shared with its neighbours, in [0, 1) (with --window).")
    var overlap: Double = SlidingWindow.defaultOverlap

    func validate() throws {
        if let window { _ = try parseSize(window, option: "--window") }
        guard overlap >= 0, overlap < 1 else { throw ValidationError("--overlap must be in [0, 1) (got \(overlap))") }
    }

    /// A predictor for `model` in the chosen mode.
    func predictor(model: any SegmentationNetwork) throws -> Predictor {
        let mode: Predictor.Mode = try window.map { .slidingWindow(try SlidingWindow(size: try parseSize($0, option: "--window"), overlap: overlap)) } ?? .fullImage
        return try Predictor(model: model, mode: mode)
    }

    /// The size images are resized to before prediction: `typed` (--size) when given; else,
    /// without --window, the training size recorded in the model file (`ModelMetadata`), so
    /// that prediction preprocesses as training did; else none (the image's own size).
    func inputSize(typed: ImageSize?, modelPath: String) throws -> ImageSize? {
        if let typed { return typed }
        guard window == nil else { return nil }
        return try ModelMetadata.read(from: URL(fileURLWithPath: modelPath)).trainingSize
    }
}
