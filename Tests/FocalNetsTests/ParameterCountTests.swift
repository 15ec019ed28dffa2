import FocalCore
import FocalNets
import Testing

/// Exact parameter counts of the paper's networks (3 input channels, 2 classes, 32 base
/// filters, depth 4, instance normalisation).
///
/// U-Net, by hand from the layer shapes (conv k×k Cin→Cout: k²·Cin·Cout + Cout; IN: 2·C):
///   enc0 (3→32): 896 + 64 + 9,248 + 64 = 10,272         enc1 (32→64): 55,680
///   enc2 (64→128): 221,952                              enc3 (128→256): 886,272
///   bottleneck (256→512): 1,180,160 + 1,024 + 2,359,808 + 1,024 = 3,542,016
///   dec3: up 512→256 (2×2) 524,544 + conv 512→256 1,179,904 + 512 + 590,080 + 512 = 2,295,552
///   dec2: 131,200 + 295,040 + 256 + 147,584 + 256 = 574,336
///   dec1: 32,832 + 73,792 + 128 + 36,928 + 128 = 143,808
///   dec0: 8,224 + 18,464 + 64 + 9,248 + 64 = 36,064     head 32→2 (1×1): 66
///   total 7,766,018.
/// Focal SE block, r = 8 (C→C/8→C with biases, + ε): 2·C·C/8 + C/8 + C + 1
///   C = 32: 293, 64: 1,097, 128: 4,241, 256: 16,673, 512: 66,113;
///   9 blocks (enc 32…256, bottleneck 512, dec 256…32): 2·(293 + 1,097 + 4,241 + 16,673) + 66,113 = 110,721
///   USE-Net total 7,876,739.
/// Focal attention gate at a level with F channels (gating tensor 2F channels), instance norm:
///   gating 1×1 2F→F: 2F² + F; its IN: 2F; θ 3×3 F→F: 9F² + F; φ 1×1: F² + F; ψ 1×1 F→1: F + 1;
///   output 1×1 F→F: F² + F; its IN: 2F; ε: 1   ⇒ 13F² + 9F + 2
///   F = 32: 13,602; 64: 53,826; 128: 214,146; 256: 854,274; sum 1,135,848
///   Attention U-Net total 7,766,018 + 1,135,848 = 8,901,866.
///   (With batch norm the trainable count is the same; the running statistics are buffers.
///   Without the 4 ε it is 8,901,862, the spec's MIScnn count.)
@Suite("Parameter counts of the paper's networks")
struct ParameterCountTests {
    @Test("U-Net: 7,766,018")
    func unet() throws {
        var g = RandomGenerator(seed: 1)
        let net = try UNet(configuration: UNetConfiguration(), generator: &g)
        #expect(net.parameterCount == 7_766_018)
        #expect(net.namedParameters().count == 4 * 8 + 8 + 4 * 10 + 2)
        // The paper-sized network runs (smallest valid image).
        let p = try withNoGrad { try net(uniform([1, 3, 16, 16], seed: 3)) }
        #expect(p.shape == [1, 2, 16, 16])
    }

    @Test("USE-Net with 9 Focal SE blocks, r = 8: 7,876,739 (9 ε included)")
    func useNet() throws {
        var g = RandomGenerator(seed: 2)
        let net = try UNet(configuration: .useNet(focal: true), generator: &g)
        #expect(net.parameterCount == 7_876_739)
        #expect(net.focalWeights.count == 9)
        #expect(net.focalWeights.map(\.position) == ["enc0", "enc1", "enc2", "enc3", "bottleneck", "dec3", "dec2", "dec1", "dec0"])
        // With r = 16 the SE blocks hold 56,101 parameters (the spec's 7,822,119 in total); the
        // per-block formula is checked in SqueezeExcitationTests.
    }

    @Test("Attention U-Net with 4 Focal attention gates: 8,901,866 (4 ε included)")
    func attentionUNet() throws {
        var g = RandomGenerator(seed: 3)
        let net = try UNet(configuration: .attentionUNet(focal: true), generator: &g)
        #expect(net.parameterCount == 8_901_866)
        #expect(net.focalWeights.map(\.position) == ["skip0", "skip1", "skip2", "skip3"])
        var g2 = RandomGenerator(seed: 3)
        let bn = try UNet(configuration: UNetConfiguration(normalization: .batch, plan: .attentionGates(focal: false)), generator: &g2)
        #expect(bn.parameterCount == 8_901_862)
    }

    @Test("the USE-Net and Attention U-Net presets take a depth and filters: every position of that depth")
    func presetsAtAnotherDepth() throws {
        var g = RandomGenerator(seed: 4)
        let se = try UNet(configuration: .useNet(inChannels: 1, baseFilters: 4, depth: 3), generator: &g)
        #expect(se.focalWeights.map(\.position) == ["enc0", "enc1", "enc2", "bottleneck", "dec2", "dec1", "dec0"])
        let ag = try UNet(configuration: .attentionUNet(focal: false, inChannels: 1, baseFilters: 4, depth: 3), generator: &g)
        #expect(ag.focalWeights.isEmpty && ag.plan.positions.map(\.name) == ["skip0", "skip1", "skip2"])
        #expect(ag.configuration.depth == 3 && ag.configuration.baseFilters == 4)
        let p = try withNoGrad { try se(uniform([1, 1, 8, 8], seed: 1)) }
        #expect(p.shape == [1, 2, 8, 8])
    }
}
