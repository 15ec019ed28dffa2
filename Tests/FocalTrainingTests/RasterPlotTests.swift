import FocalData
import FocalNets
import FocalTraining
import Foundation
import Testing

/// Pixel access to a rendered 8-bit RGB `Image` (planar Floats).
private struct Pixels {
    let image: Image
    var width: Int { image.width }
    var height: Int { image.height }

    func callAsFunction(_ row: Int, _ column: Int) -> RGBColor {
        let plane = image.width * image.height, k = row * image.width + column
        return RGBColor(red: UInt8(image.pixels[k]), green: UInt8(image.pixels[plane + k]), blue: UInt8(image.pixels[2 * plane + k]))
    }

    /// Grey (white, grid, frame, text): every colour the plot draws besides the series is neutral,
    /// and any blend of a saturated colour over them is not.
    func isNeutral(_ row: Int, _ column: Int) -> Bool {
        let c = self(row, column)
        return c.red == c.green && c.green == c.blue
    }
}

@Suite("RasterPlot")
struct RasterPlotTests {
    static let magenta = "#d02090"
    static let magentaRGB = RGBColor(red: 0xd0, green: 0x20, blue: 0x90)

    /// A plot of one series in magenta over 0…1, scale 2.
    private func render(_ y: [Double], dashed: Bool = false, reference: Double? = nil) throws -> (Pixels, PlotLayout) {
        var plot = LinePlot(title: "t", xLabel: "epoch", yLabel: "ε")
        plot.add(LinePlot.Series(name: "s", values: y, color: Self.magenta, dashed: dashed))
        plot.yRange = 0...1
        if let r = reference { plot.addReferenceLine(at: r, label: "prune") }
        return (Pixels(image: try plot.rasterImage(scale: 2)), try plot.layout())
    }

    /// Plot-area pixel ranges (scale 2), leaving out the frame's pixels.
    private func plotArea(_ l: PlotLayout) -> (rows: Range<Int>, columns: Range<Int>) {
        (Int((l.top * 2).rounded()) + 2..<Int((l.bottom * 2).rounded()) - 2,
         Int((l.left * 2).rounded()) + 2..<Int((l.right * 2).rounded()) - 2)
    }

