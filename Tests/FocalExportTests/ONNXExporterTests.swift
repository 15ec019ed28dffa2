import FocalData
import FocalCore
import FocalExport
import FocalNets
import FocalTraining
import Foundation
import SwiftProtobuf
import Testing

/// The structure of the exported model, without a runtime: weights under the state-dict
/// names, the operators of each block, dynamic dimensions, metadata and file handling.
@Suite("ONNX export: graph structure and metadata")
struct ONNXExporterTests {
    private func net(_ plan: String, normalization: FeatureNormalization = .instance, depth: Int = 2) throws -> UNet {
        var g = RandomGenerator(seed: 5)
        return try UNet(configuration: UNetConfiguration(inChannels: 1, classes: 2, baseFilters: 4, depth: depth,
                                                         normalization: normalization, plan: try AttentionPlan(parsing: plan)),
                        generator: &g)
    }

    @Test("every weight and running statistic is an initializer under its state-dict name, with its values")
    func initializersAreTheStateDict() throws {
        for normalization in [FeatureNormalization.instance, .batch, .none] {
            let model = try net("enc0+focal bottleneck dec1+focal skip0+focal skip1", normalization: normalization)
            let proto = try ONNXExporter.model(of: model)
            let floats = proto.graph.initializer.filter { $0.dataType == Int32(Onnx_TensorProto.DataType.float.rawValue) }
            let byName = Dictionary(uniqueKeysWithValues: floats.map { ($0.name, $0) })
            let expected = model.stateDict().filter { !$0.0.hasSuffix(".num_batches_tracked") }
            for (name, tensor) in expected {
                let t = try #require(byName[name], "\(normalization): \(name) is not an initializer")
                #expect(t.dims == tensor.shape.map(Int64.init), "\(name)")
                let values = t.rawData.withUnsafeBytes { raw in
                    (0..<tensor.count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
                }
                #expect(values == tensor.scalars, "\(name)")
            }
            // The others are the small constants: clip bounds, Resize scales, instance-norm eps.
            let extra = Set(byName.keys).subtracting(expected.map(\.0))
            #expect(extra.allSatisfy { $0.contains("clip_m") || $0.contains("scales") || $0.hasSuffix(".eps") }, "\(extra.sorted())")
        }
    }

    @Test("opset 17, dynamic N/H/W, the operators of each block, metadata_props")
    func graphAndMetadata() throws {
        let model = try net("enc0+focal dec0 skip0+focal skip1", normalization: .batch)
        let proto = try ONNXExporter.model(of: model)
        #expect(proto.opsetImport.map(\.version) == [17] && proto.irVersion == 8)
        let input = proto.graph.input[0].type.tensorType.shape.dim
        #expect(proto.graph.input.map(\.name) == ["image"] && proto.graph.output.map(\.name) == ["probabilities"])
        #expect(input.map(\.dimParam) == ["N", "", "H", "W"] && input[1].dimValue == 1)
        let ops = proto.graph.node.map(\.opType)
        func count(_ op: String) -> Int { ops.filter { $0 == op }.count }
        // depth 2: 5 double convolutions (10 Conv) + head + 2 gates × 5 Conv.
        #expect(count("Conv") == 10 + 1 + 2 * 5)
        #expect(count("BatchNormalization") == 10 + 2 * 2 && count("InstanceNormalization") == 0)
        #expect(count("ConvTranspose") == 2 && count("MaxPool") == 2 && count("Concat") == 2)
        #expect(count("GlobalAveragePool") == 2 && count("Gemm") == 4 && count("Resize") == 2)
        #expect(count("Clip") == 2 && count("Pow") == 2 && count("Softmax") == 1 && ops.last == "Softmax")
        // Every node input is produced earlier or is an initializer or the graph input.
        var known = Set(proto.graph.initializer.map(\.name) + ["image", ""])
        for node in proto.graph.node {
            for i in node.input { #expect(known.contains(i), "\(node.name) reads \(i) before it exists") }
            known.formUnion(node.output)
        }
        // The θ convolutions pad [0, 0, 1, 1].
        let theta = proto.graph.node.filter { $0.name.hasSuffix(".gate.theta") }
        #expect(theta.count == 2 && theta.allSatisfy { $0.attribute.first { $0.name == "pads" }?.ints == [0, 0, 1, 1] })
        let meta = Dictionary(uniqueKeysWithValues: proto.metadataProps.map { ($0.key, $0.value) })
        #expect(meta["preprocessing"] == UNetArchitecture.preprocessingText)
        #expect(meta["architecture"] == (try UNetArchitecture.current.json()))
        #expect(meta["configuration"] == (try model.configurationJSON()))
        #expect(meta["focal_epsilon"] == "enc0=1.0,skip0=1.0")
        // The preprocessing text states the z-score's threshold of FocalTraining.
        #expect(Normalization.minimumStandardDeviation == 1e-8 && UNetArchitecture.preprocessingText.contains("std < 1e-8"))
        // The bytes parse back.
        let parsed = try Onnx_ModelProto(serializedBytes: try ONNXExporter.data(of: model))
        #expect(parsed.graph.node.count == proto.graph.node.count)
    }

    @Test("write refuses an existing file unless overwrite, and names the file it cannot write")
    func writing() throws {
        let model = try net("none")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("focal-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("m.onnx")
        try ONNXExporter.write(model, to: url)
        #expect(throws: ONNXExportError.outputExists(path: url.path)) { try ONNXExporter.write(model, to: url) }
        try ONNXExporter.write(model, to: url, overwrite: true)
        #expect(try Onnx_ModelProto(serializedBytes: Data(contentsOf: url)).graph.output.map(\.name) == ["probabilities"])
        let missing = folder.appendingPathComponent("no/such/folder/m.onnx")
        #expect { try ONNXExporter.write(model, to: missing) } throws: { error in
            guard case .writeFailed(let path, _) = error as? ONNXExportError else { return false }
            return path == missing.path
        }
    }
}
