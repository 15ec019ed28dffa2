import FocalCore
import FocalNets
import Foundation
import Testing
@testable import FocalData
@testable import FocalCommandSupport
@testable import FocalTraining

/// A folder of `count` synthetic 16×16 grey images (a bright disk on noise) with binary masks.
func writeDiskDataset(count: Int, seed: UInt64, size: Int = 16) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("focal-disks-\(UUID().uuidString)")
    let images = root.appendingPathComponent("images"), masks = root.appendingPathComponent("masks")
    for dir in [images, masks] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
    var gen = RandomGenerator(seed: seed)
    for i in 0..<count {
        let cy = gen.nextUniform(4, Float(size - 4)), cx = gen.nextUniform(4, Float(size - 4)), r = gen.nextUniform(2, 5)
        var image = [Float](repeating: 0, count: size * size), mask = image
        for y in 0..<size {
            for x in 0..<size {
                let inside = (Float(y) - cy) * (Float(y) - cy) + (Float(x) - cx) * (Float(x) - cx) < r * r
                mask[y * size + x] = inside ? 255 : 0
                image[y * size + x] = min(255, max(0, (inside ? 170 : 60) + 30 * gen.nextNormal()))
            }
        }
        let name = String(format: "disk%02d.png", i)
        try PNGCodec.write(Image(width: size, height: size, channels: 1, bitDepth: 8, pixels: image), to: images.appendingPathComponent(name), as: .grey8)
        try PNGCodec.write(Image(width: size, height: size, channels: 1, bitDepth: 8, pixels: mask), to: masks.appendingPathComponent(name), as: .grey8)
    }
    return root
}

/// A tiny but complete protocol on the synthetic disks: 2 epochs of 3 steps, no augmentation.
func tinyExperiment(data root: URL, plan: AttentionPlan = .squeezeExcitation(depth: 2, focal: true)) -> ExperimentConfiguration {
    var t = TrainingConfiguration()
    t.epochs = 2
    t.maxStepsPerEpoch = 3
    t.augmentation = .none
    t.loss = "asym_unified_focal_loss"
    t.lossOptions = ["lambda": 0.5, "delta": 0.6, "gamma": 0.2]
    t.learningRate = 1e-2
    let data = DataSource(images: root.appendingPathComponent("images").path, masks: root.appendingPathComponent("masks").path,
                          size: ImageSize(square: 16))
    let network = UNetConfiguration(inChannels: 1, classes: 2, baseFilters: 2, depth: 2, plan: plan)
    return ExperimentConfiguration(data: data, network: network, training: t)
}

