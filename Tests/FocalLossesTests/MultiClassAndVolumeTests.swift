import FocalCore
import FocalLosses
import Testing

/// C ≥ 2 classes, rare-class sets and 3-D inputs, against `ReferenceLosses`.
@Suite("Multi-class and 3-D losses")
struct MultiClassAndVolumeTests {
    @Test("every loss equals the reference formula", arguments: [
        (2, [6, 5]), (3, [7, 6]), (4, [5, 5]), (2, [3, 4, 5]), (3, [4, 3, 5]), (4, [2, 3, 4]),
    ])
    func matchesReference(classes: Int, spatial: [Int]) throws {
        var g = RandomGenerator(seed: UInt64(classes * 100 + spatial.count))
        let labels = LossTestSupport.randomLabels(batch: 2, classes: classes, spatial: spatial, generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: classes, spatial: spatial)
        let p = LossTestSupport.probabilities(target: y, scale: 1.5, informative: 0.7, generator: &g)
        let reference = ReferenceLosses(p: p.scalars, y: y.scalars, shape: y.shape)
        for name in ReferenceLosses.names {
            let loss = try LossRegistry.make(name)
            let v = Double(try LossTestSupport.value(loss, p, y))
            let e = reference.value(name)
            #expect(abs(v - e) <= 2e-5 * max(abs(e), 1e-2), "\(name), C = \(classes), spatial \(spatial): \(v) vs \(e)")
        }
    }

    @Test("rare classes: custom sets for C = 4 equal the reference; C = 2 default is the original's {1}")
    func rareClasses() throws {
        var g = RandomGenerator(seed: 5)
        let spatial = [6, 6]
        let labels = LossTestSupport.randomLabels(batch: 1, classes: 4, spatial: spatial, generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 1, classes: 4, spatial: spatial)
        let p = LossTestSupport.probabilities(target: y, scale: 1, informative: 0.5, generator: &g)
        for rare in [[2], [1, 3], [0, 2], [0, 1, 2, 3]] {
            let r = ReferenceLosses(p: p.scalars, y: y.scalars, shape: y.shape, rare: rare)
            let cases: [(any SegmentationLoss, Double)] = [
                (AsymmetricUnifiedFocalLoss(rareClasses: rare), r.unified(weight: 0.5, delta: 0.6, gamma: 0.5, asymmetric: true)),
                (SymmetricUnifiedFocalLoss(rareClasses: rare), r.unified(weight: 0.5, delta: 0.6, gamma: 0.5, asymmetric: false)),
                (AsymmetricFocalLoss(rareClasses: rare), r.focalCE(delta: 0.7, gamma: 2, asymmetric: true)),
                (SymmetricFocalLoss(rareClasses: rare), r.focalCE(delta: 0.7, gamma: 2, asymmetric: false)),
                (AsymmetricFocalTverskyLoss(rareClasses: rare), r.focalTverskyUnified(delta: 0.7, gamma: 0.75, asymmetric: true)),
            ]
            for (loss, e) in cases {
                let v = Double(try LossTestSupport.value(loss, p, y))
                #expect(abs(v - e) <= 2e-5 * max(abs(e), 1e-2), "\(loss.name) rare \(rare): \(v) vs \(e)")
            }
        }
        // C = 2: the default and an explicit {1} are the same loss.
        let y2 = LossTestSupport.oneHot(labels.map { min($0, 1) }, batch: 1, classes: 2, spatial: spatial)
        let p2 = LossTestSupport.probabilities(target: y2, generator: &g)
        let a = try asymmetricUnifiedFocalLoss(p2, y2).item()
        let b = try AsymmetricUnifiedFocalLoss(rareClasses: [1])(p2, y2).item()
        #expect(a == b)
    }

    @Test("a 3-D volume of depth 1 gives the 2-D loss; 3-D gradients have the input's shape")
    func volumeOfDepthOne() throws {
        var g = RandomGenerator(seed: 8)
        let labels = LossTestSupport.randomLabels(batch: 2, classes: 3, spatial: [5, 7], generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: 3, spatial: [5, 7])
        let p = LossTestSupport.probabilities(target: y, generator: &g)
        let y3 = y.reshaped([2, 3, 1, 5, 7]), p3 = p.reshaped([2, 3, 1, 5, 7])
        for loss in LossTestSupport.allLosses() {
            let (v2, g2) = try LossTestSupport.valueAndGradient(loss, p, y)
            let (v3, g3) = try LossTestSupport.valueAndGradient(loss, p3, y3)
            #expect(abs(v2 - v3) <= 1e-6 * max(1, abs(v2)), "\(loss.name)")
            #expect(g3.shape == [2, 3, 1, 5, 7])
            #expect(g2.scalars == g3.scalars, "\(loss.name)")
        }
    }
}
