import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// Tests/FocalTrainingTests/Fixtures/statistics/wilcoxon.json (Tools/stats/make_fixtures.py).
private struct WilcoxonReference: Decodable {
    struct Case: Decodable {
        let name: String
        let x: [Double], y: [Double]
        let statistic: Double, pvalue: Double, method: String
    }
    struct AllZero: Decodable {
        let name: String
        let x: [Double], y: [Double]
    }
    let scipy_version: String
    let cases: [Case]
    let all_zero: [AllZero]
}

/// Tests/FocalTrainingTests/Fixtures/statistics/bootstrap.json (Tools/stats/make_fixtures.py).
private struct BootstrapReference: Decodable {
    struct Case: Decodable {
        let name: String
        let differences: [Double]
        let resamples: Int, confidence_level: Double
        let mean: Double, lower: Double, upper: Double, bootstrap_standard_error: Double
    }
    let cases: [Case]
}

private func fixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json",
                                             subdirectory: "Fixtures/statistics"))
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// `n` normal values of mean `mean`, standard deviation `sd`.
private func normals(_ n: Int, mean: Double, sd: Double, _ generator: inout RandomGenerator) -> [Double] {
    (0..<n).map { _ in mean + sd * Double(generator.nextNormal()) }
}

@Suite("Statistics")
struct StatisticsTests {
    // MARK: SampleSummary

    @Test("summary of a hand-computed sample: mean, sample sd (n − 1), min, max, text")
    func summary() throws {
        let s = try SampleSummary([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(s.count == 8)
        #expect(s.mean == 5)
        // Σ(x − 5)² = 32, / 7.
        #expect(abs(s.standardDeviation - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(s.minimum == 2 && s.maximum == 9)
        #expect(abs(s.standardError - (32.0 / 7).squareRoot() / 8.0.squareRoot()) < 1e-15)
        let dsc = try SampleSummary([0.9101, 0.9163, 0.9105])
        #expect(dsc.formatted() == "0.9123 ± 0.0035")
        #expect(dsc.description == "0.9123 ± 0.0035 (n = 3)")
        #expect(try SampleSummary([-0.25, -0.75]).formatted(digits: 2) == "\u{2212}0.50 ± 0.35")
    }

    @Test("one value: sd 0 by definition; constant values: sd exactly 0 and the mean exactly the value")
    func degenerate() throws {
        let one = try SampleSummary([0.8])
        #expect(one.count == 1 && one.mean == 0.8 && one.standardDeviation == 0 && one.standardError == 0)
        let constant = try SampleSummary([Double](repeating: 0.1, count: 7))
        #expect(constant.mean == 0.1 && constant.standardDeviation == 0)
    }

    @Test("summary errors: empty, NaN and infinity name the index")
    func summaryErrors() {
        #expect(throws: StatisticsError.empty("values")) { try SampleSummary([Double]()) }
        do {
            _ = try SampleSummary([0.9, 0.8, .nan, 0.7])
            Issue.record("NaN accepted")
        } catch let StatisticsError.nonFinite(which, index, value) {
            #expect(which == "values" && index == 2 && value.isNaN)
        } catch { Issue.record("unexpected \(error)") }
        #expect(throws: StatisticsError.nonFinite(which: "values", index: 1, value: .infinity)) {
            try SampleSummary([0.9, .infinity])
        }
    }

    // MARK: Wilcoxon signed-rank

    @Test("Wilcoxon matches scipy.stats.wilcoxon(x, y): statistic, p (1e-9 exact, 1e-6 normal), method")
    func wilcoxonMatchesSciPy() throws {
        let reference = try fixture("wilcoxon", as: WilcoxonReference.self)
        #expect(reference.cases.count >= 30)
        var methods = Set<String>()
        for c in reference.cases {
            let w = try WilcoxonSignedRank(baseline: c.y, candidate: c.x)
            methods.insert(w.method.rawValue)
            #expect(w.method.rawValue == c.method, "\(c.name): method \(w.method), scipy \(c.method)")
            #expect(w.statistic == c.statistic, "\(c.name): W \(w.statistic), scipy \(c.statistic)")
            let tolerance = w.method == .normal ? 1e-6 : 1e-9
            #expect(abs(w.pValue - c.pvalue) <= tolerance * c.pvalue,
                    "\(c.name): p \(w.pValue), scipy \(reference.scipy_version) \(c.pvalue)")
            // The rank sums add up to n(n+1)/2 and zeros are dropped.
            let zeros = zip(c.x, c.y).filter { $0 - $1 == 0 }.count
            #expect(w.zeroCount == zeros && w.count == c.x.count - zeros)
            #expect(w.positiveRankSum + w.negativeRankSum == Double(w.count * (w.count + 1)) / 2)
            #expect((w.z != nil) == (w.method == .normal))
        }
        #expect(methods == ["exact", "exactConditional", "normal"])
    }

