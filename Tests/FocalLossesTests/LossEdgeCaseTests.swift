import FocalCore
import FocalLosses
import Foundation
import Testing

/// No NaN or infinity for any input in [0, 1] (or saturated logits): empty and full masks,
/// one-pixel objects, exact 0/1 predictions, an empty image in a batch; perfect predictions
/// give (near) zero region losses.
@Suite("Loss edge cases")
struct LossEdgeCaseTests {
    static let spatial = [6, 5]

    /// Named targets (N = 2, C = 2) covering the edge cases.
    static func targets() -> [(String, Tensor)] {
        let s = Shape.count(spatial)
        func labels(_ f: (Int, Int) -> Int) -> [Int] { (0..<2).flatMap { b in (0..<s).map { f(b, $0) } } }
        return [
            ("empty masks", labels { _, _ in 0 }),
            ("full masks", labels { _, _ in 1 }),
            ("one-pixel objects", labels { _, i in i == 13 ? 1 : 0 }),
            ("empty mask next to an object", labels { b, i in b == 1 && i % 5 >= 2 ? 1 : 0 }),
        ].map { ($0.0, LossTestSupport.oneHot($0.1, batch: 2, classes: 2, spatial: spatial)) }
    }

    /// Predictions in [0, 1] (exact 0/1 included) for a target.
    static func predictions(for y: Tensor) -> [(String, Tensor)] {
        let flipped = Kernels.map(y) { 1 - $0 }
        return [
            ("perfect 0/1", y),
            ("inverted 0/1", flipped),
            ("all 0", Tensor(zeros: y.shape)),
            ("all 1", Tensor(ones: y.shape)),
            ("uniform 0.5", Tensor(repeating: 0.5, shape: y.shape)),
        ]
    }

    static func allFinite(_ loss: any SegmentationLoss, _ p: Tensor, _ y: Tensor) throws -> Bool {
        let (v, g) = try LossTestSupport.valueAndGradient(loss, p, y)
        return v.isFinite && g.scalars.allSatisfy(\.isFinite)
    }

