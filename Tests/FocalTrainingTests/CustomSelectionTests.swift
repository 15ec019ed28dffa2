import FocalCore
import FocalNets
import Foundation
import Testing
import FocalData
import FocalTraining

/// A network of the user's own with two candidate attention modules, as a user would write it
/// with public API only: a 3×3 convolution, then at each module present a sigmoid attention map
/// (1×1 convolution) with a Focal layer that scales the features, and a 1×1 head. Its
/// configuration names the modules it builds, so attention selection can probe and prune it.
final class GatedNet: Module, SegmentationNetwork, @unchecked Sendable {
    struct Configuration: SelectableNetworkConfiguration {
        /// The modules built, in order (a subset of `allModules`).
        var modules = GatedNet.allModules
        var epsilonInit: Float = 1
        var channels = 1, classes = 2, width = 4
        var inChannels: Int { get { channels } set { channels = newValue } }
        var summary: String { modules.isEmpty ? "gated-net without gates" : "gated-net gates " + modules.joined(separator: " ") }
        var attentionPositions: [String] { modules }
        func withFocalModules(at positions: [String], epsilonInit: Float) throws -> Configuration {
            var c = self
            c.modules = positions
            c.epsilonInit = epsilonInit
            try c.validate()
            return c
        }
        func validate() throws {
            guard modules.allSatisfy(GatedNet.allModules.contains), Set(modules).count == modules.count else {
                throw NetworkError.invalidConfiguration("gates \(modules) must be distinct ones of \(GatedNet.allModules)")
            }
        }
        func makeNetwork(generator: inout RandomGenerator) throws -> GatedNet {
            try validate()
            return GatedNet(configuration: self, generator: &generator)
        }
        func settingDifferences(from other: Self, mine: String, theirs: String) -> [String] {
            var d: [String] = []
            if modules != other.modules { d.append("gates: \(modules) in the \(mine), \(other.modules) in the \(theirs)") }
            if epsilonInit != other.epsilonInit { d.append("ε₀: \(epsilonInit) in the \(mine), \(other.epsilonInit) in the \(theirs)") }
            if width != other.width { d.append("width: \(width) in the \(mine), \(other.width) in the \(theirs)") }
            return d
        }
    }
    static let allModules = ["early", "late"]
    static let kind = "gated-net"
    let configuration: Configuration
    let features: Conv2d, middle: Conv2d, head: Conv2d
    let gates: [String: Conv2d]
    let focal: [String: FocalLayer]

    init(configuration: Configuration, generator: inout RandomGenerator) {
        self.configuration = configuration
        let w = configuration.width
        features = Conv2d(inChannels: configuration.channels, outChannels: w, kernelSize: 3, padding: .same, generator: &generator)
        middle = Conv2d(inChannels: w, outChannels: w, kernelSize: 3, padding: .same, generator: &generator)
        head = Conv2d(inChannels: w, outChannels: configuration.classes, kernelSize: 1, generator: &generator)
        var gates: [String: Conv2d] = [:], focal: [String: FocalLayer] = [:]
        for name in configuration.modules {
            gates[name] = Conv2d(inChannels: w, outChannels: 1, kernelSize: 1, generator: &generator)
            focal[name] = FocalLayer(epsilon: configuration.epsilonInit)
        }
        self.gates = gates
        self.focal = focal
        super.init()
    }

    static func make(configurationJSON: String) throws -> GatedNet {
        var generator = RandomGenerator(seed: 0)
        return try NetworkFile.decode(Configuration.self, from: configurationJSON).makeNetwork(generator: &generator)
    }
    func configurationJSON() throws -> String { try NetworkFile.encode(configuration) }
    var inChannels: Int { configuration.channels }
    var classes: Int { configuration.classes }
    var focalLayers: [(position: String, layer: FocalLayer)] { configuration.modules.map { ($0, focal[$0]!) } }

    private func gated(_ h: Tensor, _ name: String) -> Tensor {
        guard let gate = gates[name], let f = focal[name] else { return h }  // a removed module passes through
        return h * f(gate(h).sigmoid())
    }

    func logits(_ x: Tensor) throws -> Tensor {
        try validate(input: x)
        let early = gated(features(x).relu(), "early")
        return head(gated(middle(early).relu(), "late"))
    }
}

@Suite("Attention selection on a network of the user's own") struct CustomSelectionTests {
    private func run(data: URL) -> RunConfiguration<GatedNet.Configuration> {
        var t = TrainingConfiguration()
        t.epochs = 3
        t.maxStepsPerEpoch = 4
        t.augmentation = .none
        t.loss = "dice_loss"
        t.lossOptions = [:]
        t.learningRate = 2e-2
        return RunConfiguration(
            data: DataSource(images: data.appendingPathComponent("images").path, masks: data.appendingPathComponent("masks").path,
                             size: ImageSize(square: 16)),
            network: GatedNet.Configuration(), training: t,
            initializationSeed: 3)  // weights under which the two gates learn different ε (deterministic)
    }

