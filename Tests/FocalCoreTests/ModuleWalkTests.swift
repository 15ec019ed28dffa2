import FocalCore
import Testing

// The containers the module walk enters, the cache, and the report of state it cannot reach.

private final class Leaf: Module, @unchecked Sendable {
    let weight: Parameter
    init(_ value: Float) { weight = Parameter(Tensor(shape: [1], scalars: [value])) }
}

/// One property per supported container.
private final class Containers: Module, @unchecked Sendable {
    let single = Leaf(1)
    let maybe: Leaf? = Leaf(2)
    let absent: Leaf? = nil
    let blocks = [Leaf(3), Leaf(4)]
    let grid = [[Leaf(5)], [Leaf(6), Leaf(7)]]
    let sparse: [Leaf?] = [nil, Leaf(8)]
    let heads = ["value": Leaf(9), "key": Leaf(10)]
    let scales = ["b": Parameter(Tensor(zeros: [2])), "a": Parameter(Tensor(zeros: [3]))]
    let nested = ["stage": [Leaf(11)]]
    let stats = [Buffer(Tensor(zeros: [4]))]
    let numbers: [Float] = [1, 2, 3]  // plain data: passed over
    let labels = ["x": 1.0]           // a [String: Double]: nothing to find
}

/// State in a struct: a container the walk does not enter.
private struct Pair {
    let first: Parameter
    let second: Parameter
}

private final class HiddenInStruct: Module, @unchecked Sendable {
    let visible = Parameter(Tensor(zeros: [1]))
    let pair = Pair(first: Parameter(Tensor(zeros: [1])), second: Parameter(Tensor(zeros: [1])))
}

/// Counts how often the walk's results are asked for through an override.
private final class Counting: Module, @unchecked Sendable {
    nonisolated(unsafe) static var calls = 0
    let _weight = Parameter(Tensor(zeros: [1]))
    override func namedLocalParameters() -> [(String, Parameter)] {
        Counting.calls += 1
        return [("weight", _weight)]
    }
}

@Suite("Module walk: containers, cache and unreachable state")
struct ModuleWalkTests {
    @Test("parameters in optionals, arrays, nested arrays and String-keyed dictionaries get PyTorch names")
    func supportedContainers() {
        let m = Containers()
        #expect(m.namedLocalParameters().map(\.0) == ["scales.a", "scales.b"])
        #expect(m.namedChildren().map(\.0) == [
            "single", "maybe", "blocks.0", "blocks.1", "grid.0.0", "grid.1.0", "grid.1.1", "sparse.1",
            "heads.key", "heads.value", "nested.stage.0",
        ])
        #expect(m.namedParameters().map(\.0) == [
            "scales.a", "scales.b",
            "single.weight", "maybe.weight", "blocks.0.weight", "blocks.1.weight", "grid.0.0.weight",
            "grid.1.0.weight", "grid.1.1.weight", "sparse.1.weight", "heads.key.weight", "heads.value.weight",
            "nested.stage.0.weight",
        ])
        // Each name points at the object it says.
        let byName = Dictionary(uniqueKeysWithValues: m.namedParameters())
        #expect(byName["heads.key.weight"] === m.heads["key"]!.weight)
        #expect(byName["grid.1.0.weight"] === m.grid[1][0].weight)
        #expect(m.namedParameters().dropFirst(2).map { $0.1.tensor.item() } == [1, 2, 3, 4, 5, 6, 7, 8, 10, 9, 11])
        #expect(m.namedBuffers().map(\.0) == ["stats.0"])
        #expect(m.unreachableStatePaths.isEmpty)
        // Training mode reaches every child, wherever it is held.
        m.eval()
        #expect(!m.heads["value"]!.isTraining && !m.grid[1][1].isTraining && !m.sparse[1]!.isTraining)
    }

    @Test("the walk runs once per instance: later calls reuse the cached lists")
    func walkIsCached() {
        let m = Counting()
        Counting.calls = 0
        let first = m.namedParameters()
        _ = m.namedParameters()
        _ = m.parameters
        _ = m.stateDict()
        #expect(Counting.calls == 1)
        #expect(first.map(\.0) == ["weight"])
        #expect(m.namedParameters(prefix: "net.").map(\.0) == ["net.weight"])
    }

    #if DEBUG
    @Test("a parameter held in a struct stops a debug build with the property's name and the fix")
    func structHeldStateTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = HiddenInStruct().namedParameters()
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("HiddenInStruct: pair hold parameters"), "\(text)")
        #expect(text.contains("never be trained or saved"), "\(text)")
    }
    #else
    @Test("a parameter held in a struct is listed in unreachableStatePaths (release builds)")
    func structHeldStateIsReported() {
        let m = HiddenInStruct()
        #expect(m.unreachableStatePaths == ["pair"])
        #expect(m.namedParameters().map(\.0) == ["visible"])
    }
    #endif
}
