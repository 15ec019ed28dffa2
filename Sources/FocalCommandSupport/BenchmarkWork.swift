import FocalData
import FocalNets
import FocalTraining

/// The amount of work one benchmark row does: the network's width and input channels, the
/// image size and the batch. The named ones take their numbers from the presets, so the
/// benchmark measures the networks the command line trains.
public struct BenchmarkWork: Sendable, Hashable {
    /// Name used on the command line (`focal bench --work`).
    public var name: String
    /// Filters of the first level.
    public var baseFilters: Int
    /// Channels of the input image.
    public var inChannels: Int
    /// Image sizes (square), one row each.
    public var sizes: [Int]
    /// Images per forward pass and training step.
    public var batch: Int

    /// A custom amount of work.
    public init(name: String, baseFilters: Int, inChannels: Int, sizes: [Int], batch: Int) {
        self.name = name
        self.baseFilters = baseFilters
        self.inChannels = inChannels
        self.sizes = sizes
        self.batch = batch
    }

    /// The paper's networks (32 base filters, 3 channels) at the 2018 DSB preset's size (256),
    /// batch of the paper's protocol (1).
    public static let paper = BenchmarkWork(
        name: "paper", baseFilters: UNetConfiguration().baseFilters, inChannels: Preset.dsb2018.network.inChannels,
        sizes: [Preset.dsb2018.size.height], batch: Preset.dsb2018.training.batchSize)
    /// Small work: the quick-start network's width and channels (16 filters, 1 channel) at its
    /// size (128), the `nuclei` preset's.
    public static let small = BenchmarkWork(
        name: "small", baseFilters: Preset.nuclei.network.baseFilters, inChannels: Preset.nuclei.network.inChannels,
        sizes: [Preset.nuclei.size.height], batch: Preset.nuclei.training.batchSize)
    /// The paper's networks at the DRIVE preset's size (512).
    public static let large = BenchmarkWork(
        name: "large", baseFilters: paper.baseFilters, inChannels: Preset.drive.network.inChannels,
        sizes: [Preset.drive.size.height], batch: paper.batch)
    /// The paper's work with 4 images per step.
    public static let batch4 = BenchmarkWork(
        name: "batch4", baseFilters: paper.baseFilters, inChannels: paper.inChannels, sizes: paper.sizes, batch: 4)

    /// Every named amount of work.
    public static let all: [BenchmarkWork] = [paper, small, large, batch4]

    /// The configuration of `network` for this work: 2 classes, instance norm, depth 4, Focal
    /// attention modules.
    public func configuration(_ network: NetworkKind) -> UNetConfiguration {
        network.configuration(from: UNetConfiguration(inChannels: inChannels, classes: 2, baseFilters: baseFilters))
    }
}
