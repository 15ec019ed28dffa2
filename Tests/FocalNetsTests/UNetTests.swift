import FocalCore
import FocalNets
import FocalTestSupport
import Foundation
import Testing

@Suite("U-Net shapes, validation and structure")
struct UNetTests {
    @Test("output shapes for several sizes (multiples of 2^depth), batch 1 and 2, C = 2 and 3; softmax over C")
    func outputShapes() throws {
        var g = RandomGenerator(seed: 1)
        let cases: [(depth: Int, inC: Int, classes: Int, n: Int, h: Int, w: Int, plan: AttentionPlan)] = [
            (4, 3, 2, 1, 16, 16, .none),
            (4, 1, 3, 2, 32, 48, .squeezeExcitation(depth: 4)),
            (4, 3, 3, 1, 48, 16, .attentionGates(depth: 4)),
            (2, 2, 2, 2, 12, 20, try AttentionPlan(parsing: "enc1+focal dec0 skip1+focal")),
            (3, 1, 2, 1, 8, 24, .none),
        ]
        for c in cases {
            let config = tinyConfiguration(inChannels: c.inC, classes: c.classes, baseFilters: 4, depth: c.depth, plan: c.plan)
            let net = try UNet(configuration: config, generator: &g)
            let x = uniform([c.n, c.inC, c.h, c.w], seed: UInt64(c.h * c.w))
            let p = try net(x)
            #expect(p.shape == [c.n, c.classes, c.h, c.w], "\(config)")
            let logits = try net.logits(x)
            #expect(logits.shape == p.shape)
            // Probabilities: positive, summing to 1 over the classes.
            let sums = p.sum(axes: [1]).scalars
            #expect(sums.allSatisfy { abs($0 - 1) < 1e-5 })
            #expect(allClose(p.scalars, logits.softmax(axis: 1).scalars))
        }
    }

