import FocalCore
import Foundation

/// Per-image segmentation scores after argmax (spec Part A "Metrics", Part B §3): DSC,
/// precision, recall and IoU of each foreground class. Label maps can be `[Int32]`, `[UInt8]`,
/// `[Int]` or `[Float]` (integral values) in row-major order; the background is class 0 and is
/// not scored by default. See `ConfusionCounts` for the empty cases.
public enum SegmentationMetrics {
    /// The confusion matrix `m[truth · classes + predicted]` of two label maps in one pass.
    /// Labels must be in `0..<classes`.
    public static func confusionMatrix<P: BinaryInteger, T: BinaryInteger>(
        predicted: [P], truth: [T], classes: Int, name: String = ""
    ) throws -> [Int] {
        guard classes >= 1 else { throw MetricsError.invalidClasses("class count \(classes) must be at least 1") }
        guard predicted.count == truth.count else {
            throw MetricsError.sizeMismatch(image: name, prediction: predicted.count, truth: truth.count)
        }
        var matrix = [Int](repeating: 0, count: classes * classes)
        try predicted.withUnsafeBufferPointer { p in
            try truth.withUnsafeBufferPointer { t in
                for i in 0..<p.count {
                    let a = Int(truncatingIfNeeded: p[i]), b = Int(truncatingIfNeeded: t[i])
                    guard a >= 0, a < classes, P(truncatingIfNeeded: a) == p[i] else {
                        throw MetricsError.invalidLabel(image: name, which: "predicted", index: i, value: Double(p[i]), classes: classes)
                    }
                    guard b >= 0, b < classes, T(truncatingIfNeeded: b) == t[i] else {
                        throw MetricsError.invalidLabel(image: name, which: "truth", index: i, value: Double(t[i]), classes: classes)
                    }
                    matrix[b * classes + a] += 1
                }
            }
        }
        return matrix
    }

    /// The counts of class `label` from a confusion matrix (`confusionMatrix`).
    public static func counts(fromConfusion matrix: [Int], classes: Int, label: Int) -> ConfusionCounts {
        var tp = 0, fp = 0, fn = 0, total = 0
        for t in 0..<classes {
            for p in 0..<classes {
                let v = matrix[t * classes + p]
                total += v
                if t == label && p == label { tp += v } else if p == label { fp += v } else if t == label { fn += v }
            }
        }
        return ConfusionCounts(truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: total - tp - fp - fn)
    }

    /// Scores of an image with `classes` classes (≥ 2): one entry per class in
    /// `evaluatedClasses` (default: every class but the background 0, so for 2 classes the
    /// foreground class 1 only, as the original).
    public static func evaluate<P: BinaryInteger, T: BinaryInteger>(
        predicted: [P], truth: [T], classes: Int, evaluatedClasses: [Int]? = nil, name: String = ""
    ) throws -> ImageMetrics {
        guard classes >= 2 else { throw MetricsError.invalidClasses("class count \(classes) must be at least 2 (background + foreground)") }
        let evaluated = evaluatedClasses ?? Array(1..<classes)
        guard !evaluated.isEmpty else { throw MetricsError.invalidClasses("no class to evaluate") }
        for c in evaluated where c < 0 || c >= classes {
            throw MetricsError.invalidClasses("evaluated class \(c) is not in 0..<\(classes)")
        }
        let matrix = try confusionMatrix(predicted: predicted, truth: truth, classes: classes, name: name)
        return ImageMetrics(name: name, perClass: evaluated.map {
            ClassMetrics(classIndex: $0, counts: counts(fromConfusion: matrix, classes: classes, label: $0))
        })
    }

    /// `evaluate` for label maps stored as Floats (e.g. a mask tensor's scalars): every value
    /// must be a finite integer in `0..<classes`.
    public static func evaluate(
        predicted: [Float], truth: [Float], classes: Int, evaluatedClasses: [Int]? = nil, name: String = ""
    ) throws -> ImageMetrics {
        try evaluate(predicted: labels(predicted, classes: classes, which: "predicted", name: name),
                     truth: labels(truth, classes: classes, which: "truth", name: name),
                     classes: classes, evaluatedClasses: evaluatedClasses, name: name)
    }

    /// Float labels checked and converted to `Int32`.
    static func labels(_ values: [Float], classes: Int, which: String, name: String) throws -> [Int32] {
        var out = [Int32](repeating: 0, count: values.count)
        for (i, v) in values.enumerated() {
            guard v.isFinite, v >= 0, v < Float(max(classes, 0)), v.rounded() == v else {
                throw MetricsError.invalidLabel(image: name, which: which, index: i, value: Double(v), classes: classes)
            }
            out[i] = Int32(v)
        }
        return out
    }

    /// Label maps from class scores (probabilities or logits) `[C, H, W]` or `[N, C, H, W]`:
    /// one row-major `[H·W]` map per image, the index of the largest score (ties go to the
    /// lower class, as NumPy's `argmax`; NaN scores never win).
    public static func argmax(_ scores: Tensor) throws -> [[Int32]] {
        let s = scores.shape
        guard s.count == 3 || s.count == 4, s.allSatisfy({ $0 > 0 }) else { throw MetricsError.invalidScoresShape(s) }
        let n = s.count == 4 ? s[0] : 1
        let c = s[s.count - 3], plane = s[s.count - 2] * s[s.count - 1]
        return scores.withUnsafeBufferPointer { p in
            (0..<n).map { b in
                var labels = [Int32](repeating: 0, count: plane)
                let base = b * c * plane
                for i in 0..<plane {
                    var best = p[base + i], k: Int32 = 0
                    for j in 1..<c {
                        let v = p[base + j * plane + i]
                        if v > best || (best.isNaN && !v.isNaN) {
                            best = v
                            k = Int32(j)
                        }
                    }
                    labels[i] = k
                }
                return labels
            }
        }
    }
}
