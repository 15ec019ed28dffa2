/// A distance that may be +∞ (a boundary metric of an image with an empty prediction or truth),
/// in JSON, which has no infinity: written as a number, or as `null` when it is not finite;
/// `null` or an absent key reads back as +∞. `BoundaryScores` and `BoundaryMean` store HD95 and
/// ASSD with it, so their synthesised `Codable` writes JSON that any reader accepts.
@propertyWrapper
public struct InfinityAsNull: Sendable, Hashable, Codable {
    /// The distance.
    public var wrappedValue: Double

    /// Wraps `wrappedValue`.
    public init(wrappedValue: Double) { self.wrappedValue = wrappedValue }

    /// Reads a number, or `null` as +∞.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? .infinity : try c.decode(Double.self)
    }

    /// Writes the number, or `null` when it is not finite.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if wrappedValue.isFinite { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// Reads an `InfinityAsNull`; an absent key is +∞ too (a synthesised decoder would
    /// otherwise require the key).
    public func decode(_ type: InfinityAsNull.Type, forKey key: Key) throws -> InfinityAsNull {
        try decodeIfPresent(type, forKey: key) ?? InfinityAsNull(wrappedValue: .infinity)
    }
}
