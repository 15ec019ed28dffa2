/// Errors of the run-comparison statistics (`SampleSummary`, `PairedBootstrap`,
/// `WilcoxonSignedRank`, `PairedComparison`): input they cannot summarise or test.
public enum StatisticsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No values (or no pairs) were given.
    case empty(String)
    /// The baseline and candidate arrays have different lengths, so they cannot be paired.
    case lengthMismatch(baseline: Int, candidate: Int)
    /// A value is NaN or infinite; `which` names the array ("values", "baseline", "candidate",
    /// "differences"), `index` its position.
    case nonFinite(which: String, index: Int, value: Double)
    /// A confidence level outside the open interval (0, 1).
    case invalidConfidenceLevel(Double)
    /// A bootstrap resample count below 1.
    case invalidResampleCount(Int)

    /// A readable explanation.
    public var description: String {
        switch self {
        case let .empty(what):
            return "statistics: \(what) is empty"
        case let .lengthMismatch(baseline, candidate):
            return "statistics: paired samples need equal lengths, got \(baseline) baseline and \(candidate) candidate values"
        case let .nonFinite(which, index, value):
            return "statistics: \(which)[\(index)] is \(value); every value must be finite"
        case let .invalidConfidenceLevel(level):
            return "statistics: the confidence level must be in (0, 1), got \(level)"
        case let .invalidResampleCount(count):
            return "statistics: the bootstrap needs at least 1 resample, got \(count)"
        }
    }
}