    @Test("probe with ε₀ = 0 at both gates, prune by the threshold, retrain the survivor with ε₀ = 1")
    func probePruneRetrain() throws {
        NetworkRegistry.register(GatedNet.self)
        let data = try writeDiskDataset(count: 12, seed: 7)
        let out = data.appendingPathComponent("selection")
        defer { try? FileManager.default.removeItem(at: data) }
        let base = run(data: data)

        // The probe: both gates Focal, ε₀ = 0 (identity gates), the user's other settings kept.
        let probeConfig = try AttentionSelection.probeConfiguration(base)
        #expect(probeConfig.network.modules == ["early", "late"] && probeConfig.network.epsilonInit == 0)
        #expect(probeConfig.network.width == base.network.width)
        let probe = try Experiment.continueRun(probeConfig, output: out.appendingPathComponent("probe"))
        let learnt = probe.result.focalWeights
        #expect(learnt.map(\.position) == ["early", "late"])
        let low = try #require(learnt.min { $0.epsilon < $1.epsilon }), high = try #require(learnt.max { $0.epsilon < $1.epsilon })
        try #require(high.epsilon > low.epsilon, "the two gates learnt the same ε \(low.epsilon); the test needs them apart")

        // A threshold between the two learnt ε keeps exactly the larger one.
        let threshold = (low.epsilon + high.epsilon) / 2
        var stages: [(AttentionSelection.Stage, GatedNet.Configuration)] = []
        let result = try AttentionSelection.run(base, output: out, threshold: threshold, onStage: { stages.append(($0, $1.network)) })
        #expect(result.probe.focalWeights == learnt)  // the finished probe was reused, not retrained
        #expect(result.decision.candidates == ["early", "late"])
        #expect(result.decision.survivors == [high.position])
        #expect(result.decision.removed.map(\.position) == [low.position])
        #expect(stages.map(\.0) == [.probe, .retrain])
        #expect(stages.last?.1 == (try base.network.withFocalModules(at: [high.position], epsilonInit: 1)))

        // The retrained run is the pruned network, trained from scratch with ε₀ = 1.
        let saved = try #require(try Experiment.savedConfiguration(in: out.appendingPathComponent("retrained"),
                                                                   as: RunConfiguration<GatedNet.Configuration>.self))
        #expect(saved.network.modules == [high.position] && saved.network.epsilonInit == 1)
        let retrained = try #require(try NetworkFile.load(from: out.appendingPathComponent("retrained/best.safetensors")) as? GatedNet)
        #expect(retrained.focalWeights.map(\.position) == [high.position])
        #expect(retrained.stateDict().map(\.0).filter { $0.hasPrefix("gates.") }.sorted() == ["gates.\(high.position).bias", "gates.\(high.position).weight"])
        var g = RandomGenerator(seed: 0)
        let probeNet = try probeConfig.network.makeNetwork(generator: &g)
        #expect(probeNet.parameterCount - retrained.parameterCount == 4 + 1 + 1)  // one 1×1 gate (4 weights, 1 bias) and its ε
        #expect(result.retrained.focalWeights.map(\.position) == [high.position])

        // The decision read off the probe's best model is the same.
        let best = try #require(try NetworkFile.load(from: out.appendingPathComponent("probe/best.safetensors")) as? GatedNet)
        #expect(try AttentionSelection.decide(model: best, threshold: threshold) == result.decision)

        // The report names the network's own positions.
        let record = try JSONDecoder().decode(SelectionReport.Record.self, from: Data(contentsOf: out.appendingPathComponent("selection.json")))
        #expect(record.decisions == result.decision.modules)
        let md = try String(contentsOf: out.appendingPathComponent("selection.md"), encoding: .utf8)
        #expect(md.contains("| \(low.position) |") && md.contains("| \(high.position) |"))

        // A decision for another network is refused by name, not silently built.
        let foreign = try AttentionSelection.decide(candidates: ["enc0"], focalWeights: [FocalWeight(position: "enc0", epsilon: 1)])
        #expect {
            _ = try AttentionSelection.retrainConfiguration(base, decision: foreign)
        } throws: { "\($0)".contains("keeps enc0, which the network to retrain") }
    }

    @Test("a network without candidates is refused before anything trains")
    func noCandidates() throws {
        var base = run(data: URL(fileURLWithPath: "/nonexistent"))
        base.network.modules = []
        #expect {
            _ = try AttentionSelection.run(base, output: FileManager.default.temporaryDirectory.appendingPathComponent("focal-none-\(UUID().uuidString)"))
        } throws: { "\($0)".contains("gated-net without gates") && "\($0)".contains("has none") }
    }
}
