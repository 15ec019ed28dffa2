import Foundation

/// A line chart written as a standalone SVG document: several named series of (x, y) points,
/// axes with nice ticks and grid lines, title, axis labels, a legend, optional logarithmic y
/// axis and optional horizontal reference lines (e.g. the ε = 0.2 pruning threshold).
///
/// Used for loss curves (train and validation loss per epoch) and for the paper's Fig. 4 (the
/// learnt ε of each Focal module per epoch). Points with a non-finite coordinate (and y ≤ 0 on
/// a log axis) are skipped and break the line there; an isolated point is drawn as a dot. A
/// plot without any drawable point still renders its frame, axes and legend.
///
/// ```swift
/// var plot = LinePlot(title: "Loss", xLabel: "epoch", yLabel: "loss")
/// try plot.add(LinePlot.Series(name: "train", x: epochs, y: trainLoss))
/// try plot.add(LinePlot.Series(name: "validation", x: epochs, y: valLoss))
/// try plot.write(to: URL(fileURLWithPath: "loss.svg"))
/// ```
public struct LinePlot: Sendable, Equatable {
    /// One named curve.
    public struct Series: Sendable, Equatable {
        /// Legend name.
        public var name: String
        /// x coordinates.
        public private(set) var x: [Double]
        /// y coordinates (same count as `x`).
        public private(set) var y: [Double]
        /// Stroke colour (any SVG colour); nil picks the next palette colour.
        public var color: String?
        /// Dashed stroke.
        public var dashed: Bool

        /// A series from its points; throws `PlotError.lengthMismatch` when counts differ.
        public init(name: String, x: [Double], y: [Double], color: String? = nil, dashed: Bool = false) throws {
            guard x.count == y.count else { throw PlotError.lengthMismatch(series: name, x: x.count, y: y.count) }
            self.name = name
            self.x = x
            self.y = y
            self.color = color
            self.dashed = dashed
        }

        /// A series of `values` at x = `firstX`, `firstX + 1`, … (e.g. one value per epoch).
        public init(name: String, values: [Double], firstX: Double = 1, color: String? = nil, dashed: Bool = false) {
            self.name = name
            self.x = values.indices.map { firstX + Double($0) }
            self.y = values
            self.color = color
            self.dashed = dashed
        }
    }

    /// A horizontal line across the plot at `value`, with an optional label.
    public struct ReferenceLine: Sendable, Equatable {
        /// The y value.
        public var value: Double
        /// Text drawn at the right end of the line.
        public var label: String?
        /// Stroke colour.
        public var color: String

        /// A dashed reference line at `value`.
        public init(value: Double, label: String? = nil, color: String = "#b03a2e") {
            self.value = value
            self.label = label
            self.color = color
        }
    }

    /// The colours given to series without their own, in order.
    public static let palette = [
        "#1f5fa8", "#e07b00", "#2a9d4b", "#c8283c", "#7b4fa8",
        "#8c5a3c", "#d957a8", "#5f6b6d", "#9a9c17", "#1596a8",
    ]

    /// Title above the plot.
    public var title: String
    /// Label of the x axis.
    public var xLabel: String
    /// Label of the y axis.
    public var yLabel: String
    /// The curves, drawn in order.
    public var series: [Series] = []
    /// Horizontal reference lines.
    public var referenceLines: [ReferenceLine] = []
    /// Logarithmic y axis (points with y ≤ 0 are skipped).
    public var logY = false
    /// Fixed y range (nil = fit the data and reference lines). Lines are clipped to the plot.
    public var yRange: ClosedRange<Double>?
    /// Document width in pixels.
    public var width: Double = 760
    /// Document height in pixels.
    public var height: Double = 460

    /// An empty plot.
    public init(title: String = "", xLabel: String = "", yLabel: String = "") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Appends a series.
    public mutating func add(_ s: Series) { series.append(s) }

    /// Appends a series from points; throws `PlotError.lengthMismatch` when counts differ.
    public mutating func add(name: String, x: [Double], y: [Double]) throws {
        series.append(try Series(name: name, x: x, y: y))
    }

    /// Appends a horizontal reference line.
    public mutating func addReferenceLine(at value: Double, label: String? = nil) {
        referenceLines.append(ReferenceLine(value: value, label: label))
    }

    /// Writes `svg()` to `url` (atomically).
    public func write(to url: URL) throws {
        try Data(try svg().utf8).write(to: url, options: .atomic)
    }

    // MARK: - Rendering

    /// The geometry both renderers draw (see `PlotLayout`). Throws `PlotError.invalidSize`
    /// when the document is smaller than 100×80 pixels (or not finite).
    public func layout() throws -> PlotLayout { try PlotLayout(self) }