@Suite("Attention selection (probe with ε₀ = 0, prune, retrain with ε₀ = 1)") struct AttentionSelectionTests {
    private let plan = AttentionPlan.squeezeExcitation(depth: 2, focal: true)  // enc0 enc1 bottleneck dec1 dec0

    @Test("ε below the threshold goes, ε at or above it stays (strict <)")
    func decisions() throws {
        let weights: [FocalWeight] = [.init(position: "enc0", epsilon: 0.05), .init(position: "enc1", epsilon: 0.2), .init(position: "bottleneck", epsilon: 0.1999), .init(position: "dec1", epsilon: 0.9), .init(position: "dec0", epsilon: 0)]
        let d = try AttentionSelection.decide(candidates: plan.positions.map(\.name), focalWeights: weights)
        #expect(d.survivors == ["enc1", "dec1"])
        #expect(d.candidates == plan.positions.map(\.name))
        #expect(d.removed.map(\.position) == ["enc0", "bottleneck", "dec0"])
        #expect(d.kept.map(\.epsilon) == [0.2, 0.9])
        #expect(d.threshold == 0.2)
        let higher = try AttentionSelection.decide(candidates: plan.positions.map(\.name), focalWeights: weights, threshold: 0.5)
        #expect(higher.survivors == ["dec1"])
    }

    @Test("pruning every module gives the plain U-Net")
    func allPruned() throws {
        let d = try AttentionSelection.decide(candidates: plan.positions.map(\.name), focalWeights: plan.positions.map { FocalWeight(position: $0.name, epsilon: 0.01) })
        #expect(d.survivors.isEmpty)
        let base = tinyExperiment(data: URL(fileURLWithPath: "/nonexistent"))
        let retrain = try AttentionSelection.retrainConfiguration(base, decision: d)
        var plain = base
        plain.network.plan = .none
        #expect(retrain == plain)
        var gen = RandomGenerator(seed: 0)
        let net = try UNet(configuration: retrain.network, generator: &gen)
        var gen2 = RandomGenerator(seed: 0)
        #expect(net.parameterCount == (try UNet(configuration: UNetConfiguration(inChannels: 1, classes: 2, baseFilters: 2, depth: 2), generator: &gen2)).parameterCount)
    }

    @Test("the probe puts a Focal module at every candidate with ε₀ = 0; the retraining keeps survivors Focal with ε₀ = 1")
    func configurations() throws {
        var base = tinyExperiment(data: URL(fileURLWithPath: "/nonexistent"), plan: AttentionPlan([.skip(0), .skip(1)], focal: false))
        base.network.focalEpsilonInit = 0.7
        let probe = try AttentionSelection.probeConfiguration(base)
        #expect(probe.network.plan == AttentionPlan([.skip(0), .skip(1)], focal: true))
        #expect(probe.network.focalEpsilonInit == 0)
        var gen = RandomGenerator(seed: 3)
        let net = try UNet(configuration: probe.network, generator: &gen)
        #expect(net.focalWeights.map(\.epsilon) == [0, 0])
        let d = try AttentionSelection.decide(configuration: probe.network, focalWeights: [FocalWeight(position: "skip0", epsilon: 0.3), FocalWeight(position: "skip1", epsilon: 0.1)])
        let retrain = try AttentionSelection.retrainConfiguration(base, decision: d)
        #expect(retrain.network.plan == AttentionPlan([.skip(0)], focal: true))
        #expect(retrain.network.focalEpsilonInit == 1)
        var empty = base
        empty.network.plan = .none
        #expect(throws: TrainingError.self) { try AttentionSelection.probeConfiguration(empty) }
        #expect(throws: (any Error).self) { try AttentionSelection.decide(candidates: plan.positions.map(\.name), focalWeights: [FocalWeight(position: "enc0", epsilon: .nan)]) }
        #expect(throws: (any Error).self) { try AttentionSelection.decide(candidates: plan.positions.map(\.name), focalWeights: [FocalWeight(position: "skip3", epsilon: 0.5)]) }
        #expect(throws: (any Error).self) { try AttentionSelection.decide(candidates: plan.positions.map(\.name), focalWeights: [], threshold: -1) }
    }

    @Test("end to end: probe, prune, retrain, report; run again reuses both stages")
    func endToEnd() throws {
        let data = try writeDiskDataset(count: 10, seed: 1)
        let out = data.appendingPathComponent("selection")
        defer { try? FileManager.default.removeItem(at: data) }
        let base = tinyExperiment(data: data)
        var stages: [(AttentionSelection.Stage, ExperimentConfiguration)] = []
        let result = try AttentionSelection.run(base, output: out, onStage: { stages.append(($0, $1)) })

        // The folders are records of what ran.
        let probeSaved = try #require(try Experiment.savedConfiguration(in: out.appendingPathComponent("probe")))
        #expect(probeSaved.network.focalEpsilonInit == 0)
        #expect(probeSaved.network.plan == plan)
        #expect(result.probe.history.first?.focalWeights.count == 5)
        let retrainedSaved = try #require(try Experiment.savedConfiguration(in: out.appendingPathComponent("retrained")))
        #expect(retrainedSaved.network.focalEpsilonInit == 1)
        #expect(retrainedSaved.network.plan.positions.map(\.name) == result.decision.survivors)
        #expect(retrainedSaved.network.plan.focalPositions == retrainedSaved.network.plan.positions)
        #expect(stages.map(\.0) == [.probe, .retrain])

        // The decision follows the probe's learnt ε of its best model.
        for m in result.decision.modules {
            let eps = try #require(result.probe.focalWeights.first { $0.position == m.position }?.epsilon)
            #expect(m.epsilon == eps)
            #expect(m.kept == (eps >= 0.2))
        }
        let best = try UNet.load(from: out.appendingPathComponent("probe/best.safetensors"))
        #expect(best.focalWeights.map(\.epsilon) == result.probe.focalWeights.map(\.epsilon))

        // Report files.
        let record = try JSONDecoder().decode(SelectionReport.Record.self, from: Data(contentsOf: out.appendingPathComponent("selection.json")))
        #expect(record.decisions == result.decision.modules)
        #expect(record.probe.epsilonInit == 0 && record.retrained.epsilonInit == 1)
        let md = try String(contentsOf: out.appendingPathComponent("selection.md"), encoding: .utf8)
        for m in result.decision.modules { #expect(md.contains("| \(m.position) |")) }
        let svg = try String(contentsOf: out.appendingPathComponent("focal-weights.svg"), encoding: .utf8)
        #expect(svg.contains("enc0 (probe, ε init 0)"))
        #expect(svg.contains("pruning threshold 0.2"))
        #expect(try PNGCodec.read(from: out.appendingPathComponent("focal-weights.png")).channels == 3)

        // Again: nothing is trained.
        let summary = out.appendingPathComponent("probe/summary.json")
        let before = try FileManager.default.attributesOfItem(atPath: summary.path)[.modificationDate] as? Date
        var logLines: [String] = []
        let again = try AttentionSelection.run(base, output: out, log: { logLines.append($0) })
        #expect(logLines.contains("probe: finished earlier, reused"))
        #expect(logLines.contains("retraining: finished earlier, reused"))
        #expect(again.decision == result.decision)
        #expect(again.retrained.test == result.retrained.test)
        #expect((try FileManager.default.attributesOfItem(atPath: summary.path)[.modificationDate] as? Date) == before)

        // Another protocol into the same folder is refused, not mixed in.
        var other = base
        other.training.learningRate = 5e-3
        #expect(throws: TrainingError.self) { try AttentionSelection.run(other, output: out) }
    }
}

/// The snippet of Docs/AttentionAndPruning.md, compiled with the tests (not run: it trains on the
/// bundled tiles for minutes).
@Sendable func documentedSelectionSnippet() throws {
    var base = ExperimentConfiguration(data: .bundledNuclei, network: Preset.nuclei.network, training: Preset.nuclei.training)
    base.training.epochs = 2
    let result = try AttentionSelection.run(base, output: URL(fileURLWithPath: "out/select"))
    print(result.decision.kept.map(\.position), result.retrained.test.dsc)
}
