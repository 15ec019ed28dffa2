import Foundation

/// The two-sided Wilcoxon signed-rank test of paired samples (Wilcoxon 1945): is the
/// distribution of the differences `dᵢ = candidateᵢ − baselineᵢ` symmetric about zero?
///
/// Matches `scipy.stats.wilcoxon(candidate, baseline)` with its defaults (scipy 1.17:
/// `zero_method="wilcox"`, `correction=False`, `alternative="two-sided"`, `method="auto"`):
///
/// - zero differences are dropped (`zero_method="wilcox"`); the `n` non-zero `|dᵢ|` are ranked
///   1…n, tied values getting the average of their ranks;
/// - `W+` / `W−` are the rank sums of the positive / negative differences, and the reported
///   statistic is `W = min(W+, W−)`;
/// - the method follows scipy's `"auto"` rule, in which *N*, the number of pairs **including
///   the zero differences**, decides:
///   - `N > 50`: `.normal`;
///   - no zeros and no ties: `.exact`, `p = min(1, 2·min(P(W+ ≤ w⁺), P(W+ ≥ w⁺)))` under the
///     null distribution of `W+` for ranks 1…n (each sign ±1 with probability ½), computed by
///     dynamic programming over the ranks;
///   - zeros or ties and `N ≤ 13`: `.exactConditional`, the same p-value from the distribution
///     of `W+` over all `2ⁿ` sign assignments of the observed (average) ranks — what scipy's
///     permutation test computes there, since it enumerates all `2^N ≤ 9999` sign flips;
///   - zeros or ties and `14 ≤ N ≤ 50`: `.normal`;
/// - `.normal`: `z = (W+ − n(n+1)/4) / σ`, `σ² = [n(n+1)(2n+1) − ½Σ(t³ − t)] / 24` with `t`
///   the sizes of the groups of tied `|dᵢ|` (tie correction), **no continuity correction**,
///   `p = 2Φ(−|z|) = erfc(|z|/√2)`.
///
/// Ties are exact floating-point equality of `|dᵢ|`, as in scipy: differences that are equal
/// in theory but not after rounding (`0.3 − 0.1` vs `0.2`) rank apart; round the scores first
/// if that matters.
///
/// All differences zero: scipy raises (N = 1), returns p = 1 (N ≤ 13) or NaN with a warning
/// (N > 13). Here the result is always `count == 0`, `statistic == 0`, `pValue == 1`,
/// method `.exactConditional` (the sign-flip distribution of an empty rank set is the point
/// mass at 0): no evidence of a difference.
///
/// Errors (`StatisticsError`): no pairs, different lengths, a non-finite value.
public struct WilcoxonSignedRank: Sendable, Equatable, Hashable, Codable {
    /// How the p-value was computed.
    public enum Method: String, Sendable, Hashable, Codable {
        /// The exact null distribution of `W+` for ranks 1…n (no ties, no zeros, N ≤ 50).
        case exact
        /// The exact distribution of `W+` over all sign assignments of the observed average
        /// ranks (ties or zeros, N ≤ 13).
        case exactConditional
        /// The normal approximation with tie correction, without continuity correction.
        case normal
    }

    /// `min(W+, W−)`, scipy's two-sided statistic.
    public let statistic: Double
    /// `W+`: the sum of the ranks of the positive differences (candidate above baseline).
    public let positiveRankSum: Double
    /// `W−`: the sum of the ranks of the negative differences.
    public let negativeRankSum: Double
    /// The two-sided p-value.
    public let pValue: Double
    /// `n`: the number of non-zero differences used.
    public let count: Int
    /// The number of zero differences dropped.
    public let zeroCount: Int
    /// Whether some non-zero `|dᵢ|` are tied.
    public let hasTies: Bool
    /// The method used for `pValue`.
    public let method: Method
    /// The standardised `W+` for `.normal` (scipy reports `−|z|`; this keeps the sign: positive
    /// when the candidate tends to be higher); nil otherwise.
    public let z: Double?

