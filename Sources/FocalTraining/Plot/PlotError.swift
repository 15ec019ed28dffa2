/// Errors of the plotting code.
public enum PlotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A series' x and y arrays differ in length.
    case lengthMismatch(series: String, x: Int, y: Int)
    /// Width or height is not a positive finite number, or a heatmap's size does not fit.
    case invalidSize(String)

    /// A readable explanation.
    public var description: String {
        switch self {
        case let .lengthMismatch(series, x, y):
            return "plot series '\(series)': \(x) x values but \(y) y values"
        case let .invalidSize(message):
            return "plot: \(message)"
        }
    }
}
