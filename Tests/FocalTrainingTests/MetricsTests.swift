import FocalCore
import FocalData
@testable import FocalTraining
import Foundation
import Testing

/// Parses a picture of a label map: one row per line, one digit per pixel.
private func labels(_ picture: String) -> [Int32] {
    picture.split(separator: "\n").flatMap { row in row.compactMap { $0.wholeNumberValue.map { Int32($0) } } }
}

@Suite("Metrics")
struct MetricsTests {
    @Test("binary scores on a hand-made mask")
    func binary() throws {
        let truth = labels("""
            0110
            0110
            0100
            0000
            """)
        let pred = labels("""
            0100
            0110
            0000
            1000
            """)
        // TP 3, FP 1 (bottom-left), FN 2.
        let m = try SegmentationMetrics.evaluate(predicted: pred, truth: truth, classes: 2, name: "a")
        #expect(m.perClass.count == 1 && m.perClass[0].classIndex == 1)
        let c = m.perClass[0].counts
        #expect(c == ConfusionCounts(truePositives: 3, falsePositives: 1, falseNegatives: 2, trueNegatives: 10))
        #expect(abs(m.dsc - 6.0 / 9.0) < 1e-12)
        #expect(abs(m.precision - 3.0 / 4.0) < 1e-12)
        #expect(abs(m.recall - 3.0 / 5.0) < 1e-12)
        #expect(abs(m.iou - 3.0 / 6.0) < 1e-12)
    }

    @Test("empty cases: both empty → all 1; one side empty → all 0; never NaN")
    func emptyCases() throws {
        let empty = [Int32](repeating: 0, count: 9)
        var some = empty
        some[4] = 1
        let both = try SegmentationMetrics.evaluate(predicted: empty, truth: empty, classes: 2)
        #expect(both.mean == MetricScores(dsc: 1, precision: 1, recall: 1, iou: 1))
        #expect(both.perClass[0].counts.isEmpty)
        let missed = try SegmentationMetrics.evaluate(predicted: empty, truth: some, classes: 2)
        #expect(missed.mean == MetricScores(dsc: 0, precision: 0, recall: 0, iou: 0))
        let spurious = try SegmentationMetrics.evaluate(predicted: some, truth: empty, classes: 2)
        #expect(spurious.mean == MetricScores(dsc: 0, precision: 0, recall: 0, iou: 0))
        let perfect = try SegmentationMetrics.evaluate(predicted: some, truth: some, classes: 2)
        #expect(perfect.mean == MetricScores(dsc: 1, precision: 1, recall: 1, iou: 1))
        // Disjoint non-empty: defined denominators, all 0.
        var other = empty
        other[0] = 1
        let disjoint = try SegmentationMetrics.evaluate(predicted: other, truth: some, classes: 2)
        #expect(disjoint.mean == .zero)
        // Zero-pixel images count as both empty.
        let none = try SegmentationMetrics.evaluate(predicted: [Int32](), truth: [Int32](), classes: 2)
        #expect(none.dsc == 1)
        for m in [both, missed, spurious, perfect, disjoint, none] {
            #expect(![m.dsc, m.precision, m.recall, m.iou].contains { $0.isNaN })
        }
    }

