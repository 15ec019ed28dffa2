import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// `Fixtures/boundary/boundary-metrics.json`, written by `Tools/metrics/make_boundary_fixtures.py`
/// (SciPy `binary_erosion` + `distance_transform_edt(sampling=…)` + `np.percentile`, MONAI's
/// definitions; `null` distances are infinite).
private struct BoundaryFixtures: Decodable {
    struct Case: Decodable {
        struct ClassScores: Decodable {
            let classIndex: Int
            let hd95: Double?
            let assd: Double?
            let nsd: Double
            let predictionSurface: Int
            let truthSurface: Int
            let predictionEdges: [Int]
            let truthEdges: [Int]
        }
        let name: String
        let height: Int
        let width: Int
        let classes: Int
        let spacing: [Double]
        let tolerance: Double
        let prediction: [Int32]
        let truth: [Int32]
        let perClass: [ClassScores]
    }
    let cases: [Case]

    static func load() throws -> BoundaryFixtures {
        let url = try #require(Bundle.module.url(forResource: "boundary-metrics", withExtension: "json", subdirectory: "Fixtures/boundary"))
        return try JSONDecoder().decode(BoundaryFixtures.self, from: Data(contentsOf: url))
    }
}

/// A label map from a picture: one row per line, one digit per pixel.
private func picture(_ s: String) -> (labels: [Int32], height: Int, width: Int) {
    let rows = s.split(separator: "\n").map { $0.compactMap { $0.wholeNumberValue.map { Int32($0) } } }
    return (rows.flatMap { $0 }, rows.count, rows.first?.count ?? 0)
}

private func square(_ h: Int, _ w: Int, y: Int, x: Int, size: Int) -> [Bool] {
    (0..<(h * w)).map { i in (y..<(y + size)).contains(i / w) && (x..<(x + size)).contains(i % w) }
}

/// Relative difference, 0 for two equal values (infinities included).
private func relative(_ a: Double, _ b: Double) -> Double { a == b ? 0 : abs(a - b) / max(abs(b), 1e-300) }

@Suite("Boundary metrics (HD95, ASSD, NSD)")
struct BoundaryMetricsTests {
    @Test("agree with the SciPy reproduction of MONAI on every fixture case")
    func fixtures() throws {
        let f = try BoundaryFixtures.load()
        #expect(f.cases.count >= 20)
        var worst = 0.0, compared = 0
        for c in f.cases {
            let options = BoundaryMetrics.Options(spacing: PixelSpacing(dy: c.spacing[0], dx: c.spacing[1]), tolerance: c.tolerance)
            let scores = try BoundaryMetrics.evaluate(predicted: c.prediction, truth: c.truth, height: c.height, width: c.width,
                                                      classes: c.classes, options: options, name: c.name)
            try #require(scores.count == c.perClass.count, "\(c.name)")
            for (s, e) in zip(scores, c.perClass) {
                #expect(s.predictionSurface == e.predictionSurface && s.truthSurface == e.truthSurface, "\(c.name) class \(e.classIndex)")
                #expect(s.hd95.isFinite == (e.hd95 != nil) && s.assd.isFinite == (e.assd != nil), "\(c.name) class \(e.classIndex)")
                let pairs = [(s.hd95, e.hd95 ?? .infinity), (s.assd, e.assd ?? .infinity), (s.nsd, e.nsd)]
                for (a, b) in pairs {
                    let r = relative(a, b)
                    #expect(r <= 1e-12, "\(c.name) class \(e.classIndex): \(a) vs \(b)")
                    worst = max(worst, r)
                }
                compared += 1
                let k = Int32(e.classIndex)
                let pe = try MaskBoundary.pixels(of: c.prediction.map { $0 == k }, height: c.height, width: c.width)
                let te = try MaskBoundary.pixels(of: c.truth.map { $0 == k }, height: c.height, width: c.width)
                #expect(pe.indices.filter { pe[$0] } == e.predictionEdges, "\(c.name) class \(e.classIndex) prediction edges")
                #expect(te.indices.filter { te[$0] } == e.truthEdges, "\(c.name) class \(e.classIndex) truth edges")
            }
        }
        print("boundary fixtures: \(compared) class scores over \(f.cases.count) cases, worst relative difference \(worst)")
    }

