import FocalCore
import FocalLosses
import Foundation
import Testing

/// `Fixtures/loss-vectors.json`: values and gradients of the original Keras code
/// (mlyg/unified-focal-loss@411c9c5, TensorFlow 2.21), copied from the project's reference
/// vectors (see the vectors README).
struct LossVectorFile: Decodable {
    struct Case: Decodable {
        let id: String
        let shape: [Int]
        let yTrue: [Double]
        let yPred: [Double]
        enum CodingKeys: String, CodingKey { case id, shape, yTrue = "y_true", yPred = "y_pred" }
    }
    struct Record: Decodable {
        let loss: String
        let hyperparameters: [String: Double?]
        let caseID: String
        let shape: [Int]
        let value: Double
        let valueF32: Float
        let gradF32: [Float]
        enum CodingKeys: String, CodingKey {
            case loss, hyperparameters, shape, value
            case caseID = "case", valueF32 = "value_f32", gradF32 = "grad_f32"
        }
    }
    let cases: [Case]
    let losses: [Record]

    static let shared: LossVectorFile = {
        let data = try! Data(contentsOf: LossTestSupport.fixture("loss-vectors", "json"))
        return try! JSONDecoder().decode(LossVectorFile.self, from: data)
    }()
}

@Suite("Loss values and gradients equal the original Keras code")
struct LossVectorTests {
    /// Value tolerance: 1e-5 relative. Gradient tolerance: 1e-5 relative plus an absolute floor
    /// of 1e-6·max|grad| of the record (for entries near 0).
    static let rtol = 1e-5
    static let gradientFloor = 1e-6

    @Test("every record of loss-vectors.json (float32 values and gradients)")
    func everyRecord() throws {
        let file = LossVectorFile.shared
        let cases = Dictionary(uniqueKeysWithValues: file.cases.map { ($0.id, $0) })
        #expect(file.losses.count == 263)
        var worstValue = 0.0, worstGradient = 0.0, worstValue64 = 0.0
        var worstValueAt = "", worstGradientAt = ""
        var worstRatio = 0.0
        var checked = 0
        for record in file.losses {
            let c = try #require(cases[record.caseID])
            let yLast = Tensor(shape: c.shape, scalars: c.yTrue.map { Float($0) })
            let pLast = Tensor(shape: c.shape, scalars: c.yPred.map { Float($0) })
            let y = LossTestSupport.channelsFirst(yLast), p = LossTestSupport.channelsFirst(pLast)
            let x = p.requiringGradient()
            let value: Tensor
            if record.loss == "dice_coefficient" {
                value = try DiceCoefficient()(x, y)
            } else {
                let options = record.hyperparameters.mapValues { $0 ?? .nan }
                let loss = try LossRegistry.make(record.loss, options: options)
                value = try loss.callAsFunction(x, y)
            }
            value.backward()
            let grad = LossTestSupport.channelsLast(try #require(x.grad)).scalars
            let v = Double(value.item())
            let where_ = "\(record.loss) \(record.hyperparameters.mapValues { $0.map { String($0) } ?? "None" }) on \(record.caseID)"
            let valueError = abs(v - Double(record.valueF32)) / max(abs(Double(record.valueF32)), 1e-30)
            #expect(valueError <= Self.rtol, "value \(v) vs \(record.valueF32): \(where_)")
            if valueError > worstValue { worstValue = valueError; worstValueAt = where_ }
            worstValue64 = max(worstValue64, abs(v - record.value) / max(abs(record.value), 1e-30))
            #expect(grad.count == record.gradF32.count)
            let floor = Self.gradientFloor * Double(record.gradF32.map { abs($0) }.max() ?? 0)
            var recordWorst = 0.0
            for (a, e) in zip(grad, record.gradF32) {
                let err = abs(Double(a) - Double(e))
                let ratio = err / (Self.rtol * abs(Double(e)) + floor)
                #expect(ratio <= 1, "gradient \(a) vs \(e): \(where_)")
                worstRatio = max(worstRatio, ratio)
                // Relative error of the entries that are not near 0 (|e| above 1e3 floors).
                if abs(Double(e)) >= 1e3 * floor, e != 0 { recordWorst = max(recordWorst, err / abs(Double(e))) }
            }
            if recordWorst > worstGradient { worstGradient = recordWorst; worstGradientAt = where_ }
            checked += 1
        }
        #expect(checked == file.losses.count)
        print("""
            FocalLosses vectors: \(checked) records checked against the Keras float32 run.
              worst relative value error:    \(worstValue) (\(worstValueAt))
              worst relative gradient error: \(worstGradient) over entries with |grad| ≥ 1e-3·max|grad| (\(worstGradientAt))
              worst gradient error / (1e-5·|grad| + 1e-6·max|grad|): \(worstRatio)
              worst relative value error vs the float64 run: \(worstValue64)
            """)
    }

    /// Spec §1.7 test vector (numpy replica of the Keras code, 6 decimals): B = 1, 2×2 image,
    /// fg = [[1,0],[0,0]], p_fg = [[.8,.3],[.1,.2]], p_bg = 1 − p_fg.
    @Test("spec §1.7 two-by-two example, every loss")
    func specExample() throws {
        let fg: [Float] = [1, 0, 0, 0], pf: [Float] = [0.8, 0.3, 0.1, 0.2]
        let y = Tensor(shape: [1, 2, 2, 2], scalars: fg.map { 1 - $0 } + fg)
        let p = Tensor(shape: [1, 2, 2, 2], scalars: pf.map { 1 - $0 } + pf)
        let expected: [(any SegmentationLoss, Float)] = [
            (DiceLoss(), 0.238095), (TverskyLoss(), 0.226190), (FocalTverskyLoss(), 0.325821),
            (FocalLoss(), 0.012751), (ComboLoss(), -0.324182),
            (SymmetricFocalLoss(delta: 0.7, gamma: 2), 0.004718), (AsymmetricFocalLoss(delta: 0.7, gamma: 2), 0.042206),
            (SymmetricFocalTverskyLoss(delta: 0.7, gamma: 0.75), 0.685027),
            (AsymmetricFocalTverskyLoss(delta: 0.7, gamma: 0.75), 0.448889),
            (SymmetricUnifiedFocalLoss(weight: 0.5, delta: 0.6, gamma: 0.5), 0.261582),
            (AsymmetricUnifiedFocalLoss(weight: 0.5, delta: 0.6, gamma: 0.5), 0.211163),
            (DiceCrossEntropyLoss(), 0.465175),
        ]
        for (loss, e) in expected {
            let v = try LossTestSupport.value(loss, p, y)
            #expect(abs(v - e) <= 1.5e-6, "\(loss.name): \(v) vs \(e)")
        }
    }
}
