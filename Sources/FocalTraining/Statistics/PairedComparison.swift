/// A candidate run against a baseline run on the same images, in one call: the percentile
/// bootstrap CI of the mean per-image difference (`PairedBootstrap`) and the Wilcoxon
/// signed-rank test (`WilcoxonSignedRank`), both of `candidate − baseline`.
///
/// Typical input: per-image DSC of each run on the same test images in the same order, each
/// averaged over seeds first. `description` reads e.g.
/// `"+0.0042 [−0.0011, +0.0093], Wilcoxon p = 0.12"`: a CI that excludes 0 together with a
/// small p is a difference worth reporting; a CI straddling 0 is not evidence of one. (The two
/// can disagree near the boundary: the CI is about the mean, the test about the symmetry of
/// the differences about 0, i.e. their median.)
public struct PairedComparison: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The bootstrap CI of the mean difference.
    public let bootstrap: PairedBootstrap
    /// The signed-rank test.
    public let wilcoxon: WilcoxonSignedRank

    /// Compares `candidate` with `baseline` (same length, paired by index). The bootstrap
    /// draws `resamples` resamples from a generator seeded by `seed`.
    ///
    /// Throws `StatisticsError` for no pairs, different lengths, non-finite values, a level
    /// outside (0, 1) or fewer than 1 resample.
    public init(baseline: [Double], candidate: [Double],
                confidenceLevel: Double = PairedBootstrap.defaultConfidenceLevel,
                resamples: Int = PairedBootstrap.defaultResamples, seed: UInt64 = 0) throws {
        let differences = try PairedDifferences.of(baseline: baseline, candidate: candidate)
        bootstrap = try PairedBootstrap(differences: differences, resamples: resamples,
                                        confidenceLevel: confidenceLevel, seed: seed)
        wilcoxon = try WilcoxonSignedRank(differences: differences)
    }

    /// The mean difference candidate − baseline.
    public var meanDifference: Double { bootstrap.meanDifference }

    /// `"+0.0042 [−0.0011, +0.0093], Wilcoxon p = 0.12"` with `digits` decimals for the
    /// difference and its limits (signed, U+2212 minus) and two significant digits for p
    /// (scientific below 0.001).
    public func formatted(digits: Int = 4) -> String {
        let d = { SignedDecimal.format($0, digits: digits, plus: true) }
        return "\(d(bootstrap.meanDifference)) [\(d(bootstrap.lower)), \(d(bootstrap.upper))], "
            + "Wilcoxon p = \(SignedDecimal.pValue(wilcoxon.pValue))"
    }

    /// `formatted()`.
    public var description: String { formatted() }
}
