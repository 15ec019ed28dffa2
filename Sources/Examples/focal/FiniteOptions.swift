import ArgumentParser

/// ArgumentParser reads `inf`, `nan` and `1e999` as valid `Float`/`Double` values; no option of
/// `focal` means anything with them (a NaN learning rate trains nothing, an infinite one fails
/// much later in JSON encoding), so every floating-point option is checked with this.
enum FiniteOptions {
    /// Throws "--name must be a finite number (got inf)" for the first non-finite value.
    static func check(_ options: [(String, Double?)]) throws {
        for case let (name, value?) in options where !value.isFinite {
            throw ValidationError("\(name) must be a finite number (got \(value))")
        }
    }
}
