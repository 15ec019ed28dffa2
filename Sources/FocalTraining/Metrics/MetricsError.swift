/// Errors of the metrics: label maps that do not fit together or hold invalid labels.
public enum MetricsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Prediction and truth have different pixel counts.
    case sizeMismatch(image: String, prediction: Int, truth: Int)
    /// A label is negative, not an integer, not finite, or not below the class count.
    case invalidLabel(image: String, which: String, index: Int, value: Double, classes: Int)
    /// Fewer than 2 classes, or an evaluated class outside `0..<classes`.
    case invalidClasses(String)
    /// Scores have the wrong rank or shape for `argmax`.
    case invalidScoresShape([Int])

    /// A readable explanation.
    public var description: String {
        switch self {
        case let .sizeMismatch(image, prediction, truth):
            return "metrics for \(image.isEmpty ? "an image" : "'\(image)'"): prediction has \(prediction) pixels, truth has \(truth)"
        case let .invalidLabel(image, which, index, value, classes):
            return "metrics for \(image.isEmpty ? "an image" : "'\(image)'"): \(which) label \(value) at pixel \(index) "
                + "is not an integer class in 0..<\(classes)"
        case let .invalidClasses(message):
            return "metrics: \(message)"
        case let .invalidScoresShape(shape):
            return "argmax: scores must be [C, H, W] or [N, C, H, W] with C ≥ 1, got shape \(shape)"
        }
    }
}
