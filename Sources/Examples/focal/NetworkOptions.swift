import ArgumentParser
import FocalCommandSupport
import FocalNets

extension NetworkKind: ExpressibleByArgument {}

/// The network architecture options.
struct NetworkOptions: ParsableArguments {
    @Option(help: "Network: unet, use-net (9 SE blocks) or attention-unet (4 attention gates). Default: the preset's.")
    var network: NetworkKind?
    @Option(help: "Attention positions instead of all, comma-separated (enc0…enc3, bottleneck, dec3…dec0, skip0…skip3); '+focal' marks Focal ones, or use --focal.")
    var positions: String?
    @Flag(inversion: .prefixedNo, help: "Focal layers on the attention modules (default: on).")
    var focal: Bool?
    @Option(help: "Initial ε of the Focal layers (1: the plain module; 0: identity, the pruning probe).")
    var epsilonInit: Float?
    @Option(help: "Filters of the first level (paper: 32).")
    var baseFilters: Int?
    @Option(help: "Number of pooling levels (paper: 4).")
    var depth: Int?
    @Option(help: "Normalisation: instance, batch or none.")
    var normalization: String?
    @Option(help: "SE reduction ratio r (paper: 8).")
    var seReduction: Int?

    func validate() throws {
        try FiniteOptions.check([("--epsilon-init", epsilonInit.map(Double.init))])
    }

    /// Whether the attention modules get Focal layers (`--focal`, the default, or `--no-focal`).
    var isFocal: Bool { focal ?? true }

    /// The plan `--positions` names, or nil without it.
    func positionsPlan() throws -> AttentionPlan? {
        guard let positions else { return nil }
        let text = positions.split(separator: ",").map { p -> String in
            let name = p.trimmingCharacters(in: .whitespaces)
            return isFocal && !name.hasSuffix("+focal") ? name + "+focal" : name
        }.joined(separator: " ")
        do { return try AttentionPlan(parsing: text) } catch { throw ValidationError("--positions: \(error)") }
    }

    /// `base` with the options applied.
    func apply(to base: UNetConfiguration) throws -> UNetConfiguration {
        let focal = isFocal
        var c = base
        if let baseFilters { c.baseFilters = baseFilters }
        if let depth { c.depth = depth }
        if let seReduction { c.seReduction = seReduction }
        if let epsilonInit { c.focalEpsilonInit = epsilonInit }
        if let normalization {
            guard let n = FeatureNormalization(rawValue: normalization) else {
                throw ValidationError("unknown normalisation '\(normalization)'; use \(FeatureNormalization.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            c.normalization = n
        }
        if let network {
            c = network.configuration(from: c, focal: focal)
        } else {
            // Keep the preset's kind of attention, re-derived for the chosen depth.
            let kinds = Set(c.plan.positions.map(\.kind))
            let isFocal = focal && !c.plan.focalPositions.isEmpty
            if kinds == [.squeezeExcitation] { c = NetworkKind.useNet.configuration(from: c, focal: isFocal) }
            else if kinds == [.attentionGate] { c = NetworkKind.attentionUNet.configuration(from: c, focal: isFocal) }
            else if !focal { c.plan = AttentionPlan(c.plan.positions, focal: false) }
        }
        if let plan = try positionsPlan() { c.plan = plan }
        do { try c.validate() } catch { throw ValidationError("\(error)") }
        return c
    }
}

extension NetworkOptions {
    /// The options typed on the command line, for comparison with a saved run.
    var givenOptions: [GivenOption] {
        get throws {
            func kind(_ plan: AttentionPlan) -> String {
                let kinds = Set(plan.positions.map(\.kind))
                if kinds.isEmpty { return NetworkKind.unet.rawValue }
                if kinds == [.squeezeExcitation] { return NetworkKind.useNet.rawValue }
                if kinds == [.attentionGate] { return NetworkKind.attentionUNet.rawValue }
                return "a mixed plan"
            }
            var options: [GivenOption?] = [
                .value("--network", network?.rawValue, saved: { kind($0.network.plan) }),
                .value("--positions", try positionsPlan().map { "\($0)" }, saved: { "\($0.network.plan)" }),
                .value("--epsilon-init", optionText(epsilonInit), saved: { optionText($0.network.focalEpsilonInit) }),
                .value("--base-filters", optionText(baseFilters), saved: { optionText($0.network.baseFilters) }),
                .value("--depth", optionText(depth), saved: { optionText($0.network.depth) }),
                .value("--normalization", normalization, saved: { $0.network.normalization.rawValue }),
                .value("--se-reduction", optionText(seReduction), saved: { optionText($0.network.seReduction) }),
            ]
            if let focal {
                let typed = focal ? "--focal" : "--no-focal"
                options.append(GivenOption(given: typed, saved: { c in
                    if c.network.plan.isEmpty { return "with \(typed)" }  // no attention: the flag changes nothing
                    return c.network.plan.focalPositions.isEmpty ? "with --no-focal" : "with --focal"
                }))
            }
            return options.compactMap { $0 }
        }
    }
}
