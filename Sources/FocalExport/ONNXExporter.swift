import FocalCore
import FocalNets
import Foundation
import SwiftProtobuf

/// Exports a `UNet` (any depth, normalisation and attention plan) as an ONNX model: the network
/// with its softmax, in evaluation mode (batch norm with its running statistics), one float32
/// input `image [N, inChannels, H, W]` and one output `probabilities [N, classes, H, W]` with
/// dynamic N, H and W (H and W multiples of `2^depth`). The weights are initializers under the
/// network's state-dict names. `metadata_props` state the preprocessing, the architecture
/// (`UNetArchitecture` JSON), the configuration JSON and the Focal ε of every module.
///
/// ```swift
/// let net = try UNet.load(from: URL(fileURLWithPath: "best.safetensors"))
/// try ONNXExporter.write(net, to: URL(fileURLWithPath: "model.onnx"))
/// ```
public enum ONNXExporter {
    /// The ONNX operator set the graph uses (Resize, Clip with inputs, Unsqueeze with axes as
    /// an input and Softmax over one axis need ≥ 13).
    public static let opsetVersion = 17
    /// The ONNX IR version written (8: ONNX 1.10–1.12's, read by every runtime with opset 17).
    public static let irVersion = 8
    /// The graph's input name.
    public static let inputName = "image"
    /// The graph's output name.
    public static let outputName = "probabilities"

    /// Keys of the model's `metadata_props`.
    public enum MetadataKey {
        /// The preprocessing in words (`UNetArchitecture.preprocessingText`).
        public static let preprocessing = "preprocessing"
        /// `UNetArchitecture.current` as JSON.
        public static let architecture = UNetArchitecture.metadataKey
        /// The `UNetConfiguration` as JSON.
        public static let configuration = NetworkFile.Key.configuration
        /// The attention plan in its printed form.
        public static let plan = "attention_plan"
        /// The network kind (`unet`), as in Focal's model files.
        public static let network = NetworkFile.Key.network
        /// The Focal ε as `position=value` pairs, comma-separated (empty without Focal modules).
        public static let focalEpsilon = "focal_epsilon"
    }

    /// The ONNX model of `net` (exported in evaluation mode; the network's mode is restored).
    /// - Throws: `ONNXExportError.unsupportedLayer` for a layer without an ONNX form.
    public static func model(of net: UNet) throws -> Onnx_ModelProto {
        let builder = ONNXGraphBuilder()
        let output = try builder.unet(net, inputName)
        var graph = Onnx_GraphProto()
        graph.name = "focal_unet"
        graph.node = builder.nodes
        graph.initializer = builder.initializers
        graph.input = [valueInfo(inputName, channels: net.configuration.inChannels)]
        var result = valueInfo(outputName, channels: net.configuration.classes)
        result.docString = "softmax over the classes (axis 1); channel 0 is the background"
        graph.output = [result]
        precondition(output == outputName, "ONNXExporter: the softmax must produce '\(outputName)', got '\(output)'")

        var model = Onnx_ModelProto()
        model.irVersion = Int64(irVersion)
        model.producerName = "focal"
        model.producerVersion = "\(NetworkFile.modelFormat) \(NetworkFile.version)"
        model.domain = "focal"
        model.modelVersion = 1
        model.docString = "Focal U-Net: \(net.configuration)"
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(opsetVersion)
        model.opsetImport = [opset]
        model.graph = graph
        model.metadataProps = try metadata(of: net).sorted { $0.key < $1.key }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return model
    }

    /// The `metadata_props` of `net`'s model.
    public static func metadata(of net: UNet) throws -> [String: String] {
        [
            MetadataKey.preprocessing: UNetArchitecture.preprocessingText,
            MetadataKey.architecture: try UNetArchitecture.current.json(),
            MetadataKey.configuration: try net.configurationJSON(),
            MetadataKey.network: UNet.kind,
            MetadataKey.plan: net.plan.description,
            MetadataKey.focalEpsilon: net.focalWeights.map { "\($0.position)=\($0.epsilon)" }.joined(separator: ","),
        ]
    }

    /// The serialized ONNX model of `net`.
    public static func data(of net: UNet) throws -> Data {
        try model(of: net).serializedData()
    }

    /// Writes `net`'s ONNX model to `url` atomically. Unless `overwrite`, an existing file is
    /// refused.
    /// - Throws: `ONNXExportError.outputExists`, `.writeFailed`, `.unsupportedLayer`.
    public static func write(_ net: UNet, to url: URL, overwrite: Bool = false) throws {
        if !overwrite && FileManager.default.fileExists(atPath: url.path) {
            throw ONNXExportError.outputExists(path: url.path)
        }
        let bytes = try data(of: net)
        do {
            try AtomicFile.write(bytes, to: url)
        } catch let error as AtomicFileError {
            throw ONNXExportError.writeFailed(path: url.path, reason: String(cString: strerror(error.code)))
        }
    }

    /// A float32 `[N, channels, H, W]` value with symbolic N, H and W.
    static func valueInfo(_ name: String, channels: Int) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = ["N", nil, "H", "W"].map { symbol in
            var d = Onnx_TensorShapeProto.Dimension()
            if let symbol { d.dimParam = symbol } else { d.dimValue = Int64(channels) }
            return d
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }
}
