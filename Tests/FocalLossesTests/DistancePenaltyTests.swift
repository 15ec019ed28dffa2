import FocalCore
import FocalLosses
import Foundation
import Testing

@Suite("Distance penalty map Φ and the FDPT")
struct DistancePenaltyTests {
    /// Spec §1.8: 6×6, foreground rows 1–3 × columns 1–4.
    static let specMask: [Bool] = (0..<36).map { i in (1...3).contains(i / 6) && (1...4).contains(i % 6) }
    static let specPhi: [Float] = [
        0.6649, 1, 1, 1, 1, 0.6649,
        1, 1, 1, 1, 1, 1,
        1, 1, 0, 0, 1, 1,
        1, 1, 1, 1, 1, 1,
        0.6649, 1, 1, 1, 1, 0.6649,
        0, 0.191, 0.191, 0.191, 0.191, 0,
    ]

    @Test("the spec's 6×6 vector (exact values (√5 − √2)/(√5 − 1) and (√5 − 2)/(√5 − 1))")
    func specVector() throws {
        let phi = try DistancePenalty.phi(foreground: Self.specMask, shape: [6, 6])
        for (a, e) in zip(phi, Self.specPhi) { #expect(abs(a - e) <= 1e-3, "\(a) vs \(e)") }
        let r5 = 5.0.squareRoot()
        #expect(abs(Double(phi[0]) - (r5 - 2.0.squareRoot()) / (r5 - 1)) <= 1e-7)
        #expect(abs(Double(phi[31]) - (r5 - 2) / (r5 - 1)) <= 1e-7)
        #expect(phi[14] == 0 && phi[30] == 0 && phi[7] == 1)
    }

    @Test("equals the SegLoss map (scipy) with the guards on every golden mask, 2-D and 3-D")
    func golden() throws {
        for m in DistancePenaltyGolden.shared.masks {
            let phi = try DistancePenalty.phi(foreground: m.mask.map { $0 != 0 }, shape: m.shape)
            #expect(zip(phi, m.phi).allSatisfy { abs(Double($0) - $1) <= 1e-6 }, "\(m.name)")
            #expect(phi.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite }, "\(m.name)")
        }
    }

    @Test("guards: empty and full masks give 0; a side whose pixels all touch the boundary gives 0")
    func guards() throws {
        #expect(try DistancePenalty.phi(foreground: [Bool](repeating: false, count: 20), shape: [4, 5]).allSatisfy { $0 == 0 })
        #expect(try DistancePenalty.phi(foreground: [Bool](repeating: true, count: 60), shape: [3, 4, 5]).allSatisfy { $0 == 0 })
        var line = [Bool](repeating: false, count: 49)
        for i in 0..<7 { line[3 * 7 + i] = true }
        let phi = try DistancePenalty.phi(foreground: line, shape: [7, 7])
        for i in 0..<7 { #expect(phi[3 * 7 + i] == 0) }
        #expect(phi[2 * 7] == 1 && phi[0] == 0)
    }

    @Test("Φ of a batch of targets uses argmax ≠ background per image (multi-class)")
    func fromTarget() throws {
        // Image 0: the spec mask as class 2 of 3; image 1: empty.
        let labels = Self.specMask.map { $0 ? 2 : 0 } + [Int](repeating: 0, count: 36)
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: 3, spatial: [6, 6])
        let phi = try DistancePenalty.phi(target: y)
        #expect(phi.shape == [2, 1, 6, 6])
        let values = phi.scalars
        for (a, e) in zip(values[0..<36], Self.specPhi) { #expect(abs(a - e) <= 1e-3) }
        #expect(values[36...].allSatisfy { $0 == 0 })
    }

    @Test("FDPT weight limits and the heat-map data for ε = 0.1, 1, 10")
    func weightsAndMaps() throws {
        let mask = Tensor(shape: [6, 6], scalars: Self.specMask.map { $0 ? 1 : 0 })
        let maps = try DistancePenalty.maps(mask: mask)
        #expect(maps.shape == [6, 6] && maps.phi.count == 36)
        #expect(maps.weights.map(\.epsilon) == [0.1, 1, 10])
        let w01 = maps.weights[0].values, w1 = maps.weights[1].values, w10 = maps.weights[2].values
        for i in 0..<36 {
            #expect(w1[i] == max(maps.phi[i], 1e-7), "ε = 1 is the DPT (floored at 1e-7)")
            #expect(w01[i] >= w1[i] && w1[i] >= w10[i])
            #expect((0...1).contains(w10[i]))
        }
        let phiTensor = Tensor(shape: [6, 6], scalars: maps.phi)
        #expect(DistancePenalty.focalWeight(phi: phiTensor, epsilon: 0).scalars.allSatisfy { $0 == 1 })
        #expect(DistancePenalty.pixelWeight(phi: phiTensor, epsilon: 0).scalars.allSatisfy { $0 == 1 })
        #expect(zip(DistancePenalty.pixelWeight(phi: phiTensor, epsilon: 1).scalars, maps.phi).allSatisfy { $0 == 1 + $1 })
        let volume = try DistancePenalty.maps(mask: Tensor(shape: [2, 3, 4], scalars: (0..<24).map { $0 % 5 == 0 ? 1 : 0 }), epsilons: [2])
        #expect(volume.phi.count == 24 && volume.weights[0].values.count == 24)
        #expect(throws: LossError.self) { try DistancePenalty.maps(mask: Tensor(zeros: [6])) }
        #expect(throws: LossError.self) { try DistancePenalty.maps(mask: mask, epsilons: [-1]) }
    }

    static func specInputs(seed: UInt64) -> (Tensor, Tensor) {
        var g = RandomGenerator(seed: seed)
        let labels = Self.specMask.map { $0 ? 1 : 0 } + (0..<36).map { $0 % 7 == 3 ? 1 : 0 }
        let y = LossTestSupport.oneHot(labels, batch: 2, classes: 2, spatial: [6, 6])
        return (y, LossTestSupport.probabilities(target: y, generator: &g))
    }

    @Test("ε = 0 gives exactly the un-penalised loss and gradient (both modes, every loss)")
    func epsilonZero() throws {
        let (y, p) = Self.specInputs(seed: 1)
        for loss in LossTestSupport.allLosses() + LossTestSupport.allLosses(.logits) {
            let (v, g) = try LossTestSupport.valueAndGradient(loss, p, y)
            for mode in DistancePenalized.Mode.allCases {
                let (vd, gd) = try LossTestSupport.valueAndGradient(loss.distancePenalized(epsilon: 0, mode: mode), p, y)
                #expect(v == vd && g.scalars == gd.scalars, "\(loss.name) \(mode)")
            }
        }
    }

    @Test("ε = 1 equals the DPT: the loss on y ⊙ clip(Φ, 1e-7, 1) with the spec's Φ")
    func epsilonOne() throws {
        let (y, p) = Self.specInputs(seed: 2)
        let phi1 = try DistancePenalty.phi(foreground: (0..<36).map { $0 % 7 == 3 }, shape: [6, 6])
        let phi = (Self.specPhi + phi1).map { max($0, 1e-7) }
        let w = Tensor(shape: [2, 1, 6, 6], scalars: phi)
        let yPrime = Kernels.mul(y, w)
        for loss in LossTestSupport.allLosses() {
            let (v, g) = try LossTestSupport.valueAndGradient(loss.distancePenalized(epsilon: 1), p, y)
            let (ve, ge) = try LossTestSupport.valueAndGradient(loss, p, yPrime)
            // The spec's Φ has 4 decimals.
            #expect(abs(v - ve) <= 2e-4 * max(1, abs(ve)), "\(loss.name): \(v) vs \(ve)")
            let scale = ge.scalars.map { abs($0) }.max() ?? 0
            #expect(zip(g.scalars, ge.scalars).allSatisfy { abs($0 - $1) <= 2e-3 * scale }, "\(loss.name)")
        }
    }

    @Test("per-pixel weighting: CE summands and TP/FN weighted by (1 + Φ)^ε, FP not")
    func weightPixelsSemantics() throws {
        let (y, p) = Self.specInputs(seed: 3)
        let eps: Float = 0.5
        let phi = try DistancePenalty.phi(target: y).scalars
        let w = phi.map { Double(pow(1 + $0, eps)) }
        let ys = y.scalars.map(Double.init), ps = p.scalars.map(Double.init)
        let s = 36
        func at(_ b: Int, _ c: Int, _ i: Int) -> Int { (b * 2 + c) * s + i }
        // Dice loss: TP and FN weighted, FP not.
        var dice = 0.0
        for b in 0..<2 {
            for c in 0..<2 {
                var tp = 0.0, fn = 0.0, fp = 0.0
                for i in 0..<s {
                    tp += w[b * s + i] * ys[at(b, c, i)] * ps[at(b, c, i)]
                    fn += w[b * s + i] * ys[at(b, c, i)] * (1 - ps[at(b, c, i)])
                    fp += (1 - ys[at(b, c, i)]) * ps[at(b, c, i)]
                }
                dice += 1 - (tp + 1e-6) / (tp + 0.5 * fn + 0.5 * fp + 1e-6)
            }
        }
        dice /= 4
        let vd = try LossTestSupport.value(DiceLoss().distancePenalized(epsilon: eps, mode: .weightPixels), p, y)
        #expect(abs(Double(vd) - dice) <= 1e-5 * dice)
        // Focal loss: per-pixel summand weighted, plain mean.
        var focal = 0.0
        for b in 0..<2 {
            for i in 0..<s {
                var sum = 0.0
                for c in 0..<2 { let pc = ps[at(b, c, i)]; sum += pow(1 - pc, 2) * -ys[at(b, c, i)] * log(pc) }
                focal += w[b * s + i] * sum
            }
        }
        focal /= Double(2 * s)
        let vf = try LossTestSupport.value(FocalLoss().distancePenalized(epsilon: eps, mode: .weightPixels), p, y)
        #expect(abs(Double(vf) - focal) <= 1e-5 * focal)
    }

    @Test("replaceTarget multiplies every channel of the target by W")
    func replaceTargetSemantics() throws {
        let (y, p) = Self.specInputs(seed: 4)
        let eps: Float = 0.1
        let w = DistancePenalty.focalWeight(phi: try DistancePenalty.phi(target: y), epsilon: eps)
        for loss in LossTestSupport.allLosses() {
            let a = try LossTestSupport.value(DistancePenalized(loss, epsilon: eps), p, y)
            let b = try LossTestSupport.value(loss, p, Kernels.mul(y, w))
            #expect(a == b, "\(loss.name)")
        }
    }
}