    @Test("Wilcoxon is symmetric: swapping the runs keeps W and p, swaps W+ and W−, negates z")
    func wilcoxonSymmetry() throws {
        let reference = try fixture("wilcoxon", as: WilcoxonReference.self)
        for c in reference.cases {
            let a = try WilcoxonSignedRank(baseline: c.y, candidate: c.x)
            let b = try WilcoxonSignedRank(baseline: c.x, candidate: c.y)
            #expect(a.statistic == b.statistic && a.pValue == b.pValue && a.method == b.method, "\(c.name)")
            #expect(a.positiveRankSum == b.negativeRankSum, "\(c.name)")
            if let za = a.z, let zb = b.z { #expect(za == -zb, "\(c.name)") }
        }
    }

    @Test("Wilcoxon exact p by hand: n = 3 all positive → 2·(1/8); ties → enumeration of sign flips")
    func wilcoxonByHand() throws {
        let w = try WilcoxonSignedRank(differences: [0.1, 0.3, 0.2])
        #expect(w.method == .exact && w.statistic == 0 && w.positiveRankSum == 6)
        #expect(w.pValue == 0.25)
        // d = 1, 1, −2: ranks 1.5, 1.5, 3; W+ = 3. Of the 8 sign patterns W+ ∈ {0, 1.5, 1.5, 3,
        // 3, 4.5, 4.5, 6}: P(W+ ≤ 3) = 5/8, P(W+ ≥ 3) = 5/8 → p = 1.
        let t = try WilcoxonSignedRank(differences: [1, 1, -2])
        #expect(t.method == .exactConditional && t.hasTies && t.positiveRankSum == 3 && t.pValue == 1)
        // d = 1, 2, 3, 0: zero dropped, W+ = 6 of 6; P(W+ ≥ 6) = 1/8 → p = 0.25.
        let z = try WilcoxonSignedRank(differences: [1, 2, 3, 0])
        #expect(z.method == .exactConditional && z.zeroCount == 1 && z.count == 3 && z.pValue == 0.25)
    }

    @Test("all differences zero: p = 1, n = 0, for any length (scipy raises or returns NaN there)")
    func wilcoxonAllZero() throws {
        let reference = try fixture("wilcoxon", as: WilcoxonReference.self)
        #expect(!reference.all_zero.isEmpty)
        for c in reference.all_zero {
            let w = try WilcoxonSignedRank(baseline: c.y, candidate: c.x)
            #expect(w.count == 0 && w.zeroCount == c.x.count && w.statistic == 0 && w.pValue == 1, "\(c.name)")
        }
    }

    @Test("Wilcoxon errors: empty, different lengths, NaN / infinity with array and index")
    func wilcoxonErrors() {
        #expect(throws: StatisticsError.empty("baseline")) { try WilcoxonSignedRank(baseline: [], candidate: []) }
        #expect(throws: StatisticsError.lengthMismatch(baseline: 2, candidate: 3)) {
            try WilcoxonSignedRank(baseline: [1, 2], candidate: [1, 2, 3])
        }
        #expect(throws: StatisticsError.nonFinite(which: "candidate", index: 1, value: -.infinity)) {
            try WilcoxonSignedRank(baseline: [1, 2], candidate: [1, -.infinity])
        }
        #expect(throws: StatisticsError.nonFinite(which: "differences", index: 0, value: .infinity)) {
            try WilcoxonSignedRank(baseline: [-1e308], candidate: [1e308])
        }
        do {
            _ = try WilcoxonSignedRank(baseline: [0.5, .nan], candidate: [0.6, 0.7])
            Issue.record("NaN accepted")
        } catch let StatisticsError.nonFinite(which, index, value) {
            #expect(which == "baseline" && index == 1 && value.isNaN)
        } catch { Issue.record("unexpected \(error)") }
    }

    // MARK: Paired bootstrap

    @Test("bootstrap CI agrees with numpy's percentile bootstrap (200,000 resamples) within Monte-Carlo error")
    func bootstrapMatchesNumPy() throws {
        let reference = try fixture("bootstrap", as: BootstrapReference.self)
        #expect(reference.cases.count == 3)
        for c in reference.cases {
            let ci = try PairedBootstrap(differences: c.differences, resamples: 20_000,
                                         confidenceLevel: c.confidence_level, seed: 11)
            #expect(abs(ci.meanDifference - c.mean) < 1e-15, "\(c.name)")
            #expect(ci.count == c.differences.count && ci.resamples == 20_000)
            // Monte-Carlo sd of a 2.5 % / 97.5 % limit at B = 20,000 is ≈ 0.02 SE; allow 0.1 SE.
            let se = c.bootstrap_standard_error
            #expect(abs(ci.lower - c.lower) < 0.1 * se, "\(c.name): lower \(ci.lower), numpy \(c.lower)")
            #expect(abs(ci.upper - c.upper) < 0.1 * se, "\(c.name): upper \(ci.upper), numpy \(c.upper)")
            #expect(abs(ci.standardError - se) < 0.03 * se, "\(c.name): SE \(ci.standardError), numpy \(se)")
        }
    }

    @Test("95 % CI of n = 200 normal differences: covers the true mean in ≈ 95 % of 200 datasets; width ≈ 2·1.96·sd/√n")
    func bootstrapCoverage() throws {
        var generator = RandomGenerator(seed: 2022)
        let trueMean = 0.004, sd = 0.01, n = 200, datasets = 200
        var covered = 0
        var widthRatios: [Double] = []
        for k in 0..<datasets {
            let d = normals(n, mean: trueMean, sd: sd, &generator)
            let ci = try PairedBootstrap(differences: d, resamples: 1_000, seed: UInt64(k))
            if ci.contains(trueMean) { covered += 1 }
            let s = try SampleSummary(d).standardDeviation
            widthRatios.append((ci.upper - ci.lower) / (2 * 1.96 * s / Double(n).squareRoot()))
        }
        let coverage = Double(covered) / Double(datasets)
        #expect(coverage >= 0.90 && coverage <= 0.99, "coverage \(coverage)")
        let meanRatio = try SampleSummary(widthRatios).mean
        #expect(abs(meanRatio - 1) < 0.03, "mean width / normal-theory width \(meanRatio)")
        #expect(widthRatios.allSatisfy { abs($0 - 1) < 0.10 }, "width ratios \(widthRatios.min()!)…\(widthRatios.max()!)")
        // One dataset at the default B = 10,000.
        let d = normals(n, mean: trueMean, sd: sd, &generator)
        let ci = try PairedBootstrap(differences: d, seed: 5)
        let normalWidth = 2 * 1.96 * (try SampleSummary(d).standardDeviation) / Double(n).squareRoot()
        #expect(ci.resamples == 10_000 && abs((ci.upper - ci.lower) / normalWidth - 1) < 0.10)
    }

    @Test("constant differences: zero-width CI exactly at the value; same seed → same CI, other seed → other")
    func bootstrapExactCases() throws {
        let constant = try PairedBootstrap(differences: [Double](repeating: 0.0042, count: 37), resamples: 500)
        #expect(constant.lower == 0.0042 && constant.upper == 0.0042 && constant.meanDifference == 0.0042)
        #expect(constant.standardError == 0)

        var generator = RandomGenerator(seed: 9)
        let baseline = (0..<50).map { _ in 0.8 + 0.1 * generator.nextUnit() }
        let candidate = baseline.map { $0 + 0.005 + 0.01 * Double(generator.nextNormal()) }
        let a = try PairedBootstrap(baseline: baseline, candidate: candidate, resamples: 2_000, seed: 3)
        let b = try PairedBootstrap(baseline: baseline, candidate: candidate, resamples: 2_000, seed: 3)
        let c = try PairedBootstrap(baseline: baseline, candidate: candidate, resamples: 2_000, seed: 4)
        #expect(a == b)
        #expect(a.lower != c.lower || a.upper != c.upper)
        #expect(abs(a.lower - c.lower) < 0.3 * a.standardError && abs(a.upper - c.upper) < 0.3 * a.standardError)
        #expect(a.lower < a.meanDifference && a.meanDifference < a.upper)
        // The explicit-generator form draws the same as the seeded one and advances the generator.
        var g = RandomGenerator(seed: 3)
        let differences = zip(candidate, baseline).map { $0 - $1 }
        let e = try PairedBootstrap(differences: differences, resamples: 2_000, generator: &g)
        #expect(e == a && g != RandomGenerator(seed: 3))
        // A higher level gives a wider interval from the same draws.
        let wide = try PairedBootstrap(differences: differences, resamples: 2_000, confidenceLevel: 0.99, seed: 3)
        #expect(wide.lower < a.lower && wide.upper > a.upper)
    }

    @Test("percentile interpolation is numpy's linear one; B = 1 gives the single resample mean")
    func bootstrapQuantile() throws {
        let sorted: [Double] = [1, 2, 3, 4, 5]
        // np.percentile([1,2,3,4,5], [2.5, 50, 97.5, 0, 100]) == [1.1, 3, 4.9, 1, 5]
        #expect(abs(PairedBootstrap.quantile(sorted: sorted, 0.025) - 1.1) < 1e-15)
        #expect(PairedBootstrap.quantile(sorted: sorted, 0.5) == 3)
        #expect(abs(PairedBootstrap.quantile(sorted: sorted, 0.975) - 4.9) < 1e-15)
        #expect(PairedBootstrap.quantile(sorted: sorted, 0) == 1 && PairedBootstrap.quantile(sorted: sorted, 1) == 5)
        let one = try PairedBootstrap(differences: [1, 2, 3, 10], resamples: 1)
        #expect(one.lower == one.upper && one.resamples == 1 && one.standardError == 0)
        // The one resample: 4 indices from the seed-0 generator, mean as d₀ + Σ(dᵢ − d₀)/n.
        var g = RandomGenerator(seed: 0)
        let d: [Double] = [1, 2, 3, 10]
        let drawn = (0..<4).map { _ in d[Int(g.next(upperBound: UInt64(4)))] - 1 }
        #expect(one.lower == 1 + drawn.reduce(0, +) * 0.25)
    }

    @Test("bootstrap errors: no pairs, lengths, NaN, level outside (0, 1), B < 1")
    func bootstrapErrors() {
        #expect(throws: StatisticsError.empty("differences")) { try PairedBootstrap(differences: []) }
        #expect(throws: StatisticsError.lengthMismatch(baseline: 3, candidate: 2)) {
            try PairedBootstrap(baseline: [1, 2, 3], candidate: [1, 2])
        }
        #expect(throws: StatisticsError.nonFinite(which: "candidate", index: 0, value: .infinity)) {
            try PairedBootstrap(baseline: [1], candidate: [.infinity])
        }
        for level in [0.0, 1.0, -0.5, 1.5, .nan] {
            do {
                _ = try PairedBootstrap(differences: [1, 2], confidenceLevel: level)
                Issue.record("level \(level) accepted")
            } catch let StatisticsError.invalidConfidenceLevel(l) {
                #expect(l == level || (l.isNaN && level.isNaN))
            } catch { Issue.record("unexpected \(error)") }
        }
        #expect(throws: StatisticsError.invalidResampleCount(0)) { try PairedBootstrap(differences: [1, 2], resamples: 0) }
        #expect(throws: StatisticsError.invalidResampleCount(-5)) { try PairedBootstrap(differences: [1, 2], resamples: -5) }
    }

    // MARK: Paired comparison

    @Test("paired comparison: one call gives the bootstrap CI and the Wilcoxon test, and a compact line")
    func pairedComparison() throws {
        var generator = RandomGenerator(seed: 17)
        let baseline = (0..<36).map { _ in 0.85 + 0.05 * Double(generator.nextNormal()) }
        let candidate = baseline.map { $0 + 0.004 + 0.01 * Double(generator.nextNormal()) }
        let c = try PairedComparison(baseline: baseline, candidate: candidate, resamples: 4_000, seed: 1)
        #expect(c.bootstrap == (try PairedBootstrap(baseline: baseline, candidate: candidate, resamples: 4_000, seed: 1)))
        #expect(c.wilcoxon == (try WilcoxonSignedRank(baseline: baseline, candidate: candidate)))
        #expect(c.meanDifference == c.bootstrap.meanDifference)
        let f = { SignedDecimal.format($0, digits: 4, plus: true) }
        let expected = "\(f(c.bootstrap.meanDifference)) [\(f(c.bootstrap.lower)), \(f(c.bootstrap.upper))], "
            + "Wilcoxon p = \(SignedDecimal.pValue(c.wilcoxon.pValue))"
        #expect(c.description == expected)
        #expect(c.description.hasPrefix("+0.00") && c.description.contains("Wilcoxon p = "))
        #expect(throws: StatisticsError.lengthMismatch(baseline: 36, candidate: 35)) {
            try PairedComparison(baseline: baseline, candidate: Array(candidate.dropLast()))
        }
    }

    @Test("report number text: signed with U+2212, no negative zero; p with two significant digits")
    func numberText() {
        #expect(SignedDecimal.format(0.0042, digits: 4, plus: true) == "+0.0042")
        #expect(SignedDecimal.format(-0.0011, digits: 4, plus: true) == "\u{2212}0.0011")
        #expect(SignedDecimal.format(-0.00001, digits: 4, plus: true) == "+0.0000")
        #expect(SignedDecimal.format(0.91234, digits: 4) == "0.9123")
        #expect(SignedDecimal.pValue(0.1234) == "0.12")
        #expect(SignedDecimal.pValue(0.04567) == "0.046")
        #expect(SignedDecimal.pValue(1) == "1")
        #expect(SignedDecimal.pValue(2.864e-05) == "2.9e-05")
    }
}
