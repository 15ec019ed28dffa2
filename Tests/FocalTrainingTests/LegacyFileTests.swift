import FocalCore
import FocalNets
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

@Suite("Files of the first layout still load") struct LegacyFileTests {
    @Test("a version-1 model file and a version-1 training checkpoint load as before")
    func versionOne() throws {
        var g = RandomGenerator(seed: 4)
        let net = try UNet(configuration: UNetConfiguration(inChannels: 1, classes: 2, baseFilters: 4, depth: 2,
                                                            plan: .squeezeExcitation(depth: 2, focal: true)), generator: &g)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("focal-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = try net.configurationJSON()
        let model = dir.appendingPathComponent("best.safetensors")
        try SafeTensors.write(net.stateDict(), metadata: ["format": "focal.unet", "format_version": "1", "configuration": json,
                                                          "attention_plan": net.plan.description], to: model)
        let x = Tensor(shape: [1, 1, 8, 8], scalars: (0..<64).map { Float($0 % 7) / 7 })
        net.eval()
        let expected = try net(x).scalars
        let loaded = try #require(try Checkpoint.loadModel(from: model) as? UNet)
        loaded.eval()
        #expect(try loaded(x).scalars == expected)

        var config = TrainingConfiguration()
        config.epochs = 3
        let state = TrainingState(epochsCompleted: 2, generator: RandomGenerator(seed: 1), plateau: ReduceLROnPlateau(),
                                  earlyStopping: EarlyStopping(), learningRate: 1e-3, bestValidationLoss: 0.5, bestEpoch: 2,
                                  history: [], configuration: config)
        let checkpoint = dir.appendingPathComponent("checkpoint.safetensors")
        try SafeTensors.write(net.stateDict().map { ("model." + $0.0, $0.1) } + [("optimizer.step", Tensor(shape: [1], scalars: [7]))],
                              metadata: ["focal.format": "focal-training-checkpoint-1", "network": json,
                                         "state": try NetworkFile.encode(state)], to: checkpoint)
        let read = try Checkpoint.read(from: checkpoint)
        #expect(read.network.kind == "unet" && read.network.configuration == json)
        #expect(read.state.epochsCompleted == 2 && read.optimizer.map(\.0) == ["step"])
        #expect(read.model.map(\.0) == net.stateDict().map(\.0))
        let fromCheckpoint = try #require(try Checkpoint.loadModel(from: checkpoint) as? UNet)
        fromCheckpoint.eval()
        #expect(try fromCheckpoint(x).scalars == expected)
    }
}
