/// Boundary scores averaged over images (`MetricsAccumulator.boundaryMean`), or the spread of
/// them (`boundaryStandardDeviation`).
///
/// Exclusion rule for the distances: an image whose HD95 (ASSD) is `+∞` — a class that is
/// empty in exactly one of prediction and truth (`BoundaryScores.isOneSided`) — has no
/// distance to average, so it is left out of the HD95 and ASSD means and counted in
/// `excludedImages` instead; the NSD mean keeps every image (such an image scores NSD 0). No
/// mean is ever NaN; when every image is excluded, `hd95` and `assd` are `+∞`.
public struct BoundaryMean: Sendable, Equatable, Codable {
    /// Mean (or standard deviation) of the finite per-image HD95 values (in JSON, `+∞` is
    /// written as `null`).
    @InfinityAsNull public var hd95: Double
    /// Mean (or standard deviation) of the finite per-image ASSD values (`null` in JSON when
    /// `+∞`).
    @InfinityAsNull public var assd: Double
    /// Mean (or standard deviation) of the per-image NSD over every image.
    public var nsd: Double
    /// Number of images with boundary scores.
    public var images: Int
    /// Number of those images left out of the HD95 and ASSD means (infinite distance).
    public var excludedImages: Int

    /// The mean of per-image `(hd95, assd, nsd)` rows by the exclusion rule, or with
    /// `standardDeviation` the sample standard deviation (n − 1; 0 for fewer than two values)
    /// of the same values. nil for no rows.
    static func summarise(_ rows: [(hd95: Double, assd: Double, nsd: Double)], standardDeviation: Bool = false) -> BoundaryMean? {
        guard !rows.isEmpty else { return nil }
        let finite = rows.filter { $0.hd95.isFinite && $0.assd.isFinite }
        func stat(_ xs: [Double]) -> Double {
            guard !xs.isEmpty else { return standardDeviation ? 0 : .infinity }
            let m = xs.reduce(0, +) / Double(xs.count)
            guard standardDeviation else { return m }
            guard xs.count > 1 else { return 0 }
            return (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
        }
        return BoundaryMean(hd95: stat(finite.map(\.hd95)), assd: stat(finite.map(\.assd)), nsd: stat(rows.map(\.nsd)),
                            images: rows.count, excludedImages: rows.count - finite.count)
    }
}
