import FocalCore
import FocalTestSupport
import Testing

// Small modules exercising every kind of property the reflection recognises.

private final class Affine: Module, @unchecked Sendable {
    let weight: Parameter
    let bias: Parameter?
    let runningMean: Buffer
    let _scratch: Parameter  // skipped: leading underscore
    var note = "not a parameter"

    init(_ n: Int, bias: Bool, seed: UInt64) {
        var g = RandomGenerator(seed: seed)
        weight = Parameter(Tensor(randomNormal: [n, n], generator: &g))
        self.bias = bias ? Parameter(Tensor(randomNormal: [n], generator: &g)) : nil
        runningMean = Buffer(Tensor(randomNormal: [n], generator: &g))
        _scratch = Parameter(Tensor(zeros: [1]))
    }
}

private final class Block: Module, @unchecked Sendable {
    let conv1: Affine
    let conv2: Affine
    let gate: Affine?  // nil: skipped

    init(seed: UInt64) {
        conv1 = Affine(2, bias: true, seed: seed)
        conv2 = Affine(2, bias: false, seed: seed + 1)
        gate = nil
    }
}

private final class Net: Module, @unchecked Sendable {
    let stem: Affine
    let encoder: [Block]
    let head: Affine?
    let scale: Parameter
    let exponents: [Parameter]
    let stats: [Buffer]

    init(seed: UInt64) {
        var g = RandomGenerator(seed: seed)
        stem = Affine(3, bias: true, seed: seed &+ 10)
        encoder = [Block(seed: seed &+ 20), Block(seed: seed &+ 30)]
        head = Affine(1, bias: false, seed: seed &+ 40)
        scale = Parameter(Tensor(randomNormal: [1, 1], generator: &g))
        exponents = [Parameter(Tensor(ones: [1])), Parameter(Tensor(randomNormal: [2], generator: &g))]
        stats = [Buffer(Tensor(randomNormal: [4], generator: &g))]
    }
}

/// Tied weights: two properties holding one `Parameter`.
private final class WiderNet: Module, @unchecked Sendable {
    let a: Affine
    let tied1: Parameter
    let tied2: Parameter  // the same object as tied1
    override init() {
        a = Affine(1, bias: false, seed: 5)
        tied1 = Parameter(Tensor(shape: [2], scalars: [1, 2]))
        tied2 = tied1
    }
}

/// A subclass's properties come after its parent's.
private class BaseLayer: Module, @unchecked Sendable {
    let first = Parameter(Tensor(zeros: [1]))
}

private final class DerivedLayer: BaseLayer, @unchecked Sendable {
    let second = Parameter(Tensor(zeros: [2]))
    let inner = BaseLayer()
}

/// Parameter discovery, modes, and state-dict save/load.
@Suite("Module and state dict")
struct ModuleTests {
    private static let expectedParameters = [
        "scale", "exponents.0", "exponents.1",
        "stem.weight", "stem.bias",
        "encoder.0.conv1.weight", "encoder.0.conv1.bias", "encoder.0.conv2.weight",
        "encoder.1.conv1.weight", "encoder.1.conv1.bias", "encoder.1.conv2.weight",
        "head.weight",
    ]
    private static let expectedBuffers = [
        "stats.0", "stem.runningMean",
        "encoder.0.conv1.runningMean", "encoder.0.conv2.runningMean",
        "encoder.1.conv1.runningMean", "encoder.1.conv2.runningMean",
        "head.runningMean",
    ]

    @Test func parameterDiscoveryWithDottedNames() {
        let net = Net(seed: 1)
        #expect(net.namedParameters().map(\.0) == Self.expectedParameters)
        #expect(net.namedBuffers().map(\.0) == Self.expectedBuffers)
        #expect(net.namedChildren().map(\.0) == ["stem", "encoder.0", "encoder.1", "head"])
        #expect(net.parameters.count == 12)
        #expect(net.parameterCount == 1 + 1 + 2 + 9 + 3 + 2 * (4 + 2 + 4) + 1)
        // Deterministic: a second instance and a second call give the same order.
        #expect(Net(seed: 2).namedParameters().map(\.0) == Self.expectedParameters)
        #expect(net.namedParameters().map { ObjectIdentifier($0.1) } == net.namedParameters().map { ObjectIdentifier($0.1) })
        // The names point at the right objects.
        let byName = Dictionary(uniqueKeysWithValues: net.namedParameters())
        #expect(byName["encoder.1.conv1.bias"] === net.encoder[1].conv1.bias)
        #expect(byName["scale"] === net.scale)
        #expect(net.encoder[0].namedParameters(prefix: "x.").map(\.0) == ["x.conv1.weight", "x.conv1.bias", "x.conv2.weight"])
    }

    @Test func inheritedPropertiesComeFirst() {
        #expect(DerivedLayer().namedParameters().map(\.0) == ["first", "second", "inner.first"])
    }

    @Test func tiedParametersAreListedOnce() {
        let net = WiderNet()
        #expect(net.namedParameters().map(\.0) == ["tied1", "a.weight"])
        #expect(net.parameterCount == 3)
        #expect(net.stateDict().map(\.0) == ["tied1", "a.weight", "a.runningMean"])
    }

    @Test func trainAndEvalAreRecursive() {
        let net = Net(seed: 1)
        func modes() -> [Bool] {
            [net.isTraining, net.stem.isTraining, net.encoder[0].isTraining, net.encoder[1].conv2.isTraining, net.head!.isTraining]
        }
        #expect(modes() == [true, true, true, true, true])
        net.eval()
        #expect(modes() == [false, false, false, false, false])
        net.train()
        #expect(modes() == [true, true, true, true, true])
        net.encoder[1].train(false)
        #expect(modes() == [true, true, true, false, true])
    }

