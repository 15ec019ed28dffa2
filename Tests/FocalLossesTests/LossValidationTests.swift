import FocalCore
import FocalLosses
import Testing

/// Ill-shaped inputs, out-of-range hyperparameters and registry misuse throw `LossError`
/// with a message naming the problem.
@Suite("Loss validation and registry")
struct LossValidationTests {
    static let y = LossTestSupport.oneHot([0, 1, 1, 0], batch: 1, classes: 2, spatial: [2, 2])
    static let p = Tensor(repeating: 0.5, shape: [1, 2, 2, 2])

    /// The error's description, or "" when nothing was thrown.
    static func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    @Test("shapes: wrong rank, mismatch, one class, empty dimension, pixel weight")
    func shapes() {
        let loss = AsymmetricUnifiedFocalLoss()
        #expect(Self.message { _ = try loss(Tensor(zeros: [2, 2, 2]), Tensor(zeros: [2, 2, 2])) }.contains("rank 3"))
        #expect(Self.message { _ = try loss(Tensor(zeros: [1, 2, 2, 2, 2, 2]), Tensor(zeros: [1, 2, 2, 2, 2, 2])) }.contains("expected rank 4"))
        #expect(Self.message { _ = try loss(Self.p, Tensor(zeros: [1, 2, 2, 3])) }.contains("differs from target shape [1, 2, 2, 3]"))
        #expect(Self.message { _ = try loss(Tensor(zeros: [1, 1, 2, 2]), Tensor(zeros: [1, 1, 2, 2])) }.contains("at least 2"))
        #expect(Self.message { _ = try loss(Tensor(zeros: [1, 2, 0, 2]), Tensor(zeros: [1, 2, 0, 2])) }.contains("empty dimension"))
        #expect(Self.message { _ = try LossInput(prediction: Self.p, target: Self.y, pixelWeight: Tensor(ones: [1, 2, 2, 2])) }
            .contains("expected [1, 1, 2, 2]"))
        for l in LossTestSupport.allLosses() {
            #expect(throws: LossError.self, "\(l.name)") { _ = try l.callAsFunction(Self.p, Tensor(zeros: [1, 3, 2, 2])) }
        }
        #expect(throws: LossError.self) { _ = try DiceCoefficient()(Self.p, Tensor(zeros: [1, 2, 2, 1])) }
    }

    @Test("hyperparameters out of range")
    func hyperparameters() {
        let bad: [(any SegmentationLoss, String)] = [
            (DiceLoss(delta: 1.5), "'delta' = 1.5"), (TverskyLoss(delta: -0.1), "'delta'"), (DiceLoss(smooth: 0), "'smooth' = 0"),
            (FocalTverskyLoss(gamma: -1), "'gamma' = -1"), (FocalLoss(gammaF: -2), "'gamma_f'"), (FocalLoss(alpha: -1), "'alpha'"),
            (FocalLoss(classAlpha: [1, 1, 1]), "1 value or 2 values (one per class); got 3"),
            (ComboLoss(alpha: 2), "'alpha' = 2"), (ComboLoss(beta: -1), "'beta'"),
            (SymmetricFocalLoss(gamma: -1), "'gamma'"), (AsymmetricFocalLoss(delta: .nan), "'delta'"),
            (SymmetricFocalTverskyLoss(gamma: 1.5), "1 − gamma"), (AsymmetricFocalTverskyLoss(gamma: 2), "'gamma' = 2"),
            (SymmetricUnifiedFocalLoss(weight: 1.2), "'weight' = 1.2"), (AsymmetricUnifiedFocalLoss(lambda: -0.5), "'weight'"),
            (AsymmetricUnifiedFocalLoss(gamma: 1.01), "'gamma'"), (DiceCrossEntropyLoss(smooth: -1), "'smooth'"),
            (AsymmetricUnifiedFocalLoss(rareClasses: [2]), "rare class 2 does not exist"),
            (AsymmetricUnifiedFocalLoss(rareClasses: []), "empty"), (AsymmetricFocalLoss(rareClasses: [1, 1]), "repeated"),
            (SymmetricFocalLoss(rareClasses: [-1]), "negative"),
            (AsymmetricFocalTverskyLoss(rareClasses: []), "empty"),
            (DistancePenalized(DiceLoss(), epsilon: -1), "'epsilon'"),
            (DistancePenalized(DiceLoss(delta: 3), epsilon: 1), "'delta' = 3"),
        ]
        for (loss, fragment) in bad {
            let m = Self.message { _ = try loss.callAsFunction(Self.p, Self.y) }
            #expect(m.contains(fragment) && m.contains(loss.name), "\(loss.name): '\(m)' lacks '\(fragment)'")
        }
        // In range (boundaries included) is accepted.
        #expect(Self.message { _ = try AsymmetricUnifiedFocalLoss(weight: 1, delta: 0, gamma: 1)(Self.p, Self.y) } == "")
        #expect(Self.message { _ = try DiceCoefficient(delta: 2)(Self.p, Self.y) }.contains("'delta' = 2"))
    }

    @Test("registry: names, aliases, options with the original names")
    func registry() throws {
        #expect(try LossRegistry.make("asymmetric_unified_focal_loss") is AsymmetricUnifiedFocalLoss)
        #expect(try LossRegistry.make("ASYM_UNIFIED_FOCAL_LOSS") is AsymmetricUnifiedFocalLoss)
        #expect(try LossRegistry.make("SymmetricUnifiedFocalLoss") is SymmetricUnifiedFocalLoss)
        #expect(try LossRegistry.make("dice_crossentropy") is DiceCrossEntropyLoss)
        for entry in LossRegistry.entries {
            let loss = try LossRegistry.make(entry.name)
            #expect(loss.name == entry.name || entry.name == "unified_focal_loss")
            for alias in entry.aliases { #expect(try LossRegistry.make(alias).name == loss.name) }
        }
        let old = try #require(try LossRegistry.make("unified_focal_loss") as? AsymmetricUnifiedFocalLoss)
        #expect(old.gamma == 0.2 && old.delta == 0.6 && old.weight == 0.5)
        let u = try #require(try LossRegistry.make("asym_unified_focal_loss", options: ["lambda": 0.3, "delta": 0.7, "gamma": 0.1]) as? AsymmetricUnifiedFocalLoss)
        #expect(abs(u.weight! - 0.7) < 1e-7 && abs(u.lambda! - 0.3) < 1e-7 && u.delta == 0.7 && u.gamma == 0.1)
        let none = try #require(try LossRegistry.make("sym_unified_focal_loss", options: ["weight": .nan]) as? SymmetricUnifiedFocalLoss)
        #expect(none.weight == nil)
        let focal = try #require(try LossRegistry.make("focal_loss", options: ["alpha": 0.25, "gamma_f": 1]) as? FocalLoss)
        #expect(focal.alpha == [0.25] && focal.gammaF == 1)
        let logits = try LossRegistry.make("tversky_loss", options: ["delta": 0.6], inputKind: .logits)
        #expect(logits.inputKind == .logits)
        let penalised = try #require(try LossRegistry.make("dice_loss", distancePenaltyEpsilon: 0.1, distancePenaltyMode: .weightPixels) as? DistancePenalized)
        #expect(penalised.epsilon == 0.1 && penalised.mode == .weightPixels && penalised.base is DiceLoss)
    }

    @Test("each loss's hyperparameter table is the one list of its options: the registry accepts, sets and range-checks exactly it")
    func hyperparameterTables() throws {
        for entry in LossRegistry.entries {
            let defaults = try LossRegistry.make(entry.name)
            let configurable = try #require(defaults as? any ConfigurableLoss)
            #expect(entry.options == type(of: configurable).hyperparameterNames, "\(entry.name)")
            for option in entry.options {
                // An in-range value that differs from every default (0.25 is no loss's default).
                let set = try LossRegistry.make(entry.name, options: [option: 0.25])
                let read = try #require((set as? any ConfigurableLoss)?.registryOptions([option])[option])
                #expect(read == 0.25, "\(entry.name).\(option) read back as \(read)")
                // Out of every range: negative.
                let bad = Self.message { _ = try LossRegistry.make(entry.name, options: [option: -3]) }
                #expect(bad.contains("'\(option)' = -3"), "\(entry.name).\(option): \(bad)")
            }
        }
        // The default `validate()` of a loss of one's own checks its table.
        struct Scaled: ConfigurableLoss {
            var scale: Float = 1
            var inputKind: InputKind = .probabilities
            var name: String { "scaled" }
            static var hyperparameters: [Hyperparameter<Self>] { [.value("scale", \.scale, .positive)] }
            func loss(_ input: LossInput) throws -> Tensor { input.prediction.mean() * scale }
        }
        #expect(Self.message { _ = try Scaled(scale: 0)(Self.p, Self.y) }.contains("'scale' = 0"))
        var s = Scaled()
        s.set(options: ["scale": 2, "other": 5])
        #expect(s.scale == 2 && s.registryOptions() == ["scale": 2])
    }

    @Test("registry: unknown names are rejected with the closest names, unknown options with the valid ones")
    func registryErrors() {
        let unknown = Self.message { _ = try LossRegistry.make("unifed_focal") }
        #expect(unknown.contains("unknown loss 'unifed_focal'; did you mean 'unified_focal_loss'?") && unknown.contains("focal loss --list"))
        #expect(!unknown.contains("dice_loss"), "the whole list instead of the closest names: \(unknown)")
        #expect(!Self.message { _ = try LossRegistry.make("xyzzy_qq") }.contains("did you mean"))
        let option = Self.message { _ = try LossRegistry.make("dice_loss", options: ["gamma": 1]) }
        #expect(option.contains("unknown option 'gamma'") && option.contains("delta, smooth"))
        #expect(Self.message { _ = try LossRegistry.make("asym_unified_focal_loss", options: ["weight": 0.5, "lambda": 0.5]) }.contains("conflict"))
        #expect(Self.message { _ = try LossRegistry.make("asym_unified_focal_loss", options: ["lambda": 1.5]) }.contains("'lambda' = 1.5"))
        #expect(Self.message { _ = try LossRegistry.make("asym_unified_focal_loss", options: ["delta": .nan]) }.contains("'delta'"))
        #expect(Self.message { _ = try LossRegistry.make("tversky_loss", options: ["delta": 7]) }.contains("'delta' = 7"))
        #expect(Self.message { _ = try LossRegistry.make("dice_loss", distancePenaltyEpsilon: -0.1) }.contains("'epsilon'"))
    }

    @Test("λ (paper, focal term) and weight (code, Tversky term) describe the same loss")
    func lambdaAndWeight() throws {
        var g = RandomGenerator(seed: 6)
        let labels = LossTestSupport.randomLabels(batch: 1, classes: 2, spatial: [6, 6], generator: &g)
        let y = LossTestSupport.oneHot(labels, batch: 1, classes: 2, spatial: [6, 6])
        let p = LossTestSupport.probabilities(target: y, generator: &g)
        let fl = try AsymmetricFocalLoss(delta: 0.6, gamma: 0.2)(p, y).item()
        let ftl = try AsymmetricFocalTverskyLoss(delta: 0.6, gamma: 0.2)(p, y).item()
        let lambda: Float = 0.3
        let paper = try AsymmetricUnifiedFocalLoss(lambda: lambda, delta: 0.6, gamma: 0.2)(p, y).item()
        #expect(abs(paper - (lambda * fl + (1 - lambda) * ftl)) <= 1e-6)
        let code = try AsymmetricUnifiedFocalLoss(weight: lambda, delta: 0.6, gamma: 0.2)(p, y).item()
        #expect(abs(code - (lambda * ftl + (1 - lambda) * fl)) <= 1e-6)
        let sum = try AsymmetricUnifiedFocalLoss(weight: nil, delta: 0.6, gamma: 0.2)(p, y).item()
        #expect(abs(sum - (fl + ftl)) <= 1e-6)
    }
}
