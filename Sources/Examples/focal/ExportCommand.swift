import ArgumentParser
import FocalExport
import FocalNets
import Foundation

/// `focal export`: a trained network as an ONNX model (see Docs/Export.md).
struct ExportCommand: ParsableCommand {
    /// The export formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// ONNX, opset `ONNXExporter.opsetVersion`.
        case onnx
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained network, with its softmax, as an ONNX model for ONNX Runtime and other frameworks.",
        discussion: """
            Input 'image' [N, inChannels, H, W] (float32, z-scored as in training; H and W multiples of 2^depth), output \
            'probabilities' [N, classes, H, W]; N, H and W are dynamic. The model's metadata_props state the preprocessing \
            and the architecture. See Docs/Export.md.
            """)

    @Option(help: "Trained model (e.g. out/best.safetensors).") var model: String
    @Option(help: "The file to write (e.g. model.onnx); its folder is created when missing.") var output: String
    @Option(help: "Export format.") var format: Format = .onnx
    @Flag(help: "Replace the output file when it exists.") var overwrite = false

    func run() throws {
        let net = try InputFiles.loadUNet(model, for: "export")
        let url = URL(fileURLWithPath: output)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError("--output '\(output)' is a folder; give the file to write, e.g. \(output.hasSuffix("/") ? output : output + "/")model.onnx")
        }
        if !overwrite && FileManager.default.fileExists(atPath: url.path) {
            throw CLIError("--output '\(output)' already exists; remove it or pass --overwrite")
        }
        try OutputFolder.create(url.deletingLastPathComponent().path)
        try ONNXExporter.write(net, to: url, overwrite: true)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        say("wrote \(output): ONNX opset \(ONNXExporter.opsetVersion), \(net.configuration)")
        say("input '\(ONNXExporter.inputName)' [N, \(net.configuration.inChannels), H, W] (H, W multiples of \(net.configuration.sizeMultiple)), "
            + "output '\(ONNXExporter.outputName)' [N, \(net.configuration.classes), H, W]; \(net.parameterCount.formatted()) parameters, \(size.formatted()) bytes")
    }
}
