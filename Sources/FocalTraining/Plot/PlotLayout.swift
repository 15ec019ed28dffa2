import Foundation

/// The geometry of a `LinePlot`, in document pixels (origin top-left, y down), shared by the
/// SVG writer (`LinePlot.svg()`) and the raster renderer (`LinePlot.rasterImage(scale:)`): the
/// plot area, data → pixel mapping, ticks with their labels, every text item with its anchor,
/// the curves split into drawable segments, reference lines and legend entries, and the styles
/// (colours, stroke widths, dash patterns) both renderers draw them with.
///
/// Margins: left = 26 + widest y tick label + 20 when there is a y label; right = 16 + legend
/// width (widest series name + 44); top = 40 with a title, else 16; bottom = 34 + 20 when there is
/// an x label. Text widths are estimated as 0.6 × font size per character (a typical sans-serif
/// average), so the layout does not depend on a font renderer.
public struct PlotLayout: Sendable, Equatable {
    /// A point in document pixels.
    public struct Point: Sendable, Equatable {
        /// Horizontal position (right is positive).
        public var x: Double
        /// Vertical position (down is positive).
        public var y: Double
    }

    /// How a text item sits horizontally on its anchor point (SVG `text-anchor`).
    public enum TextAnchor: String, Sendable, Equatable {
        /// The text starts at the anchor.
        case start
        /// The text is centred on the anchor.
        case middle
        /// The text ends at the anchor.
        case end
    }

    /// One piece of text: `position` is the anchor on the baseline (before rotation).
    public struct Text: Sendable, Equatable {
        /// The string.
        public var string: String
        /// Anchor point on the baseline.
        public var position: Point
        /// Horizontal alignment on the anchor.
        public var anchor: TextAnchor
        /// Font size in document pixels.
        public var fontSize: Double
        /// Bold face (the title).
        public var bold: Bool
        /// Fill colour (CSS hex).
        public var color: String
        /// Rotated by −90° about `position` (reads bottom to top; the y label).
        public var rotated: Bool
    }

    /// An axis tick: its value, its pixel position along the axis (where the grid line is)
    /// and its label (below the plot area for x, left of it for y).
    public struct Tick: Sendable, Equatable {
        /// Data value.
        public var value: Double
        /// Pixel x (x axis) or y (y axis).
        public var position: Double
        /// The tick label.
        public var label: Text
    }

    /// A series mapped to pixels: runs of consecutive drawable points (non-finite points, and
    /// y ≤ 0 on a log axis, end a run). A run of one point is drawn as a dot.
    public struct Curve: Sendable, Equatable {
        /// Legend name.
        public var name: String
        /// Stroke colour (the series' own, else the palette's).
        public var color: String
        /// Dashed stroke.
        public var dashed: Bool
        /// The runs, in pixels.
        public var segments: [[Point]]
    }

    /// A horizontal reference line mapped to pixels.
    public struct Reference: Sendable, Equatable {
        /// Data value.
        public var value: Double
        /// Pixel y of the line.
        public var y: Double
        /// Stroke colour.
        public var color: String
        /// The label at the right end of the line, if any.
        public var label: Text?
    }

    /// One legend row: a short line (the swatch) and the series name.
    public struct LegendEntry: Sendable, Equatable {
        /// Swatch start (left end).
        public var swatchStart: Point
        /// Swatch end (right end).
        public var swatchEnd: Point
        /// Swatch colour.
        public var color: String
        /// Dashed swatch.
        public var dashed: Bool
        /// The series name.
        public var label: Text
    }

