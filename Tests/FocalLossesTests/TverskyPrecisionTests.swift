import FocalCore
import FocalLosses
import Foundation
import Testing

/// Float32 accuracy of the Tversky/Dice family where `TI → 1` (perfect and near-perfect
/// predictions), against float64.
///
/// References:
/// - the vector records: the original's float64 run (`value`); our float32 value must be at
///   least as close to it as the original's float32 run (`value_f32`), up to one float32 ulp
///   of the largest operand of the last operation (the value; for Combo, its CE or Dice term).
/// - the generated cases: `ReferenceLosses` (direct Double loops of the definitions, written as
///   `1 − TI`, on the same float32 inputs and float32 hyperparameters, clip bound
///   `Double(Float(1 − 1e-7))`). In Double the `1 − TI` cancellation costs about
///   `1e-16 / (1 − TI)` relative, below 1e-8 for every case here.
@Suite("Tversky/Dice family: float32 accuracy near TI = 1")
struct TverskyPrecisionTests {
    /// Relative value error allowed against the Double reference on the generated cases.
    static let valueTolerance = 2e-6
    /// Gradient error allowed: `tolerance · (|g_ref| + 1e-3 · max|g_ref|)`.
    static let gradientTolerance = 1e-5

    /// A loss of the family, its float32 implementation and its Double reference.
    struct Subject {
        let label: String
        let value: (Tensor, Tensor) throws -> Tensor
        let reference: (ReferenceLosses) -> Double
        /// `(class, TI) → term` and its derivative in `1 − TI` for the region-only losses
        /// (gradient reference); `nil` for losses with a cross-entropy part.
        let region: RegionTerm?
    }

    /// A region-only loss `mean_{b,c} f_c(1 − TI_c)` for the gradient reference.
    struct RegionTerm {
        let delta: Double, smooth: Double, clipped: Bool
        /// Exponent `e_c` of `(1 − TI_c)^{e_c}`.
        let exponent: (Int) -> Double
    }

    static func f(_ x: Float) -> Double { Double(x) }

