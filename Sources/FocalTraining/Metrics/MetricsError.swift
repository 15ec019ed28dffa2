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
    /// A label map's `height × width` is not positive or does not match its pixel count.
    case invalidGrid(image: String, height: Int, width: Int, pixels: Int)
    /// A pixel spacing that is not positive and finite.
    case invalidSpacing(dy: Double, dx: Double)
    /// A surface Dice tolerance that is negative or not finite.
    case invalidTolerance(Double)

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
        case let .invalidGrid(image, height, width, pixels):
            return "boundary metrics for \(image.isEmpty ? "an image" : "'\(image)'"): a \(height)×\(width) grid "
                + "does not fit \(pixels) pixels (height and width must be positive, their product the pixel count)"
        case let .invalidSpacing(dy, dx):
            return "boundary metrics: pixel spacing \(dy)×\(dx) must be positive and finite"
        case let .invalidTolerance(t):
            return "boundary metrics: surface Dice tolerance \(t) must be finite and at least 0"
        case let .invalidScoresShape(shape):
            return "argmax: scores must be [C, H, W] or [N, C, H, W] with C ≥ 1, got shape \(shape)"
        }
    }
}
