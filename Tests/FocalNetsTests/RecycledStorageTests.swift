import FocalCore
import FocalNets
import Foundation
import Testing

/// Large tensor buffers are recycled between steps (`StoragePool`); in debug builds recycled
/// memory is poisoned with NaN, so a kernel that relied on fresh (zeroed) pages would change
/// the second step's results.
@Suite("Recycled tensor storage")
struct RecycledStorageTests {
    @Test("a second forward and backward pass on recycled buffers gives the same bits (Winograd, norms, SE, AG)")
    func secondStepIsIdentical() throws {
        var g = RandomGenerator(seed: 21)
        // 32 filters at 64×64: activations of 131,072 scalars (above the pool's minimum) and
        // 3×3 convolutions large enough for the Winograd path.
        let plan = try AttentionPlan(parsing: "enc0+focal bottleneck dec0+focal skip0+focal")
        let net = try UNet(configuration: tinyConfiguration(inChannels: 3, classes: 2, baseFilters: 32, depth: 1, plan: plan),
                           generator: &g)
        let x = Tensor(randomNormal: [1, 3, 64, 64], generator: &g)
        let weights = Tensor(randomUniform: [1, 2, 64, 64], low: -1, high: 1, generator: &g)
        func step() throws -> [String: [UInt32]] {
            net.zeroGrad()
            let p = try net(x)
            (p * weights).sum().backward()
            var bits = ["output": p.scalars.map(\.bitPattern)]
            for (name, parameter) in net.namedParameters() {
                bits[name] = try #require(parameter.grad, "no gradient for \(name)").scalars.map(\.bitPattern)
            }
            return bits
        }
        let first = try step()
        #expect(StoragePool.pooledBytes > 0 || StoragePool.capacityBytes == 0)
        let second = try step()
        #expect(first.keys.sorted() == second.keys.sorted())
        let differing = first.keys.filter { first[$0] != second[$0] }.sorted()
        #expect(differing.isEmpty, "differ on recycled storage: \(differing.prefix(5))")
        let nonFinite = second.filter { $0.value.contains { !Float(bitPattern: $0).isFinite } }.keys.sorted()
        #expect(nonFinite.isEmpty, "non-finite values in \(nonFinite.prefix(5))")
    }
}
