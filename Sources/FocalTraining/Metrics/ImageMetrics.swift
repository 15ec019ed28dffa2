/// The scores of one class in one image.
public struct ClassMetrics: Sendable, Equatable, Codable {
    /// The class label.
    public var classIndex: Int
    /// The pixel counts the scores come from.
    public var counts: ConfusionCounts
    /// The boundary scores (HD95, ASSD, NSD), when they were computed (`Evaluator` does;
    /// the per-epoch validation does not).
    public var boundary: BoundaryScores?

    /// See `ConfusionCounts.dsc`.
    public var dsc: Double { counts.dsc }
    /// See `ConfusionCounts.precision`.
    public var precision: Double { counts.precision }
    /// See `ConfusionCounts.recall`.
    public var recall: Double { counts.recall }
    /// See `ConfusionCounts.iou`.
    public var iou: Double { counts.iou }
}

/// The four scores, as one value (a class's, an image's mean over foreground classes, or a
/// mean over images).
public struct MetricScores: Sendable, Equatable, Codable {
    /// Dice similarity coefficient.
    public var dsc: Double
    /// Precision.
    public var precision: Double
    /// Recall (sensitivity).
    public var recall: Double
    /// Intersection over union.
    public var iou: Double

    /// All four 0.
    public static let zero = MetricScores(dsc: 0, precision: 0, recall: 0, iou: 0)
}

/// The evaluation of one image: one `ClassMetrics` per foreground class, and their mean.
public struct ImageMetrics: Sendable, Equatable, Codable {
    /// The image's name (for the CSV rows).
    public var name: String
    /// The scores of each evaluated (foreground) class, in class order.
    public var perClass: [ClassMetrics]

    /// Mean over the evaluated classes of each score (for two classes: the foreground's).
    public var mean: MetricScores {
        guard !perClass.isEmpty else { return .zero }
        let n = Double(perClass.count)
        return MetricScores(
            dsc: perClass.map(\.dsc).reduce(0, +) / n, precision: perClass.map(\.precision).reduce(0, +) / n,
            recall: perClass.map(\.recall).reduce(0, +) / n, iou: perClass.map(\.iou).reduce(0, +) / n)
    }

    /// Mean DSC over the evaluated classes.
    public var dsc: Double { mean.dsc }
    /// Mean precision over the evaluated classes.
    public var precision: Double { mean.precision }
    /// Mean recall over the evaluated classes.
    public var recall: Double { mean.recall }
    /// Mean IoU over the evaluated classes.
    public var iou: Double { mean.iou }

    /// True when every evaluated class has boundary scores.
    public var hasBoundary: Bool { !perClass.isEmpty && perClass.allSatisfy { $0.boundary != nil } }

    /// Mean HD95 over the evaluated classes (`+∞` if one of them is `+∞`), or nil without
    /// boundary scores.
    public var hd95: Double? { boundaryMean(\.hd95) }
    /// Mean ASSD over the evaluated classes (`+∞` if one of them is `+∞`), or nil without
    /// boundary scores.
    public var assd: Double? { boundaryMean(\.assd) }
    /// Mean NSD over the evaluated classes, or nil without boundary scores.
    public var nsd: Double? { boundaryMean(\.nsd) }

    private func boundaryMean(_ key: KeyPath<BoundaryScores, Double>) -> Double? {
        guard hasBoundary else { return nil }
        return perClass.map { $0.boundary![keyPath: key] }.reduce(0, +) / Double(perClass.count)
    }
}
