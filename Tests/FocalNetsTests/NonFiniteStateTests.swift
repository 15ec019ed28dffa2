@testable import FocalCore
import Testing
@testable import FocalNets

@Suite("NonFiniteState")
struct NonFiniteStateTests {
    @Test("non-finite weights are found by tensor, counted, and refused")
    func findsNonFiniteTensors() throws {
        var generator = RandomGenerator(seed: 1)
        let layer = Linear(inFeatures: 3, outFeatures: 2, generator: &generator)
        #expect(layer.nonFiniteTensors().isEmpty)
        try layer.requireFiniteState()
        var state = layer.stateDict()
        let weightIndex = try #require(state.firstIndex { $0.0 == "weight" })
        var values = state[weightIndex].1.scalars
        values[0] = .nan
        values[4] = -.infinity
        state[weightIndex].1 = Tensor(shape: state[weightIndex].1.shape, scalars: values)
        try layer.load(stateDict: Dictionary(uniqueKeysWithValues: state), strict: true)
        #expect(layer.nonFiniteTensors() == [NonFiniteTensor(name: "weight", nonFiniteCount: 2, count: 6)])
        #expect {
            try layer.requireFiniteState()
        } throws: { error in
            (error as? NonFiniteStateError)?.description == "Linear has 2 NaN or infinite weights in 1 tensor: weight (2 of 6 values)"
        }
    }
}
