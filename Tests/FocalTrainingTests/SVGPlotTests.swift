import FocalCore
import FocalData
import FocalCommandSupport
import FocalTraining
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an XML document and records its elements (name + attributes) and text.
private final class XMLCollector: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
    }
    var elements: [Element] = []
    private var open: [Int] = []
    var error: Error?

    static func parse(_ svg: String) -> XMLCollector {
        let c = XMLCollector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = c
        if !parser.parse() { c.error = parser.parserError ?? CocoaError(.coderReadCorrupt) }
        return c
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        _ = open.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = open.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
    var texts: [String] { all("text").map(\.text) }
}

@Suite("SVGPlot")
struct SVGPlotTests {
    @Test("a loss plot is well-formed XML with title, labels, legend and one polyline per series")
    func wellFormed() throws {
        var plot = LinePlot(title: "Loss <train & val>", xLabel: "epoch", yLabel: "loss \"UFL\"")
        try plot.add(name: "train", x: [1, 2, 3, 4, 5], y: [0.9, 0.7, 0.5, 0.45, 0.4])
        plot.add(LinePlot.Series(name: "val's", values: [1.0, 0.8, 0.6, 0.58, 0.57]))
        let svg = try plot.svg()
        let doc = XMLCollector.parse(svg)
        #expect(doc.error == nil)
        #expect(doc.elements.first?.name == "svg")
        #expect(doc.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(doc.all("polyline").count == 2)
        let texts = doc.texts
        #expect(texts.contains("Loss <train & val>"))
        #expect(texts.contains("loss \"UFL\""))
        #expect(texts.contains("epoch") && texts.contains("train") && texts.contains("val's"))
        // Integer epochs: x tick labels are whole numbers.
        #expect(texts.contains("1") && texts.contains("5") && !texts.contains("1.5"))
        // The two series get different colours.
        let strokes = Set(doc.all("polyline").compactMap { $0.attributes["stroke"] })
        #expect(strokes.count == 2)
    }

    @Test("nice linear ticks")
    func linearTicks() {
        let a = AxisTicks.linear(low: 0, high: 1)
        #expect(a.step == 0.2)
        #expect(zip(a.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0]).allSatisfy { abs($0 - $1) < 1e-12 } && a.ticks.count == 6)
        let b = AxisTicks.linear(low: 0.13, high: 0.87)
        #expect(b.ticks.first! <= 0.13 && b.ticks.last! >= 0.87 && (b.step == 0.1 || b.step == 0.2))
        let c = AxisTicks.linear(low: 1, high: 317, count: 7, integerStep: true)
        #expect(c.step == 50 && c.ticks.first == 0 && c.ticks.last == 350)
        // Every step is 1, 2 or 5 × 10^k and the tick count stays near the request.
        for (lo, hi) in [(0.0, 0.0137), (-250.0, 3.0), (0.2, 0.21), (1e-7, 9e-7), (12.0, 980.0)] {
            let t = AxisTicks.linear(low: lo, high: hi, count: 6)
            let mantissa = t.step / pow(10, floor(log10(t.step)))
            #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(t.step) for \(lo)…\(hi)")
            #expect(t.ticks.count >= 4 && t.ticks.count <= 12, "\(t.ticks.count) ticks for \(lo)…\(hi)")
            #expect(t.ticks.first! <= lo && t.ticks.last! >= hi)
        }
        let d = AxisTicks.linear(low: 1, high: 3, count: 7, integerStep: true)
        #expect(d.step == 1 && d.ticks == [1, 2, 3])
        let flat = AxisTicks.linear(low: 0.5, high: 0.5)
        #expect(flat.ticks.first! < 0.5 && flat.ticks.last! > 0.5)
        let zero = AxisTicks.linear(low: 0, high: 0)
        #expect(zero.ticks.first! < 0 && zero.ticks.last! > 0)
        let negative = AxisTicks.linear(low: -3.2, high: 7.9)
        #expect(negative.step == 2 && negative.ticks.first == -4 && negative.ticks.last == 8)
        #expect(AxisTicks.label(0.2, step: 0.2) == "0.2")
        #expect(AxisTicks.label(1500, step: 500) == "1500")
        #expect(AxisTicks.label(3e-6, step: 1e-6) == "3e-6")
        #expect(AxisTicks.label(-0.0000000001, step: 0.5) == "0")
        #expect(AxisTicks.label(2_500_000, step: 500_000) == "2.5e6")
    }