    /// The test of `candidate − baseline` (same length, paired by index), i.e.
    /// `scipy.stats.wilcoxon(candidate, baseline)`.
    public init(baseline: [Double], candidate: [Double]) throws {
        try self.init(differences: PairedDifferences.of(baseline: baseline, candidate: candidate))
    }

    /// The test of `differences` (already candidate − baseline), i.e. `scipy.stats.wilcoxon(d)`.
    public init(differences: [Double]) throws {
        try PairedDifferences.validate(differences, name: "differences")
        let total = differences.count
        let nonZero = differences.filter { $0 != 0 }
        let n = nonZero.count
        count = n
        zeroCount = total - n

        // Average ranks of |d|, doubled so that they are integers: a tie group at sorted
        // positions i...j (0-based) has rank (i + j + 2) / 2.
        let order = nonZero.indices.sorted { abs(nonZero[$0]) < abs(nonZero[$1]) }
        var doubledRanks = [Int](repeating: 0, count: n)
        var tieTerm = 0.0
        var tied = false
        var start = 0
        while start < n {
            var end = start
            while end + 1 < n, abs(nonZero[order[end + 1]]) == abs(nonZero[order[start]]) { end += 1 }
            for k in start...end { doubledRanks[order[k]] = start + end + 2 }
            let t = Double(end - start + 1)
            tieTerm += t * t * t - t
            if end > start { tied = true }
            start = end + 1
        }
        hasTies = tied
        var doubledPlus = 0, doubledMinus = 0
        for (d, r) in zip(nonZero, doubledRanks) {
            if d > 0 { doubledPlus += r } else { doubledMinus += r }
        }
        positiveRankSum = Double(doubledPlus) / 2
        negativeRankSum = Double(doubledMinus) / 2
        statistic = min(positiveRankSum, negativeRankSum)

        if n == 0 {
            method = .exactConditional
            pValue = 1
            z = nil
            return
        }
        if total <= 50, !tied, zeroCount == 0 {
            method = .exact
        } else if total <= 13 {
            method = .exactConditional
        } else {
            method = .normal
        }
        switch method {
        case .exact, .exactConditional:
            pValue = Self.exactPValue(doubledRanks: doubledRanks, observed: doubledPlus)
            z = nil
        case .normal:
            let m = Double(n)
            let mean = m * (m + 1) * 0.25
            let sd = ((m * (m + 1) * (2 * m + 1) - tieTerm / 2) / 24).squareRoot()
            let score = (positiveRankSum - mean) / sd
            z = score
            pValue = min(1, erfc(abs(score) / 2.0.squareRoot()))
        }
    }

    /// `min(1, 2·min(P(S ≤ observed), P(S ≥ observed)))` for `S = Σ sᵢ·rᵢ`, the `sᵢ`
    /// independent fair 0/1 signs: the null distribution of (doubled) `W+`, counted by dynamic
    /// programming over the ranks (`counts[s]` = number of sign assignments with sum `s`).
    /// Counts are at most `2ⁿ`, exact in Double for the n ≤ 50 used here.
    static func exactPValue(doubledRanks: [Int], observed: Int) -> Double {
        let maximum = doubledRanks.reduce(0, +)
        var counts = [Double](repeating: 0, count: maximum + 1)
        counts[0] = 1
        var reach = 0
        for r in doubledRanks {
            // Adding rank r to every reachable sum, from the top down so each is used once.
            for s in stride(from: reach, through: 0, by: -1) where counts[s] != 0 {
                counts[s + r] += counts[s]
            }
            reach += r
        }
        let total = Double(sign: .plus, exponent: doubledRanks.count, significand: 1)
        let atMost = counts[0...observed].reduce(0, +)
        let atLeast = counts[observed...].reduce(0, +)
        return min(1, 2 * min(atMost, atLeast) / total)
    }
}
