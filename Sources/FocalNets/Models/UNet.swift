import FocalCore

/// The U-Net of Focal Attention Networks (Ronneberger et al., 2015, as MIScnn's 2-D U-Net with
/// the author's instance normalisation), with optional squeeze-and-excitation blocks (USE-Net)
/// and attention gates (Attention U-Net), each optionally Focal, placed by an `AttentionPlan`.
///
/// Architecture for `depth` d and base filters F₀ (level i has `F = F₀·2^i`):
/// - encoder level i: `DoubleConv(F)` [→ SE `enc{i}`] gives the skip `s_i`, then max-pool 2×2;
/// - bottleneck: `DoubleConv(F₀·2^d)` [→ SE `bottleneck`];
/// - decoder level i = d−1 … 0: `up = ConvTranspose2×2/2(F)` of the coarser tensor `h`, the skip
///   `s_i` [gated by AG `skip{i}(s_i, h)`], `concat([up, s_i])`, `DoubleConv(F)` [→ SE `dec{i}`];
/// - head: `Conv1×1(C)`; the network returns `softmax` over the C classes (`logits(_:)` gives
///   the pre-softmax values).
///
/// With the defaults (3 input channels, 2 classes, F₀ = 32, depth 4, instance norm) the plain
/// U-Net has 7,766,018 parameters; with 9 Focal SE blocks (r = 8) 7,876,739; with 4 Focal
/// attention gates 8,901,866.
///
/// Parameter names are PyTorch-style: `encoder.0.conv1.weight`, `encoder.0.se.fc1.weight`,
/// `bottleneck.norm2.bias`, `decoder.3.up.weight`, `decoder.3.gate.theta.weight`,
/// `decoder.0.block.conv2.weight`, `head.bias`, … (`decoder.i` is level i).
///
/// Initialisation is Glorot uniform with zero biases, drawn from the caller's generator. The
/// backbone (convolutions, head) consumes the generator identically whatever the plan, and each
/// attention module draws from its own stream derived from its position, so a pruned network
/// built with the same seed starts from the same weights as the full one wherever they overlap.
public final class UNet: Module, @unchecked Sendable {
    /// The architecture.
    public let configuration: UNetConfiguration
    /// Encoder blocks, level 0 (finest) first, each with its SE block when planned.
    public let encoder: [DoubleConv]
    /// The bottleneck block (with its SE block when planned).
    public let bottleneck: DoubleConv
    /// Decoder levels, indexed by level (`decoder[0]` is the finest, applied last).
    public let decoder: [DecoderStage]
    /// The 1×1 convolution to the class logits.
    public let head: Conv2d

    /// Builds the network described by `configuration`, drawing its initial weights from
    /// `generator`.
    /// - Throws: `NetworkError.invalidConfiguration` / `.invalidPlan` for invalid values.
    public init(configuration: UNetConfiguration, generator: inout RandomGenerator) throws {
        try configuration.validate()
        let c = configuration
        let attentionSeed = generator.next()
        func attentionGenerator(_ p: AttentionPosition) -> RandomGenerator {
            let code: UInt64 = switch p {
            case .encoder(let i): 0x100 + UInt64(i)
            case .bottleneck: 0x200
            case .decoder(let i): 0x300 + UInt64(i)
            case .skip(let i): 0x400 + UInt64(i)
            }
            return RandomGenerator(seed: attentionSeed ^ (code &* 0x9E37_79B9_7F4A_7C15))
        }
        func se(_ p: AttentionPosition, channels: Int) -> SqueezeExcitation? {
            guard let focal = c.plan.isFocal(at: p) else { return nil }
            var g = attentionGenerator(p)
            return SqueezeExcitation(channels: channels, reduction: c.seReduction, focal: focal,
                                     focalEpsilon: c.focalEpsilonInit, generator: &g)
        }
        var enc: [DoubleConv] = []
        var inC = c.inChannels
        for i in 0..<c.depth {
            let f = c.filters(level: i)
            enc.append(DoubleConv(inChannels: inC, outChannels: f, normalization: c.normalization,
                                  se: se(.encoder(i), channels: f), generator: &generator))
            inC = f
        }
        let fb = c.filters(level: c.depth)
        bottleneck = DoubleConv(inChannels: inC, outChannels: fb, normalization: c.normalization,
                                se: se(.bottleneck, channels: fb), generator: &generator)
        var dec: [DecoderStage?] = Array(repeating: nil, count: c.depth)
        for i in (0..<c.depth).reversed() {
            let f = c.filters(level: i)
            let up = ConvTranspose2d(inChannels: 2 * f, outChannels: f, kernelSize: 2, stride: 2, generator: &generator)
            var gate: AttentionGate? = nil
            if let focal = c.plan.isFocal(at: .skip(i)) {
                var g = attentionGenerator(.skip(i))
                gate = AttentionGate(skipChannels: f, gatingChannels: 2 * f, normalization: c.normalization,
                                     focal: focal, focalEpsilon: c.focalEpsilonInit, generator: &g)
            }
            let block = DoubleConv(inChannels: 2 * f, outChannels: f, normalization: c.normalization,
                                   se: se(.decoder(i), channels: f), generator: &generator)
            dec[i] = DecoderStage(up: up, gate: gate, block: block)
        }
        head = Conv2d(inChannels: c.baseFilters, outChannels: c.classes, kernelSize: 1, generator: &generator)
        encoder = enc
        decoder = dec.map { $0! }
        self.configuration = c
        super.init()
    }

