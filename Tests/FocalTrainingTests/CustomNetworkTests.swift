import FocalCore
import FocalLosses
import FocalNets
import Foundation
import Testing
import FocalData
import FocalTraining

/// A network defined outside the library, as a user would write it: a 3×3 convolution, a
/// sigmoid attention map with a Focal layer on it, and a 1×1 head. It uses only public API.
final class SpotNet: Module, SegmentationNetwork, CustomStringConvertible, @unchecked Sendable {
    /// Its settings; as a `NetworkConfiguration` they make it a network `Experiment` runs.
    struct Configuration: NetworkConfiguration {
        var channels = 1, classes = 2, width = 6
        var inChannels: Int { get { channels } set { channels = newValue } }
        var sizeMultiple: Int { 2 }
        func validate() throws {
            guard width >= 1 else { throw NetworkError.invalidConfiguration("width = \(width), must be ≥ 1") }
        }
        func makeNetwork(generator: inout RandomGenerator) throws -> SpotNet {
            SpotNet(configuration: self, generator: &generator)
        }
        func settingDifferences(from other: Self, mine: String, theirs: String) -> [String] {
            width == other.width ? [] : ["width: \(width) in the \(mine), \(other.width) in the \(theirs)"]
        }
    }
    static let kind = "spot-net"
    let configuration: Configuration
    let features: Conv2d
    let attention: Conv2d
    let focal: FocalLayer
    let head: Conv2d

    init(configuration: Configuration, generator: inout RandomGenerator) {
        self.configuration = configuration
        features = Conv2d(inChannels: configuration.channels, outChannels: configuration.width, kernelSize: 3,
                          padding: .same, generator: &generator)
        attention = Conv2d(inChannels: configuration.width, outChannels: 1, kernelSize: 1, generator: &generator)
        focal = FocalLayer(epsilon: 0.5)
        head = Conv2d(inChannels: configuration.width, outChannels: configuration.classes, kernelSize: 1, generator: &generator)
        super.init()
    }

    static func make(configurationJSON: String) throws -> SpotNet {
        var generator = RandomGenerator(seed: 0)
        return SpotNet(configuration: try NetworkFile.decode(Configuration.self, from: configurationJSON), generator: &generator)
    }
    func configurationJSON() throws -> String { try NetworkFile.encode(configuration) }
    var inChannels: Int { configuration.channels }
    var classes: Int { configuration.classes }
    var sizeMultiple: Int { 2 }
    var focalLayers: [(position: String, layer: FocalLayer)] { [("attention", focal)] }
    var description: String { "SpotNet \(configuration.channels)→\(configuration.classes), width \(configuration.width)" }

    func logits(_ x: Tensor) throws -> Tensor {
        try validate(input: x)
        let h = features(x).relu()
        let a = focal(attention(h).sigmoid())
        return head(h * a)
    }
}

/// Bright squares on noise, 16×16.
private func squares(_ count: Int, seed: UInt64) throws -> [SegmentationSample] {
    var g = RandomGenerator(seed: seed)
    return try (0..<count).map { i in
        let y0 = Int(g.nextUniform(0, 8)), x0 = Int(g.nextUniform(0, 8))
        var image = [Float](repeating: 0, count: 256), mask = [Float](repeating: 0, count: 256)
        for y in 0..<16 {
            for x in 0..<16 {
                let inside = (y0..<y0 + 6).contains(y) && (x0..<x0 + 6).contains(x)
                mask[y * 16 + x] = inside ? 1 : 0
                image[y * 16 + x] = (inside ? 1 : 0) + 0.2 * g.nextNormal()
            }
        }
        return try SegmentationSample(name: "sq\(i)", image: Tensor(shape: [1, 16, 16], scalars: image),
                                      mask: Tensor(shape: [16, 16], scalars: mask))
    }
}

@Suite("A network of the user's own through the training layer") struct CustomNetworkTests {
    private func configuration(epochs: Int) -> TrainingConfiguration {
        var t = TrainingConfiguration()
        t.epochs = epochs
        t.loss = "dice_loss"
        t.lossOptions = [:]
        t.augmentation = .none
        t.seed = 3
        return t
    }

    private func network() -> SpotNet {
        var g = RandomGenerator(seed: 11)
        return SpotNet(configuration: .init(), generator: &g)
    }

