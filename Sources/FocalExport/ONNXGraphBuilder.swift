import FocalCore
import Foundation

/// Builds an ONNX graph node by node: float32 initializers under the network's own tensor
/// names (`encoder.0.conv1.weight`, …), small constants, and nodes whose outputs get unique
/// names derived from the emitting block (`encoder.0.conv1`, `encoder.0.relu1`, …).
///
/// The per-block emitters (`ONNXLayerEmitter`, `DoubleConv.emitONNX`, …) only call the
/// operator helpers below; `ONNXExporter` assembles the model around the graph.
public final class ONNXGraphBuilder {
    /// The nodes, in topological order (each node's inputs are produced before it).
    public private(set) var nodes: [Onnx_NodeProto] = []
    /// The weights and constants.
    public private(set) var initializers: [Onnx_TensorProto] = []
    private var usedNames = Set<String>()

    /// An empty graph.
    public init() {}

    // MARK: Values

    /// Adds `tensor` as a float32 initializer called `name` (which must be new) and returns the
    /// name.
    @discardableResult
    public func initializer(_ name: String, _ tensor: Tensor) -> String {
        precondition(usedNames.insert(name).inserted, "ONNXGraphBuilder: the name '\(name)' is used twice")
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        proto.dims = tensor.shape.map(Int64.init)
        var data = Data(count: tensor.count * 4)
        let scalars = tensor.scalars
        data.withUnsafeMutableBytes { out in
            for (i, v) in scalars.enumerated() {
                out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        proto.rawData = data
        initializers.append(proto)
        return name
    }

    /// A float32 scalar constant (rank 0) named after `hint`.
    public func scalar(_ value: Float, hint: String) -> String {
        initializer(uniqueName(hint), Tensor(value))
    }

    /// A float64 scalar constant (rank 0) named after `hint`.
    public func doubleScalar(_ value: Double, hint: String) -> String {
        let name = uniqueName(hint)
        usedNames.insert(name)
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dataType = Int32(Onnx_TensorProto.DataType.double.rawValue)
        proto.doubleData = [value]
        initializers.append(proto)
        return name
    }

    /// An int64 vector constant (axes, shapes) named after `hint`.
    public func int64s(_ values: [Int], hint: String) -> String {
        let name = uniqueName(hint)
        usedNames.insert(name)
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        proto.dims = [Int64(values.count)]
        proto.int64Data = values.map(Int64.init)
        initializers.append(proto)
        return name
    }

    /// `hint`, or `hint_2`, `hint_3`, … when taken; not yet reserved.
    func uniqueName(_ hint: String) -> String {
        if !usedNames.contains(hint) { return hint }
        var k = 2
        while usedNames.contains("\(hint)_\(k)") { k += 1 }
        return "\(hint)_\(k)"
    }

    // MARK: Nodes

    /// Appends a node of `op` on `inputs` with `attributes`; its single output is called
    /// `name` (made unique) and returned.
    @discardableResult
    public func node(_ op: String, _ inputs: [String], name hint: String, attributes: [Onnx_AttributeProto] = []) -> String {
        let name = uniqueName(hint)
        usedNames.insert(name)
        var node = Onnx_NodeProto()
        node.opType = op
        node.name = name
        node.input = inputs
        node.output = [name]
        node.attribute = attributes
        nodes.append(node)
        return name
    }

    // MARK: Attributes

    /// An `INTS` attribute.
    public static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values.map(Int64.init)
        return a
    }

    /// An `INT` attribute.
    public static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    /// A `FLOAT` attribute.
    public static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    /// A `STRING` attribute.
    public static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(value.utf8)
        return a
    }
}