    /// The attention plan the network was built with.
    public var plan: AttentionPlan { configuration.plan }

    /// Throws a `NetworkError` unless `x` is `[N ≥ 1, inChannels, H, W]` with H and W positive
    /// multiples of `2^depth` (and, for batch normalisation in training mode, at least two values
    /// per channel at the bottleneck).
    public func validate(input x: Tensor) throws {
        let name = "UNet"
        guard x.rank == 4 else { throw NetworkError.invalidRank(network: name, shape: x.shape) }
        guard x.shape[0] >= 1, x.shape[2] >= 1, x.shape[3] >= 1 else {
            throw NetworkError.emptyInput(network: name, shape: x.shape)
        }
        guard x.shape[1] == configuration.inChannels else {
            throw NetworkError.channelMismatch(network: name, expected: configuration.inChannels, shape: x.shape)
        }
        let m = configuration.sizeMultiple
        for (axis, size) in [("H", x.shape[2]), ("W", x.shape[3])] where size % m != 0 {
            throw NetworkError.spatialSizeNotDivisible(axis: axis, size: size, multiple: m, depth: configuration.depth)
        }
        if configuration.normalization == .batch && isTraining && x.shape[0] * (x.shape[2] / m) * (x.shape[3] / m) < 2 {
            throw NetworkError.batchTooSmallForBatchNorm(shape: x.shape, depth: configuration.depth)
        }
    }

    /// The class logits `[N, C, H, W]` (before the softmax) for `x [N, inChannels, H, W]`.
    /// A forward pass: one task at a time (`withExclusiveUse`; see `Module`).
    /// - Throws: `NetworkError` when `x` has the wrong rank, channels or spatial size.
    public func logits(_ x: Tensor) throws -> Tensor {
        try validate(input: x)
        return withExclusiveUse {
            var skips: [Tensor] = []
            var h = x
            for block in encoder {
                h = block(h)
                skips.append(h)
                h = maxPool2d(h, kernel: 2)
            }
            h = bottleneck(h)
            for i in (0..<configuration.depth).reversed() {
                h = decoder[i](h, skip: skips[i])
            }
            return head(h)
        }
    }

    /// The class probabilities `softmax(logits, over C)`, `[N, C, H, W]`.
    /// - Throws: `NetworkError` when `x` has the wrong rank, channels or spatial size.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try logits(x).softmax(axis: 1)
    }

    /// The attention module at `position` (a `SqueezeExcitation` or an `AttentionGate`), or
    /// `nil` when the plan has none there.
    public func attentionModule(at position: AttentionPosition) -> Module? {
        guard position.exists(inDepth: configuration.depth) else { return nil }
        switch position {
        case .encoder(let i): return encoder[i].se
        case .bottleneck: return bottleneck.se
        case .decoder(let i): return decoder[i].block.se
        case .skip(let i): return decoder[i].gate
        }
    }

    /// The Focal layers with their position names, in plan order.
    public var focalLayers: [(position: String, layer: FocalLayer)] {
        plan.positions.compactMap { p in
            let layer: FocalLayer? = switch attentionModule(at: p) {
            case let se as SqueezeExcitation: se.focal
            case let gate as AttentionGate: gate.focal
            default: nil
            }
            return layer.map { (p.name, $0) }
        }
    }
}