    @Test("finite values and gradients for probabilities in [0, 1]")
    func probabilities() throws {
        for (tName, y) in Self.targets() {
            for (pName, p) in Self.predictions(for: y) {
                for loss in LossTestSupport.allLosses() + [AsymmetricUnifiedFocalLoss(delta: 1, gamma: 1), SymmetricUnifiedFocalLoss(delta: 0, gamma: 0)] {
                    #expect(try Self.allFinite(loss, p, y), "\(loss.name): \(tName), \(pName)")
                    for mode in DistancePenalized.Mode.allCases {
                        for e: Float in [0, 0.1, 1, 10] {
                            #expect(try Self.allFinite(loss.distancePenalized(epsilon: e, mode: mode), p, y),
                                    "\(loss.name) FDPT \(mode) ε=\(e): \(tName), \(pName)")
                        }
                    }
                }
            }
        }
    }

    @Test("finite values and gradients for saturated logits (±80) and logits of 0")
    func saturatedLogits() throws {
        for (tName, y) in Self.targets() {
            let right = Kernels.map(y) { $0 == 1 ? 80 : -80 }
            let wrong = Kernels.map(y) { $0 == 1 ? -80 : 80 }
            for (zName, z) in [("right", right), ("wrong", wrong), ("zero", Tensor(zeros: y.shape))] {
                for loss in LossTestSupport.allLosses(.logits) {
                    #expect(try Self.allFinite(loss, z, y), "\(loss.name): \(tName), \(zName) logits")
                    #expect(try Self.allFinite(loss.distancePenalized(epsilon: 0.1), z, y), "\(loss.name) FDPT: \(tName), \(zName)")
                }
            }
        }
    }

    @Test("perfect predictions give (near) zero region and focal losses")
    func perfectPrediction() throws {
        var g = RandomGenerator(seed: 3)
        let labels = LossTestSupport.randomLabels(batch: 2, classes: 3, spatial: [8, 8], generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: 3, spatial: [8, 8])
        let z = Kernels.map(y) { $0 == 1 ? 80 : -80 }
        // With the clip, 1 − TI ≈ 1e-7, so a term (1 − TI)^e is ≈ (1e-7)^e.
        let bounded: [(any SegmentationLoss, Float)] = [
            (DiceLoss(), 1e-5), (TverskyLoss(), 1e-5), (FocalTverskyLoss(), 1e-4), (FocalLoss(), 1e-6),
            (DiceCrossEntropyLoss(), 1e-5), (SymmetricFocalLoss(), 1e-6), (AsymmetricFocalLoss(), 1e-6),
            (AsymmetricFocalTverskyLoss(gamma: 0.1), 1e-5), (SymmetricFocalTverskyLoss(gamma: 0.1), 1e-5),
            (SymmetricFocalTverskyLoss(), 0.04), (AsymmetricUnifiedFocalLoss(), 2e-3), (SymmetricUnifiedFocalLoss(), 2e-3),
        ]
        for (loss, bound) in bounded {
            let v = try LossTestSupport.value(loss, y, y)
            #expect(v >= 0 && v <= bound, "\(loss.name): \(v)")
        }
        // Logits: softmax is exactly one-hot, TI = 1, and the region losses are exactly 0.
        for loss: any SegmentationLoss in [DiceLoss(inputKind: .logits), FocalTverskyLoss(inputKind: .logits),
                                           AsymmetricFocalTverskyLoss(inputKind: .logits), SymmetricFocalTverskyLoss(inputKind: .logits)] {
            #expect(try LossTestSupport.value(loss, z, y) == 0, "\(loss.name)")
        }
        // Combo's minimum is −(1 − α).
        #expect(abs(try LossTestSupport.value(ComboLoss(), y, y) + 0.5) <= 1e-5)
    }

    @Test("an empty image in a batch does not disturb the other image's gradient")
    func emptyImageInBatch() throws {
        var g = RandomGenerator(seed: 9)
        let labels = LossTestSupport.randomLabels(batch: 1, classes: 2, spatial: [6, 6], generator: &g)
        let one = LossTestSupport.oneHot(labels, batch: 1, classes: 2, spatial: [6, 6])
        let empty = LossTestSupport.oneHot([Int](repeating: 0, count: 36), batch: 1, classes: 2, spatial: [6, 6])
        let y = Tensor.concat([one, empty], axis: 0)
        let p = LossTestSupport.probabilities(target: y, generator: &g)
        for loss in LossTestSupport.allLosses() {
            let (v, grad) = try LossTestSupport.valueAndGradient(loss, p, y)
            #expect(v.isFinite && grad.scalars.allSatisfy(\.isFinite), "\(loss.name)")
            #expect(grad.scalars[0..<72].contains { $0 != 0 }, "\(loss.name): no gradient on the non-empty image")
        }
    }

    @Test("backward works in a custom loop: gradients reach a parameter through the softmax")
    func customLoop() throws {
        var g = RandomGenerator(seed: 10)
        let labels = LossTestSupport.randomLabels(batch: 1, classes: 2, spatial: [8, 8], generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 1, classes: 2, spatial: [8, 8])
        var z = Tensor(zeros: y.shape)
        let loss = AsymmetricUnifiedFocalLoss(gamma: 0.2).distancePenalized(epsilon: 0.1)
        var first: Float = 0, last: Float = 0
        for step in 0..<30 {
            let leaf = z.requiringGradient()
            let l = try loss(leaf.softmax(axis: 1), y)
            l.backward()
            if step == 0 { first = l.item() }
            last = l.item()
            z = Kernels.sub(z, Kernels.scale(leaf.grad!, 200))
        }
        #expect(last < 0.5 * first, "loss \(first) → \(last)")
    }
}

/// Cost of the loss in a training step (debug build; printed for the report).
@Suite("Loss cost")
struct LossCostTests {
    @Test("asymmetric Unified Focal loss (+FDPT) forward and backward on 256×256 and 512×512")
    func cost() throws {
        for n in [256, 512] {
            var g = RandomGenerator(seed: 1)
            let labels = (0..<(n * n)).map { i -> Int in
                let (y, x) = (i / n - n / 2, i % n - n / 3)
                return y * y + x * x < (n / 5) * (n / 5) ? 1 : 0
            }
            let y = LossTestSupport.oneHot(labels, batch: 1, classes: 2, spatial: [n, n])
            let z = LossTestSupport.logits(target: y, generator: &g)
            for loss: any SegmentationLoss in [AsymmetricUnifiedFocalLoss(gamma: 0.2), AsymmetricUnifiedFocalLoss(gamma: 0.2).distancePenalized(epsilon: 0.1)] {
                let start = Date()
                let leaf = z.requiringGradient()
                let l: Tensor = try loss.callAsFunction(leaf.softmax(axis: 1), y)
                l.backward()
                let ms = Date().timeIntervalSince(start) * 1000
                print("loss cost \(n)×\(n) \(loss is DistancePenalized ? "aUFL+FDPT" : "aUFL"): \(String(format: "%.1f", ms)) ms (debug build, forward + backward incl. softmax)")
                #expect(l.item().isFinite && leaf.grad != nil)
            }
        }
    }
}