    @Test("logarithmic ticks and labels")
    func logTicks() {
        #expect(AxisTicks.logarithmic(low: 1e-3, high: 0.9) == [1e-3, 1e-2, 1e-1, 1])
        let few = AxisTicks.logarithmic(low: 0.3, high: 2)
        #expect(zip(few, [0.1, 0.2, 0.5, 1, 2, 5, 10]).allSatisfy { abs($0 - $1) < 1e-12 } && few.count == 7)
        let many = AxisTicks.logarithmic(low: 1e-12, high: 1e6)
        #expect(many.count <= 10 && many.first! <= 1e-12 && many.last! >= 1e6)
        #expect(AxisTicks.logLabel(0.001) == "0.001" && AxisTicks.logLabel(100) == "100")
        #expect(AxisTicks.logLabel(1e-5) == "1e-5" && AxisTicks.logLabel(2e6) == "2e6")
    }

    @Test("NaN and infinite points are skipped and break the line; isolated points become dots")
    func nonFinite() throws {
        var plot = LinePlot(title: "gaps")
        try plot.add(name: "s", x: [1, 2, 3, 4, 5, 6], y: [1, .nan, 3, 4, .infinity, 6])
        let svg = try plot.svg()
        let doc = XMLCollector.parse(svg)
        #expect(doc.error == nil)
        #expect(doc.all("polyline").count == 1)
        #expect(doc.all("circle").count == 2)
        #expect(!svg.lowercased().contains("nan") && !svg.lowercased().contains("inf"))
    }

    @Test("empty series and empty plots still render valid XML")
    func empty() throws {
        var plot = LinePlot(title: "nothing yet", xLabel: "epoch", yLabel: "ε")
        let bare = XMLCollector.parse(try plot.svg())
        #expect(bare.error == nil && bare.texts.contains("no data"))
        try plot.add(name: "empty", x: [], y: [])
        try plot.add(name: "all NaN", x: [1, 2], y: [.nan, .nan])
        let doc = XMLCollector.parse(try plot.svg())
        #expect(doc.error == nil)
        #expect(doc.all("polyline").isEmpty && doc.texts.contains("empty") && doc.texts.contains("all NaN"))
    }

    @Test("log-y skips non-positive values and spans decades")
    func logScale() throws {
        var plot = LinePlot(title: "lr", xLabel: "epoch", yLabel: "learning rate")
        plot.logY = true
        try plot.add(name: "lr", x: [1, 2, 3, 4], y: [1e-3, 1e-4, 0, 1e-5])
        let doc = XMLCollector.parse(try plot.svg())
        #expect(doc.error == nil)
        #expect(doc.all("polyline").count == 1 && doc.all("circle").count == 1)
        #expect(doc.texts.contains("0.001") && doc.texts.contains("1e-5"))
    }

    @Test("the ε = 0.2 threshold line sits at the right height")
    func thresholdLine() throws {
        var plot = LinePlot(title: "Focal ε per module", xLabel: "epoch", yLabel: "ε")
        for m in 0..<9 {
            plot.add(LinePlot.Series(name: "SE \(m + 1)", values: (0..<20).map { 1 - Double(m) * 0.1 * Double($0) / 20 }))
        }
        plot.yRange = 0...1
        plot.addReferenceLine(at: 0.2, label: "prune below ε = 0.2")
        let doc = XMLCollector.parse(try plot.svg())
        #expect(doc.error == nil)
        #expect(doc.all("polyline").count == 9)
        // The plot area: the clip rectangle (the first rect not at the origin, after the background).
        let clip = try #require(doc.all("rect").first { $0.attributes["x"] != "0" })
        let top = Double(clip.attributes["y"]!)!, h = Double(clip.attributes["height"]!)!
        let line = try #require(doc.all("line").first { $0.attributes["stroke-dasharray"] == "6 4" })
        let y1 = Double(line.attributes["y1"]!)!, y2 = Double(line.attributes["y2"]!)!
        #expect(y1 == y2)
        #expect(abs((y1 - top) / h - 0.8) < 1e-3)
        #expect(doc.texts.contains("prune below ε = 0.2"))
        // Nine distinct palette colours.
        #expect(Set(doc.all("polyline").compactMap { $0.attributes["stroke"] }).count == 9)
    }

