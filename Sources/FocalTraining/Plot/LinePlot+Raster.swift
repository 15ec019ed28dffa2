import FocalData
import Foundation

/// PNG output for `LinePlot`, for viewing without an SVG renderer: the same `PlotLayout` the
/// SVG writer uses, drawn on a `RasterCanvas` with `BitmapFont` text, `scale` canvas pixels per
/// document pixel (default 2, so the bitmap text stays legible).
///
/// Drawing follows the SVG document element by element: background, title, grid, tick labels,
/// axis labels, then clipped to the plot area the reference lines (dashed 6 4) and the curves
/// (round caps and joins, dashed 7 4 when asked, a dot for an isolated point), the reference
/// labels, the frame and the legend (butt-capped swatches). Text is set in the bitmap font
/// at the integer size nearest the SVG's: `max(1, round(0.72 · fontSize · scale / 7))` font
/// pixels per glyph pixel (0.72 em is a typical sans-serif cap height; the glyphs are 7 pixels
/// tall), and anchored the way the SVG's `text-anchor` does.
extension LinePlot {
    /// The plot as an RGB image (`Image` with 3 channels, bit depth 8, values 0…255), of size
    /// `round(width · scale) × round(height · scale)`. Throws `PlotError.invalidSize` for a
    /// document below 100×80, a `scale` outside 1…16 or an image above
    /// `RasterCanvas.maximumPixels`; `PlotError.invalidColor` when a series or reference line
    /// colour is not `#rgb`/`#rrggbb`.
    public func rasterImage(scale: Int = 2) throws -> Image {
        try rasterCanvas(scale: scale).image
    }

    /// The plot as PNG bytes (8-bit RGB); see `rasterImage(scale:)`.
    public func png(scale: Int = 2) throws -> Data {
        try PNGCodec.encode(try rasterImage(scale: scale), as: .rgb8)
    }

    /// Writes the plot as an 8-bit RGB PNG to `url` (atomically); see `rasterImage(scale:)`.
    public func writePNG(to url: URL, scale: Int = 2) throws {
        try PNGCodec.write(try rasterImage(scale: scale), to: url, as: .rgb8)
    }

    /// The bitmap font scale for text of `fontSize` document pixels at `scale`.
    static func fontScale(_ fontSize: Double, scale: Int) -> Int {
        Swift.max(1, Int((0.72 * fontSize * Double(scale) / Double(BitmapFont.ascent)).rounded()))
    }

    /// Renders the plot on a canvas (see `rasterImage(scale:)`).
    func rasterCanvas(scale: Int) throws -> RasterCanvas {
        typealias Style = PlotLayout.Style
        guard (1...16).contains(scale) else { throw PlotError.invalidSize("raster scale \(scale) must be in 1…16") }
        let layout = try layout()
        let s = Double(scale)
        let pixelWidth = Int((layout.width * s).rounded()), pixelHeight = Int((layout.height * s).rounded())
        // Every colour is parsed before anything is drawn, so a bad one fails cleanly.
        var colors: [String: RGBColor] = [:]
        let used = [Style.background, Style.grid, Style.text, Style.frame, Style.note, "#000000"]
            + layout.curves.map(\.color) + layout.references.map(\.color)
        for c in used where colors[c] == nil { colors[c] = try RGBColor(hexString: c) }
        var canvas = try RasterCanvas(width: pixelWidth, height: pixelHeight, background: colors[Style.background]!)
        func point(_ p: PlotLayout.Point) -> SIMD2<Double> { SIMD2(p.x * s, p.y * s) }
        let font = BitmapFont.standard
        func draw(_ t: PlotLayout.Text) {
            let fs = Self.fontScale(t.fontSize, scale: scale)
            let w = Double(font.width(of: t.string, scale: fs, bold: t.bold))
            let shift = t.anchor == .start ? 0 : t.anchor == .middle ? w / 2 : w
            let ax = t.position.x * s, ay = t.position.y * s
            let color = colors[t.color] ?? colors["#000000"]!
            if t.rotated {
                // Reads upwards from the start point; the anchor shifts along the rotated baseline.
                font.draw(t.string, on: &canvas, x: Int(ax.rounded()), baseline: Int((ay + shift).rounded()),
                          scale: fs, color: color, bold: t.bold, rotated: true)
            } else {
                font.draw(t.string, on: &canvas, x: Int((ax - shift).rounded()), baseline: Int(ay.rounded()),
                          scale: fs, color: color, bold: t.bold)
            }
        }
        let plotArea = RasterCanvas.Rectangle(x: layout.left * s, y: layout.top * s,
                                              width: layout.plotWidth * s, height: layout.plotHeight * s)
        if let t = layout.title { draw(t) }
        // Grid (1-pixel lines centred on the ticks, spanning the plot area) and tick labels.
        let g = Style.gridWidth * s
        for t in layout.xTicks {
            canvas.fill(.init(x: t.position * s - g / 2, y: plotArea.minY, width: g, height: plotArea.maxY - plotArea.minY),
                        color: colors[Style.grid]!)
        }
        for t in layout.yTicks {
            canvas.fill(.init(x: plotArea.minX, y: t.position * s - g / 2, width: plotArea.maxX - plotArea.minX, height: g),
                        color: colors[Style.grid]!)
        }
        for t in layout.xTicks { draw(t.label) }
        for t in layout.yTicks { draw(t.label) }
        if let t = layout.xLabel { draw(t) }
        if let t = layout.yLabel { draw(t) }
        // Clipped to the plot area: reference lines, then the curves.
        for r in layout.references {
            canvas.strokeLine(from: SIMD2(plotArea.minX, r.y * s), to: SIMD2(plotArea.maxX, r.y * s),
                              width: Style.referenceWidth * s, color: colors[r.color]!, cap: .round,
                              dash: Style.referenceDash.map { $0 * s }, clip: plotArea)
        }
        for c in layout.curves {
            let color = colors[c.color]!
            for seg in c.segments {
                if seg.count == 1 {
                    canvas.fillCircle(center: point(seg[0]), radius: Style.dotRadius * s, color: color, clip: plotArea)
                } else {
                    canvas.strokePolyline(seg.map(point), width: Style.curveWidth * s, color: color, cap: .round,
                                          dash: c.dashed ? Style.curveDash.map { $0 * s } : [], clip: plotArea)
                }
            }
        }
        for r in layout.references {
            if let t = r.label { draw(t) }
        }
        // Frame: a 1-pixel outline centred on the plot area's edges.
        let frame = colors[Style.frame]!
        let (x0, y0, x1, y1) = (plotArea.minX - g / 2, plotArea.minY - g / 2, plotArea.maxX + g / 2, plotArea.maxY + g / 2)
        canvas.fill(.init(x: x0, y: y0, width: x1 - x0, height: g), color: frame)
        canvas.fill(.init(x: x0, y: y1 - g, width: x1 - x0, height: g), color: frame)
        canvas.fill(.init(x: x0, y: y0 + g, width: g, height: y1 - y0 - 2 * g), color: frame)
        canvas.fill(.init(x: x1 - g, y: y0 + g, width: g, height: y1 - y0 - 2 * g), color: frame)
        for e in layout.legend {
            canvas.strokeLine(from: point(e.swatchStart), to: point(e.swatchEnd), width: Style.swatchWidth * s,
                              color: colors[e.color]!, cap: .butt, dash: e.dashed ? Style.curveDash.map { $0 * s } : [])
            draw(e.label)
        }
        if let t = layout.noData { draw(t) }
        return canvas
    }
}
