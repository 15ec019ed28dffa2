import FocalCore
import FocalExport
import FocalNets
import FocalTraining
import Foundation
import Testing

/// The exported ONNX model, run in the real ONNX Runtime (and checked by `onnx.checker` when the
/// `onnx` package is installed), gives Focal's own probabilities within 1e-4 on real nuclei
/// tiles, for the paper's three networks with Focal modules at ε ≠ 1 and for other depths,
/// normalisations and plans. Needs `.venv-test` (made by `./scripts/test.sh`); without it the
/// tests fail and say so.
@Suite("ONNX export runs in ONNX Runtime with Focal's probabilities", .serialized) struct ONNXRuntimeTests {
    /// The largest |Δp| accepted between ONNX Runtime and Focal.
    static let tolerance: Float = 1e-4

    /// Exports `net` (perturbed, in evaluation mode), runs it in ONNX Runtime on every input
    /// and returns max |Δp| per input; records an issue when the runtime is unavailable.
    func maxDifferences(_ label: String, _ net: UNet, inputs: [Tensor]) throws -> [Float]? {
        if let reason = ONNXRuntimeHarness.unavailableReason {
            Issue.record("ONNX Runtime comparison of \(label) cannot run: \(reason)")
            return nil
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("focal-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        net.eval()
        let (outputs, log) = try ONNXRuntimeHarness.runExported(net, inputs: inputs, in: folder)
        if log.contains("onnx.checker: ok") == false {
            Issue.record("\(label): onnx.checker did not pass or did not run: \(log)")
        }
        var result: [Float] = []
        for (x, onnx) in zip(inputs, outputs) {
            let focal = try withNoGrad { try net(x) }
            #expect(onnx.shape == focal.shape, "\(label): ONNX Runtime gave \(onnx.shape), Focal \(focal.shape)")
            let delta = zip(onnx.scalars, focal.scalars).map { abs($0 - $1) }.max() ?? .nan
            print("ONNX Runtime vs Focal, \(label) \(x.shape): max |Δp| = \(delta)")
            result.append(delta)
        }
        return result
    }

    @Test("U-Net, USE-Net and Attention U-Net (Focal, ε 0.37/1.8) at 64×64 (batch 2) and 96×128",
          arguments: [("U-Net", UNetConfiguration(inChannels: 1)),
                      ("USE-Net", UNetConfiguration.useNet(focal: true, inChannels: 1)),
                      ("Attention U-Net", UNetConfiguration.attentionUNet(focal: true, inChannels: 1))])
    func paperNetworks(label: String, configuration: UNetConfiguration) throws {
        var generator = RandomGenerator(seed: 16)
        let net = try UNet(configuration: configuration, generator: &generator)
        try ONNXRuntimeHarness.perturb(net, seed: 61)
        let inputs = [try ONNXRuntimeHarness.tiles(count: 2, height: 64, width: 64),
                      try ONNXRuntimeHarness.tiles(count: 1, height: 96, width: 128)]
        guard let deltas = try maxDifferences(label, net, inputs: inputs) else { return }
        for (x, d) in zip(inputs, deltas) {
            #expect(d <= Self.tolerance, "\(label) at \(x.shape): max |Δp| = \(d)")
        }
    }

    @Test("other depths, normalisations and plans: batch norm, no norm, subsets of SE and gates, plain modules")
    func otherArchitectures() throws {
        func plan(_ text: String) throws -> AttentionPlan { try AttentionPlan(parsing: text) }
        let cases: [(String, UNetConfiguration)] = [
            ("batch norm, depth 3, SE enc0+bottleneck Focal, gate skip1 Focal",
             UNetConfiguration(inChannels: 1, baseFilters: 8, depth: 3, normalization: .batch,
                               plan: try plan("enc0+focal bottleneck+focal dec2 skip1+focal"))),
            ("no norm, depth 2, 3 classes, plain SE and gates",
             UNetConfiguration(inChannels: 1, classes: 3, baseFilters: 6, depth: 2, normalization: .none,
                               plan: try plan("enc1 dec0 skip0 skip1"))),
            ("instance norm, depth 1, everything Focal",
             UNetConfiguration(inChannels: 1, baseFilters: 4, depth: 1,
                               plan: try plan("enc0+focal bottleneck+focal dec0+focal skip0+focal"))),
            ("batch norm, depth 4, all 13 modules Focal, r = 4",
             UNetConfiguration(inChannels: 1, baseFilters: 4, depth: 4, normalization: .batch, seReduction: 4,
                               plan: try plan((AttentionPosition.squeezeExcitationPositions(depth: 4) + AttentionPosition.attentionGatePositions(depth: 4)).map { "\($0.name)+focal" }.joined(separator: " ")))),
        ]
        for (k, (label, configuration)) in cases.enumerated() {
            var generator = RandomGenerator(seed: UInt64(100 + k))
            let net = try UNet(configuration: configuration, generator: &generator)
            try ONNXRuntimeHarness.perturb(net, seed: UInt64(200 + k))
            let inputs = [try ONNXRuntimeHarness.tiles(count: 1, height: 64, width: 64),
                          try ONNXRuntimeHarness.tiles(count: 2, height: 96, width: 128)]
            guard let deltas = try maxDifferences(label, net, inputs: inputs) else { return }
            for (x, d) in zip(inputs, deltas) {
                #expect(d <= Self.tolerance, "\(label) at \(x.shape): max |Δp| = \(d)")
            }
        }
    }
}
