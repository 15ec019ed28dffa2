import FocalCore
import FocalNets
import Foundation
import Testing

@Suite("Attention plans and pruning")
struct AttentionPlanTests {
    @Test("position names, canonical order and parsing")
    func positions() {
        let names = AttentionPosition.squeezeExcitationPositions(depth: 4).map(\.name)
        #expect(names == ["enc0", "enc1", "enc2", "enc3", "bottleneck", "dec3", "dec2", "dec1", "dec0"])
        #expect(AttentionPosition.attentionGatePositions(depth: 4).map(\.name) == ["skip0", "skip1", "skip2", "skip3"])
        for p in AttentionPosition.squeezeExcitationPositions(depth: 12) + AttentionPosition.attentionGatePositions(depth: 12) {
            #expect(AttentionPosition(name: p.name) == p)
        }
        for bad in ["", "enc", "enc-1", "enc01", "dec 1", "skipx", "Enc0", "bottleneck0"] {
            #expect(AttentionPosition(name: bad) == nil, "\(bad)")
        }
        #expect(AttentionPosition.skip(0).kind == .attentionGate && AttentionPosition.decoder(0).kind == .squeezeExcitation)
        #expect([AttentionPosition.skip(0), .decoder(0), .bottleneck, .decoder(3), .encoder(1)].sorted()
                == [.encoder(1), .bottleneck, .decoder(3), .decoder(0), .skip(0)])
    }

    @Test("description is printable and parses back; Codable round trip")
    func printingAndCoding() throws {
        let useNet = AttentionPlan.squeezeExcitation(depth: 4, focal: true)
        #expect(useNet.description
                == "enc0+focal enc1+focal enc2+focal enc3+focal bottleneck+focal dec3+focal dec2+focal dec1+focal dec0+focal")
        #expect(AttentionPlan.none.description == "none")
        let mixed = try AttentionPlan(parsing: "skip2, dec0+focal  enc1\tbottleneck+focal")
        #expect(mixed.description == "enc1 bottleneck+focal dec0+focal skip2")
        for plan in [useNet, .none, mixed, .attentionGates(depth: 4, focal: false)] {
            #expect(try AttentionPlan(parsing: plan.description) == plan)
            let data = try JSONEncoder().encode(plan)
            #expect(try JSONDecoder().decode(AttentionPlan.self, from: data) == plan)
        }
        // Sorted keys: without them JSONEncoder's key order may differ from object to object.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(try AttentionPlan(parsing: "dec0 enc1+focal")), as: UTF8.self)
        #expect(json == #"[{"focal":true,"position":"enc1"},{"focal":false,"position":"dec0"}]"#, "\(json)")
        #expect(throws: NetworkError.self) { try AttentionPlan(parsing: "enc0 middle") }
        #expect(throws: NetworkError.self) { try AttentionPlan(parsing: "enc0 enc0+focal") }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AttentionPlan.self, from: Data(#"[{"position":"enc0","focal":true},{"position":"enc0","focal":false}]"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AttentionPlan.self, from: Data(#"[{"position":"up0","focal":true}]"#.utf8))
        }
    }

    @Test("pruning removes the Focal modules with ε < threshold (strict) and keeps the rest")
    func pruning() throws {
        let plan = try AttentionPlan(parsing: "enc0+focal enc1+focal bottleneck+focal dec1 dec0+focal skip0+focal skip1+focal")
        let weights: [FocalWeight] = [
            FocalWeight(position: "enc0", epsilon: 0.05), FocalWeight(position: "enc1", epsilon: 0.2), FocalWeight(position: "bottleneck", epsilon: 0.9), FocalWeight(position: "dec0", epsilon: 0.1999), FocalWeight(position: "skip0", epsilon: 0), FocalWeight(position: "skip1", epsilon: 3.2),
        ]
        let pruned = try plan.pruned(focalWeights: weights, threshold: 0.2)
        #expect(pruned.description == "enc1+focal bottleneck+focal dec1 skip1+focal")
        #expect(try plan.pruned(focalWeights: weights, threshold: 0).description == plan.description)
        #expect(try plan.pruned(focalWeights: weights, threshold: 10).description == "dec1")
        // Errors: unknown names, non-Focal modules, repeats, non-finite ε.
        #expect(throws: NetworkError.self) { try plan.pruned(focalWeights: [FocalWeight(position: "enc7", epsilon: 0.1)]) }
        #expect(throws: NetworkError.self) { try plan.pruned(focalWeights: [FocalWeight(position: "dec1", epsilon: 0.1)]) }
        #expect(throws: NetworkError.self) { try plan.pruned(focalWeights: [FocalWeight(position: "nonsense", epsilon: 0.1)]) }
        #expect(throws: NetworkError.self) { try plan.pruned(focalWeights: [FocalWeight(position: "enc0", epsilon: 0.1), FocalWeight(position: "enc0", epsilon: 0.5)]) }
        #expect(throws: NetworkError.self) { try plan.pruned(focalWeights: [FocalWeight(position: "enc0", epsilon: .nan)]) }
    }

    @Test("prune a trained network's plan and rebuild: removed SE passes its input, removed AG the raw skip")
    func pruneAndRebuild() throws {
        var g = RandomGenerator(seed: 1)
        let config = tinyConfiguration(depth: 2, plan: try AttentionPlan(parsing: "enc0+focal bottleneck+focal skip0+focal skip1+focal"))
        let net = try UNet(configuration: config, generator: &g)
        // As if training had driven these ε down.
        for (position, layer) in net.focalLayers {
            layer.epsilon.value = Tensor(shape: [1], scalars: [position == "enc0" || position == "skip1" ? 0.1 : 0.8])
        }
        let plan = try net.plan.pruned(focalWeights: net.focalWeights, threshold: 0.2)
        #expect(plan.description == "bottleneck+focal skip0+focal")
        var config2 = config
        config2.plan = plan
        let rebuilt = try UNet(configuration: config2, generator: &g)
        #expect(rebuilt.encoder[0].se == nil && rebuilt.decoder[1].gate == nil)
        #expect(rebuilt.bottleneck.se != nil && rebuilt.decoder[0].gate != nil)
        #expect(try rebuilt(uniform([1, 1, 8, 8], seed: 2)).shape == [1, 2, 8, 8])
    }

    @Test("plan differences are listed per position")
    func differences() throws {
        let model = try AttentionPlan(parsing: "enc0+focal dec0 skip1+focal")
        let checkpoint = try AttentionPlan(parsing: "enc0 dec0 bottleneck+focal")
        #expect(model.differences(from: checkpoint) == [
            "enc0: Focal SE in the model, plain SE in the checkpoint",
            "bottleneck: Focal SE in the checkpoint, absent from the model",
            "skip1: Focal AG in the model, absent from the checkpoint",
        ])
        #expect(model.differences(from: model).isEmpty)
    }

    @Test("configuration JSON round trip; absent fields take defaults")
    func configurationCoding() throws {
        let config = UNetConfiguration(inChannels: 1, classes: 3, baseFilters: 16, depth: 3, normalization: .batch,
                                       seReduction: 4, plan: .attentionGates(depth: 3), focalEpsilonInit: 0)
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(UNetConfiguration.self, from: data) == config)
        let partial = try JSONDecoder().decode(UNetConfiguration.self, from: Data(#"{"depth":3,"plan":[{"position":"skip0","focal":true}]}"#.utf8))
        #expect(partial == UNetConfiguration(depth: 3, plan: AttentionPlan([.skip(0)], focal: true)))
        #expect(config.differences(from: UNetConfiguration(inChannels: 1, classes: 3, baseFilters: 16, depth: 3, normalization: .batch,
                                                           seReduction: 4, plan: .attentionGates(depth: 3), focalEpsilonInit: 1)).isEmpty)
    }
}
