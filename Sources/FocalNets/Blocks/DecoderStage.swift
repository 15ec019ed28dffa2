import FocalCore

/// One decoder level of the U-Net: the up-convolution of the coarser tensor, the optional
/// attention gate on the skip connection, the concatenation `[up, skip]` (up first, as the
/// original) and the double convolution (with its optional SE block).
public final class DecoderStage: Module, @unchecked Sendable {
    /// `ConvTranspose 2×2, stride 2` (`2F → F`, bias, linear).
    public let up: ConvTranspose2d
    /// The attention gate on the skip, if the plan has one here.
    public let gate: AttentionGate?
    /// The double convolution on `[up, skip]` (`2F → F`).
    public let block: DoubleConv

    /// A decoder level from its parts. `up` must map the coarse tensor's channels to the skip's
    /// channels F, and `block` must take 2F channels.
    public init(up: ConvTranspose2d, gate: AttentionGate?, block: DoubleConv) {
        precondition(block.inChannels == 2 * up.outChannels,
                     "DecoderStage: block takes \(block.inChannels) channels, concat gives \(2 * up.outChannels)")
        precondition(gate == nil || (gate!.skipChannels == up.outChannels && gate!.gatingChannels == up.inChannels),
                     "DecoderStage: gate channels do not match the up-convolution \(up.inChannels) → \(up.outChannels)")
        self.up = up
        self.gate = gate
        self.block = block
        super.init()
    }

    /// `block(concat([up(coarse), gate?(skip, coarse) ?? skip]))`.
    public func callAsFunction(_ coarse: Tensor, skip: Tensor) -> Tensor {
        let u = up(coarse)
        let s = gate.map { $0(skip, gating: coarse) } ?? skip
        precondition(u.shape == s.shape, "DecoderStage: upsampled \(u.shape) and skip \(s.shape) differ")
        return block(Tensor.concat([u, s], axis: 1))
    }
}
