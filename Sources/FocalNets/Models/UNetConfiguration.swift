import FocalCore

/// Everything that defines a U-Net's architecture (not its weights): build one with
/// `UNet(configuration:generator:)`. `Codable`; saved as JSON in checkpoints.
///
/// The defaults are the paper's U-Net: 3 input channels, 2 classes, 32 base filters
/// (32-64-128-256, bottleneck 512), depth 4, instance normalisation, SE reduction 8, no
/// attention modules, Focal ε initialised to 1.
public struct UNetConfiguration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Channels of the input image.
    public var inChannels: Int
    /// Number of output classes C (softmax over them; channel 0 is the background).
    public var classes: Int
    /// Filters of the first level; level i has `baseFilters·2^i`, the bottleneck `baseFilters·2^depth`.
    public var baseFilters: Int
    /// Number of pooling levels; H and W must be multiples of `2^depth`.
    public var depth: Int
    /// The normalisation after every convolution's ReLU (and in the attention gates).
    public var normalization: FeatureNormalization
    /// SE reduction ratio r (hidden units `max(1, C/r)`).
    public var seReduction: Int
    /// The attention modules and their Focal flags.
    public var plan: AttentionPlan
    /// Initial ε of every Focal layer: 1 (the plain module) or 0 (identity: the pruning probe).
    public var focalEpsilonInit: Float

    /// A configuration (defaults: the paper's U-Net).
    public init(inChannels: Int = 3, classes: Int = 2, baseFilters: Int = 32, depth: Int = 4,
                normalization: FeatureNormalization = .instance, seReduction: Int = 8,
                plan: AttentionPlan = .none, focalEpsilonInit: Float = 1) {
        self.inChannels = inChannels
        self.classes = classes
        self.baseFilters = baseFilters
        self.depth = depth
        self.normalization = normalization
        self.seReduction = seReduction
        self.plan = plan
        self.focalEpsilonInit = focalEpsilonInit
    }

    /// The paper's USE-Net: the U-Net with an SE block (r = 8) at every position (9 at depth 4:
    /// `2·depth + 1`), Focal by default.
    public static func useNet(focal: Bool = true, inChannels: Int = 3, classes: Int = 2, baseFilters: Int = 32,
                              depth: Int = 4) -> UNetConfiguration {
        UNetConfiguration(inChannels: inChannels, classes: classes, baseFilters: baseFilters, depth: depth,
                          plan: .squeezeExcitation(depth: depth, focal: focal))
    }

    /// The paper's Attention U-Net: the U-Net with a gate on every skip connection (4 at depth
    /// 4), Focal by default.
    public static func attentionUNet(focal: Bool = true, inChannels: Int = 3, classes: Int = 2, baseFilters: Int = 32,
                                     depth: Int = 4) -> UNetConfiguration {
        UNetConfiguration(inChannels: inChannels, classes: classes, baseFilters: baseFilters, depth: depth,
                          plan: .attentionGates(depth: depth, focal: focal))
    }

    /// Filters of level `level` (`baseFilters·2^level`; `level == depth` is the bottleneck).
    public func filters(level: Int) -> Int { baseFilters << level }

    /// Feature-map values per input pixel for one copy of the activations: a level-`l` map has
    /// `baseFilters·2^l` channels at `1/4^l` of the pixels, so
    /// `inChannels + classes + Σ_l baseFilters·2^l / 4^l`.
    public var featureValuesPerPixel: Double {
        var a = Double(inChannels + classes)
        for level in 0...depth { a += Double(filters(level: level)) / Double(1 << (2 * level)) }
        return a
    }

    /// The multiple that H and W must be (`2^depth`).
    public var sizeMultiple: Int { 1 << depth }

    /// Throws `NetworkError.invalidConfiguration` / `.invalidPlan` for out-of-range values.
    public func validate() throws {
        func fail(_ m: String) -> NetworkError { .invalidConfiguration(m) }
        guard inChannels >= 1 else { throw fail("inChannels = \(inChannels), must be ≥ 1") }
        guard classes >= 2 else { throw fail("classes = \(classes), must be ≥ 2 (channel 0 is the background; softmax over classes)") }
        guard (1...10).contains(depth) else { throw fail("depth = \(depth), must be in 1…10") }
        guard baseFilters >= 1, baseFilters <= (1 << 20) >> depth else {
            throw fail("baseFilters = \(baseFilters), must be ≥ 1 with baseFilters·2^depth ≤ 2^20")
        }
        guard seReduction >= 1 else { throw fail("seReduction = \(seReduction), must be ≥ 1") }
        guard focalEpsilonInit.isFinite, focalEpsilonInit >= 0 else {
            throw fail("focalEpsilonInit = \(focalEpsilonInit), must be finite and ≥ 0")
        }
        try plan.validate(depth: depth)
    }

    /// The architectural differences between this configuration (the model's) and `other`
    /// (e.g. a checkpoint's), one line each; the initial Focal ε is not architectural and is
    /// ignored.
    public func differences(from other: UNetConfiguration, mine: String = "model", theirs: String = "checkpoint") -> [String] {
        var out: [String] = []
        func field<T: Equatable>(_ name: String, _ a: T, _ b: T) {
            if a != b { out.append("\(name): \(a) in the \(mine), \(b) in the \(theirs)") }
        }
        field("inChannels", inChannels, other.inChannels)
        field("classes", classes, other.classes)
        field("baseFilters", baseFilters, other.baseFilters)
        field("depth", depth, other.depth)
        field("normalization", normalization, other.normalization)
        // r only matters when some SE block exists.
        let hasSE = (plan.positions + other.plan.positions).contains { $0.kind == .squeezeExcitation }
        if hasSE { field("seReduction", seReduction, other.seReduction) }
        out += plan.differences(from: other.plan, mine: mine, theirs: theirs)
        return out
    }

    /// E.g. `U-Net 3→2 classes, 32 filters, depth 4, instance norm, SE r=8, plan: none`.
    public var description: String {
        "U-Net \(inChannels)→\(classes) classes, \(baseFilters) filters, depth \(depth), \(normalization) norm, "
            + "SE r=\(seReduction), focal ε₀=\(focalEpsilonInit), plan: \(plan)"
    }

    private enum CodingKeys: String, CodingKey {
        case inChannels, classes, baseFilters, depth, normalization, seReduction, plan, focalEpsilonInit
    }

    /// Decodes a configuration; absent fields take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UNetConfiguration()
        self.init(
            inChannels: try c.decodeIfPresent(Int.self, forKey: .inChannels) ?? d.inChannels,
            classes: try c.decodeIfPresent(Int.self, forKey: .classes) ?? d.classes,
            baseFilters: try c.decodeIfPresent(Int.self, forKey: .baseFilters) ?? d.baseFilters,
            depth: try c.decodeIfPresent(Int.self, forKey: .depth) ?? d.depth,
            normalization: try c.decodeIfPresent(FeatureNormalization.self, forKey: .normalization) ?? d.normalization,
            seReduction: try c.decodeIfPresent(Int.self, forKey: .seReduction) ?? d.seReduction,
            plan: try c.decodeIfPresent(AttentionPlan.self, forKey: .plan) ?? d.plan,
            focalEpsilonInit: try c.decodeIfPresent(Float.self, forKey: .focalEpsilonInit) ?? d.focalEpsilonInit)
    }
}