    /// The standalone SVG document (UTF-8 XML, text escaped). Throws `PlotError.invalidSize`
    /// when the document is smaller than 100×80 pixels (or not finite).
    public func svg() throws -> String {
        typealias Style = PlotLayout.Style
        let layout = try layout()
        let left = layout.left, top = layout.top, plotW = layout.plotWidth, plotH = layout.plotHeight
        func n(_ v: Double) -> String { String(format: "%.2f", v) }
        /// Style constants as written in the document: shortest form (`1.8`, `15`).
        func g(_ v: Double) -> String { String(format: "%g", v) }
        func dash(_ pattern: [Double]) -> String { pattern.map(g).joined(separator: " ") }
        func x(_ t: PlotLayout.Text) -> String { Self.escape(t.string) }
        func at(_ t: PlotLayout.Text) -> String { "x=\"\(n(t.position.x))\" y=\"\(n(t.position.y))\"" }
        /// A `<text>` element of `t`, with further `attributes` (each with its leading space).
        func text(_ t: PlotLayout.Text, _ attributes: String = "") -> String { "<text \(at(t))\(attributes)>\(x(t))</text>\n" }
        /// A `<line>` element from `(x1, y1)` to `(x2, y2)`, with further `attributes`.
        func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ attributes: String = "") -> String {
            "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\"\(attributes)/>\n"
        }

        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
            viewBox="0 0 \(n(width)) \(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="\(n(Style.fontSize))">

            """
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(Style.background)\"/>\n"
        out += "<defs><clipPath id=\"plot-area\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\"/></clipPath></defs>\n"
        if let t = layout.title {
            out += text(t, " text-anchor=\"middle\" font-size=\"\(g(t.fontSize))\" font-weight=\"bold\"")
        }
        // Grid and ticks.
        out += "<g stroke=\"\(Style.grid)\" stroke-width=\"\(g(Style.gridWidth))\">\n"
        for t in layout.xTicks {
            out += line(t.position, top, t.position, layout.bottom)
        }
        for t in layout.yTicks {
            out += line(left, t.position, layout.right, t.position)
        }
        out += "</g>\n"
        out += "<g fill=\"\(Style.text)\">\n"
        for t in layout.xTicks {
            out += text(t.label, " text-anchor=\"middle\"")
        }
        for t in layout.yTicks {
            out += text(t.label, " text-anchor=\"end\"")
        }
        out += "</g>\n"
        if let t = layout.xLabel {
            out += text(t, " text-anchor=\"middle\"")
        }
        if let t = layout.yLabel {
            let cx = n(t.position.x), cy = n(t.position.y)
            out += text(t, " text-anchor=\"middle\" transform=\"rotate(-90 \(cx) \(cy))\"")
        }
        // Curves.
        out += "<g clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"\(g(Style.curveWidth))\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n"
        for r in layout.references {
            out += line(left, r.y, layout.right, r.y,
                        " stroke=\"\(Self.escape(r.color))\" stroke-dasharray=\"\(dash(Style.referenceDash))\" stroke-width=\"\(g(Style.referenceWidth))\"")
        }
        for c in layout.curves {
            let color = Self.escape(c.color)
            let dashed = c.dashed ? " stroke-dasharray=\"\(dash(Style.curveDash))\"" : ""
            for seg in c.segments {
                if seg.count == 1 {
                    out += "<circle cx=\"\(n(seg[0].x))\" cy=\"\(n(seg[0].y))\" r=\"\(g(Style.dotRadius))\" fill=\"\(color)\" stroke=\"none\"/>\n"
                } else {
                    let points = seg.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
                    out += "<polyline points=\"\(points)\" stroke=\"\(color)\"\(dashed)/>\n"
                }
            }
        }
        out += "</g>\n"
        for r in layout.references {
            guard let t = r.label else { continue }
            out += text(t, " text-anchor=\"end\" fill=\"\(Self.escape(t.color))\"")
        }
        // Frame and legend.
        out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" fill=\"none\" stroke=\"\(Style.frame)\" stroke-width=\"\(g(Style.gridWidth))\"/>\n"
        if !layout.legend.isEmpty {
            out += "<g>\n"
            for e in layout.legend {
                let color = Self.escape(e.color)
                let dashed = e.dashed ? " stroke-dasharray=\"\(dash(Style.curveDash))\"" : ""
                out += line(e.swatchStart.x, e.swatchStart.y, e.swatchEnd.x, e.swatchEnd.y,
                            " stroke=\"\(color)\" stroke-width=\"\(g(Style.swatchWidth))\"\(dashed)")
                out += text(e.label)
            }
            out += "</g>\n"
        }
        if let t = layout.noData {
            out += text(t, " text-anchor=\"middle\" fill=\"\(t.color)\"")
        }
        out += "</svg>\n"
        return out
    }

    /// Escapes text for XML content and attribute values (`& < > " '`), dropping characters
    /// XML 1.0 does not allow (control characters other than tab, newline, carriage return).
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = u.value
                if v < 0x20 && v != 0x9 && v != 0xA && v != 0xD { continue }
                if v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