    @Test("multi-class: per class and mean over the foreground classes")
    func multiClass() throws {
        let truth = labels("""
            0012
            0112
            0022
            """)
        let pred = labels("""
            0011
            0112
            0222
            """)
        let m = try SegmentationMetrics.evaluate(predicted: pred, truth: truth, classes: 3)
        #expect(m.perClass.map(\.classIndex) == [1, 2])
        // Class 1: truth {(0,2),(1,1),(1,2)}, pred {(0,2),(0,3),(1,1),(1,2)}: TP 3, FP 1, FN 0.
        #expect(m.perClass[0].counts == ConfusionCounts(truePositives: 3, falsePositives: 1, falseNegatives: 0, trueNegatives: 8))
        // Class 2: truth {(0,3),(1,3),(2,2),(2,3)}, pred {(1,3),(2,1),(2,2),(2,3)}: TP 3, FP 1, FN 1.
        #expect(m.perClass[1].counts == ConfusionCounts(truePositives: 3, falsePositives: 1, falseNegatives: 1, trueNegatives: 7))
        let d1 = 6.0 / 7.0, d2 = 6.0 / 8.0
        #expect(abs(m.dsc - (d1 + d2) / 2) < 1e-12)
        let bg = try SegmentationMetrics.evaluate(predicted: pred, truth: truth, classes: 3, evaluatedClasses: [0])
        // Background: truth 5 px, pred 4 px, all predicted ones correct.
        #expect(bg.perClass[0].counts == ConfusionCounts(truePositives: 4, falsePositives: 0, falseNegatives: 1, trueNegatives: 7))
    }

    @Test("Float, UInt8, Int32 and Int label maps give the same scores")
    func labelTypes() throws {
        let t: [Int32] = [0, 1, 1, 0, 1, 0]
        let p: [Int32] = [1, 1, 0, 0, 1, 0]
        let a = try SegmentationMetrics.evaluate(predicted: p, truth: t, classes: 2)
        let b = try SegmentationMetrics.evaluate(predicted: p.map { UInt8($0) }, truth: t.map { UInt8($0) }, classes: 2)
        let c = try SegmentationMetrics.evaluate(predicted: p.map { Float($0) }, truth: t.map { Float($0) }, classes: 2)
        let d = try SegmentationMetrics.evaluate(predicted: p.map { Int($0) }, truth: t, classes: 2)
        #expect(a == b && a == c && a == d)
    }

