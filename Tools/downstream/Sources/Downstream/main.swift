// A downstream user's program: its own SegmentationNetwork, trained by Focal's Trainer on
// synthetic images, checkpointed, reloaded by kind from the best-model file and evaluated; and
// Focal's bundled nuclei tiles, found as FocalData's resource from a dependency.
// Public API only. Exits non-zero when any step does not do what it should.
import FocalCore
import FocalData
import FocalNets
import FocalTraining
import Foundation

/// A 3×3 convolution, ReLU and a 1×1 head: `[N, channels, H, W]` → `[N, classes, H, W]`.
final class StripeNet: Module, SegmentationNetwork, @unchecked Sendable {
    struct Configuration: Codable, Sendable { var channels = 1, classes = 2, width = 6 }
    static let kind = "downstream-stripe-net"
    let configuration: Configuration
    let features: Conv2d
    let head: Conv2d

    init(configuration: Configuration, generator: inout RandomGenerator) {
        self.configuration = configuration
        features = Conv2d(inChannels: configuration.channels, outChannels: configuration.width, kernelSize: 3,
                          padding: .same, generator: &generator)
        head = Conv2d(inChannels: configuration.width, outChannels: configuration.classes, kernelSize: 1,
                      generator: &generator)
        super.init()
    }

    static func make(configurationJSON: String) throws -> StripeNet {
        var generator = RandomGenerator(seed: 0)
        return StripeNet(configuration: try NetworkFile.decode(Configuration.self, from: configurationJSON),
                         generator: &generator)
    }
    func configurationJSON() throws -> String { try NetworkFile.encode(configuration) }
    var inChannels: Int { configuration.channels }
    var classes: Int { configuration.classes }

    func logits(_ x: Tensor) throws -> Tensor {
        try validate(input: x)
        return head(features(x).relu())
    }
}

/// `count` noisy 16×16 images, each with a bright vertical stripe as the foreground.
func stripes(_ count: Int, seed: UInt64) throws -> [SegmentationSample] {
    var g = RandomGenerator(seed: seed)
    return try (0..<count).map { i in
        let x0 = Int(g.nextUniform(0, 10))
        var image = [Float](repeating: 0, count: 256), mask = [Float](repeating: 0, count: 256)
        for y in 0..<16 {
            for x in 0..<16 {
                let inside = (x0..<x0 + 5).contains(x)
                mask[y * 16 + x] = inside ? 1 : 0
                image[y * 16 + x] = (inside ? 1 : 0) + 0.2 * g.nextNormal()
            }
        }
        return try SegmentationSample(name: "stripe\(i)", image: Tensor(shape: [1, 16, 16], scalars: image),
                                      mask: Tensor(shape: [16, 16], scalars: mask))
    }
}

func check(_ condition: Bool, _ message: String) {
    if !condition {
        FileHandle.standardError.write(Data("downstream: \(message)\n".utf8))
        exit(1)
    }
}

NetworkRegistry.register(StripeNet.self)
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("focal-downstream-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: folder) }

var configuration = TrainingConfiguration()
configuration.epochs = 6
configuration.loss = "dice_loss"
configuration.lossOptions = [:]
configuration.augmentation = .none
configuration.seed = 1

var generator = RandomGenerator(seed: 7)
let model = StripeNet(configuration: .init(), generator: &generator)
let store = CheckpointStore(directory: folder)
let summary = try Trainer(model: model, configuration: configuration, training: try stripes(6, seed: 1),
                          validation: try stripes(2, seed: 2), store: store).run()
let losses = summary.history.map(\.trainLoss)
check(losses.count == 6, "expected 6 epochs, got \(losses.count)")
check(losses.last! < losses.first!, "the training loss did not fall: \(losses)")

let reloaded = try NetworkFile.load(from: store.bestURL)
check(reloaded is StripeNet, "the best-model file did not reload as a StripeNet")
let report = try Evaluator(predictor: Predictor(model: reloaded)).evaluate(try stripes(4, seed: 3))
check(report.metrics.count == 4, "expected 4 scored images, got \(report.metrics.count)")
print("downstream: trained \(StripeNet.kind) for \(losses.count) epochs, loss \(losses.first!) → \(losses.last!);",
      "reloaded from \(store.bestURL.lastPathComponent); test DSC \(report.mean.dsc)")

// The bundled tiles are FocalData's SwiftPM resource: found beside this program, not in Focal's tree.
let tiles = try SegmentationDataset.load(DefaultDataset.folder(), options: .init(size: ImageSize(square: 64)))
check(tiles.samples.count > 0, "the bundled nuclei tiles are empty")
check(!tiles.samples[0].name.isEmpty, "a bundled tile has no name")
print("downstream: \(tiles.samples.count) bundled nuclei tiles from \(try DefaultDataset.url().path)")
