import FocalCore
import FocalLosses
import FocalNets
import FocalTestSupport
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// Synthetic 32×32 images: a bright disk (the foreground) on noise.
private func disks(count: Int, seed: UInt64) throws -> [SegmentationSample] {
    var gen = RandomGenerator(seed: seed)
    return try (0..<count).map { i in
        let cy = Float(8 + Int(gen.nextUniform(0, 16))), cx = Float(8 + Int(gen.nextUniform(0, 16))), r = gen.nextUniform(4, 8)
        var image = [Float](repeating: 0, count: 32 * 32), mask = [Float](repeating: 0, count: 32 * 32)
        for y in 0..<32 {
            for x in 0..<32 {
                let inside = (Float(y) - cy) * (Float(y) - cy) + (Float(x) - cx) * (Float(x) - cx) < r * r
                mask[y * 32 + x] = inside ? 1 : 0
                image[y * 32 + x] = (inside ? 1 : 0) + 0.3 * gen.nextNormal()
            }
        }
        return try SegmentationSample(name: "disk\(i)", image: Tensor(shape: [1, 32, 32], scalars: image),
                                      mask: Tensor(shape: [32, 32], scalars: mask))
    }
}

@Suite("Training resumes exactly") struct TrainerResumeTests {
    private func configuration(epochs: Int) -> TrainingConfiguration {
        var t = TrainingConfiguration()
        t.epochs = epochs
        t.loss = "asym_unified_focal_loss"
        t.lossOptions = ["lambda": 0.5, "delta": 0.6, "gamma": 0.2]
        t.distancePenaltyEpsilon = 0.1
        t.seed = 5
        return t
    }

    private func network() throws -> UNet {
        var gen = RandomGenerator(seed: 9)
        let c = UNetConfiguration(inChannels: 1, classes: 2, baseFilters: 4, depth: 2,
                                  plan: .squeezeExcitation(depth: 2, focal: true))
        return try UNet(configuration: c, generator: &gen)
    }

    @Test func interruptedAndResumedRunEndsWithTheSameWeightsBitForBit() throws {
        let train = try disks(count: 4, seed: 1), validation = try disks(count: 2, seed: 2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("focal-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }

        // Uninterrupted: 4 epochs.
        let full = try network()
        _ = try Trainer(model: full, loss: try LossRegistry.make("asym_unified_focal_loss", options: ["lambda": 0.5, "delta": 0.6, "gamma": 0.2],
                                                                 distancePenaltyEpsilon: 0.1),
                        configuration: configuration(epochs: 4), training: train, validation: validation,
                        store: CheckpointStore(directory: dir.appendingPathComponent("full"))).run()

        // Interrupted after 2 epochs (a new process would start from the checkpoint), then resumed to 4.
        let store = CheckpointStore(directory: dir.appendingPathComponent("split"))
        let loss = try LossRegistry.make("asym_unified_focal_loss", options: ["lambda": 0.5, "delta": 0.6, "gamma": 0.2], distancePenaltyEpsilon: 0.1)
        _ = try Trainer(model: try network(), loss: loss, configuration: configuration(epochs: 2),
                        training: train, validation: validation, store: store).run()
        let resumed = try network()  // fresh weights: everything must come from the checkpoint
        var events: [String] = []
        let trainer = try Trainer(model: resumed, loss: loss, configuration: configuration(epochs: 4),
                                  training: train, validation: validation, store: store)
        trainer.onEvent = { if case let .resumed(epoch, _) = $0 { events.append("resumed \(epoch)") } }
        let summary = try trainer.run(resume: true)
        #expect(events == ["resumed 2"])
        #expect(summary.history.count == 4)

        let a = Dictionary(full.stateDict(), uniquingKeysWith: { x, _ in x })
        for (name, t) in resumed.stateDict() {
            let reference = try #require(a[name])
            #expect(t.scalars.map(\.bitPattern) == reference.scalars.map(\.bitPattern), "\(name) differs after resume")
        }
    }

    @Test func damagedLatestCheckpointFallsBackToThePreviousOne() throws {
        let train = try disks(count: 2, seed: 3), validation = try disks(count: 1, seed: 4)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("focal-damaged-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = CheckpointStore(directory: dir)
        var config = configuration(epochs: 2)
        config.loss = "dice_loss"
        config.lossOptions = [:]
        config.distancePenaltyEpsilon = 0
        _ = try Trainer(model: try network(), configuration: config, training: train, validation: validation, store: store).run()
        // A kill during a non-atomic copy would leave a truncated file.
        let data = try Data(contentsOf: store.latestURL)
        try data.prefix(data.count / 3).write(to: store.latestURL)
        let found = try #require(store.loadLatest())
        #expect(found.url == store.previousURL)
        #expect(found.checkpoint.state.epochsCompleted == 1)
        #expect(found.warnings.count == 1 && found.warnings[0].contains("checkpoint.safetensors"))
    }

    @Test func nonFiniteLossStopsTheRunNamingTheStep() throws {
        var train = try disks(count: 2, seed: 6)
        let validation = try disks(count: 1, seed: 7)
        train[0].image = Tensor(repeating: .nan, shape: [1, 32, 32])
        train[1].image = Tensor(repeating: .nan, shape: [1, 32, 32])
        var config = configuration(epochs: 1)
        config.augmentation = .none
        config.loss = "dice_crossentropy"
        config.lossOptions = [:]
        config.distancePenaltyEpsilon = 0
        let trainer = try Trainer(model: try network(), loss: try LossRegistry.make("dice_crossentropy"), configuration: config,
                                  training: train, validation: validation, store: nil)
        #expect {
            _ = try trainer.run()
        } throws: { error in
            switch error {
            case let TrainingError.nonFiniteLoss(epoch, step, _, _), let TrainingError.nonFiniteGradient(epoch, step, _, _):
                return epoch == 1 && step == 1 && "\(error)".contains("epoch 1, step 1")
            default: return false
            }
        }
        for (name, p) in trainer.model.namedParameters() {
            let finite = p.tensor.scalars.allSatisfy { $0.isFinite }
            #expect(finite, "\(name) was updated with a non-finite gradient")
        }
    }
}