    @Test("invalid labels and sizes throw errors naming the pixel")
    func errors() throws {
        #expect(throws: MetricsError.sizeMismatch(image: "x", prediction: 2, truth: 3)) {
            try SegmentationMetrics.evaluate(predicted: [Int32(0), 1], truth: [Int32(0), 1, 0], classes: 2, name: "x")
        }
        #expect(throws: MetricsError.invalidLabel(image: "", which: "truth", index: 1, value: 2, classes: 2)) {
            try SegmentationMetrics.evaluate(predicted: [Int32(0), 1], truth: [Int32(0), 2], classes: 2)
        }
        #expect(throws: MetricsError.invalidLabel(image: "", which: "predicted", index: 0, value: -1, classes: 2)) {
            try SegmentationMetrics.evaluate(predicted: [Int32(-1), 1], truth: [Int32(0), 1], classes: 2)
        }
        #expect(throws: MetricsError.invalidLabel(image: "", which: "predicted", index: 1, value: 0.5, classes: 2)) {
            try SegmentationMetrics.evaluate(predicted: [Float(0), 0.5], truth: [Float(0), 1], classes: 2)
        }
        #expect(throws: MetricsError.self) {
            try SegmentationMetrics.evaluate(predicted: [Float.nan], truth: [Float(0)], classes: 2)
        }
        #expect(throws: MetricsError.self) {
            try SegmentationMetrics.evaluate(predicted: [Int32(0)], truth: [Int32(0)], classes: 1)
        }
        #expect(throws: MetricsError.self) {
            try SegmentationMetrics.evaluate(predicted: [Int32(0)], truth: [Int32(0)], classes: 2, evaluatedClasses: [2])
        }
        let e = MetricsError.invalidLabel(image: "img7", which: "truth", index: 12, value: 3, classes: 2)
        #expect(e.description.contains("img7") && e.description.contains("pixel 12"))
    }

    @Test("argmax over classes: ties to the lower class, NaN never wins, batched and single")
    func argmax() throws {
        // [C=3, H=1, W=4]
        let scores = Tensor(shape: [3, 1, 4], scalars: [
            0.2, 0.5, .nan, 0.1,
            0.7, 0.5, 0.3, 0.1,
            0.1, 0.0, 0.2, 0.8,
        ])
        #expect(try SegmentationMetrics.argmax(scores) == [[1, 0, 1, 2]])
        let batch = Tensor(shape: [2, 3, 1, 4], scalars: scores.scalars + scores.scalars.map { -$0 })
        let maps = try SegmentationMetrics.argmax(batch)
        #expect(maps.count == 2 && maps[0] == [1, 0, 1, 2] && maps[1] == [2, 2, 2, 0])
        #expect(throws: MetricsError.invalidScoresShape([3, 4])) { try SegmentationMetrics.argmax(Tensor(zeros: [3, 4])) }
    }

    @Test("accumulator averages per image (not pooled), keeps rows, std and per-class means")
    func accumulator() throws {
        var acc = MetricsAccumulator()
        #expect(acc.mean == .zero && acc.count == 0)
        // Image a: both empty (DSC 1). Image b: large object half found (DSC 2/3 pooled would differ).
        try acc.add(name: "a", prediction: [Float](repeating: 0, count: 4), target: [Float](repeating: 0, count: 4), classes: 2)
        let b = try acc.add(name: "b", prediction: [Float(1), 1, 0, 0], target: [Float(1), 1, 1, 1], classes: 2)
        #expect(abs(b.dsc - 4.0 / 6.0) < 1e-12)
        #expect(acc.count == 2)
        #expect(abs(acc.mean.dsc - (1 + 4.0 / 6.0) / 2) < 1e-12)
        #expect(abs(acc.mean.precision - 1) < 1e-12)
        #expect(abs(acc.mean.recall - 0.75) < 1e-12)
        let sd = ((pow(1 - 5.0 / 6.0, 2) + pow(4.0 / 6.0 - 5.0 / 6.0, 2)) / 1).squareRoot()
        #expect(abs(acc.standardDeviation.dsc - sd) < 1e-12)
        #expect(acc.classMean(1)?.dsc == acc.mean.dsc)
        #expect(acc.classMean(2) == nil)
        #expect(acc.images.map(\.name) == ["a", "b"])
        let c = try SegmentationMetrics.evaluate(predicted: [UInt8(0)], truth: [UInt8(1)], classes: 2, name: "c")
        acc.add(c)
        #expect(abs(acc.mean.dsc - (1 + 4.0 / 6.0 + 0) / 3) < 1e-12)
        let round = try JSONDecoder().decode(MetricsAccumulator.self, from: JSONEncoder().encode(acc))
        #expect(round == acc)
    }

    @Test("CSV has a header, one row per image, quoted names and optional summary rows")
    func csv() throws {
        var acc = MetricsAccumulator()
        try acc.add(name: "plain.png", prediction: [Int32(0), 1, 2, 2], target: [Int32(0), 1, 2, 1], classes: 3)
        try acc.add(name: "with,comma \"q\"", prediction: [Int32(0), 0, 0, 0], target: [Int32(0), 0, 0, 0], classes: 3)
        let lines = acc.csv().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines[0] == "image,dsc,precision,recall,iou,"
            + "dsc_1,precision_1,recall_1,iou_1,tp_1,fp_1,fn_1,tn_1,dsc_2,precision_2,recall_2,iou_2,tp_2,fp_2,fn_2,tn_2")
        #expect(lines[1].hasPrefix("plain.png,"))
        // Class 1: TP 1, FP 0, FN 1 → DSC 2/3; class 2: TP 1, FP 1, FN 0 → DSC 2/3.
        #expect(lines[1].contains(",0.666667,1.000000,0.500000,0.500000,1,0,1,2,"))
        #expect(lines[2].hasPrefix("\"with,comma \"\"q\"\"\",1.000000,"))
        let summary = acc.csv(includeSummary: true).split(separator: "\n").map(String.init)
        #expect(summary.count == 5 && summary[3].hasPrefix("mean,") && summary[4].hasPrefix("std,"))
        #expect(summary[3].split(separator: ",", omittingEmptySubsequences: false).count == 21)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("focal-metrics-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try acc.writeCSV(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == acc.csv(includeSummary: true))
    }
}