    /// Colours, stroke widths and dash patterns (document pixels) both renderers use.
    public enum Style {
        /// Background fill.
        public static let background = "#ffffff"
        /// Grid line colour.
        public static let grid = "#e3e3e3"
        /// Tick label and default text colour.
        public static let text = "#333333"
        /// Plot frame colour.
        public static let frame = "#555555"
        /// The "no data" note's colour.
        public static let note = "#888888"
        /// Grid and frame stroke width.
        public static let gridWidth = 1.0
        /// Curve stroke width (round caps and joins).
        public static let curveWidth = 1.8
        /// Reference line stroke width (round caps).
        public static let referenceWidth = 1.4
        /// Legend swatch stroke width (butt caps).
        public static let swatchWidth = 2.2
        /// Radius of the dot drawn for an isolated point.
        public static let dotRadius = 2.5
        /// Dash pattern (on, off) of dashed series and their swatches.
        public static let curveDash = [7.0, 4.0]
        /// Dash pattern (on, off) of reference lines.
        public static let referenceDash = [6.0, 4.0]
        /// Font size of axis, tick, legend and reference labels.
        public static let fontSize = 12.0
        /// Font size of the (bold) title.
        public static let titleFontSize = 15.0
    }

    /// Document width.
    public let width: Double
    /// Document height.
    public let height: Double
    /// Left edge of the plot area.
    public let left: Double
    /// Top edge of the plot area.
    public let top: Double
    /// Plot area width.
    public let plotWidth: Double
    /// Plot area height.
    public let plotHeight: Double
    /// Logarithmic y axis.
    public let logY: Bool
    /// The x range the plot area spans.
    public let xRange: ClosedRange<Double>
    /// The y range the plot area spans (log10 of the values on a log axis).
    public let yAxisRange: ClosedRange<Double>
    /// x ticks (grid lines and labels below the plot area).
    public let xTicks: [Tick]
    /// y ticks (grid lines and labels left of the plot area).
    public let yTicks: [Tick]
    /// Title, x label and rotated y label, when present.
    public let title: Text?, xLabel: Text?, yLabel: Text?
    /// Curves in drawing order.
    public let curves: [Curve]
    /// Reference lines with a finite value (positive on a log axis).
    public let references: [Reference]
    /// Legend rows, one per series.
    public let legend: [LegendEntry]
    /// "no data", centred, when no point is drawable.
    public let noData: Text?

    /// The plot area's right edge.
    public var right: Double { left + plotWidth }
    /// The plot area's bottom edge.
    public var bottom: Double { top + plotHeight }

    /// Pixel x of data `x`: `left + (x − x₀)/(x₁ − x₀) · plotWidth`.
    public func pixelX(_ x: Double) -> Double {
        left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth
    }

    /// Pixel y of data `y`: `top + plotHeight − (v − y₀)/(y₁ − y₀) · plotHeight` with v = y
    /// (or log10 y on a log axis).
    public func pixelY(_ y: Double) -> Double {
        let v = logY ? log10(y) : y
        return top + plotHeight - (v - yAxisRange.lowerBound) / (yAxisRange.upperBound - yAxisRange.lowerBound) * plotHeight
    }

