import Foundation

/// Collects per-image scores over a test (or validation) set and averages them the way the
/// paper reports them: the mean over images of each image's score (spec Part A "Metrics"),
/// not a score of the pooled pixels. The per-image rows are kept for the CSV report.
public struct MetricsAccumulator: Sendable, Equatable, Codable {
    /// The per-image evaluations, in the order added.
    public private(set) var images: [ImageMetrics] = []

    /// An empty accumulator.
    public init() {}

    /// Number of images added.
    public var count: Int { images.count }

    /// Adds an evaluated image.
    public mutating func add(_ image: ImageMetrics) { images.append(image) }

    /// Evaluates and adds an image from Float label maps (e.g. `Batch.argmax` output and a
    /// mask tensor's scalars). `classes` counts the background; by default every class but 0
    /// is scored. Returns the image's scores.
    @discardableResult
    public mutating func add(
        name: String, prediction: [Float], target: [Float], classes: Int, evaluatedClasses: [Int]? = nil
    ) throws -> ImageMetrics {
        let m = try SegmentationMetrics.evaluate(predicted: prediction, truth: target, classes: classes,
                                                 evaluatedClasses: evaluatedClasses, name: name)
        images.append(m)
        return m
    }

    /// Evaluates and adds an image from integer label maps (`[Int32]`, `[UInt8]`, `[Int]`, …).
    @discardableResult
    public mutating func add<P: BinaryInteger, T: BinaryInteger>(
        name: String, prediction: [P], target: [T], classes: Int, evaluatedClasses: [Int]? = nil
    ) throws -> ImageMetrics {
        let m = try SegmentationMetrics.evaluate(predicted: prediction, truth: target, classes: classes,
                                                 evaluatedClasses: evaluatedClasses, name: name)
        images.append(m)
        return m
    }

    /// Mean over images of each image's scores (each image's own mean over its evaluated
    /// classes). All 0 when no image was added.
    public var mean: MetricScores { Self.mean(images.map(\.mean)) }

    /// Sample standard deviation (n − 1) over images of each score; 0 for fewer than 2 images.
    public var standardDeviation: MetricScores {
        let rows = images.map(\.mean)
        guard rows.count > 1 else { return .zero }
        let m = Self.mean(rows), d = Double(rows.count - 1)
        func sd(_ key: KeyPath<MetricScores, Double>) -> Double {
            (rows.map { ($0[keyPath: key] - m[keyPath: key]) * ($0[keyPath: key] - m[keyPath: key]) }.reduce(0, +) / d).squareRoot()
        }
        return MetricScores(dsc: sd(\.dsc), precision: sd(\.precision), recall: sd(\.recall), iou: sd(\.iou))
    }

    /// Mean over the images that evaluated class `classIndex` of that class's scores, or nil
    /// when no image did.
    public func classMean(_ classIndex: Int) -> MetricScores? {
        let rows = images.compactMap { img in img.perClass.first { $0.classIndex == classIndex } }
            .map { MetricScores(dsc: $0.dsc, precision: $0.precision, recall: $0.recall, iou: $0.iou) }
        return rows.isEmpty ? nil : Self.mean(rows)
    }

    /// Every evaluated class index, in order of first appearance.
    public var evaluatedClasses: [Int] {
        var seen: [Int] = []
        for img in images { for c in img.perClass where !seen.contains(c.classIndex) { seen.append(c.classIndex) } }
        return seen
    }

    private static func mean(_ rows: [MetricScores]) -> MetricScores {
        guard !rows.isEmpty else { return .zero }
        let n = Double(rows.count)
        return MetricScores(
            dsc: rows.map(\.dsc).reduce(0, +) / n, precision: rows.map(\.precision).reduce(0, +) / n,
            recall: rows.map(\.recall).reduce(0, +) / n, iou: rows.map(\.iou).reduce(0, +) / n)
    }

    /// The per-image table as CSV (RFC 4180 quoting of names): columns `image, dsc, precision,
    /// recall, iou` (the image's mean over its evaluated classes), then for each evaluated class
    /// `k`: `dsc_k, precision_k, recall_k, iou_k, tp_k, fp_k, fn_k, tn_k`. With
    /// `includeSummary`, two last rows `mean` and `std` hold the mean and standard deviation
    /// over images (per-class cells empty). Scores have 6 decimals.
    public func csv(includeSummary: Bool = false) -> String {
        let classes = evaluatedClasses
        var header = ["image", "dsc", "precision", "recall", "iou"]
        for k in classes {
            header += ["dsc_\(k)", "precision_\(k)", "recall_\(k)", "iou_\(k)", "tp_\(k)", "fp_\(k)", "fn_\(k)", "tn_\(k)"]
        }
        func f(_ x: Double) -> String { String(format: "%.6f", x) }
        func scores(_ s: MetricScores) -> [String] { [f(s.dsc), f(s.precision), f(s.recall), f(s.iou)] }
        var lines = [header.joined(separator: ",")]
        for img in images {
            var row = [Self.quote(img.name)] + scores(img.mean)
            for k in classes {
                if let c = img.perClass.first(where: { $0.classIndex == k }) {
                    let n = c.counts
                    row += [f(c.dsc), f(c.precision), f(c.recall), f(c.iou)]
                    row += [n.truePositives, n.falsePositives, n.falseNegatives, n.trueNegatives].map(String.init)
                } else {
                    row += Array(repeating: "", count: 8)
                }
            }
            lines.append(row.joined(separator: ","))
        }
        if includeSummary {
            let blank = Array(repeating: "", count: 8 * classes.count)
            lines.append((["mean"] + scores(mean) + blank).joined(separator: ","))
            lines.append((["std"] + scores(standardDeviation) + blank).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `csv(includeSummary:)` to `url` (atomically).
    public func writeCSV(to url: URL, includeSummary: Bool = true) throws {
        try Data(csv(includeSummary: includeSummary).utf8).write(to: url, options: .atomic)
    }

    /// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or line break.
    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