    static func subjects() -> [Subject] {
        var list: [Subject] = []
        for delta: Float in [0.5, 0.7] {
            let loss = DiceLoss(delta: delta)
            list.append(Subject(label: "dice_loss δ \(delta)", value: { try loss($0, $1) },
                                reference: { $0.regionMean(delta: f(delta), smooth: f(1e-6), clipped: false) { 1 - $1 } },
                                region: RegionTerm(delta: f(delta), smooth: f(1e-6), clipped: false) { _ in 1 }))
        }
        for delta: Float in [0.7, 0.6] {
            let loss = TverskyLoss(delta: delta)
            list.append(Subject(label: "tversky_loss δ \(delta)", value: { try loss($0, $1) },
                                reference: { $0.regionMean(delta: f(delta), smooth: f(1e-6), clipped: false) { 1 - $1 } },
                                region: RegionTerm(delta: f(delta), smooth: f(1e-6), clipped: false) { _ in 1 }))
        }
        for (delta, gamma): (Float, Float) in [(0.7, 0.75), (0.6, 0.5), (0.7, 0.1), (0.6, 1.5)] {
            let loss = FocalTverskyLoss(delta: delta, gamma: gamma)
            list.append(Subject(label: "focal_tversky_loss δ \(delta) γ \(gamma)", value: { try loss($0, $1) },
                                reference: { $0.regionMean(delta: f(delta), smooth: f(1e-6), clipped: true) { pow(1 - $1, f(gamma)) } },
                                region: RegionTerm(delta: f(delta), smooth: f(1e-6), clipped: true) { _ in f(gamma) }))
        }
        for (delta, gamma): (Float, Float) in [(0.7, 0.75), (0.6, 0.5), (0.6, 0.1)] {
            for asymmetric in [false, true] {
                let loss: any SegmentationLoss = asymmetric ? AsymmetricFocalTverskyLoss(delta: delta, gamma: gamma)
                                                            : SymmetricFocalTverskyLoss(delta: delta, gamma: gamma)
                let e = f(1 - gamma)
                list.append(Subject(label: "\(loss.name) δ \(delta) γ \(gamma)", value: { try loss.callAsFunction($0, $1) },
                                    reference: { $0.focalTverskyUnified(delta: f(delta), gamma: f(gamma), asymmetric: asymmetric) },
                                    region: RegionTerm(delta: f(delta), smooth: f(1e-7), clipped: true) { k in
                                        asymmetric && k == 0 ? 1 : e
                                    }))
            }
        }
        for asymmetric in [false, true] {
            let loss: any SegmentationLoss = asymmetric ? AsymmetricUnifiedFocalLoss() : SymmetricUnifiedFocalLoss()
            list.append(Subject(label: loss.name, value: { try loss.callAsFunction($0, $1) },
                                reference: { $0.unified(weight: 0.5, delta: f(0.6), gamma: 0.5, asymmetric: asymmetric) }, region: nil))
        }
        // MIScnn's Dice + CE, Dice part only: the loss minus its own float32 CE term. (The Keras
        // CE `−log(clip(p/Σp))` near p = 1 is limited by the float32 rounding of p/Σp, a
        // relative error of about 6e-8/(1 − p) that is not the Tversky term's.)
        list.append(Subject(label: "dice_crossentropy − CE", value: { p, y in
                                let input = try LossInput(prediction: p, target: y)
                                return try DiceCrossEntropyLoss()(p, y) - input.crossEntropyTerm(kerasRenormalised: true)
                            },
                            reference: { r in
                                var total = 0.0
                                for b in 0..<r.n {
                                    for k in 0..<r.c {
                                        var inter = 0.0, sy = 0.0, sp = 0.0
                                        for i in 0..<r.s {
                                            let j = r.at(b, k, i)
                                            inter += r.y[j] * r.p[j]; sy += r.y[j]; sp += r.p[j]
                                        }
                                        total += 1 - (2 * inter + f(1e-5)) / (sy + sp + f(1e-5))
                                    }
                                }
                                return total / Double(r.n * r.c)
                            }, region: nil))
        list.append(Subject(label: "combo_loss", value: { try ComboLoss()($0, $1) }, reference: { $0.combo() }, region: nil))
        list.append(Subject(label: "dice_coefficient", value: { try DiceCoefficient()($0, $1) },
                            reference: { $0.regionMean(delta: 0.5, smooth: f(1e-6), clipped: false) { $1 } }, region: nil))
        return list
    }

    /// A generated input: one-hot target and prediction (channels first).
    struct Case {
        let label: String
        let target: Tensor
        let prediction: Tensor
    }

    /// Perfect predictions (`p = y`, exact 0/1) and predictions `1e-6` away from it (the true
    /// class gets `1 − ε`, the others share `ε`, `ε ∈ [0.5, 1.5]·1e-6` per pixel), on tiny,
    /// small, large, multi-class, batched and 3-D inputs.
    static func cases() -> [Case] {
        var g = RandomGenerator(seed: 2026)
        var list: [Case] = []
        func add(_ name: String, classes: Int, batch: Int, spatial: [Int], labels: [Int]? = nil) {
            let l = labels ?? LossTestSupport.randomLabels(batch: batch, classes: classes, spatial: spatial, generator: &g)
            let y = LossTestSupport.oneHot(l, batch: batch, classes: classes, spatial: spatial)
            list.append(Case(label: "\(name) perfect", target: y, prediction: y))
            let s = Shape.count(spatial)
            var p = y.scalars
            for b in 0..<batch {
                for i in 0..<s {
                    let eps = 1e-6 * (0.5 + g.nextUnit())
                    for k in 0..<classes {
                        let j = (b * classes + k) * s + i
                        p[j] = p[j] == 1 ? Float(1 - eps) : Float(eps / Double(classes - 1))
                    }
                }
            }
            list.append(Case(label: "\(name) 1e-6 away", target: y, prediction: Tensor(shape: y.shape, scalars: p)))
        }
        add("1×1 foreground pixel", classes: 2, batch: 1, spatial: [1, 1], labels: [1])
        add("2×2", classes: 2, batch: 1, spatial: [2, 2], labels: [1, 0, 0, 0])
        add("8×8 square", classes: 2, batch: 1, spatial: [8, 8], labels: (0..<64).map { ($0 / 8) < 4 && ($0 % 8) < 4 ? 1 : 0 })
        add("8×8 no foreground", classes: 2, batch: 1, spatial: [8, 8], labels: [Int](repeating: 0, count: 64))
        add("16×16 one pixel", classes: 2, batch: 1, spatial: [16, 16], labels: (0..<256).map { $0 == 37 ? 1 : 0 })
        add("256×256 blobs", classes: 2, batch: 1, spatial: [256, 256])
        add("b2 16×16, 4 classes", classes: 4, batch: 2, spatial: [16, 16])
        add("6×6×6 volume, 3 classes", classes: 3, batch: 1, spatial: [6, 6, 6])
        return list
    }

