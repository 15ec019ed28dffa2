import FocalCore

/// Which attention modules a U-Net has and whether each carries a Focal layer — one value that
/// describes a USE-Net, an Attention U-Net, a pruned variant, or the plain U-Net (empty plan).
///
/// A plan maps positions (`enc0`, `bottleneck`, `dec2`, `skip1`, …; see `AttentionPosition`)
/// to a Focal flag. It prints as space-separated tokens in canonical order, each the position
/// name with `+focal` for a Focal module (e.g. `enc0+focal enc1+focal bottleneck skip0`; the
/// empty plan prints `none`), parses back from that text (`init(parsing:)`), and is `Codable`
/// (a JSON array of `{"position", "focal"}` in canonical order), so it is saved with the weights.
public struct AttentionPlan: Sendable, Hashable, Codable, CustomStringConvertible {
    /// One attention module of a plan.
    public struct Entry: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Where the module sits (its kind follows from it).
        public var position: AttentionPosition
        /// Whether the module has a Focal layer (a trainable ε).
        public var focal: Bool

        /// An entry.
        public init(position: AttentionPosition, focal: Bool) {
            self.position = position
            self.focal = focal
        }

        /// The kind of module at this position.
        public var kind: AttentionKind { position.kind }

        /// `name` or `name+focal`.
        public var description: String { focal ? "\(position.name)+focal" : position.name }
    }

    private var modules: [AttentionPosition: Bool]

    /// A plan from position → Focal flag.
    public init(modules: [AttentionPosition: Bool] = [:]) { self.modules = modules }

    /// A plan with `positions`, all Focal or all plain (later duplicates are ignored).
    public init(_ positions: [AttentionPosition], focal: Bool) {
        self.modules = Dictionary(positions.map { ($0, focal) }, uniquingKeysWith: { a, _ in a })
    }

    /// A plan from entries; two entries at the same position are an error.
    public init(entries: [Entry]) throws {
        var m: [AttentionPosition: Bool] = [:]
        for e in entries {
            guard m.updateValue(e.focal, forKey: e.position) == nil else {
                throw NetworkError.invalidPlan("position \(e.position) appears more than once")
            }
        }
        self.modules = m
    }

    /// The plain U-Net: no attention modules.
    public static let none = AttentionPlan()

    /// USE-Net: an SE block at each of the `2·depth + 1` block positions (9 for depth 4).
    public static func squeezeExcitation(depth: Int = 4, focal: Bool = true) -> AttentionPlan {
        AttentionPlan(AttentionPosition.squeezeExcitationPositions(depth: depth), focal: focal)
    }

    /// Attention U-Net: an attention gate on each of the `depth` skip connections.
    public static func attentionGates(depth: Int = 4, focal: Bool = true) -> AttentionPlan {
        AttentionPlan(AttentionPosition.attentionGatePositions(depth: depth), focal: focal)
    }

    /// The modules in canonical order.
    public var entries: [Entry] {
        modules.keys.sorted().map { Entry(position: $0, focal: modules[$0]!) }
    }

    /// The positions in canonical order.
    public var positions: [AttentionPosition] { modules.keys.sorted() }

    /// The positions of the modules with a Focal layer, in canonical order.
    public var focalPositions: [AttentionPosition] { positions.filter { modules[$0]! } }

    /// Number of modules.
    public var count: Int { modules.count }

    /// True for the plain U-Net.
    public var isEmpty: Bool { modules.isEmpty }

    /// Whether the plan has a module at `position`.
    public func contains(_ position: AttentionPosition) -> Bool { modules[position] != nil }

    /// The Focal flag of the module at `position`, or `nil` when there is none.
    public func isFocal(at position: AttentionPosition) -> Bool? { modules[position] }

    /// The plan with a module at `position` (replacing any there).
    public func inserting(_ position: AttentionPosition, focal: Bool) -> AttentionPlan {
        var p = self
        p.modules[position] = focal
        return p
    }

    /// The plan without the module at `position`.
    public func removing(_ position: AttentionPosition) -> AttentionPlan {
        var p = self
        p.modules[position] = nil
        return p
    }

    /// The pruning step of Focal Attention Networks: the plan without every Focal module whose
    /// learnt exponent is strictly below `threshold` (0.2 in the paper). A removed SE block
    /// passes its input through; a removed gate passes the raw skip. Non-Focal modules and
    /// Focal modules absent from `focalWeights` are kept; survivors keep their Focal flag (the
    /// pruned network is retrained from scratch).
    ///
    /// - Parameters:
    ///   - focalWeights: the modules' ε, as `UNet.focalWeights` returns them.
    ///   - threshold: modules with ε strictly below it are removed (0.2 in the paper).
    /// - Throws: `NetworkError.invalidPlan` when a name is not a Focal module of this plan, is
    ///   repeated, or an ε or the threshold is not finite (the rule: `FocalPruning`).
    public func pruned(focalWeights: [FocalWeight], threshold: Float = FocalPruning.defaultThreshold) throws -> AttentionPlan {
        let removed = try FocalPruning.removedPositions(focalWeights: focalWeights, candidates: focalPositions.map(\.name),
                                                        threshold: threshold)
        return AttentionPlan(modules: modules.filter { !removed.contains($0.key.name) })
    }

    /// Throws when a position does not exist in a U-Net of `depth` levels.
    public func validate(depth: Int) throws {
        let outside = positions.filter { !$0.exists(inDepth: depth) }
        if !outside.isEmpty {
            throw NetworkError.invalidPlan(
                "position(s) \(outside.map(\.name).joined(separator: ", ")) do not exist in a depth-\(depth) U-Net "
                + "(levels 0…\(depth - 1))")
        }
    }

    /// The differences between this plan (the model's) and `other` (e.g. a checkpoint's), one
    /// readable line each; empty when equal.
    public func differences(from other: AttentionPlan, mine: String = "model", theirs: String = "checkpoint") -> [String] {
        var out: [String] = []
        for position in Set(modules.keys).union(other.modules.keys).sorted() {
            let kind = position.kind
            switch (modules[position], other.modules[position]) {
            case let (a?, b?) where a != b:
                out.append("\(position): \(a ? "Focal" : "plain") \(kind) in the \(mine), \(b ? "Focal" : "plain") \(kind) in the \(theirs)")
            case let (nil, b?):
                out.append("\(position): \(b ? "Focal " : "")\(kind) in the \(theirs), absent from the \(mine)")
            case let (a?, nil):
                out.append("\(position): \(a ? "Focal " : "")\(kind) in the \(mine), absent from the \(theirs)")
            default: break
            }
        }
        return out
    }

    /// Space-separated `name` / `name+focal` tokens in canonical order, or `none`.
    public var description: String {
        isEmpty ? "none" : entries.map(\.description).joined(separator: " ")
    }

    /// Parses the `description` format: tokens separated by spaces or commas, each a position
    /// name optionally followed by `+focal`; `none` or an empty string is the empty plan.
    /// - Throws: `NetworkError.invalidPlan` naming the bad token.
    public init(parsing text: String) throws {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }).map(String.init)
        if tokens.isEmpty || tokens == ["none"] {
            self.init()
            return
        }
        var entries: [Entry] = []
        for token in tokens {
            let focal = token.hasSuffix("+focal")
            let name = focal ? String(token.dropLast("+focal".count)) : token
            guard let position = AttentionPosition(name: name) else {
                throw NetworkError.invalidPlan(
                    "'\(token)' is not a position (enc<i>, bottleneck, dec<i>, skip<i>, optionally followed by +focal)")
            }
            entries.append(Entry(position: position, focal: focal))
        }
        try self.init(entries: entries)
    }

    /// Decodes a JSON array of entries (duplicate positions are rejected).
    public init(from decoder: any Decoder) throws {
        let entries = try decoder.singleValueContainer().decode([Entry].self)
        do {
            try self.init(entries: entries)
        } catch let error as NetworkError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the entries in canonical order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(entries)
    }
}