    @Test("wrong rank, channels, empty input and sizes that are not multiples of 2^depth give clear errors")
    func inputValidation() throws {
        var g = RandomGenerator(seed: 4)
        let net = try UNet(configuration: tinyConfiguration(inChannels: 3, depth: 4), generator: &g)
        #expect(throws: NetworkError.invalidRank(network: "UNet", shape: [3, 16, 16])) { try net(Tensor(zeros: [3, 16, 16])) }
        #expect(throws: NetworkError.channelMismatch(network: "UNet", expected: 3, shape: [1, 1, 16, 16])) {
            try net(Tensor(zeros: [1, 1, 16, 16]))
        }
        #expect(throws: NetworkError.emptyInput(network: "UNet", shape: [0, 3, 16, 16])) { try net(Tensor(zeros: [0, 3, 16, 16])) }
        do {
            _ = try net(Tensor(zeros: [1, 3, 250, 256]))
            Issue.record("H = 250 accepted")
        } catch let error as NetworkError {
            #expect(error == .spatialSizeNotDivisible(axis: "H", size: 250, multiple: 16, depth: 4))
            let text = error.description
            #expect(text.hasPrefix("H=250 is not a multiple of 16"), "\(text)")
            #expect(text.contains("240 or 256"), "\(text)")
        }
        #expect(throws: NetworkError.spatialSizeNotDivisible(axis: "W", size: 40, multiple: 16, depth: 4)) {
            try net.logits(Tensor(zeros: [2, 3, 32, 40]))
        }
        // A depth-2 network only needs multiples of 4.
        let shallow = try UNet(configuration: tinyConfiguration(depth: 2), generator: &g)
        #expect(try shallow(Tensor(zeros: [1, 1, 12, 4])).shape == [1, 2, 12, 4])
        #expect(throws: NetworkError.spatialSizeNotDivisible(axis: "W", size: 6, multiple: 4, depth: 2)) {
            try shallow(Tensor(zeros: [1, 1, 12, 6]))
        }
        // Batch norm cannot train on one value per channel at the bottleneck; evaluation is fine.
        let bn = try UNet(configuration: tinyConfiguration(depth: 2, normalization: .batch), generator: &g)
        #expect(throws: NetworkError.batchTooSmallForBatchNorm(shape: [1, 1, 4, 4], depth: 2)) { try bn(Tensor(zeros: [1, 1, 4, 4])) }
        #expect(try bn(uniform([2, 1, 4, 4], seed: 1)).shape == [2, 2, 4, 4])
        bn.eval()
        #expect(try bn(uniform([1, 1, 4, 4], seed: 1)).shape == [1, 2, 4, 4])
    }

    @Test("invalid configurations and plans are rejected with typed errors")
    func configurationValidation() {
        var g = RandomGenerator(seed: 5)
        let bad: [UNetConfiguration] = [
            tinyConfiguration(inChannels: 0), tinyConfiguration(classes: 1), tinyConfiguration(baseFilters: 0),
            tinyConfiguration(depth: 0), tinyConfiguration(seReduction: 0), tinyConfiguration(focalEpsilonInit: -1),
            tinyConfiguration(focalEpsilonInit: .nan),
        ]
        for c in bad {
            #expect(throws: NetworkError.self, "\(c)") { _ = try UNet(configuration: c, generator: &g) }
        }
        // enc3 and skip2 do not exist at depth 2.
        do {
            _ = try UNet(configuration: tinyConfiguration(depth: 2, plan: AttentionPlan([.encoder(3), .skip(2), .skip(1)], focal: true)),
                         generator: &g)
            Issue.record("accepted a plan with positions outside the network")
        } catch let error as NetworkError {
            #expect(error.description.contains("enc3, skip2"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("PyTorch-style parameter names; SE, gate and ε names follow the plan")
    func parameterNames() throws {
        var g = RandomGenerator(seed: 6)
        let plan = try AttentionPlan(parsing: "enc0+focal bottleneck dec1+focal skip0+focal")
        let net = try UNet(configuration: tinyConfiguration(depth: 2, plan: plan), generator: &g)
        let names = net.namedParameters().map(\.0)
        for expected in [
            "encoder.0.conv1.weight", "encoder.0.conv1.bias", "encoder.0.norm1.weight", "encoder.0.norm1.bias",
            "encoder.0.conv2.weight", "encoder.0.norm2.bias", "encoder.0.se.fc1.weight", "encoder.0.se.fc2.bias",
            "encoder.0.se.focal.epsilon", "encoder.1.conv1.weight", "bottleneck.conv1.weight", "bottleneck.se.fc1.weight",
            "decoder.0.up.weight", "decoder.0.up.bias", "decoder.0.gate.gating.weight", "decoder.0.gate.theta.weight",
            "decoder.0.gate.focal.epsilon", "decoder.0.gate.outputNorm.bias", "decoder.0.block.conv1.weight",
            "decoder.1.block.se.focal.epsilon", "decoder.1.up.weight", "head.weight", "head.bias",
        ] {
            #expect(names.contains(expected), "missing \(expected)")
        }
        #expect(!names.contains("encoder.1.se.fc1.weight") && !names.contains("decoder.1.gate.theta.weight"))
        #expect(!names.contains("bottleneck.se.focal.epsilon"))  // a plain SE block has no ε
        #expect(names.filter { $0.hasSuffix("focal.epsilon") }.count == 3)
        #expect(Set(names).count == names.count)
        // Shapes of the backbone.
        let shapes = Dictionary(uniqueKeysWithValues: net.namedParameters().map { ($0.0, $0.1.shape) })
        #expect(shapes["encoder.0.conv1.weight"] == [4, 1, 3, 3])
        #expect(shapes["bottleneck.conv2.weight"] == [16, 16, 3, 3])
        #expect(shapes["decoder.1.up.weight"] == [16, 8, 2, 2])
        #expect(shapes["decoder.1.block.conv1.weight"] == [8, 16, 3, 3])
        #expect(shapes["decoder.0.gate.gating.weight"] == [4, 8, 1, 1])
        #expect(shapes["head.weight"] == [2, 4, 1, 1])
        // Batch normalisation adds running-statistics buffers, not parameters.
        let bn = try UNet(configuration: tinyConfiguration(depth: 2, normalization: .batch), generator: &g)
        #expect(bn.namedBuffers().map(\.0).first == "encoder.0.norm1.running_mean")
        let none = try UNet(configuration: tinyConfiguration(depth: 2, normalization: .none), generator: &g)
        #expect(!none.namedParameters().map(\.0).contains { $0.contains("norm") })
    }

    @Test("the backbone's initial weights do not depend on the plan (same seed ⇒ same backbone)")
    func backboneIndependentOfPlan() throws {
        var g1 = RandomGenerator(seed: 7), g2 = RandomGenerator(seed: 7)
        let plain = try UNet(configuration: tinyConfiguration(depth: 2), generator: &g1)
        let full = try UNet(configuration: tinyConfiguration(depth: 2, plan: .squeezeExcitation(depth: 2)), generator: &g2)
        let fullParams = Dictionary(uniqueKeysWithValues: full.namedParameters().map { ($0.0, $0.1.tensor) })
        for (name, p) in plain.namedParameters() {
            #expect(bits(p.tensor) == bits(fullParams[name]!), "\(name)")
        }
        // A pruned plan keeps the surviving modules' initial weights too.
        var g3 = RandomGenerator(seed: 7)
        let pruned = try UNet(configuration: tinyConfiguration(depth: 2, plan: AttentionPlan([.decoder(0)], focal: true)),
                              generator: &g3)
        #expect(bits(pruned.decoder[0].block.se!.fc1.weight.tensor) == bits(full.decoder[0].block.se!.fc1.weight.tensor))
    }

    @Test("focalWeights lists every Focal module's ε in plan order")
    func focalWeights() throws {
        var g = RandomGenerator(seed: 8)
        let plan = try AttentionPlan(parsing: "skip1+focal dec0+focal enc0+focal bottleneck skip0")
        let net = try UNet(configuration: tinyConfiguration(depth: 2, plan: plan, focalEpsilonInit: 0), generator: &g)
        #expect(net.focalWeights.map(\.position) == ["enc0", "dec0", "skip1"])
        #expect(net.focalWeights.allSatisfy { $0.epsilon == 0 })
        net.focalLayers[1].layer.epsilon.value = Tensor(shape: [1], scalars: [0.75])
        #expect(net.focalWeights.map(\.epsilon) == [0, 0.75, 0])
        #expect(net.attentionModule(at: .skip(0)) is AttentionGate)
        #expect(net.attentionModule(at: .bottleneck) is SqueezeExcitation)
        #expect(net.attentionModule(at: .encoder(1)) == nil)
        #expect(net.attentionModule(at: .skip(7)) == nil)
    }
}
