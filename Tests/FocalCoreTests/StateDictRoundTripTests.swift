import FocalCore
import Testing

private final class Pair: Module, @unchecked Sendable {
    let weight: Parameter
    let stats: Buffer
    init(seed: UInt64) {
        var g = RandomGenerator(seed: seed)
        weight = Parameter(Tensor(randomNormal: [2, 3], generator: &g))
        stats = Buffer(Tensor(randomNormal: [3], generator: &g))
    }
}

@Suite("State dicts round-trip through their own types")
struct StateDictRoundTripTests {
    @Test("model.load(stateDict: other.stateDict()) takes the list of pairs as it comes")
    func moduleRoundTrip() throws {
        let source = Pair(seed: 1), target = Pair(seed: 2)
        #expect(target.stateDict().map(\.1.scalars) != source.stateDict().map(\.1.scalars))
        let report = try target.load(stateDict: source.stateDict())
        #expect(report.isExactMatch && report.loadedKeys == ["weight", "stats"])
        #expect(target.stateDict().map(\.1.scalars) == source.stateDict().map(\.1.scalars))
    }

    @Test("a name given twice is an error, strict or not, and nothing is loaded")
    func duplicateNamesAreRefused() {
        let target = Pair(seed: 2), before = target.stateDict()
        let pairs = Pair(seed: 1).stateDict() + [("weight", Tensor(zeros: [2, 3]))]
        for strict in [true, false] {
            #expect {
                try target.load(stateDict: pairs, strict: strict)
            } throws: { error in
                guard let e = error as? StateDictError else { return false }
                return e.report.duplicateKeys == ["weight"] && e.description.contains("duplicate keys (1): weight")
            }
        }
        #expect(target.stateDict().map(\.1.scalars) == before.map(\.1.scalars))
    }

    @Test("matchStateDict is the dry run of load: the same report, the module unchanged")
    func matchIsADryRun() throws {
        let target = Pair(seed: 2), before = target.stateDict()
        var dict = Dictionary(uniqueKeysWithValues: Pair(seed: 1).stateDict())
        dict["weight"] = Tensor(zeros: [3, 2])
        dict["extra"] = Tensor(zeros: [1])
        dict["stats"] = nil
        let report = target.matchStateDict(dict)
        #expect(report.missingKeys == ["stats"])
        #expect(report.unexpectedKeys == ["extra"])
        #expect(report.shapeMismatches == [ShapeMismatch(name: "weight", expected: [2, 3], found: [3, 2])])
        #expect(report.loadedKeys.isEmpty)
        #expect(target.stateDict().map(\.1.scalars) == before.map(\.1.scalars))
        #expect(try target.load(stateDict: dict, strict: false) == report)
        // Pairs: duplicates reported, nothing else changes.
        let pairs = target.stateDict() + [("stats", Tensor(zeros: [3]))]
        #expect(target.matchStateDict(pairs).duplicateKeys == ["stats"])
        #expect(target.matchStateDict(target.stateDict()).isExactMatch)
    }

    @Test("adam.load(stateDict: other.stateDict()) restores the moments; duplicates are refused")
    func optimizerRoundTrip() throws {
        let model = Pair(seed: 3)
        let adam = Adam(parameters: model.namedParameters(), learningRate: 0.1)
        for _ in 0..<2 {
            model.zeroGrad()
            (model.weight.value * model.weight.value).sum().backward()
            adam.step()
        }
        let fresh = Adam(parameters: model.namedParameters(), learningRate: 0.1)
        try fresh.load(stateDict: adam.stateDict())
        #expect(fresh.stepCount == 2)
        #expect(fresh.stateDict().map(\.0) == adam.stateDict().map(\.0))
        #expect(fresh.stateDict().map(\.1.scalars) == adam.stateDict().map(\.1.scalars))
        let doubled = adam.stateDict() + [("adam.step_count", Tensor(shape: [2], scalars: [0, 5]))]
        #expect {
            try Adam(parameters: model.namedParameters()).load(stateDict: doubled)
        } throws: { error in
            (error as? OptimizerStateError)?.duplicateKeys == ["adam.step_count"]
        }
        let sgd = SGD(parameters: model.namedParameters(), learningRate: 0.1)
        try sgd.load(stateDict: sgd.stateDict())
    }
}