    /// Lays out `plot`. Throws `PlotError.invalidSize` when the document is smaller than
    /// 100×80 pixels (or not finite).
    public init(_ plot: LinePlot) throws {
        let width = plot.width, height = plot.height, logY = plot.logY
        guard width.isFinite, height.isFinite, width >= 100, height >= 80 else {
            throw PlotError.invalidSize("document size \(width)×\(height) must be at least 100×80")
        }
        func drawable(_ x: Double, _ y: Double) -> Bool { x.isFinite && y.isFinite && (!logY || y > 0) }
        // Data ranges.
        var xs: [Double] = [], ys: [Double] = []
        for s in plot.series {
            for (x, y) in zip(s.x, s.y) where drawable(x, y) {
                xs.append(x)
                ys.append(y)
            }
        }
        let refs = plot.referenceLines.filter { $0.value.isFinite && (!logY || $0.value > 0) }
        let integerX = !xs.isEmpty && xs.allSatisfy { $0.rounded() == $0 }
        let xTicks = xs.isEmpty
            ? AxisTicks.linear(low: 0, high: 1)
            : AxisTicks.linear(low: xs.min()!, high: xs.max()!, count: 7, integerStep: integerX)
        let xLo = xTicks.ticks.first!, xHi = xTicks.ticks.last!
        var yLo: Double, yHi: Double
        var yTickValues: [Double]
        var yLabels: [String]
        let yData = ys + refs.map(\.value)
        let yRange = plot.yRange
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
        // Margins.
        let fontSize = Style.fontSize
        let charWidth = fontSize * 0.6
        let yLabelWidth = Double(yLabels.map(\.count).max() ?? 1) * charWidth
        let legendWidth = plot.series.isEmpty ? 0 : Double(plot.series.map(\.name.count).max() ?? 0) * charWidth + 44
        let left = 26 + yLabelWidth + (plot.yLabel.isEmpty ? 0 : 20)
        let right = 16 + legendWidth
        let top = plot.title.isEmpty ? 16.0 : 40.0
        let bottom = 34 + (plot.xLabel.isEmpty ? 0 : 20.0)
        let plotW = Swift.max(width - left - right, 20), plotH = Swift.max(height - top - bottom, 20)

        self.width = width
        self.height = height
        self.left = left
        self.top = top
        self.plotWidth = plotW
        self.plotHeight = plotH
        self.logY = logY
        self.xRange = xLo...xHi
        self.yAxisRange = yLo...yHi

        func text(_ s: String, _ x: Double, _ y: Double, _ anchor: TextAnchor, color: String = Style.text,
                  fontSize: Double = Style.fontSize, bold: Bool = false, rotated: Bool = false) -> Text {
            Text(string: s, position: Point(x: x, y: y), anchor: anchor, fontSize: fontSize, bold: bold,
                 color: color, rotated: rotated)
        }
        let px = { (x: Double) in left + (x - xLo) / (xHi - xLo) * plotW }
        let py = { (y: Double) in top + plotH - ((logY ? log10(y) : y) - yLo) / (yHi - yLo) * plotH }
        self.xTicks = xTicks.ticks.map { t in
            let x = px(t)
            return Tick(value: t, position: x, label: text(AxisTicks.label(t, step: xTicks.step), x, top + plotH + 18, .middle))
        }
        self.yTicks = zip(yTickValues, yLabels).map { t, label in
            let y = py(t)
            return Tick(value: t, position: y, label: text(label, left - 6, y + 4, .end))
        }
        title = plot.title.isEmpty ? nil
            : text(plot.title, left + plotW / 2, top - 14, .middle, color: "#000000", fontSize: Style.titleFontSize, bold: true)
        xLabel = plot.xLabel.isEmpty ? nil : text(plot.xLabel, left + plotW / 2, height - 10, .middle, color: "#000000")
        yLabel = plot.yLabel.isEmpty ? nil : text(plot.yLabel, 16, top + plotH / 2, .middle, color: "#000000", rotated: true)

        func color(_ k: Int) -> String { plot.series[k].color ?? LinePlot.palette[k % LinePlot.palette.count] }
        curves = plot.series.enumerated().map { k, s in
            var segments: [[Point]] = [[]]
            for (x, y) in zip(s.x, s.y) {
                if drawable(x, y) {
                    segments[segments.count - 1].append(Point(x: px(x), y: py(y)))
                } else if !segments[segments.count - 1].isEmpty {
                    segments.append([])
                }
            }
            return Curve(name: s.name, color: color(k), dashed: s.dashed, segments: segments.filter { !$0.isEmpty })
        }
        references = refs.map { r in
            let y = py(r.value)
            let label = r.label.flatMap { $0.isEmpty ? nil : text($0, left + plotW - 4, y - 5, .end, color: r.color) }
            return Reference(value: r.value, y: y, color: r.color, label: label)
        }
        let lx = left + plotW + 14
        legend = plot.series.enumerated().map { k, s in
            let y = top + 10 + Double(k) * 18
            return LegendEntry(swatchStart: Point(x: lx, y: y), swatchEnd: Point(x: lx + 22, y: y), color: color(k),
                               dashed: s.dashed, label: text(s.name, lx + 28, y + 4, .start, color: "#000000"))
        }
        noData = xs.isEmpty ? text("no data", left + plotW / 2, top + plotH / 2, .middle, color: Style.note) : nil
    }
}