    /// Relative error (`0` against `0` is exact; anything against `0` is infinite).
    static func relative(_ a: Double, _ e: Double) -> Double {
        a == e ? 0 : abs(a - e) / abs(e)
    }

    @Test("perfect and near-perfect predictions: values within 2e-6 relative of float64")
    func generatedValues() throws {
        var worst = 0.0, worstAt = ""
        var checked = 0
        for c in Self.cases() {
            let reference = ReferenceLosses(p: c.prediction.scalars, y: c.target.scalars, shape: c.target.shape)
            for subject in Self.subjects() {
                let v = Double(try subject.value(c.prediction, c.target).item())
                let e = subject.reference(reference)
                let err = Self.relative(v, e)
                #expect(err <= Self.valueTolerance, "\(subject.label) on \(c.label): \(v) vs float64 \(e) (relative \(err))")
                if err > worst { worst = err; worstAt = "\(subject.label) on \(c.label): \(v) vs \(e)" }
                checked += 1
            }
        }
        print("Tversky precision: \(checked) generated values; worst relative error vs float64 \(worst) (\(worstAt))")
    }

    /// `∂L/∂p` of `mean_{b,c} (1 − TI_c)^{e_c}` in Double: with `a = δ·FN + (1 − δ)·FP`,
    /// `D = TP + a + s`, `∂(1 − TI)/∂TP = −a/D²`, `∂/∂FN = δ(TP + s)/D²`, `∂/∂FP = (1 − δ)(TP + s)/D²`,
    /// the channel-power slope floored at `1e-7` for `0 < e < 1` (as `LossOps.channelPower`) and
    /// the clip's gradient passed at the bounds inclusive.
    static func referenceGradient(_ r: ReferenceLosses, _ term: RegionTerm) -> [Double] {
        var grad = [Double](repeating: 0, count: r.p.count)
        let scale = 1 / Double(r.n * r.c)
        for b in 0..<r.n {
            for k in 0..<r.c {
                var tp = 0.0, fn = 0.0, fp = 0.0
                for i in 0..<r.s {
                    let j = r.at(b, k, i)
                    let pi = term.clipped ? r.clip(r.p[j]) : r.p[j], yi = r.y[j]
                    tp += yi * pi; fn += yi * (1 - pi); fp += (1 - yi) * pi
                }
                let a = term.delta * fn + (1 - term.delta) * fp
                let d = tp + a + term.smooth
                let dTP = -a / (d * d), dFN = term.delta * (tp + term.smooth) / (d * d)
                let dFP = (1 - term.delta) * (tp + term.smooth) / (d * d)
                let e = term.exponent(k), x = a / d
                let slope = e == 1 ? 1 : e * pow(e < 1 ? max(x, 1e-7) : x, e - 1)
                for i in 0..<r.s {
                    let j = r.at(b, k, i)
                    let pass = !term.clipped || (r.p[j] >= ReferenceLosses.lo && r.p[j] <= ReferenceLosses.hi)
                    guard pass else { continue }
                    let yi = r.y[j]
                    grad[j] = scale * slope * (yi * (dTP - dFN) + (1 - yi) * dFP)
                }
            }
        }
        return grad
    }

