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

    /// Adds `image` and returns it.
    private mutating func record(_ image: ImageMetrics) -> ImageMetrics {
        images.append(image)
        return image
    }

    /// Evaluates and adds an image from Float label maps (e.g. `Batch.argmax` output and a
    /// mask tensor's scalars). `classes` counts the background; by default every class but 0
    /// is scored. Returns the image's scores.
    @discardableResult
    public mutating func add(
        name: String, prediction: [Float], target: [Float], classes: Int, evaluatedClasses: [Int]? = nil
    ) throws -> ImageMetrics {
        record(try SegmentationMetrics.evaluate(predicted: prediction, truth: target, classes: classes,
                                                evaluatedClasses: evaluatedClasses, name: name))
    }

    /// Evaluates and adds an image from integer label maps (`[Int32]`, `[UInt8]`, `[Int]`, …).
    @discardableResult
    public mutating func add<P: BinaryInteger, T: BinaryInteger>(
        name: String, prediction: [P], target: [T], classes: Int, evaluatedClasses: [Int]? = nil
    ) throws -> ImageMetrics {
        record(try SegmentationMetrics.evaluate(predicted: prediction, truth: target, classes: classes,
                                                evaluatedClasses: evaluatedClasses, name: name))
    }

    /// Evaluates and adds an image from integer label maps (row-major `height × width`) with
    /// the boundary metrics too (`BoundaryMetrics`: HD95, ASSD, NSD per evaluated class, with
    /// `boundary`'s spacing and tolerance). Costs one erosion and two exact distance transforms
    /// per class; meant for evaluation, not per-epoch validation.
    @discardableResult
    public mutating func add<P: BinaryInteger, T: BinaryInteger>(
        name: String, prediction: [P], target: [T], classes: Int, evaluatedClasses: [Int]? = nil,
        height: Int, width: Int, boundary: BoundaryMetrics.Options
    ) throws -> ImageMetrics {
        var m = try SegmentationMetrics.evaluate(predicted: prediction, truth: target, classes: classes,
                                                 evaluatedClasses: evaluatedClasses, name: name)
        let b = try BoundaryMetrics.evaluate(predicted: prediction, truth: target, height: height, width: width, classes: classes,
                                             evaluatedClasses: evaluatedClasses, options: boundary, name: name)
        for i in m.perClass.indices { m.perClass[i].boundary = b[i] }
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

    /// Mean over the images with boundary scores of each image's HD95, ASSD and NSD (its mean
    /// over its evaluated classes). Images with an infinite HD95 or ASSD (a class empty in
    /// exactly one of prediction and truth) are left out of the HD95 and ASSD means and
    /// counted in `excludedImages` (see `BoundaryMean`). nil when no image has boundary scores.
    public var boundaryMean: BoundaryMean? { BoundaryMean.summarise(boundaryRows) }

    /// Sample standard deviation (n − 1) over images of HD95, ASSD (finite values only) and
    /// NSD; nil when no image has boundary scores.
    public var boundaryStandardDeviation: BoundaryMean? { BoundaryMean.summarise(boundaryRows, standardDeviation: true) }

    /// `boundaryMean` of class `classIndex` alone, over the images that scored its boundary.
    public func classBoundaryMean(_ classIndex: Int) -> BoundaryMean? {
        BoundaryMean.summarise(images.compactMap { img in img.perClass.first { $0.classIndex == classIndex }?.boundary }
            .map { (hd95: $0.hd95, assd: $0.assd, nsd: $0.nsd) })
    }

    /// True when some image has boundary scores (the CSV then has the boundary columns).
    public var hasBoundary: Bool { images.contains { $0.hasBoundary } }

    private var boundaryRows: [(hd95: Double, assd: Double, nsd: Double)] {
        images.compactMap { img in
            guard let h = img.hd95, let a = img.assd, let n = img.nsd else { return nil }
            return (hd95: h, assd: a, nsd: n)
        }
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
    /// `k`: `dsc_k, precision_k, recall_k, iou_k, tp_k, fp_k, fn_k, tn_k`. When boundary scores
    /// were computed (`hasBoundary`), `hd95, assd, nsd` follow `iou` and `hd95_k, assd_k,
    /// nsd_k` follow `tn_k`; an infinite distance is written `inf`, a score not computed for an
    /// image is empty. With `includeSummary`, two last rows `mean` and `std` hold the mean and
    /// standard deviation over images (per-class cells empty; for HD95 and ASSD over the images
    /// with a finite value, see `boundaryMean`). Scores have 6 decimals.
    public func csv(includeSummary: Bool = false) -> String {
        let classes = evaluatedClasses
        let boundary = hasBoundary
        var header = ["image", "dsc", "precision", "recall", "iou"]
        if boundary { header += ["hd95", "assd", "nsd"] }
        for k in classes {
            header += ["dsc_\(k)", "precision_\(k)", "recall_\(k)", "iou_\(k)", "tp_\(k)", "fp_\(k)", "fn_\(k)", "tn_\(k)"]
            if boundary { header += ["hd95_\(k)", "assd_\(k)", "nsd_\(k)"] }
        }
        let perClassColumns = boundary ? 11 : 8
        func f(_ x: Double) -> String { x == .infinity ? "inf" : String(format: "%.6f", x) }
        func f(_ x: Double?) -> String { x.map { f($0) } ?? "" }
        func scores(_ s: MetricScores) -> [String] { [f(s.dsc), f(s.precision), f(s.recall), f(s.iou)] }
        func distances(_ b: BoundaryMean?) -> [String] { [f(b?.hd95), f(b?.assd), f(b?.nsd)] }
        var lines = [header.joined(separator: ",")]
        for img in images {
            var row = [Self.quote(img.name)] + scores(img.mean)
            if boundary { row += [f(img.hd95), f(img.assd), f(img.nsd)] }
            for k in classes {
                if let c = img.perClass.first(where: { $0.classIndex == k }) {
                    let n = c.counts
                    row += [f(c.dsc), f(c.precision), f(c.recall), f(c.iou)]
                    row += [n.truePositives, n.falsePositives, n.falseNegatives, n.trueNegatives].map(String.init)
                    if boundary { row += [f(c.boundary?.hd95), f(c.boundary?.assd), f(c.boundary?.nsd)] }
                } else {
                    row += Array(repeating: "", count: perClassColumns)
                }
            }
            lines.append(row.joined(separator: ","))
        }
        if includeSummary {
            let blank = Array(repeating: "", count: perClassColumns * classes.count)
            lines.append((["mean"] + scores(mean) + (boundary ? distances(boundaryMean) : []) + blank).joined(separator: ","))
            lines.append((["std"] + scores(standardDeviation) + (boundary ? distances(boundaryStandardDeviation) : []) + blank)
                .joined(separator: ","))
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
