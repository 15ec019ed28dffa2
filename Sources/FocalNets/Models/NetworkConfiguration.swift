import FocalCore

/// The settings a network is built from, as a run folder records them (`configuration.json`):
/// what `Experiment` needs to check them before any data is loaded, take the input channels and
/// classes from the data, build the network with seeded weights and name how two runs differ.
/// `UNetConfiguration` conforms; so can the configuration of a network of your own.
public protocol NetworkConfiguration: Codable, Sendable, Equatable {
    /// The network these settings build.
    associatedtype Network: SegmentationNetwork
    /// Input channels (an experiment sets them from its images).
    var inChannels: Int { get set }
    /// Output classes including the background (an experiment sets them from its data).
    var classes: Int { get set }
    /// Every spatial extent of an input must be a multiple of it (1: any size).
    var sizeMultiple: Int { get }
    /// Why, for messages (e.g. "a depth-4 U-Net halves it 4 times").
    var sizeMultipleReason: String { get }
    /// Feature-map values per input pixel for one copy of the activations, for the memory
    /// estimate before training (`ForwardMemory`); `nil` (the default): not estimated.
    var estimatedFeatureValuesPerPixel: Double? { get }
    /// A short description for logs (e.g. the attention plan).
    var summary: String { get }
    /// Throws when the settings are out of range.
    func validate() throws
    /// The network with fresh weights drawn from `generator`.
    func makeNetwork(generator: inout RandomGenerator) throws -> Network
    /// Every setting in which `other` differs from these (architecture and initialisation alike),
    /// one short phrase each, naming this side `mine` and the other `theirs`.
    func settingDifferences(from other: Self, mine: String, theirs: String) -> [String]
}

extension NetworkConfiguration {
    /// 1: any size.
    public var sizeMultiple: Int { 1 }
    /// "the `kind` network needs it".
    public var sizeMultipleReason: String { "the \(Network.kind) network needs it" }
    /// `nil`: no memory estimate.
    public var estimatedFeatureValuesPerPixel: Double? { nil }
    /// The network's kind.
    public var summary: String { "\(Network.kind)" }
    /// Accepts every setting.
    public func validate() throws {}
}
