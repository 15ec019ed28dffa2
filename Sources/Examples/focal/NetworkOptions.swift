import ArgumentParser
import FocalNets

/// The network architecture options.
struct NetworkOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case unet, useNet = "use-net", attentionUNet = "attention-unet"
    }

    @Option(help: "Network: unet, use-net (9 SE blocks) or attention-unet (4 attention gates). Default: the preset's.")
    var network: Kind?
    @Option(help: "Attention positions instead of all, comma-separated (enc0…enc3, bottleneck, dec3…dec0, skip0…skip3); '+focal' marks Focal ones, or use --focal.")
    var positions: String?
    @Flag(inversion: .prefixedNo, help: "Focal layers on the attention modules.")
    var focal = true
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

    /// `base` with the options applied.
    func apply(to base: UNetConfiguration) throws -> UNetConfiguration {
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
        switch network {
        case .unet?: c.plan = .none
        case .useNet?: c.plan = .squeezeExcitation(depth: c.depth, focal: focal)
        case .attentionUNet?: c.plan = .attentionGates(depth: c.depth, focal: focal)
        case nil:
            // Keep the preset's kind of attention, re-derived for the chosen depth.
            let kinds = Set(c.plan.positions.map(\.kind))
            let isFocal = focal && !c.plan.focalPositions.isEmpty
            if kinds == [.squeezeExcitation] { c.plan = .squeezeExcitation(depth: c.depth, focal: isFocal) }
            else if kinds == [.attentionGate] { c.plan = .attentionGates(depth: c.depth, focal: isFocal) }
            else if !focal { c.plan = AttentionPlan(c.plan.positions, focal: false) }
        }
        if let positions {
            let text = positions.split(separator: ",").map { p -> String in
                let name = p.trimmingCharacters(in: .whitespaces)
                return focal && !name.hasSuffix("+focal") ? name + "+focal" : name
            }.joined(separator: " ")
            do { c.plan = try AttentionPlan(parsing: text) } catch { throw ValidationError("--positions: \(error)") }
        }
        do { try c.validate() } catch { throw ValidationError("\(error)") }
        return c
    }
}