extension UNetConfiguration: NetworkConfiguration {
    /// `featureValuesPerPixel`.
    public var estimatedFeatureValuesPerPixel: Double? { featureValuesPerPixel }
    /// `a depth-d U-Net halves it d times`.
    public var sizeMultipleReason: String { "a depth-\(depth) U-Net halves it \(depth) times" }
    /// `attention plan: …`.
    public var summary: String { "attention plan: \(plan)" }
    /// `UNet(configuration: self, generator:)`.
    public func makeNetwork(generator: inout RandomGenerator) throws -> UNet {
        try UNet(configuration: self, generator: &generator)
    }
    /// The architectural `differences(from:mine:theirs:)` and the initial Focal ε.
    public func settingDifferences(from other: UNetConfiguration, mine: String, theirs: String) -> [String] {
        var out = differences(from: other, mine: mine, theirs: theirs)
        if focalEpsilonInit != other.focalEpsilonInit {
            out.append("focalEpsilonInit: \(focalEpsilonInit) in the \(mine), \(other.focalEpsilonInit) in the \(theirs)")
        }
        return out
    }
}

extension UNetConfiguration: SelectableNetworkConfiguration {
    /// The plan's positions (`enc0`, …, `bottleneck`, …, `skip3`) in canonical order.
    public var attentionPositions: [String] { plan.positions.map(\.name) }
    /// The configuration whose plan has a Focal module at exactly `positions`, ε₀ = `epsilonInit`.
    /// - Throws: `NetworkError.invalidPlan` for a name that is not an attention position.
    public func withFocalModules(at positions: [String], epsilonInit: Float) throws -> UNetConfiguration {
        var c = self
        c.plan = AttentionPlan(try positions.map { name in
            guard let position = AttentionPosition(name: name) else {
                throw NetworkError.invalidPlan("'\(name)' is not an attention position (enc<i>, bottleneck, dec<i>, skip<i>)")
            }
            return position
        }, focal: true)
        c.focalEpsilonInit = epsilonInit
        return c
    }
}
