extension KeyedDecodingContainer {
    /// The value of `key`, refused with a `DecodingError` that names the key ("`key` must be
    /// `requirement`, found `value`") when `isValid` rejects it: how the schedules' decoders
    /// refuse a saved state their initialisers would not accept (`package`: shared with
    /// FocalTraining's `EarlyStopping`).
    package func decode<T: Decodable>(_ type: T.Type, forKey key: Key, mustBe requirement: String,
                                      _ isValid: (T) -> Bool) throws -> T {
        let value = try decode(type, forKey: key)
        guard isValid(value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "\(key.stringValue) must be \(requirement), found \(value)")
        }
        return value
    }
}
