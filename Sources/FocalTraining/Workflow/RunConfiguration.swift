import FocalData
import FocalLosses
import FocalNets

/// What one run needs — data, network, training protocol, seeds — as its folder records it
/// (`configuration.json`). `Network` is the network's configuration: `UNetConfiguration` for the
/// paper's networks (`ExperimentConfiguration`), or that of a network of your own.
public struct RunConfiguration<Network: NetworkConfiguration>: Codable, Sendable, Equatable {
    /// The images.
    public var data: DataSource
    /// The network (its `inChannels` and `classes` are set from the data).
    public var network: Network
    /// Optimiser, schedule, loss, augmentation and seeds.
    public var training: TrainingConfiguration
    /// Seed of the network's initial weights.
    public var initializationSeed: UInt64 = 0
    /// FDPT mode when `training.distancePenaltyEpsilon > 0`.
    public var distancePenaltyMode: DistancePenalized.Mode = .replaceTarget

    /// A run of `network` on `data` with the protocol `training`, weights seeded by `initializationSeed`.
    public init(data: DataSource, network: Network, training: TrainingConfiguration, initializationSeed: UInt64 = 0) {
        self.data = data
        self.network = network
        self.training = training
        self.initializationSeed = initializationSeed
    }

    /// Throws `TrainingError.invalidConfiguration` when the network configuration is invalid or
    /// the training size does not fit the network (each extent a multiple of its
    /// `sizeMultiple`) — before any data is loaded.
    public func validate() throws {
        do { try network.validate() } catch { throw TrainingError.invalidConfiguration("\(error)") }
        guard let size = data.size else { return }
        let m = network.sizeMultiple
        for (axis, extent) in [("height", size.height), ("width", size.width)] where extent % m != 0 {
            let below = extent / m * m
            let hint = below > 0 ? "\(below) or \(below + m)" : "\(m)"
            throw TrainingError.invalidConfiguration(
                "training size \(size): the \(axis) \(extent) is not a multiple of \(m) (\(network.sizeMultipleReason)); use \(hint)")
        }
    }

    /// Whether `other` describes the same run: equal in everything, except the network's input
    /// channels and classes, which `Experiment.run` takes from the data.
    public func isSameRun(as other: Self) -> Bool {
        var o = other
        o.network.inChannels = network.inChannels
        o.network.classes = network.classes
        return o == self
    }

    /// The configured loss (with the FDPT when its ε is positive).
    public func makeLoss() throws -> any SegmentationLoss {
        try training.makeLoss(distancePenaltyMode: distancePenaltyMode)
    }
}

/// A run of one of the paper's networks (U-Net, USE-Net, Attention U-Net, any attention plan).
public typealias ExperimentConfiguration = RunConfiguration<UNetConfiguration>
