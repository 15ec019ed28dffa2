/// Errors of the plotting code.
public enum PlotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A series' x and y arrays differ in length.
    case lengthMismatch(series: String, x: Int, y: Int)
    /// Width or height is not a positive finite number, or a heatmap's size does not fit.
    case invalidSize(String)
    /// A colour string the raster renderer cannot parse (it takes `#rgb` and `#rrggbb`).
    case invalidColor(String)

    /// A readable explanation.
    public var description: String {
        switch self {
        case let .lengthMismatch(series, x, y):
            return "plot series '\(series)': \(x) x values but \(y) y values"
        case let .invalidSize(message):
            return "plot: \(message)"
        case let .invalidColor(color):
            return "plot: colour '\(color)' is not a CSS hex colour (#rgb or #rrggbb)"
        }
    }
}