    @Test func zeroGradClearsEveryParameter() {
        let net = Net(seed: 1)
        var loss = net.scale.value.sum()
        for p in net.parameters { loss = loss + p.value.sum() }
        loss.backward()
        #expect(net.parameters.allSatisfy { $0.grad != nil })
        #expect(net.scale.grad?.scalars == [2])
        net.zeroGrad()
        #expect(net.parameters.allSatisfy { $0.grad == nil })
    }

    @Test func stateDictRoundTrip() throws {
        let source = Net(seed: 1), target = Net(seed: 2)
        let state = source.stateDict()
        #expect(state.map(\.0) == Self.expectedParameters + Self.expectedBuffers)
        #expect(state.allSatisfy { !$0.1.requiresGrad })
        #expect(source.stateDict().map(\.1.scalars) != target.stateDict().map(\.1.scalars))
        let report = try target.load(stateDict: Dictionary(uniqueKeysWithValues: state))
        #expect(report.isExactMatch)
        #expect(report.loadedKeys == Self.expectedParameters + Self.expectedBuffers)
        #expect(target.stateDict().map(\.0) == state.map(\.0))
        #expect(target.stateDict().map(\.1.scalars) == state.map(\.1.scalars))
        // The loaded values are still on the tape as the target's own leaves.
        #expect(target.scale.value.requiresGrad)
        // Independent afterwards: updating the source changes neither the snapshot nor the target.
        source.scale.update { $0[0] += 1 }
        source.stem.runningMean.value = Tensor(zeros: [3])
        #expect(target.scale.tensor.scalars == state[0].1.scalars)
        #expect(target.stem.runningMean.value.scalars == state.first { $0.0 == "stem.runningMean" }!.1.scalars)
        #expect(source.scale.tensor.scalars != state[0].1.scalars)
    }

    @Test func strictLoadReportsEveryProblemAndChangesNothing() {
        let source = Net(seed: 1), target = Net(seed: 2)
        var dict = Dictionary(uniqueKeysWithValues: source.stateDict())
        dict["stem.bias"] = nil                                  // missing
        dict["encoder.0.conv2.runningMean"] = nil                // missing buffer
        dict["decoder.weight"] = Tensor(zeros: [1])              // unexpected
        dict["_scratch"] = Tensor(zeros: [1])                    // unexpected (skipped names are not state)
        dict["head.weight"] = Tensor(zeros: [2, 2])              // shape mismatch
        let before = target.stateDict()
        do {
            try target.load(stateDict: dict)
            Issue.record("a strict load of a mismatching state dict must throw")
        } catch let error as StateDictError {
            #expect(error.report.missingKeys == ["stem.bias", "encoder.0.conv2.runningMean"])
            #expect(error.report.unexpectedKeys == ["_scratch", "decoder.weight"])
            #expect(error.report.shapeMismatches == [ShapeMismatch(name: "head.weight", expected: [1, 1], found: [2, 2])])
            #expect(error.moduleType == "Net")
            let text = error.description
            for fragment in ["Net", "nothing was loaded", "missing keys (2)", "stem.bias", "encoder.0.conv2.runningMean",
                             "unexpected keys (2)", "decoder.weight", "_scratch",
                             "shape mismatches (1)", "head.weight: expected [1, 1], found [2, 2]"] {
                #expect(text.contains(fragment), "\(fragment) not in: \(text)")
            }
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
        // Nothing was modified.
        #expect(target.stateDict().map(\.1.scalars) == before.map(\.1.scalars))
    }

    @Test func nonStrictLoadLoadsWhatMatches() throws {
        let source = Net(seed: 1), target = Net(seed: 2)
        let targetBefore = Dictionary(uniqueKeysWithValues: target.stateDict())
        var dict = Dictionary(uniqueKeysWithValues: source.stateDict())
        dict["stem.bias"] = nil
        dict["extra"] = Tensor(ones: [3])
        dict["scale"] = Tensor(ones: [1])  // [1] instead of [1, 1]
        let report = try target.load(stateDict: dict, strict: false)
        #expect(report.missingKeys == ["stem.bias"])
        #expect(report.unexpectedKeys == ["extra"])
        #expect(report.shapeMismatches == [ShapeMismatch(name: "scale", expected: [1, 1], found: [1])])
        #expect(!report.isExactMatch)
        #expect(report.loadedKeys.count == Self.expectedParameters.count + Self.expectedBuffers.count - 2)
        #expect(report.description.contains("missing keys (1): stem.bias"))
        let after = Dictionary(uniqueKeysWithValues: target.stateDict())
        for (name, value) in after {
            let expected = (name == "stem.bias" || name == "scale") ? targetBefore[name]! : dict[name]!
            #expect(value.scalars == expected.scalars, "\(name)")
        }
    }

    @Test func exactReportDescription() throws {
        let net = Affine(2, bias: true, seed: 3)
        let report = try net.load(stateDict: Dictionary(uniqueKeysWithValues: net.stateDict()))
        #expect(report.description == "all 3 keys matched")
        #expect(report.loadedKeys == ["weight", "bias", "runningMean"])
    }

    /// Two different parameters under one name can only come from a faulty override: a
    /// programming error that traps rather than silently saving one of them.
    @Test func duplicateNamesTrap() async {
        await #expect(processExitsWith: .failure) {
            final class Clash: Module, @unchecked Sendable {
                let a = Parameter(Tensor(zeros: [1]))
                let b = Parameter(Tensor(ones: [1]))
                override func namedLocalParameters() -> [(String, Parameter)] { [("w", a), ("w", b)] }
            }
            _ = Clash().stateDict()
        }
    }
}
