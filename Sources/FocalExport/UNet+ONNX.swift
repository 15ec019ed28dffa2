import FocalNets

extension ONNXGraphBuilder {
    /// The whole U-Net on `input` as `UNet.callAsFunction` computes it in evaluation mode:
    /// encoder blocks with max pooling, the bottleneck, the decoder levels (`ConvTranspose`,
    /// the gated or plain skip, `Concat([up, skip])`, the double convolution), the 1×1 head and
    /// the softmax over the classes. Returns the probabilities' value name.
    public func unet(_ net: UNet, _ input: String) throws -> String {
        var skips: [String] = []
        var h = input
        for (i, block) in net.encoder.enumerated() {
            h = try doubleConv(block, h, prefix: "encoder.\(i)")
            skips.append(h)
            h = node("MaxPool", [h], name: "encoder.\(i).pool",
                     attributes: [Self.ints("kernel_shape", [2, 2]), Self.ints("strides", [2, 2])])
        }
        h = try doubleConv(net.bottleneck, h, prefix: "bottleneck")
        for i in (0..<net.configuration.depth).reversed() {
            let stage = net.decoder[i]
            let prefix = "decoder.\(i)"
            let up = convTranspose(stage.up, h, prefix: prefix + ".up")
            let skip = try stage.gate.map { try attentionGate($0, skip: skips[i], gating: h, prefix: prefix + ".gate") } ?? skips[i]
            let joined = node("Concat", [up, skip], name: prefix + ".concat", attributes: [Self.int("axis", 1)])
            h = try doubleConv(stage.block, joined, prefix: prefix + ".block")
        }
        let logits = conv(net.head, h, prefix: "head")
        return node("Softmax", [logits], name: "probabilities", attributes: [Self.int("axis", 1)])
    }
}
