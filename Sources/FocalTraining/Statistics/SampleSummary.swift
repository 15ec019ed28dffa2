/// Count, mean, sample standard deviation, minimum and maximum of a sample, e.g. one score over
/// the seeds of a configuration, for reports like `"0.9123 ± 0.0041"`.
///
/// - mean `x̄ = Σxᵢ / n`, computed as `x₀ + Σ(xᵢ − x₀) / n` (shifted by the first value, which
///   is exact for constant samples and loses less to cancellation than the plain sum);
/// - sample standard deviation `s = sqrt(Σ(xᵢ − x̄)² / (n − 1))` (Bessel's correction, as
///   `numpy.std(ddof=1)`); **0 for a single value**, where it is undefined (no spread can be seen
///   in one run: report such a summary as one run, not as zero variance).
///
/// NaN and infinite values are not skipped: they throw `StatisticsError.nonFinite` naming the
/// first bad index (a NaN score means a failed run or evaluation, which a summary must not
/// hide). An empty sample throws `StatisticsError.empty`.
public struct SampleSummary: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Number of values.
    public let count: Int
    /// Arithmetic mean.
    public let mean: Double
    /// Sample standard deviation (divisor n − 1); 0 when `count == 1`.
    public let standardDeviation: Double
    /// Smallest value.
    public let minimum: Double
    /// Largest value.
    public let maximum: Double

    /// The summary of `values` (finite, at least one).
    public init(_ values: [Double]) throws {
        try PairedDifferences.validate(values, name: "values")
        count = values.count
        mean = Self.mean(of: values)
        if values.count > 1 {
            let m = mean
            let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            standardDeviation = (squares / Double(values.count - 1)).squareRoot()
        } else {
            standardDeviation = 0
        }
        minimum = values.min()!
        maximum = values.max()!
    }

    /// Standard error of the mean `s / √n` (0 when `count == 1`).
    public var standardError: Double { standardDeviation / Double(count).squareRoot() }

    /// `"mean ± sd"` with `digits` decimals, e.g. `"0.9123 ± 0.0041"` (negative means with
    /// U+2212 `−`).
    public func formatted(digits: Int = 4) -> String {
        "\(SignedDecimal.format(mean, digits: digits)) ± \(SignedDecimal.format(standardDeviation, digits: digits))"
    }

    /// `formatted()` with the count, e.g. `"0.9123 ± 0.0041 (n = 5)"`.
    public var description: String { "\(formatted()) (n = \(count))" }

    /// The mean `x₀ + Σ(xᵢ − x₀) / n` of a non-empty array.
    static func mean(of values: [Double]) -> Double {
        let reference = values[0]
        let shifted = values.reduce(0) { $0 + ($1 - reference) }
        return reference + shifted / Double(values.count)
    }
}