    private func folder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("focal-custom-\(name)-\(UUID().uuidString)")
    }

    @Test("trains, checkpoints, resumes bit for bit, reloads by kind and evaluates")
    func trainResumeEvaluate() throws {
        NetworkRegistry.register(SpotNet.self)
        let train = try squares(4, seed: 1), validation = try squares(2, seed: 2), test = try squares(3, seed: 3)
        let root = folder("run")
        defer { try? FileManager.default.removeItem(at: root) }

        let full = network()
        let fullStore = CheckpointStore(directory: root.appendingPathComponent("full"))
        let summary = try Trainer(model: full, configuration: configuration(epochs: 4), training: train,
                                  validation: validation, store: fullStore).run()
        #expect(summary.history.count == 4)
        #expect(summary.history.allSatisfy { $0.focalWeights.map(\.position) == ["attention"] })
        #expect(summary.history.last!.trainLoss < summary.history.first!.trainLoss)

        // Interrupted after 2 epochs, resumed into fresh weights: equal to the uninterrupted run.
        let store = CheckpointStore(directory: root.appendingPathComponent("split"))
        _ = try Trainer(model: network(), configuration: configuration(epochs: 2), training: train,
                        validation: validation, store: store).run()
        var g = RandomGenerator(seed: 99)
        let resumed = SpotNet(configuration: .init(), generator: &g)
        let trainer = try Trainer(model: resumed, configuration: configuration(epochs: 4), training: train,
                                  validation: validation, store: store)
        var events: [Int] = []
        trainer.onEvent = { if case let .resumed(epoch, _) = $0 { events.append(epoch) } }
        _ = try trainer.run(resume: true)
        #expect(events == [2])
        let reference = Dictionary(full.stateDict(), uniquingKeysWith: { a, _ in a })
        for (name, t) in resumed.stateDict() {
            #expect(t.scalars.map(\.bitPattern) == reference[name]?.scalars.map(\.bitPattern), "\(name)")
        }

        // Both kinds of file name the network and rebuild it through the registry.
        let file = try SafeTensors.read(from: fullStore.bestURL)
        #expect(file.metadata["network"] == "spot-net" && file.metadata["format"] == "focal.model")
        #expect(file.metadata["description"] == "SpotNet 1→2, width 6")
        let best = try #require(try NetworkFile.load(from: fullStore.bestURL) as? SpotNet)
        let latest = try #require(try Checkpoint.loadModel(from: fullStore.latestURL) as? SpotNet)
        #expect(latest.stateDict().map(\.0) == full.stateDict().map(\.0))
        let x = test[0].image.reshaped([1, 1, 16, 16])
        #expect(try latest(x).scalars == (try full(x)).scalars)

        // The evaluator scores it like a U-Net.
        let report = try Evaluator(predictor: Predictor(model: best)).evaluate(test)
        #expect(report.metrics.count == 3)
        #expect(report.mean.dsc > 0 && report.mean.dsc <= 1)
    }

    @Test("Experiment runs it from a folder of images: run folder, best model by kind, test scores, resume, refusal of another run")
    func experimentRunFolder() throws {
        NetworkRegistry.register(SpotNet.self)
        let data = try writeDiskDataset(count: 12, seed: 5)
        let output = folder("experiment")
        defer { for url in [data, output] { try? FileManager.default.removeItem(at: url) } }
        let run = RunConfiguration(
            data: DataSource(images: data.appendingPathComponent("images").path, masks: data.appendingPathComponent("masks").path,
                             size: ImageSize(square: 16)),
            network: SpotNet.Configuration(), training: configuration(epochs: 3))
        var lines: [String] = []
        let result = try Experiment.run(run, output: output, log: { lines.append($0) })
        #expect(result.history.count == 3 && result.testImages > 0)
        #expect(result.focalWeights.map(\.position) == ["attention"])
        #expect(lines.contains { $0.hasPrefix("network: ") && $0.contains("spot-net") })
        for name in ["configuration.json", "best.safetensors", "summary.json", "metrics.csv", "log.csv"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name)")
        }
        let saved = try #require(try Experiment.savedConfiguration(in: output, as: RunConfiguration<SpotNet.Configuration>.self))
        #expect(saved.isSameRun(as: run))
        #expect(try NetworkFile.load(from: output.appendingPathComponent("best.safetensors")) is SpotNet)
        // A second call reuses the finished run; another network into the folder is refused by name.
        let again = try Experiment.continueRun(run, output: output)
        #expect(again.outcome == .reused && again.result.test == result.test)
        var wider = run
        wider.network.width = 8
        let refusal = Self.message { _ = try Experiment.continueRun(wider, output: output) }
        #expect(refusal.contains("width: 6 in the folder, 8 in the request"), "\(refusal)")
        // A size the network cannot take is refused before any data is read.
        var odd = run
        odd.data.size = ImageSize(square: 15)
        #expect(Self.message { try odd.validate() }.contains("not a multiple of 2 (the spot-net network needs it)"))
    }

    private static func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    @Test("a file of an unregistered kind is one clear error naming the registry")
    func unregisteredKind() throws {
        let url = folder("kind").appendingPathExtension("safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let net = network()
        var metadata = try NetworkFile.metadata(for: net)
        metadata["network"] = "never-registered"
        try SafeTensors.write(net.stateDict(), metadata: metadata, to: url)
        #expect {
            _ = try NetworkFile.load(from: url)
        } throws: { error in
            "\(error)".contains("network kind 'never-registered' is not registered") && "\(error)".contains("NetworkRegistry.register")
        }
    }

    @Test("the trainer refuses a loss the configuration does not name, and builds the one it names")
    func lossMustBeNamed() throws {
        let train = try squares(2, seed: 4), validation = try squares(1, seed: 5)
        var config = configuration(epochs: 1)
        #expect {
            _ = try Trainer(model: network(), loss: try LossRegistry.make("dice_crossentropy"), configuration: config,
                            training: train, validation: validation, store: nil)
        } throws: { error in
            "\(error)".contains("configuration names 'dice_loss'") && "\(error)".contains("custom")
        }
        config.loss = "no_such_loss"
        #expect(throws: (any Error).self) {
            _ = try Trainer(model: network(), configuration: config, training: train, validation: validation, store: nil)
        }
        config.loss = TrainingConfiguration.customLoss
        let trainer = try Trainer(model: network(), loss: try LossRegistry.make("dice_crossentropy"), configuration: config,
                                  training: train, validation: validation, store: nil)
        #expect(try trainer.run().history.count == 1)
    }
}
