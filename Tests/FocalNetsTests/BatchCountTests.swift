import FocalCore
import FocalNets
import Foundation
import Testing

/// PyTorch's `num_batches_tracked`: counted in training mode, written as an `I64` scalar, read
/// back from files that have it (as PyTorch writes them) and optional in files that do not.
@Suite("Batch norm's num_batches_tracked")
struct BatchCountTests {
    private func batchNormNet(seed: UInt64 = 3) throws -> UNet {
        var g = RandomGenerator(seed: seed)
        return try UNet(configuration: tinyConfiguration(inChannels: 1, classes: 2, depth: 2, normalization: .batch,
                                                          plan: try AttentionPlan(parsing: "enc0 skip1+focal")), generator: &g)
    }

    private func counts(_ net: UNet) -> [Float] {
        net.stateDict().filter { $0.0.hasSuffix(".num_batches_tracked") }.map { $0.1.item() }
    }

    @Test("training-mode batches are counted; evaluation does not count")
    func counting() throws {
        let net = try batchNormNet()
        #expect(!counts(net).isEmpty && counts(net).allSatisfy { $0 == 0 })
        _ = try net(uniform([2, 1, 8, 8], seed: 4))
        _ = try net(uniform([2, 1, 8, 8], seed: 5))
        #expect(counts(net).allSatisfy { $0 == 2 }, "\(counts(net))")
        net.eval()
        _ = try net(uniform([1, 1, 8, 8], seed: 6))
        #expect(counts(net).allSatisfy { $0 == 2 })
    }

    @Test("a saved batch-norm model stores num_batches_tracked as I64 scalars and loads them back")
    func savedAsInt64() throws {
        let net = try batchNormNet()
        for k in 0..<3 { _ = try net(uniform([2, 1, 8, 8], seed: 10 + UInt64(k))) }
        let url = temporaryURL("bn-count.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.save(to: url)
        let file = try SafeTensors.read(from: url)
        let names = file.names.filter { $0.hasSuffix(".num_batches_tracked") }
        #expect(names.count == counts(net).count && names.count == 5 * 2 + 2)  // 5 double convolutions and 1 gate, 2 norms each
        for name in names {
            #expect(file.dtypes[name] == .int64, "\(name): \(String(describing: file.dtypes[name]))")
            #expect(file[name]?.shape == [] && file[name]?.item() == 3)
        }
        // The other tensors stay F32, and the bytes of an I64 scalar are the little-endian integer.
        #expect(file.dtypes.filter { !$0.key.hasSuffix(".num_batches_tracked") }.values.allSatisfy { $0 == .float32 })
        let loaded = try UNet.load(from: url)
        #expect(counts(loaded).allSatisfy { $0 == 3 })
        for ((name, a), (_, b)) in zip(net.stateDict(), loaded.stateDict()) { #expect(a.scalars == b.scalars, "\(name)") }
    }

    @Test("a file without num_batches_tracked (older Focal) still loads strictly, keeping the count at 0")
    func absentCountLoads() throws {
        let net = try batchNormNet()
        _ = try net(uniform([2, 1, 8, 8], seed: 20))
        let url = temporaryURL("bn-old.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.save(to: url)
        let file = try SafeTensors.read(from: url)
        try SafeTensors.write(file.tensors.filter { !$0.0.hasSuffix(".num_batches_tracked") }, metadata: file.metadata, to: url)
        let loaded = try UNet.load(from: url)
        #expect(counts(loaded).allSatisfy { $0 == 0 })
        let running = loaded.stateDict().first { $0.0.hasSuffix("running_mean") }!.1
        #expect(running.scalars == net.stateDict().first { $0.0.hasSuffix("running_mean") }!.1.scalars)
        // A missing running_mean is still an error: only the counter is optional.
        try SafeTensors.write(file.tensors.filter { !$0.0.hasSuffix("encoder.0.norm1.running_mean") }, metadata: file.metadata, to: url)
        #expect(throws: NetworkError.self) { _ = try UNet.load(from: url) }
    }

    @Test("the writer refuses a non-integer I64 value and a dtype it cannot write")
    func writerChecks() {
        #expect(throws: SafeTensorsError.self) { _ = try SafeTensors.encode([("n", Tensor(2.5))], dtypes: ["n": .int64]) }
        #expect(throws: SafeTensorsError.self) { _ = try SafeTensors.encode([("n", Tensor(2))], dtypes: ["n": .float16]) }
        let bytes = try? SafeTensors.encode([("n", Tensor(-7)), ("w", Tensor(shape: [2], scalars: [1, 2]))], dtypes: ["n": .int64])
        let file = bytes.flatMap { try? SafeTensors.decode($0) }
        #expect(file?.dtypes["n"] == .int64 && file?["n"]?.item() == -7 && file?["w"]?.scalars == [1, 2])
    }
}