    @Test("two squares offset by k pixels have HD95 k", arguments: [0, 1, 2, 3, 5, 9])
    func offsetSquares(k: Int) throws {
        let (h, w) = (24, 30)
        let s = try BoundaryMetrics.evaluate(predicted: square(h, w, y: 6, x: 4 + k, size: 7), truth: square(h, w, y: 6, x: 4, size: 7),
                                             height: h, width: w)
        #expect(s.hd95 == Double(k))
        #expect(s.predictionSurface == 24 && s.truthSurface == 24)
        if k == 0 { #expect(s.assd == 0 && s.nsd == 1) }
    }

    @Test("parallel lines one row apart: every distance is 1 (times the row spacing)")
    func parallelLines() throws {
        let p = picture("""
            0000000
            0111110
            0000000
            """), t = picture("""
            0000000
            0000000
            0111110
            """)
        let one = try BoundaryMetrics.evaluate(predicted: p.labels, truth: t.labels, height: 3, width: 7, classes: 2)[0]
        #expect(one == BoundaryScores(hd95: 1, assd: 1, nsd: 1, predictionSurface: 5, truthSurface: 5))
        let strict = try BoundaryMetrics.evaluate(predicted: p.labels, truth: t.labels, height: 3, width: 7, classes: 2,
                                                  options: .init(tolerance: 0.5))[0]
        #expect(strict.nsd == 0)
        let stretched = try BoundaryMetrics.evaluate(predicted: p.labels, truth: t.labels, height: 3, width: 7, classes: 2,
                                                     options: .init(spacing: PixelSpacing(dy: 2.5, dx: 0.1), tolerance: 2.5))[0]
        #expect(stretched.hd95 == 2.5 && stretched.assd == 2.5 && stretched.nsd == 1)
    }

    @Test("single pixels (3, 4) apart are 5 apart; with spacing 2×0.5 they are √40 apart")
    func singlePixels() throws {
        var p = [Bool](repeating: false, count: 100), t = p
        p[1 * 10 + 2] = true
        t[4 * 10 + 6] = true
        let unit = try BoundaryMetrics.evaluate(predicted: p, truth: t, height: 10, width: 10)
        #expect(unit == BoundaryScores(hd95: 5, assd: 5, nsd: 0, predictionSurface: 1, truthSurface: 1))
        let aniso = try BoundaryMetrics.evaluate(predicted: p, truth: t, height: 10, width: 10,
                                                 options: .init(spacing: PixelSpacing(dy: 2, dx: 0.5), tolerance: 7))
        #expect(aniso.hd95 == 40.0.squareRoot() && aniso.assd == 40.0.squareRoot() && aniso.nsd == 1)
    }

    @Test("empty cases: both empty scores 0, 0, 1; exactly one empty scores +inf, +inf, 0")
    func emptyCases() throws {
        let none = [Bool](repeating: false, count: 64)
        let some = square(8, 8, y: 2, x: 2, size: 3)
        let both = try BoundaryMetrics.evaluate(predicted: none, truth: none, height: 8, width: 8)
        #expect(both == BoundaryScores(hd95: 0, assd: 0, nsd: 1, predictionSurface: 0, truthSurface: 0) && !both.isOneSided)
        for (p, t) in [(none, some), (some, none)] {
            let s = try BoundaryMetrics.evaluate(predicted: p, truth: t, height: 8, width: 8)
            #expect(s.hd95 == .infinity && s.assd == .infinity && s.nsd == 0 && s.isOneSided)
            #expect(s.predictionSurface + s.truthSurface == 8)
        }
    }

    @Test("the boundary is the 4-connected erosion's complement; the image edge counts as outside")
    func maskBoundary() throws {
        let m = picture("""
            11100
            11110
            11111
            01110
            """)
        let e = try MaskBoundary.pixels(of: m.labels.map { $0 == 1 }, height: m.height, width: m.width)
        // SciPy: binary_erosion(m) ^ m.
        let expected = picture("""
            11100
            10010
            10001
            01110
            """)
        #expect(e == expected.labels.map { $0 == 1 })
        // Only edge neighbours count: a plus shape's centre is interior although its four diagonal
        // neighbours are background.
        let plus = picture("""
            010
            111
            010
            """)
        let pe = try MaskBoundary.pixels(of: plus.labels.map { $0 == 1 }, height: 3, width: 3)
        #expect(pe == [false, true, false, true, false, true, false, true, false])
        #expect(throws: MetricsError.self) { try MaskBoundary.pixels(of: [true, false], height: 1, width: 3) }
        #expect(throws: MetricsError.self) { try MaskBoundary.pixels(of: [], height: 0, width: 0) }
    }

    @Test("the percentile is NumPy's linear interpolation")
    func numpyPercentile() {
        #expect(BoundaryMetrics.percentile([1, 2, 3, 4], 95) == 3.8499999999999996)
        #expect(BoundaryMetrics.percentile([0, 10], 95) == 9.5)
        #expect(BoundaryMetrics.percentile([0.3, 0.1, 0.7, 0.2, 0.9, 1.1, 0.5], 95) == 1.04)
        #expect(BoundaryMetrics.percentile([0.3, 0.1, 0.7, 0.2, 0.9, 1.1, 0.5], 50) == 0.5)
        #expect(BoundaryMetrics.percentile([2.5], 95) == 2.5)
        #expect(BoundaryMetrics.percentile([3, 1, 2], 100) == 3 && BoundaryMetrics.percentile([3, 1, 2], 0) == 1)
    }

    @Test("bad spacing, tolerance, grid or sizes are typed errors")
    func rejects() {
        let m = [true, false, false, true]
        #expect(throws: MetricsError.invalidSpacing(dy: 0, dx: 1)) {
            try BoundaryMetrics.evaluate(predicted: m, truth: m, height: 2, width: 2, options: .init(spacing: PixelSpacing(dy: 0, dx: 1)))
        }
        #expect(throws: MetricsError.self) {
            try BoundaryMetrics.evaluate(predicted: m, truth: m, height: 2, width: 2, options: .init(spacing: PixelSpacing(.nan)))
        }
        #expect(throws: MetricsError.invalidTolerance(-1)) {
            try BoundaryMetrics.evaluate(predicted: m, truth: m, height: 2, width: 2, options: .init(tolerance: -1))
        }
        #expect(throws: MetricsError.self) {
            try BoundaryMetrics.evaluate(predicted: m, truth: m, height: 2, width: 2, options: .init(tolerance: .infinity))
        }
        #expect(throws: MetricsError.invalidGrid(image: "x", height: 3, width: 2, pixels: 4)) {
            try BoundaryMetrics.evaluate(predicted: m, truth: m, height: 3, width: 2, name: "x")
        }
        #expect(throws: MetricsError.self) { try BoundaryMetrics.evaluate(predicted: m, truth: [true], height: 2, width: 2) }
        #expect(throws: MetricsError.self) {
            try BoundaryMetrics.evaluate(predicted: [Int32(0), 1, 2, 0], truth: [Int32(0), 1, 0, 0], height: 2, width: 2, classes: 2)
        }
        #expect("\(MetricsError.invalidTolerance(-1))".contains("tolerance -1.0 must be finite and at least 0"))
    }

    @Test("the accumulator averages boundary scores, leaves one-sided images out of HD95/ASSD and writes them to the CSV")
    func accumulator() throws {
        let (h, w) = (12, 12)
        func labels(_ m: [Bool]) -> [Int32] { m.map { $0 ? 1 : 0 } }
        let truth = labels(square(h, w, y: 3, x: 3, size: 5))
        var acc = MetricsAccumulator()
        let options = BoundaryMetrics.Options(tolerance: 1)
        try acc.add(name: "shifted", prediction: labels(square(h, w, y: 3, x: 5, size: 5)), target: truth, classes: 2,
                    height: h, width: w, boundary: options)
        try acc.add(name: "exact", prediction: truth, target: truth, classes: 2, height: h, width: w, boundary: options)
        try acc.add(name: "missed", prediction: [Int32](repeating: 0, count: h * w), target: truth, classes: 2,
                    height: h, width: w, boundary: options)
        let shifted = try #require(acc.images[0].perClass[0].boundary)
        #expect(shifted.hd95 == 2 && acc.images[0].hd95 == 2)
        #expect(acc.images[2].hd95 == .infinity && acc.images[2].nsd == 0)
        let mean = try #require(acc.boundaryMean)
        #expect(mean.images == 3 && mean.excludedImages == 1)
        #expect(mean.hd95 == 1 && abs(mean.assd - shifted.assd / 2) < 1e-15)
        #expect(abs(mean.nsd - (shifted.nsd + 1 + 0) / 3) < 1e-15)
        #expect(acc.classBoundaryMean(1) == mean)
        let sd = try #require(acc.boundaryStandardDeviation)
        #expect(abs(sd.hd95 - 2.0.squareRoot()) < 1e-15)

        let lines = acc.csv(includeSummary: true).split(separator: "\n").map(String.init)
        #expect(lines[0] == "image,dsc,precision,recall,iou,hd95,assd,nsd,"
            + "dsc_1,precision_1,recall_1,iou_1,tp_1,fp_1,fn_1,tn_1,hd95_1,assd_1,nsd_1")
        #expect(lines[1].hasPrefix("shifted,") && lines[1].contains(",2.000000,"))
        #expect(lines[2].hasPrefix("exact,1.000000,1.000000,1.000000,1.000000,0.000000,0.000000,1.000000,"))
        #expect(lines[3].hasPrefix("missed,") && lines[3].contains(",inf,inf,0.000000,") && lines[3].hasSuffix(",inf,inf,0.000000"))
        #expect(lines[4].hasPrefix("mean,") && lines[4].split(separator: ",", omittingEmptySubsequences: false)[5] == "1.000000")
        #expect(lines.allSatisfy { !$0.lowercased().contains("nan") })
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 19 })

        // JSON keeps the infinite distances (as null) and round-trips.
        let data = try JSONEncoder().encode(acc)
        #expect(String(decoding: data, as: UTF8.self).contains("\"hd95\":null"))
        #expect(try JSONDecoder().decode(MetricsAccumulator.self, from: data) == acc)
        let allMissed = BoundaryMean.summarise([(hd95: .infinity, assd: .infinity, nsd: 0)])
        #expect(allMissed == BoundaryMean(hd95: .infinity, assd: .infinity, nsd: 0, images: 1, excludedImages: 1))
        let meanJSON = try JSONEncoder().encode(allMissed)
        #expect(String(decoding: meanJSON, as: UTF8.self).contains("\"assd\":null"))
        #expect(try JSONDecoder().decode(BoundaryMean.self, from: meanJSON) == allMissed)
        // An absent distance reads as +∞ too; a finite one as itself.
        let absent = try JSONDecoder().decode(BoundaryScores.self, from: Data(#"{"hd95":2.5,"nsd":0,"predictionSurface":3,"truthSurface":0}"#.utf8))
        #expect(absent == BoundaryScores(hd95: 2.5, assd: .infinity, nsd: 0, predictionSurface: 3, truthSurface: 0))
    }

    @Test("region-only images keep the old CSV layout and have no boundary scores")
    func regionOnly() throws {
        var acc = MetricsAccumulator()
        try acc.add(name: "a", prediction: [Int32(0), 1, 1, 0], target: [Int32(0), 1, 0, 0], classes: 2)
        #expect(!acc.hasBoundary && acc.boundaryMean == nil && acc.images[0].hd95 == nil)
        #expect(acc.csv().hasPrefix("image,dsc,precision,recall,iou,dsc_1,"))
    }

    @Test("a 256×256 three-class image takes well under a second")
    func speed() throws {
        let n = 256
        let truth = (0..<(n * n)).map { i -> Int32 in
            let (y, x) = (i / n - 128, i % n - 128)
            return y * y + x * x < 90 * 90 ? (x > 0 ? 1 : 2) : 0
        }
        let pred = (0..<(n * n)).map { i -> Int32 in
            let (y, x) = (i / n - 126, i % n - 131)
            return y * y + x * x < 85 * 85 ? (x > 3 ? 1 : 2) : 0
        }
        let start = Date()
        let s = try BoundaryMetrics.evaluate(predicted: pred, truth: truth, height: n, width: n, classes: 3)
        let seconds = Date().timeIntervalSince(start)
        print("boundary metrics 256×256, 2 classes (debug build): \(String(format: "%.1f", seconds * 1000)) ms")
        #expect(s.count == 2 && s.allSatisfy { $0.hd95 > 0 && $0.hd95 < 20 })
        #expect(seconds < 5)
    }
}
