import FocalCore
import FocalNets
import Foundation
import Testing

/// The `architecture` record of model files: written by `UNet.save`, reserved, and equal to the
/// facts of the layers.
@Suite("The architecture record in model files")
struct ArchitectureMetadataTests {
    @Test("UNet.save writes UNetArchitecture.current under 'architecture', and the key is reserved")
    func written() throws {
        var g = RandomGenerator(seed: 1)
        let net = try UNet(configuration: tinyConfiguration(), generator: &g)
        let url = temporaryURL("architecture.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.save(to: url)
        let json = try #require(try SafeTensors.read(from: url).metadata["architecture"])
        let record = try JSONDecoder().decode(UNetArchitecture.self, from: Data(json.utf8))
        #expect(record == UNetArchitecture.current)
        #expect(throws: NetworkError.self) { try net.save(to: url, metadata: ["architecture": "{}"]) }
    }

    @Test("the record states the layers' own constants")
    func facts() {
        let a = UNetArchitecture.current
        #expect(a.instanceNormEpsilon == InstanceNorm2d(channels: 1).eps && a.instanceNormEpsilon == 1e-3)
        #expect(a.batchNormEpsilon == 1e-3 && a.batchNormMomentum == 0.01)
        #expect(a.focalClip == [FocalLayer.lowerClip, 1])
        #expect(a.attentionGateThetaPadding == [0, 0, 1, 1])
        #expect(a.activationOrder == "conv, relu, norm" && a.concatOrder == "[up, skip]" && a.attentionUpsampling == "nearest")
        #expect(a.preprocessing.contains("z-scored") && a.preprocessing.contains("1e-8"))
    }
}
