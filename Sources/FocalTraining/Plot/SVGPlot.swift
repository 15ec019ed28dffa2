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

    /// True when a point is drawn on this plot.
    private func drawable(_ x: Double, _ y: Double) -> Bool {
        x.isFinite && y.isFinite && (!logY || y > 0)
    }

    /// The standalone SVG document (UTF-8 XML, text escaped). Throws `PlotError.invalidSize`
    /// when the document is smaller than 100×80 pixels (or not finite).
    public func svg() throws -> String {
        guard width.isFinite, height.isFinite, width >= 100, height >= 80 else {
            throw PlotError.invalidSize("document size \(width)×\(height) must be at least 100×80")
        }
        // Data ranges.
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for (x, y) in zip(s.x, s.y) where drawable(x, y) {
                xs.append(x)
                ys.append(y)
            }
        }
        let refs = referenceLines.filter { $0.value.isFinite && (!logY || $0.value > 0) }
        let integerX = !xs.isEmpty && xs.allSatisfy { $0.rounded() == $0 }
        let xTicks = xs.isEmpty
            ? AxisTicks.linear(low: 0, high: 1)
            : AxisTicks.linear(low: xs.min()!, high: xs.max()!, count: 7, integerStep: integerX)
        let xLo = xTicks.ticks.first!, xHi = xTicks.ticks.last!
        var yLo: Double, yHi: Double
        var yTickValues: [Double]
        var yLabels: [String]
        let yData = ys + refs.map(\.value)
        if logY {
            var lo = yRange.map { Swift.max($0.lowerBound, .leastNormalMagnitude) } ?? yData.min() ?? 1
            var hi = yRange?.upperBound ?? yData.max() ?? 10
            if !(lo > 0) { lo = 1 }
            if !(hi > lo) { hi = lo * 10 }
            let ticks = AxisTicks.logarithmic(low: lo, high: hi)
            if yRange == nil {
                lo = ticks.first!
                hi = ticks.last!
            }
            (yLo, yHi) = (log10(lo), log10(hi))
            yTickValues = ticks.filter { log10($0) >= yLo - 1e-9 && log10($0) <= yHi + 1e-9 }
            yLabels = yTickValues.map(AxisTicks.logLabel)
        } else {
            let lo = yRange?.lowerBound ?? yData.min() ?? 0
            let hi = yRange?.upperBound ?? yData.max() ?? 1
            let t = AxisTicks.linear(low: lo, high: hi, count: 6)
            if let r = yRange, r.upperBound > r.lowerBound {
                (yLo, yHi) = (r.lowerBound, r.upperBound)
            } else {
                (yLo, yHi) = (t.ticks.first!, t.ticks.last!)
            }
            yTickValues = t.ticks.filter { $0 >= yLo - 1e-9 * t.step && $0 <= yHi + 1e-9 * t.step }
            yLabels = yTickValues.map { AxisTicks.label($0, step: t.step) }
        }
        // Layout.
        let fontSize = 12.0
        let charWidth = fontSize * 0.6
        let yLabelWidth = Double(yLabels.map(\.count).max() ?? 1) * charWidth
        let legendWidth = series.isEmpty ? 0 : Double(series.map(\.name.count).max() ?? 0) * charWidth + 44
        let left = 26 + yLabelWidth + (yLabel.isEmpty ? 0 : 20)
        let right = 16 + legendWidth
        let top = title.isEmpty ? 16.0 : 40.0
        let bottom = 34 + (xLabel.isEmpty ? 0 : 20.0)
        let plotW = Swift.max(width - left - right, 20), plotH = Swift.max(height - top - bottom, 20)
        func px(_ x: Double) -> Double { left + (x - xLo) / (xHi - xLo) * plotW }
        func py(_ y: Double) -> Double {
            let v = logY ? log10(y) : y
            return top + plotH - (v - yLo) / (yHi - yLo) * plotH
        }
        func n(_ v: Double) -> String { String(format: "%.2f", v) }

        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
            viewBox="0 0 \(n(width)) \(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="\(n(fontSize))">

            """
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>\n"
        out += "<defs><clipPath id=\"plot-area\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\"/></clipPath></defs>\n"
        if !title.isEmpty {
            out += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(top - 14))\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(Self.escape(title))</text>\n"
        }
        // Grid and ticks.
        out += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n"
        for t in xTicks.ticks { out += "<line x1=\"\(n(px(t)))\" y1=\"\(n(top))\" x2=\"\(n(px(t)))\" y2=\"\(n(top + plotH))\"/>\n" }
        for t in yTickValues { out += "<line x1=\"\(n(left))\" y1=\"\(n(py(t)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(py(t)))\"/>\n" }
        out += "</g>\n"
        out += "<g fill=\"#333333\">\n"
        for t in xTicks.ticks {
            out += "<text x=\"\(n(px(t)))\" y=\"\(n(top + plotH + 18))\" text-anchor=\"middle\">\(Self.escape(AxisTicks.label(t, step: xTicks.step)))</text>\n"
        }
        for (t, label) in zip(yTickValues, yLabels) {
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(py(t) + 4))\" text-anchor=\"end\">\(Self.escape(label))</text>\n"
        }
        out += "</g>\n"
        if !xLabel.isEmpty {
            out += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 10))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        }
        if !yLabel.isEmpty {
            let cx = 16.0, cy = top + plotH / 2
            out += "<text x=\"\(n(cx))\" y=\"\(n(cy))\" text-anchor=\"middle\" transform=\"rotate(-90 \(n(cx)) \(n(cy)))\">\(Self.escape(yLabel))</text>\n"
        }
        // Curves.
        out += "<g clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"1.8\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n"
        for r in refs {
            let y = py(r.value)
            out += "<line x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(left + plotW))\" y2=\"\(n(y))\" stroke=\"\(Self.escape(r.color))\" stroke-dasharray=\"6 4\" stroke-width=\"1.4\"/>\n"
        }
        for (k, s) in series.enumerated() {
            let color = Self.escape(s.color ?? Self.palette[k % Self.palette.count])
            let dash = s.dashed ? " stroke-dasharray=\"7 4\"" : ""
            var segments: [[(Double, Double)]] = [[]]
            for (x, y) in zip(s.x, s.y) {
                if drawable(x, y) {
                    segments[segments.count - 1].append((px(x), py(y)))
                } else if !segments[segments.count - 1].isEmpty {
                    segments.append([])
                }
            }
            for seg in segments where !seg.isEmpty {
                if seg.count == 1 {
                    out += "<circle cx=\"\(n(seg[0].0))\" cy=\"\(n(seg[0].1))\" r=\"2.5\" fill=\"\(color)\" stroke=\"none\"/>\n"
                } else {
                    let points = seg.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
                    out += "<polyline points=\"\(points)\" stroke=\"\(color)\"\(dash)/>\n"
                }
            }
        }
        out += "</g>\n"
        for r in refs {
            guard let label = r.label, !label.isEmpty else { continue }
            out += "<text x=\"\(n(left + plotW - 4))\" y=\"\(n(py(r.value) - 5))\" text-anchor=\"end\" fill=\"\(Self.escape(r.color))\">\(Self.escape(label))</text>\n"
        }
        // Frame and legend.
        out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1\"/>\n"
        if !series.isEmpty {
            let lx = left + plotW + 14
            out += "<g>\n"
            for (k, s) in series.enumerated() {
                let y = top + 10 + Double(k) * 18
                let color = Self.escape(s.color ?? Self.palette[k % Self.palette.count])
                let dash = s.dashed ? " stroke-dasharray=\"7 4\"" : ""
                out += "<line x1=\"\(n(lx))\" y1=\"\(n(y))\" x2=\"\(n(lx + 22))\" y2=\"\(n(y))\" stroke=\"\(color)\" stroke-width=\"2.2\"\(dash)/>\n"
                out += "<text x=\"\(n(lx + 28))\" y=\"\(n(y + 4))\">\(Self.escape(s.name))</text>\n"
            }
            out += "</g>\n"
        }
        if xs.isEmpty {
            out += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(top + plotH / 2))\" text-anchor=\"middle\" fill=\"#888888\">no data</text>\n"
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
