import FocalCore
import FocalLosses
import Foundation

/// Shared helpers of the FocalLosses tests.
enum LossTestSupport {
    /// URL of a file in `Fixtures/`.
    static func fixture(_ name: String, _ ext: String) -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures") else {
            fatalError("missing test fixture Fixtures/\(name).\(ext)")
        }
        return url
    }

    /// `B, spatial…, C` → `B, C, spatial…` (contiguous).
    static func channelsFirst(_ t: Tensor) -> Tensor {
        let r = t.rank
        return t.permuted([0, r - 1] + Array(1..<(r - 1))).contiguous().detached()
    }

    /// `B, C, spatial…` → `B, spatial…, C` (contiguous).
    static func channelsLast(_ t: Tensor) -> Tensor {
        let r = t.rank
        return t.permuted([0] + Array(2..<r) + [1]).contiguous().detached()
    }

    /// A one-hot target `N, C, spatial…` from labels in row-major order over `N, spatial…`.
    static func oneHot(_ labels: [Int], batch: Int, classes: Int, spatial: [Int]) -> Tensor {
        let s = Shape.count(spatial)
        precondition(labels.count == batch * s)
        var v = [Float](repeating: 0, count: batch * classes * s)
        for b in 0..<batch {
            for i in 0..<s { v[(b * classes + labels[b * s + i]) * s + i] = 1 }
        }
        return Tensor(shape: [batch, classes] + spatial, scalars: v)
    }

    /// Random labels in `0..<classes` with a blob-like structure (a few rectangles per image).
    static func randomLabels(batch: Int, classes: Int, spatial: [Int], generator g: inout RandomGenerator) -> [Int] {
        let s = Shape.count(spatial)
        var labels = [Int](repeating: 0, count: batch * s)
        let strides = Shape.contiguousStrides(spatial)
        for b in 0..<batch {
            for k in 1..<classes {
                let lo = spatial.map { Int(g.nextUnit() * Double($0 / 2)) }
                let hi = zip(lo, spatial).map { l, e in min(e, l + 1 + Int(g.nextUnit() * Double(e / 2))) }
                for i in 0..<s {
                    var inside = true
                    for d in 0..<spatial.count {
                        let idx = (i / strides[d]) % spatial[d]
                        if idx < lo[d] || idx >= hi[d] { inside = false; break }
                    }
                    if inside { labels[b * s + i] = k }
                }
            }
        }
        return labels
    }

    /// Softmax probabilities of random logits `N(0, scale²)` plus `informative·(2y − 1)`.
    static func probabilities(target: Tensor, scale: Float = 1, informative: Float = 0.5,
                              generator g: inout RandomGenerator) -> Tensor {
        let z = logits(target: target, scale: scale, informative: informative, generator: &g)
        return Kernels.softmax(z, axis: 1)
    }

    /// Random logits `N(0, scale²)` plus `informative·(2y − 1)`.
    static func logits(target: Tensor, scale: Float = 1, informative: Float = 0.5,
                       generator g: inout RandomGenerator) -> Tensor {
        let noise = Tensor(randomNormal: target.shape, std: scale, generator: &g)
        return Kernels.zipMap(noise, target) { n, y in n + informative * (2 * y - 1) }
    }

    /// Probabilities in `[lo, hi]` (not normalised), away from the clip bounds (for
    /// finite-difference checks).
    static func interiorProbabilities(shape: [Int], lo: Float = 0.05, hi: Float = 0.95, generator g: inout RandomGenerator) -> Tensor {
        Tensor(randomUniform: shape, low: lo, high: hi, generator: &g)
    }

    /// One instance of every loss of the family (their defaults and a few non-default settings).
    static func allLosses(_ kind: InputKind = .probabilities) -> [any SegmentationLoss] {
        [
            DiceLoss(inputKind: kind),
            TverskyLoss(inputKind: kind),
            FocalTverskyLoss(inputKind: kind),
            FocalTverskyLoss(delta: 0.6, gamma: 1.5, inputKind: kind),
            FocalLoss(inputKind: kind),
            FocalLoss(alpha: 0.25, gammaF: 0.5, inputKind: kind),
            ComboLoss(inputKind: kind),
            ComboLoss(alpha: nil, beta: nil, inputKind: kind),
            DiceCrossEntropyLoss(inputKind: kind),
            SymmetricFocalLoss(inputKind: kind),
            AsymmetricFocalLoss(inputKind: kind),
            SymmetricFocalTverskyLoss(inputKind: kind),
            AsymmetricFocalTverskyLoss(inputKind: kind),
            SymmetricUnifiedFocalLoss(inputKind: kind),
            AsymmetricUnifiedFocalLoss(inputKind: kind),
            AsymmetricUnifiedFocalLoss(weight: nil, delta: 0.6, gamma: 0.1, inputKind: kind),
            AsymmetricUnifiedFocalLoss(lambda: 0.3, delta: 0.7, gamma: 0.2, inputKind: kind),
        ]
    }

    /// The loss value (explicit `callAsFunction` on the existential).
    static func value(_ loss: any SegmentationLoss, _ prediction: Tensor, _ target: Tensor) throws -> Float {
        let t: Tensor = try loss.callAsFunction(prediction, target)
        return t.item()
    }

    /// Value and gradient with respect to the prediction.
    static func valueAndGradient(_ loss: any SegmentationLoss, _ prediction: Tensor, _ target: Tensor) throws -> (Float, Tensor) {
        let x = prediction.detached().requiringGradient()
        let l: Tensor = try loss.callAsFunction(x, target)
        l.backward()
        return (l.item(), x.grad ?? Tensor(zeros: prediction.shape))
    }

    /// A short label for messages.
    static func label(_ loss: any SegmentationLoss) -> String { "\(loss.name) \(loss)" }
}