    @Test("mismatched series lengths and bad sizes throw")
    func errors() throws {
        #expect(throws: PlotError.lengthMismatch(series: "x", x: 2, y: 3)) {
            try LinePlot.Series(name: "x", x: [1, 2], y: [1, 2, 3])
        }
        var plot = LinePlot()
        plot.width = 0
        #expect(throws: PlotError.self) { try plot.svg() }
    }

    @Test("write(to:) stores the document")
    func write() throws {
        var plot = LinePlot(title: "t")
        try plot.add(name: "a", x: [0, 1], y: [0, 1])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("focal-plot-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: url) }
        try plot.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == plot.svg())
    }

    @Test("escape handles markup characters and drops XML-invalid control characters")
    func escape() {
        #expect(LinePlot.escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;")
        #expect(LinePlot.escape("x\u{01}y\tz") == "xy\tz")
    }

    // MARK: - Heatmap

    @Test("heatmap maps the range ends to the colour map's ends and NaN to its own colour")
    func heatmap() throws {
        let values: [Float] = [0, 0.5, 1, .nan, -3, 7]
        let img = try Heatmap.render(values, height: 2, width: 3, range: 0...1)
        #expect(img.width == 3 && img.height == 2 && img.pixels.count == 18)
        #expect(img[0, 0] == RGBColor(hex: 0x440154))
        #expect(img[0, 2] == RGBColor(hex: 0xFDE725))
        #expect(img[0, 1] == RGBColor(hex: 0x21918C) || abs(Int(img[0, 1].green) - 0x91) <= 2)
        #expect(img[1, 0] == RGBColor(red: 255, green: 0, blue: 255))
        #expect(img[1, 1] == img[0, 0] && img[1, 2] == img[0, 2])  // clamped
        // Auto range: min → lowest, max → highest colour.
        let auto = try Heatmap.render([2, 4, 6, 8], height: 2, width: 2, colormap: .grayscale)
        #expect(auto[0, 0] == RGBColor(red: 0, green: 0, blue: 0) && auto[1, 1] == RGBColor(red: 255, green: 255, blue: 255))
        #expect(auto[0, 1].red == 85)
        let constant = try Heatmap.render([Float](repeating: 1, count: 4), height: 2, width: 2)
        #expect(constant.pixels == Array(repeating: [0x44, 0x01, 0x54], count: 4).flatMap { $0 })
        #expect(Array(img.planarPixels[0..<3]) == [0x44, 0x21, 0xFD].map { Float($0) })
    }

    @Test("heatmap upscaling, tensor input and errors")
    func heatmapShapes() throws {
        let t = Tensor(shape: [1, 1, 2, 2], scalars: [0, 1, 2, 3])
        let img = try Heatmap.render(t, upscale: 3)
        #expect(img.width == 6 && img.height == 6)
        #expect(img[0, 0] == img[2, 2] && img[0, 3] == img[2, 5] && img[0, 0] != img[0, 3])
        #expect(img[5, 5] == RGBColor(hex: 0xFDE725))
        #expect(throws: PlotError.self) { try Heatmap.render([1, 2, 3], height: 2, width: 2) }
        #expect(throws: PlotError.self) { try Heatmap.render(Tensor(zeros: [2, 2, 2])) }
        #expect(throws: PlotError.self) { try Heatmap.render([1], height: 1, width: 1, upscale: 0) }
    }

    @Test("viridis table: 256 entries, anchored ends, strictly rising perceived lightness")
    func viridis() {
        let table = Colormap.viridis.lookupTable
        #expect(table.count == 256)
        #expect(table.first == RGBColor(hex: 0x440154) && table.last == RGBColor(hex: 0xFDE725))
        // Relative luminance (a proxy for lightness) rises along the map: strictly over every
        // 8 entries, and never falls by more than 8-bit rounding between neighbours.
        func luminance(_ c: RGBColor) -> Double {
            func lin(_ v: UInt8) -> Double {
                let x = Double(v) / 255
                return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * lin(c.red) + 0.7152 * lin(c.green) + 0.0722 * lin(c.blue)
        }
        let lum = table.map(luminance)
        #expect(zip(lum, lum.dropFirst()).allSatisfy { $1 >= $0 - 5e-4 })
        #expect(zip(lum, lum.dropFirst(8)).allSatisfy { $1 > $0 })
        #expect(Colormap.viridis.color(at: 0.5) == table[128] && Colormap.viridis.color(at: .nan) == table[0])
        #expect(Colormap.grayscale.color(at: 2) == RGBColor(red: 255, green: 255, blue: 255))
    }
}
