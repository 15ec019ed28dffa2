/// The validated per-pair differences `candidate[i] − baseline[i]` that the paired statistics
/// work on (`PairedBootstrap`, `WilcoxonSignedRank`).
enum PairedDifferences {
    /// `candidate − baseline`, element by element, after checking that both arrays are
    /// non-empty, equally long and finite (and so are their differences).
    static func of(baseline: [Double], candidate: [Double]) throws -> [Double] {
        guard baseline.count == candidate.count else {
            throw StatisticsError.lengthMismatch(baseline: baseline.count, candidate: candidate.count)
        }
        try validate(baseline, name: "baseline")
        try validate(candidate, name: "candidate")
        let differences = zip(candidate, baseline).map { $0 - $1 }
        try validate(differences, name: "differences")
        return differences
    }

    /// Throws unless `values` is non-empty and every element is finite.
    static func validate(_ values: [Double], name: String) throws {
        guard !values.isEmpty else { throw StatisticsError.empty(name) }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw StatisticsError.nonFinite(which: name, index: i, value: values[i])
        }
    }
}
