/// Pixel counts of one class in one image: prediction vs ground truth.
///
/// The scores follow the original evaluation (spec Part B §3, per image, after argmax):
/// `DSC = 2TP/(2TP+FP+FN)`, `IoU = TP/(TP+FP+FN)`, `precision = TP/(TP+FP)`,
/// `recall = TP/(TP+FN)`. They are never NaN. Where a denominator is 0 (spec Part A):
///
/// | case | DSC | IoU | precision | recall |
/// |---|---|---|---|---|
/// | prediction and truth both empty (TP = FP = FN = 0) | 1 | 1 | 1 | 1 |
/// | prediction empty, truth not (TP = FP = 0, FN > 0) | 0 | 0 | **0** | 0 |
/// | truth empty, prediction not (TP = FN = 0, FP > 0) | 0 | 0 | 0 | **0** |
///
/// In words: a correct "nothing here" scores 1 on everything; an undefined precision
/// (nothing predicted) or recall (nothing to find) scores 0 when the image holds an error of
/// the other kind, since the prediction is then wholly wrong for that class.
public struct ConfusionCounts: Sendable, Equatable, Hashable, Codable {
    /// Pixels predicted as the class that are the class.
    public var truePositives: Int
    /// Pixels predicted as the class that are not.
    public var falsePositives: Int
    /// Pixels of the class predicted as something else.
    public var falseNegatives: Int
    /// Pixels neither predicted as nor being the class.
    public var trueNegatives: Int

    /// True when neither the prediction nor the truth contains the class.
    public var isEmpty: Bool { truePositives == 0 && falsePositives == 0 && falseNegatives == 0 }

    /// Dice similarity coefficient `2TP / (2TP + FP + FN)`; 1 when both are empty.
    public var dsc: Double {
        let d = 2 * truePositives + falsePositives + falseNegatives
        return d == 0 ? 1 : Double(2 * truePositives) / Double(d)
    }

    /// Intersection over union (Jaccard) `TP / (TP + FP + FN)`; 1 when both are empty.
    public var iou: Double {
        let d = truePositives + falsePositives + falseNegatives
        return d == 0 ? 1 : Double(truePositives) / Double(d)
    }

    /// `TP / (TP + FP)`; when nothing is predicted: 1 if the truth is empty too, else 0.
    public var precision: Double {
        let d = truePositives + falsePositives
        return d == 0 ? (falseNegatives == 0 ? 1 : 0) : Double(truePositives) / Double(d)
    }

    /// `TP / (TP + FN)`; when the truth is empty: 1 if nothing is predicted either, else 0.
    public var recall: Double {
        let d = truePositives + falseNegatives
        return d == 0 ? (falsePositives == 0 ? 1 : 0) : Double(truePositives) / Double(d)
    }
}
