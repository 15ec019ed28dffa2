import FocalCore

/// The kind of attention module a position holds.
public enum AttentionKind: String, Sendable, Codable, CustomStringConvertible {
    /// A squeeze-and-excitation block after a U-Net block (USE-Net).
    case squeezeExcitation = "SE"
    /// An attention gate on a skip connection (Attention U-Net).
    case attentionGate = "AG"

    /// `SE` or `AG`.
    public var description: String { rawValue }
}

/// Where an attention module sits in a U-Net, with a stable human-readable name:
///
/// - `enc0 … enc{d−1}`: SE block after encoder block `i` (its output feeds both the pooling and
///   the skip connection);
/// - `bottleneck`: SE block after the bottleneck block;
/// - `dec{d−1} … dec0`: SE block after decoder block `i`;
/// - `skip0 … skip{d−1}`: attention gate on skip connection `i` (level 0 is the finest).
///
/// Positions sort in this canonical order (encoders, bottleneck, decoders from the deepest,
/// then skips) independently of the network depth. Encoded as its name.
public enum AttentionPosition: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// SE after encoder block `level`.
    case encoder(Int)
    /// SE after the bottleneck block.
    case bottleneck
    /// SE after decoder block `level`.
    case decoder(Int)
    /// Attention gate on skip connection `level`.
    case skip(Int)

    /// The stable name: `enc0`, `bottleneck`, `dec3`, `skip1`, ….
    public var name: String {
        switch self {
        case .encoder(let i): "enc\(i)"
        case .bottleneck: "bottleneck"
        case .decoder(let i): "dec\(i)"
        case .skip(let i): "skip\(i)"
        }
    }

    /// The position named `name`, or `nil` if it is not a position name.
    public init?(name: String) {
        if name == "bottleneck" { self = .bottleneck; return }
        for (prefix, make) in [("enc", AttentionPosition.encoder), ("dec", AttentionPosition.decoder), ("skip", AttentionPosition.skip)] {
            if name.hasPrefix(prefix), let i = Int(name.dropFirst(prefix.count)), i >= 0,
               String(i) == name.dropFirst(prefix.count) {
                self = make(i)
                return
            }
        }
        return nil
    }

    /// The name.
    public var description: String { name }

    /// SE for block positions, AG for skips.
    public var kind: AttentionKind {
        if case .skip = self { return .attentionGate }
        return .squeezeExcitation
    }

    /// The U-Net level (nil for the bottleneck).
    public var level: Int? {
        switch self {
        case .encoder(let i), .decoder(let i), .skip(let i): i
        case .bottleneck: nil
        }
    }

    /// Whether the position exists in a U-Net of `depth` levels.
    public func exists(inDepth depth: Int) -> Bool { level.map { $0 < depth } ?? true }

    /// The `2·depth + 1` SE positions in canonical order: `enc0 … enc{d−1} bottleneck dec{d−1} … dec0`.
    public static func squeezeExcitationPositions(depth: Int) -> [AttentionPosition] {
        (0..<depth).map { .encoder($0) } + [.bottleneck] + (0..<depth).reversed().map { .decoder($0) }
    }

    /// The `depth` attention-gate positions `skip0 … skip{d−1}`.
    public static func attentionGatePositions(depth: Int) -> [AttentionPosition] {
        (0..<depth).map { .skip($0) }
    }

    private var sortKey: (Int, Int) {
        switch self {
        case .encoder(let i): (0, i)
        case .bottleneck: (1, 0)
        case .decoder(let i): (2, -i)
        case .skip(let i): (3, i)
        }
    }

    /// Canonical order (see the type's documentation).
    public static func < (a: AttentionPosition, b: AttentionPosition) -> Bool { a.sortKey < b.sortKey }

    /// Decodes a position from its name.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let p = AttentionPosition(name: s) else {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "'\(s)' is not an attention position (enc<i>, bottleneck, dec<i>, skip<i>)")
        }
        self = p
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
