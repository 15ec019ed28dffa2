import FocalCore

/// A network that segments images: `[N, inChannels, H, W]` in, class probabilities
/// `[N, classes, H, W]` out (a softmax over the classes; channel 0 is the background).
///
/// Everything above the networks — the trainer, checkpoints, the predictor and evaluator,
/// attention selection and the `focal` command — works through this protocol, so a network of
/// your own trains, checkpoints, resumes and evaluates exactly as `UNet` does:
///
/// ```swift
/// final class TinyNet: Module, SegmentationNetwork, @unchecked Sendable {
///     struct Configuration: Codable, Sendable { var channels = 3, classes = 2, width = 8 }
///     static let kind = "tiny-net"
///     let configuration: Configuration
///     let conv1: Conv2d, conv2: Conv2d
///
///     init(configuration: Configuration, generator: inout RandomGenerator) {
///         self.configuration = configuration
///         conv1 = Conv2d(inChannels: configuration.channels, outChannels: configuration.width,
///                        kernelSize: 3, padding: .same, generator: &generator)
///         conv2 = Conv2d(inChannels: configuration.width, outChannels: configuration.classes,
///                        kernelSize: 1, generator: &generator)
///         super.init()
///     }
///     static func make(configurationJSON: String) throws -> TinyNet {
///         var generator = RandomGenerator(seed: 0)
///         return TinyNet(configuration: try NetworkFile.decode(Configuration.self, from: configurationJSON),
///                        generator: &generator)
///     }
///     func configurationJSON() throws -> String { try NetworkFile.encode(configuration) }
///     var inChannels: Int { configuration.channels }
///     var classes: Int { configuration.classes }
///     func logits(_ x: Tensor) throws -> Tensor {
///         try validate(input: x)
///         return conv2(conv1(x).relu())
///     }
/// }
/// NetworkRegistry.register(TinyNet.self)  // lets files of this kind load by name
/// ```
///
/// Conformers must be classes whose module tree is fixed after `init` (see `Module`). The
/// requirements with defaults: `sizeMultiple` (1), `validate(input:)` (rank 4, channels,
/// size multiple), `callAsFunction` (softmax of `logits`), `focalLayers` (none),
/// `architectureDifferences(fromConfigurationJSON:)` (JSON text compared),
/// `architectureFacts` and `featureValuesPerPixel` (none).
public protocol SegmentationNetwork: Module {
    /// The name under which files record this type (`"unet"` for `UNet`); unique in
    /// `NetworkRegistry`.
    static var kind: String { get }
    /// A network rebuilt from the JSON that `configurationJSON()` wrote (weights freshly
    /// initialised; a file's tensors are loaded afterwards).
    static func make(configurationJSON: String) throws -> Self
    /// The architecture as JSON, enough for `make(configurationJSON:)` to rebuild it.
    func configurationJSON() throws -> String
    /// Channels of the input image.
    var inChannels: Int { get }
    /// Number of output classes.
    var classes: Int { get }
    /// H and W must be multiples of this (`2^depth` for a U-Net; 1 when any size works).
    var sizeMultiple: Int { get }
    /// Throws a `NetworkError` unless `x` is an input this network accepts.
    func validate(input x: Tensor) throws
    /// The class logits `[N, classes, H, W]` (before the softmax).
    func logits(_ x: Tensor) throws -> Tensor
    /// The class probabilities `[N, classes, H, W]`.
    func callAsFunction(_ x: Tensor) throws -> Tensor
    /// The Focal layers with their position names (attention selection reads their ε).
    var focalLayers: [(position: String, layer: FocalLayer)] { get }
    /// The architectural differences between this network and a stored configuration, one
    /// line each (empty: the same architecture).
    func architectureDifferences(fromConfigurationJSON json: String) throws -> [String]
    /// Feature-map values the network holds per input pixel for one copy of its activations
    /// (the predictor and trainer estimate a pass's memory from it before allocating; `nil`:
    /// no estimate, no check).
    var featureValuesPerPixel: Double? { get }
    /// Facts a port to another framework needs that the configuration does not state
    /// (normalisation ε, operation order, …), as JSON; `nil` when there are none.
    var architectureFacts: String? { get }
}

extension SegmentationNetwork {
    public var sizeMultiple: Int { 1 }

    public func validate(input x: Tensor) throws {
        let name = Self.kind
        guard x.rank == 4 else { throw NetworkError.invalidRank(network: name, shape: x.shape) }
        guard x.shape[0] >= 1, x.shape[2] >= 1, x.shape[3] >= 1 else {
            throw NetworkError.emptyInput(network: name, shape: x.shape)
        }
        guard x.shape[1] == inChannels else {
            throw NetworkError.channelMismatch(network: name, expected: inChannels, shape: x.shape)
        }
        let m = sizeMultiple
        for (axis, size) in [("H", x.shape[2]), ("W", x.shape[3])] where size % m != 0 {
            throw NetworkError.notAMultiple(network: name, axis: axis, size: size, multiple: m)
        }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try logits(x).softmax(axis: 1)
    }

    public var focalLayers: [(position: String, layer: FocalLayer)] { [] }

    /// The current ε of every Focal layer, in the network's order — the record logged every
    /// epoch and the input of attention selection.
    public var focalWeights: [FocalWeight] {
        focalLayers.map { FocalWeight(position: $0.position, epsilon: $0.layer.epsilonValue) }
    }

    public func architectureDifferences(fromConfigurationJSON json: String) throws -> [String] {
        let mine = try configurationJSON()
        return mine == json ? [] : ["configuration: \(mine) in the model, \(json) in the file"]
    }

    public var architectureFacts: String? { nil }

    public var featureValuesPerPixel: Double? { nil }
}
