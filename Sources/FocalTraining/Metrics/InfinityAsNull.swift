// Distances that are +∞ (a boundary metric of an image with an empty prediction or truth) in
// JSON, which has no infinity: written as `null`, read back as +∞.

extension KeyedEncodingContainer {
    /// Writes `value`, or `null` when it is not finite.
    mutating func encodeInfinityAsNull(_ value: Double, forKey key: Key) throws {
        try encode(value.isFinite ? value : nil, forKey: key)
    }
}

extension KeyedDecodingContainer {
    /// Reads a value written by `encodeInfinityAsNull`: `null` or absent is +∞.
    func decodeNullAsInfinity(forKey key: Key) throws -> Double {
        try decodeIfPresent(Double.self, forKey: key) ?? .infinity
    }
}
