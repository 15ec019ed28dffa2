/// The distinct values of a mask and how often each occurs, for telling a mask whose values
/// are not labels what is wrong with it (`SegmentationDataset.labels(of:classes:path:)`).
struct MaskValueHistogram {
    /// Counts of the integers 0…65535 (the values of 1…16-bit files), kept in an array.
    private var small = [Int](repeating: 0, count: 65536)
    /// Counts of every other value (negative, fractional, larger, NaN as one key).
    private var other: [Float: Int] = [:]
    private var nanCount = 0

    init<S: Sequence>(_ samples: S) where S.Element == Float {
        for v in samples {
            if v >= 0, v < 65536, v == v.rounded(.towardZero) { small[Int(v)] += 1 }
            else if v.isNaN { nanCount += 1 }
            else { other[v, default: 0] += 1 }
        }
    }

    /// The distinct values, ascending (NaN last).
    var values: [Float] {
        var out = small.indices.filter { small[$0] > 0 }.map(Float.init) + other.keys
        out.sort()
        if nanCount > 0 { out.append(.nan) }
        return out
    }

    /// How many samples hold `v`.
    func count(of v: Float) -> Int {
        if v.isNaN { return nanCount }
        if v >= 0, v < 65536, v == v.rounded(.towardZero) { return small[Int(v)] }
        return other[v] ?? 0
    }

    /// "N of T pixels are <what> (K distinct values: 0, 3, 7, …, 255); masks must hold label
    /// values — …": the message of a mask whose samples are not all in `expected`.
    func oddValues(expected: Set<Float>, total: Int, what: String) -> String {
        let all = values
        let odd = all.filter { !expected.contains($0) }
        let count = odd.reduce(0) { $0 + self.count(of: $1) }
        let shown = all.count <= 12 ? all.map(SegmentationDataset.format)
            : all.prefix(8).map(SegmentationDataset.format) + ["…"] + all.suffix(3).map(SegmentationDataset.format)
        return "\(count) of \(total) pixel values are \(what) (\(all.count) distinct values: \(shown.joined(separator: ", "))); "
            + "masks must hold label values (binary: 0 and one foreground value such as 255 or 1; with N classes: 0…N−1), "
            + "and JPEG masks are lossy, save them as PNG"
    }
}