    @Test("a horizontal series is drawn in its colour on the row the layout gives, and nowhere else")
    func horizontalSeries() throws {
        let (px, layout) = try render([0.5, 0.5, 0.5])
        #expect(px.width == 1520 && px.height == 920)
        let yc = layout.pixelY(0.5) * 2, x0 = layout.pixelX(1) * 2, x1 = layout.pixelX(3) * 2
        let hw = PlotLayout.Style.curveWidth  // half of 1.8 × 2
        // The rows whose centres lie within hw − ½ of the line are fully covered.
        let fullRows = (0..<px.height).filter { abs(Double($0) + 0.5 - yc) <= hw - 0.5 }
        #expect(fullRows.count >= 2)
        for r in fullRows {
            for c in stride(from: Int(x0) + 2, to: Int(x1) - 2, by: 7) { #expect(px(r, c) == Self.magentaRGB, "row \(r) col \(c)") }
        }
        // Any coloured pixel of the plot area is within the stroke (plus one pixel of anti-aliasing).
        let area = plotArea(layout)
        var stray = 0, coloured = 0
        for r in area.rows {
            for c in area.columns where !px.isNeutral(r, c) {
                coloured += 1
                let p = (x: Double(c) + 0.5, y: Double(r) + 0.5)
                let dx = p.x < x0 ? x0 - p.x : p.x > x1 ? p.x - x1 : 0
                if (dx * dx + (p.y - yc) * (p.y - yc)).squareRoot() > hw + 1 { stray += 1 }
            }
        }
        #expect(stray == 0)
        #expect(coloured >= Int(x1 - x0) * 3)
    }

    @Test("a dashed series has gaps: dashes repeat every (7 + 4)·scale pixels")
    func dashed() throws {
        let (px, layout) = try render([0.5, 0.5, 0.5], dashed: true)
        let row = Int(layout.pixelY(0.5) * 2)
        let x0 = Int(layout.pixelX(1) * 2), x1 = Int(layout.pixelX(3) * 2)
        var starts: [Int] = [], gapPixels = 0
        var inside = false
        for c in (x0 - 4)..<(x1 + 4) {  // round caps reach 1.8 px beyond the ends
            let on = !px.isNeutral(row, c)
            if on && !inside { starts.append(c) }
            if !on { gapPixels += 1 }
            inside = on
        }
        let expectedDashes = (x1 - x0) / 22
        #expect(starts.count >= expectedDashes && starts.count <= expectedDashes + 1)
        let periods = zip(starts, starts.dropFirst()).map { $1 - $0 }
        // x = 1 is the plot area's left edge, so the first dash starts clipped there; the next one's
        // round cap reaches 1.8 px (+ ½ px of anti-aliasing) before its start at 22.
        #expect(periods.count > 10 && (18...21).contains(periods[0]), "\(periods)")
        #expect(periods.dropFirst().allSatisfy { abs($0 - 22) <= 1 }, "\(periods)")
        // Gap = 4·2 − the two round caps (1.8 each at scale 2) ≈ 4.4 px per period.
        let gap = Double(gapPixels) / Double(starts.count)
        #expect(gap > 3 && gap < 6, "mean gap \(gap)")
    }

    @Test("the reference line is at the row of its value, its label in the line's colour above it")
    func referenceLine() throws {
        let (px, layout) = try render([0.9, 0.9], reference: 0.2)
        let reference = try #require(layout.references.first)
        let refColor = try RGBColor(hexString: reference.color)
        let yc = layout.pixelY(0.2) * 2
        #expect(abs(reference.y * 2 - yc) < 1e-9)
        let label = try #require(reference.label)
        let labelWidth = Double(BitmapFont.standard.width(of: label.string, scale: 2))
        let area = plotArea(layout)
        let lastColumn = Int(label.position.x * 2 - labelWidth) - 2
        var onLine = 0, off = 0
        for r in area.rows {
            for c in area.columns.lowerBound..<lastColumn where px(r, c) == refColor {
                if abs(Double(r) + 0.5 - yc) <= 1.4 { onLine += 1 } else { off += 1 }
            }
        }
        #expect(off == 0)
        #expect(onLine > (lastColumn - area.columns.lowerBound) / 2)  // dashes 6 on, 4 off, plus caps
        // The label's pixels lie above the line, right-aligned at the right end.
        var labelPixels = 0
        for r in Int(yc) - 40..<Int(yc) - 4 {
            for c in lastColumn..<area.columns.upperBound where px(r, c) == refColor { labelPixels += 1 }
        }
        #expect(labelPixels > 20)
    }

    @Test("text sets pixels inside its measured box and none outside, upright, rotated and bold")
    func textBox() throws {
        let font = BitmapFont.standard
        let text = "Focal ε ±0.2 γδλ×·− gjpqy"
        for (rotated, bold) in [(false, false), (true, false), (false, true)] {
            var canvas = try RasterCanvas(width: 420, height: 420)
            let (x, baseline) = rotated ? (200, 380) : (10, 200)
            font.draw(text, on: &canvas, x: x, baseline: baseline, scale: 2, color: RGBColor(red: 0, green: 0, blue: 0),
                      bold: bold, rotated: rotated)
            let box = font.bounds(of: text, x: x, baseline: baseline, scale: 2, bold: bold, rotated: rotated)
            var inside = 0, outside = 0
            for r in 0..<canvas.height {
                for c in 0..<canvas.width where canvas[r, c] != RGBColor(red: 255, green: 255, blue: 255) {
                    let inBox = Double(c) >= box.minX && Double(c) < box.maxX && Double(r) >= box.minY && Double(r) < box.maxY
                    if inBox { inside += 1 } else { outside += 1 }
                }
            }
            #expect(outside == 0, "rotated \(rotated) bold \(bold)")
            #expect(inside > 100)
            // Text touches all four sides of its box (the box is tight): first and last columns, cap top, descender bottom.
            func any(_ rows: ClosedRange<Int>, _ cols: ClosedRange<Int>) -> Bool {
                rows.contains { r in cols.contains { c in canvas[r, c] != RGBColor(red: 255, green: 255, blue: 255) } }
            }
            let (r0, r1, c0, c1) = (Int(box.minY), Int(box.maxY) - 1, Int(box.minX), Int(box.maxX) - 1)
            #expect(any(r0...r0, c0...c1) && any(r1...r1, c0...c1) && any(r0...r1, c0...c0) && any(r0...r1, c1...c1))
        }
        #expect(font.width(of: "abc", scale: 3) == (18 - 1) * 3)
        #expect(font.width(of: "", scale: 2) == 0)
        // Every glyph has pixels, and an unknown character draws the box.
        for (c, g) in font.glyphs where c != " " { #expect(g.rows.contains { $0 != 0 }, "glyph \(c)") }
        #expect(!font.contains("€") && font.glyph("€") == BitmapFont.missingGlyph)
        #expect(font.glyphs.count == 95 + 8)
    }

    @Test("a NaN point leaves a gap: no pixels between the two segments")
    func nanGap() throws {
        let (px, layout) = try render([0.5, 0.5, .nan, 0.5, 0.5])
        let area = plotArea(layout)
        let hw = PlotLayout.Style.curveWidth
        let gap = Int(layout.pixelX(2) * 2 + hw + 1)..<Int(layout.pixelX(4) * 2 - hw - 1)
        #expect(gap.count > 50)
        var inGap = 0
        for r in area.rows { for c in gap where !px.isNeutral(r, c) { inGap += 1 } }
        #expect(inGap == 0)
        let row = Int(layout.pixelY(0.5) * 2)
        #expect(px(row, Int(layout.pixelX(1.5) * 2)) == Self.magentaRGB)
        #expect(px(row, Int(layout.pixelX(4.5) * 2)) == Self.magentaRGB)
    }

    @Test("the PNG round-trips through PNGCodec.read")
    func pngRoundTrip() throws {
        let history = (1...12).map { e in
            EpochRecord(epoch: e, trainLoss: 1 / Double(e), validationLoss: 1.2 / Double(e) + 0.05, validationDSC: 0.5,
                        learningRate: 1e-3, seconds: 1,
                        focalWeights: [FocalWeight(position: "enc0", epsilon: 1 - Float(e) * 0.07), FocalWeight(position: "skip1", epsilon: 0.9)])
        }
        let plot = TrainingPlots.focalWeights(history)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("focal-raster-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try plot.writePNG(to: url)
        let read = try PNGCodec.read(from: url)
        let image = try plot.rasterImage()
        #expect(read.width == 1520 && read.height == 920 && read.channels == 3 && read.bitDepth == 8)
        #expect(read.pixels == image.pixels)
        #expect(try PNGCodec.decode(try plot.png(scale: 1)).width == 760)
    }

    @Test("the font covers every character of the training plots' titles, labels, legends and ticks")
    func glyphCoverage() throws {
        let names = ["enc0", "enc3", "bottleneck", "dec2", "skip0", "skip3"]
        let history = (1...3).map { e in
            EpochRecord(epoch: e, trainLoss: 0.5, validationLoss: 0.6, validationDSC: 0.5, learningRate: 1e-3, seconds: 1,
                        focalWeights: names.map { FocalWeight(position: $0, epsilon: 0.3) })
        }
        for plot in [TrainingPlots.loss(history), TrainingPlots.focalWeights(history)] {
            let layout = try plot.layout()
            var texts = [layout.title, layout.xLabel, layout.yLabel].compactMap { $0?.string }
            texts += layout.legend.map(\.label.string) + layout.references.compactMap { $0.label?.string }
            texts += (layout.xTicks + layout.yTicks).map(\.label.string)
            for t in texts {
                for c in t { #expect(BitmapFont.standard.contains(c), "'\(c)' in '\(t)'") }
            }
        }
    }

    @Test("CSS hex colours parse; bad colours and scales are typed errors")
    func colours() throws {
        #expect(try RGBColor(hexString: "#1f77b4") == RGBColor(red: 0x1f, green: 0x77, blue: 0xb4))
        #expect(try RGBColor(hexString: "#ABC") == RGBColor(red: 0xaa, green: 0xbb, blue: 0xcc))
        #expect(try RGBColor(hexString: " #000000 ") == RGBColor(red: 0, green: 0, blue: 0))
        #expect(RGBColor(red: 0x1f, green: 0x77, blue: 0xb4).hexString == "#1f77b4")
        for bad in ["", "#", "#12", "#1234", "#12345g", "red", "1f77b4", "#1f77b4ff"] {
            #expect(throws: PlotError.invalidColor(bad)) { try RGBColor(hexString: bad) }
        }
        var plot = LinePlot(title: "t")
        plot.add(LinePlot.Series(name: "s", values: [1, 2], color: "blue"))
        #expect(throws: PlotError.invalidColor("blue")) { try plot.rasterImage() }
        plot.series[0].color = nil
        #expect(throws: PlotError.self) { try plot.rasterImage(scale: 0) }
        plot.width = 50
        #expect(throws: PlotError.self) { try plot.rasterImage() }
    }

    @Test("canvas strokes: exact coverage on pixel edges, clipping, far-away points")
    func canvasStrokes() throws {
        let black = RGBColor(red: 0, green: 0, blue: 0), white = RGBColor(red: 255, green: 255, blue: 255)
        var canvas = try RasterCanvas(width: 40, height: 20)
        // A 2-pixel line on the boundary y = 10 covers rows 9 and 10 fully, nothing else.
        canvas.strokeLine(from: SIMD2(5, 10), to: SIMD2(35, 10), width: 2, color: black)
        #expect((5..<35).allSatisfy { canvas[9, $0] == black && canvas[10, $0] == black })
        #expect((0..<40).allSatisfy { canvas[8, $0] == white && canvas[11, $0] == white })
        #expect(canvas[10, 4] == white && canvas[10, 35] == white)  // butt caps
        // A 1-pixel line on a boundary covers its two rows by half each.
        var half = try RasterCanvas(width: 20, height: 20)
        half.strokeLine(from: SIMD2(0, 10), to: SIMD2(20, 10), width: 1, color: black)
        #expect(half[9, 10].red == 128 && half[10, 10].red == 128 && half[8, 10] == white)
        // Clipped strokes stay inside the clip; a dashed stroke to a point 1e300 away returns at once.
        var clipped = try RasterCanvas(width: 40, height: 40)
        clipped.strokePolyline([SIMD2(0, 20), SIMD2(40, 20), SIMD2(20, 1e300)], width: 3, color: black, dash: [4, 2],
                               clip: .init(x: 10, y: 10, width: 20, height: 20))
        for r in 0..<40 {
            for c in 0..<40 where clipped[r, c] != white { #expect(r >= 10 && r < 30 && c >= 10 && c < 30) }
        }
        #expect(clipped[20, 15] != white || clipped[20, 16] != white)
        #expect(throws: PlotError.self) { try RasterCanvas(width: 0, height: 10) }
    }
}
