import FocalCore
import FocalNets
import Foundation
import Testing

@Suite("Whole-model checkpoints")
struct CheckpointTests {
    /// A small trained-looking model: ε moved off 1, batch-norm statistics updated.
    private func makeModel(plan: String, normalization: FeatureNormalization = .instance, seed: UInt64 = 1) throws -> UNet {
        var g = RandomGenerator(seed: seed)
        let net = try UNet(configuration: tinyConfiguration(inChannels: 2, classes: 3, depth: 2, normalization: normalization,
                                                            plan: try AttentionPlan(parsing: plan)), generator: &g)
        for (i, (_, layer)) in net.focalLayers.enumerated() {
            layer.epsilon.value = Tensor(shape: [1], scalars: [0.3 + 0.4 * Float(i)])
        }
        if normalization == .batch { _ = try net(uniform([2, 2, 8, 8], seed: 2)) }  // training mode: updates the buffers
        return net
    }

    @Test("save → UNet.load(from:) rebuilds the configuration and plan and gives identical outputs")
    func roundTrip() throws {
        for normalization in [FeatureNormalization.instance, .batch] {
            let net = try makeModel(plan: "enc0+focal bottleneck dec1+focal skip1+focal", normalization: normalization)
            let url = temporaryURL("roundtrip.safetensors")
            defer { try? FileManager.default.removeItem(at: url) }
            try net.save(to: url, metadata: ["epoch": "17"])
            let loaded = try UNet.load(from: url)
            #expect(loaded.configuration == net.configuration)
            #expect(loaded.plan.description == "enc0+focal bottleneck dec1+focal skip1+focal")
            #expect(loaded.focalWeights.map(\.epsilon) == net.focalWeights.map(\.epsilon))
            let a = net.stateDict(), b = loaded.stateDict()
            #expect(a.map(\.0) == b.map(\.0))
            for ((name, x), (_, y)) in zip(a, b) { #expect(bits(x) == bits(y), "\(name)") }
            net.eval()
            loaded.eval()
            let x = uniform([1, 2, 8, 12], seed: 3)
            #expect(bits(try net(x)) == bits(try loaded(x)))
            // The file carries the configuration JSON, the readable plan and the caller's metadata.
            let file = try SafeTensors.read(from: url)
            #expect(file.metadata["format"] == "focal.model")
            #expect(file.metadata["format_version"] == "2")
            #expect(file.metadata["network"] == "unet")
            #expect(file.metadata["description"] == net.configuration.description)
            #expect(file.metadata["epoch"] == "17")
            let stored = try JSONDecoder().decode(UNetConfiguration.self, from: Data(file.metadata["configuration"]!.utf8))
            #expect(stored == net.configuration)
            #expect(file["encoder.0.conv1.weight"]?.shape == [4, 2, 3, 3])
            if normalization == .batch { #expect(file["encoder.0.norm1.running_mean"] != nil) }
        }
    }

    @Test("loading into a model with another plan fails, lists every difference and loads nothing")
    func planMismatch() throws {
        let saved = try makeModel(plan: "enc0+focal bottleneck skip1+focal")
        let url = temporaryURL("mismatch.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saved.save(to: url)
        let other = try makeModel(plan: "enc0 bottleneck dec0+focal", seed: 5)
        let before = other.stateDict()
        do {
            try other.loadWeights(from: url)
            Issue.record("loaded a checkpoint with another plan")
        } catch let NetworkError.checkpointMismatch(differences) {
            let text = differences.joined(separator: "\n")
            #expect(differences.contains("enc0: plain SE in the model, Focal SE in the checkpoint"), "\(text)")
            #expect(differences.contains("dec0: Focal SE in the model, absent from the checkpoint"), "\(text)")
            #expect(differences.contains("skip1: Focal AG in the checkpoint, absent from the model"), "\(text)")
            #expect(text.contains("missing from the checkpoint") && text.contains("decoder.0.block.se.fc1.weight"), "\(text)")
            #expect(text.contains("not in the model") && text.contains("decoder.1.gate.theta.weight")
                    && text.contains("encoder.0.se.focal.epsilon"), "\(text)")
        }
        let after = other.stateDict()
        for ((name, x), (_, y)) in zip(before, after) { #expect(bits(x) == bits(y), "\(name) changed") }
    }

    @Test("a different SE reduction is reported as a configuration difference and as shape mismatches")
    func shapeMismatch() throws {
        var g = RandomGenerator(seed: 6)
        let a = try UNet(configuration: tinyConfiguration(baseFilters: 8, depth: 2, plan: .squeezeExcitation(depth: 2), seReduction: 2),
                         generator: &g)
        let b = try UNet(configuration: tinyConfiguration(baseFilters: 8, depth: 2, plan: .squeezeExcitation(depth: 2), seReduction: 4),
                         generator: &g)
        let url = temporaryURL("reduction.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.save(to: url)
        do {
            try b.loadWeights(from: url)
            Issue.record("loaded a checkpoint with another SE reduction")
        } catch let error as NetworkError {
            let text = error.description
            #expect(text.contains("seReduction: 4 in the model, 2 in the checkpoint"), "\(text)")
            #expect(text.contains("shape of encoder.0.se.fc1.weight: [2, 8] in the model, [4, 8] in the checkpoint"), "\(text)")
        }
    }

    @Test("a bare safetensors state dict loads into a matching model but cannot rebuild one")
    func bareStateDict() throws {
        let net = try makeModel(plan: "skip0+focal")
        let url = temporaryURL("bare.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(net.stateDict(), metadata: [:], to: url)
        #expect(throws: NetworkError.self) { _ = try UNet.load(from: url) }
        let twin = try makeModel(plan: "skip0+focal", seed: 9)
        try twin.loadWeights(from: url)
        for ((name, x), (_, y)) in zip(net.stateDict(), twin.stateDict()) { #expect(bits(x) == bits(y), "\(name)") }
        let wrong = try makeModel(plan: "skip1+focal", seed: 9)
        #expect(throws: NetworkError.self) { try wrong.loadWeights(from: url) }
    }

    @Test("reserved metadata keys and foreign formats are rejected")
    func metadataErrors() throws {
        let net = try makeModel(plan: "enc1")
        let url = temporaryURL("reserved.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: NetworkError.self) { try net.save(to: url, metadata: ["configuration": "{}"]) }
        try SafeTensors.write(net.stateDict(), metadata: ["format": "something.else", "configuration": try net.configurationJSON()], to: url)
        #expect(throws: NetworkError.self) { _ = try UNet.load(from: url) }
        try SafeTensors.write(net.stateDict(), metadata: ["configuration": #"{"depth": 0}"#], to: url)
        #expect(throws: NetworkError.self) { _ = try UNet.load(from: url) }
    }
}
