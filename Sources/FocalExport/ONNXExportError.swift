/// Why a network could not be exported to ONNX or the file could not be written.
public enum ONNXExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A layer the exporter has no ONNX form for.
    case unsupportedLayer(name: String, type: String)
    /// The ONNX file already exists and overwriting was not asked for.
    case outputExists(path: String)
    /// The ONNX file could not be written.
    case writeFailed(path: String, reason: String)

    /// A sentence naming the problem and what to do.
    public var description: String {
        switch self {
        case .unsupportedLayer(let name, let type):
            return "ONNX export: layer '\(name)' of type \(type) has no ONNX form"
        case .outputExists(let path):
            return "'\(path)' already exists; remove it or pass --overwrite"
        case .writeFailed(let path, let reason):
            return "cannot write the ONNX model \(path): \(reason)"
        }
    }
}
