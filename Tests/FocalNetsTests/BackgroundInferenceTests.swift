import FocalCore
import FocalNets
import Testing

@Suite("Models move between tasks")
struct BackgroundInferenceTests {
    /// Swift 6 language mode: `UNet` is `Sendable` (a `Module`), so it crosses into a detached
    /// task without an `@unchecked Sendable` wrapper; the result is the same bits.
    @Test("inference on a background task compiles without wrappers and gives the same probabilities")
    func inferenceOnABackgroundTask() async throws {
        var g = RandomGenerator(seed: 4)
        let config = tinyConfiguration(inChannels: 1, classes: 2, baseFilters: 4, depth: 2,
                                       plan: try AttentionPlan(parsing: "enc0+focal skip1"))
        let net = try UNet(configuration: config, generator: &g)
        net.eval()
        let x = uniform([1, 1, 8, 8], seed: 9)
        let here = try withNoGrad { try net(x) }.scalars
        let there = try await Task.detached { try withNoGrad { try net(x) }.scalars }.value
        #expect(here == there)
        // Built on a background task, used here.
        let built = try await Task.detached { () throws -> UNet in
            var g = RandomGenerator(seed: 4)
            return try UNet(configuration: config, generator: &g)
        }.value
        built.eval()
        #expect(try withNoGrad { try built(x) }.scalars == here)
    }
}