    @Test("near-perfect predictions: gradients of the region losses within 1e-5 of float64")
    func generatedGradients() throws {
        var worst = 0.0, worstAt = ""
        for c in Self.cases() where c.label.hasSuffix("away") {
            let reference = ReferenceLosses(p: c.prediction.scalars, y: c.target.scalars, shape: c.target.shape)
            for subject in Self.subjects() {
                guard let term = subject.region else { continue }
                let x = c.prediction.detached().requiringGradient()
                try subject.value(x, c.target).backward()
                let grad = try #require(x.grad).scalars
                let expected = Self.referenceGradient(reference, term)
                let floor = 1e-3 * (expected.map { abs($0) }.max() ?? 0)
                var recordWorst = 0.0, at = ""
                for (i, (a, e)) in zip(grad, expected).enumerated() {
                    let ratio = abs(Double(a) - e) / (abs(e) + floor)
                    if ratio > recordWorst { recordWorst = ratio; at = "entry \(i): \(a) vs \(e)" }
                }
                #expect(recordWorst <= Self.gradientTolerance, "\(subject.label) on \(c.label): \(at) (scaled error \(recordWorst))")
                if recordWorst > worst { worst = recordWorst; worstAt = "\(subject.label) on \(c.label), \(at)" }
            }
        }
        print("Tversky precision: worst gradient error / (|g| + 1e-3·max|g|) vs float64 \(worst) (\(worstAt))")
    }

    /// The records of the family (every loss with a Tversky or Dice term).
    static let familyNames: Set<String> = [
        "dice_loss", "tversky_loss", "dice_coefficient", "focal_tversky_loss", "combo_loss",
        "symmetric_focal_tversky_loss", "asymmetric_focal_tversky_loss", "sym_unified_focal_loss", "asym_unified_focal_loss",
    ]

    @Test("vector records: at least as close to the original's float64 as its float32 run (± 1 operand ulp)")
    func vectorRecords() throws {
        let file = LossVectorFile.shared
        let cases = Dictionary(uniqueKeysWithValues: file.cases.map { ($0.id, $0) })
        var checked = 0, closer = 0
        var worstOurs = 0.0, worstOriginal = 0.0, worstExcess = 0.0, worstExcessAt = ""
        for record in file.losses where Self.familyNames.contains(record.loss) {
            let c = try #require(cases[record.caseID])
            let y = LossTestSupport.channelsFirst(Tensor(shape: c.shape, scalars: c.yTrue.map { Float($0) }))
            let p = LossTestSupport.channelsFirst(Tensor(shape: c.shape, scalars: c.yPred.map { Float($0) }))
            let value: Float
            if record.loss == "dice_coefficient" {
                value = try DiceCoefficient()(p, y).item()
            } else {
                let loss = try LossRegistry.make(record.loss, options: record.hyperparameters.mapValues { $0 ?? .nan })
                value = try LossTestSupport.value(loss, p, y)
            }
            let ours = abs(Double(value) - record.value)
            let original = abs(Double(record.valueF32) - record.value)
            // One float32 ulp of the largest operand of the last operation: the value itself,
            // or for Combo `α·CE − (1 − α)·DSC` (a difference) the larger of its two terms.
            var scale = abs(record.value)
            if record.loss == "combo_loss" {
                let alpha = record.hyperparameters["alpha"].map { $0 ?? .nan } ?? 0.5
                let dice = Double(try DiceCoefficient()(p, y).item()) * (alpha.isNaN ? 1 : 1 - alpha)
                scale = max(scale, dice, abs(record.value) + dice)
            }
            let ulp = Double(Float(scale).ulp)
            let where_ = "\(record.loss) \(record.hyperparameters.mapValues { $0.map { String($0) } ?? "None" }) on \(record.caseID)"
            #expect(ours <= original + ulp, "\(where_): ours \(value), original float32 \(record.valueF32), float64 \(record.value)")
            if ours <= original { closer += 1 }
            if ours - original > worstExcess { worstExcess = ours - original; worstExcessAt = where_ }
            worstOurs = max(worstOurs, ours / max(abs(record.value), 1e-30))
            worstOriginal = max(worstOriginal, original / max(abs(record.value), 1e-30))
            checked += 1
        }
        #expect(checked == 182)
        print("""
            Tversky precision: \(checked) vector records of the family; \(closer) at least as close to float64 as the original's float32.
              worst relative error vs float64: ours \(worstOurs), original float32 \(worstOriginal)
              largest excess over the original's error: \(worstExcess) (\(worstExcessAt))
            """)
    }
}
